package io.segstream.bench;

import io.segstream.broker.TopicReader;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.MaskStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Capacity: N cameras replayed in real time through {@code segstream ingest} processes, a broker
 * in a JVM of its own ({@link BrokerProcess}) and one {@code segstream run} process, as deployed;
 * this JVM only reads the masks. Per camera: segmented frames/s, skipped and warm shares, p50/p99
 * capture-to-mask latency (capture time to the mask's arrival here, one host clock), per-stage
 * times from the masks, and what ingest says it sent to Kafka per camera-second. For the
 * processor: CPU core-ms per segmented frame by thread kind, read from {@code /proc} over the time
 * masks flow (inference: ONNX Runtime's pool and the batcher thread; JIT compiler threads apart;
 * the rest is pre/post-processing, the CRF, Kafka clients and GC). Decoding runs in the ingest
 * processes and is not counted. Every figure but the first line's p99 leaves out the masks of the
 * first {@code warmup-s} seconds after the first mask (the JIT and the engine's first runs): a
 * live camera runs for hours.
 *
 * <p>{@code mode=batch} ingests every frame as fast as Kafka takes it into a processor in batch
 * mode ({@code max.frame.age.ms=0}): the rate the live modes are compared with.
 *
 * <pre>
 * java -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar io.segstream.bench.CapacityRun \
 *     clip=PATH cameras=1 mode=live|batch [fps=N] [max-side=PIXELS] [max-age-ms=1000] [frames=N] \
 *     [warmup-s=10] [jar=stream-app/target/segstream.jar] [X=key=value ...]   (X: to run and to ingest)
 * </pre>
 */
public final class CapacityRun {
    private CapacityRun() {}

    /** One camera's masks as they arrive. */
    private static final class Camera {
        final List<Long> latencyUs = new ArrayList<>();
        /** Every segmented mask's latency, the warm-up included. */
        final List<Long> allLatencyUs = new ArrayList<>();
        /** Segmented frames' age on reaching the processor: capture to the processor's arrival. */
        final List<Long> arrivalAgeUs = new ArrayList<>();
        String lastSkip = "";
        long segmented;
        long warm;
        long firstMaskNanos = Long.MAX_VALUE;
        long lastMaskNanos;
        long masks;
        /** Sequence numbers answered more than once (exactly-once says none). */
        long doubled;
        final java.util.Set<Long> sequences = new java.util.HashSet<>();
        final Map<String, Long> skipped = new TreeMap<>();
        long preUs;
        long inferenceUs;
        long crfUs;
        long postUs;
        double mbPerCameraSecond = Double.NaN;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        List<String> extra = new ArrayList<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (a.startsWith("X=")) {
                extra.add(a.substring(2));
            } else if (eq > 0) {
                opts.put(a.substring(0, eq), a.substring(eq + 1));
            } else {
                throw new IllegalArgumentException("arguments are key=value, was " + a);
            }
        }
        String clip = require(opts, "clip");
        int cameras = Integer.parseInt(opts.getOrDefault("cameras", "1"));
        boolean live = opts.getOrDefault("mode", "live").equals("live");
        String maxAge = live ? opts.getOrDefault("max-age-ms", "1000") : "0";
        Path jar = Path.of(opts.getOrDefault("jar", "stream-app/target/segstream.jar")).toAbsolutePath();
        String dataDir = System.getProperty("segstream.data.dir", "../shared/data");
        Path logs = Files.createTempDirectory("segstream-capacity");
        System.out.printf(Locale.ROOT, "%s: %d camera(s) of %s, %s%s%s, logs in %s, %d cores%n",
                live ? "live (max.frame.age.ms " + maxAge + ")" : "batch", cameras, clip,
                live ? "replayed at its own rate" : "as fast as Kafka takes it",
                opts.containsKey("fps") ? ", ingest --fps " + opts.get("fps") : "",
                opts.containsKey("max-side") ? ", ingest --max-side " + opts.get("max-side") : "", logs,
                Runtime.getRuntime().availableProcessors());

        try (BrokerProcess broker = BrokerProcess.start("1g", 32 * 1024 * 1024, logs.resolve("broker.log"))) {
            String bootstrap = broker.bootstrapServers();
            int metricsPort = freePort();
            List<String> run = new ArrayList<>(List.of(java(), "-jar", jar.toString(), "run", "-b", bootstrap,
                    "--data-dir", dataDir, "--metrics-port", Integer.toString(metricsPort), "--max-frame-age-ms",
                    maxAge));
            for (String x : extra) {
                run.add("-X");
                run.add(x);
            }
            Process processor = new ProcessBuilder(run).redirectErrorStream(true)
                    .redirectOutput(logs.resolve("run.log").toFile()).start();
            try {
                awaitReady(processor, metricsPort, logs.resolve("run.log"));
                measure(processor, bootstrap, clip, cameras, live, opts, extra, dataDir, jar, logs);
            } finally {
                processor.destroy(); // SIGTERM: the processor closes within its bounded close time
                if (!processor.waitFor(60, TimeUnit.SECONDS)) {
                    processor.destroyForcibly();
                }
            }
        }
    }

    private static void measure(Process processor, String bootstrap, String clip, int cameras, boolean live,
            Map<String, String> opts, List<String> extra, String dataDir, Path jar, Path logs) throws Exception {
        List<Process> ingests = new ArrayList<>();
        for (int c = 0; c < cameras; c++) {
            List<String> ingest = new ArrayList<>(List.of(java(), "-jar", jar.toString(), "ingest", "-b", bootstrap,
                    "--data-dir", dataDir, "--source", clip, "--camera", "cam-" + c));
            if (live) {
                ingest.add("--realtime");
            }
            if (opts.containsKey("fps")) {
                ingest.addAll(List.of("--fps", opts.get("fps")));
            }
            if (opts.containsKey("max-side")) {
                ingest.addAll(List.of("--max-side", opts.get("max-side")));
            }
            if (opts.containsKey("frames")) {
                ingest.addAll(List.of("--max-frames", opts.get("frames")));
            }
            for (String x : extra) { // Kafka client settings (compression.type, ...) apply to ingest's producer too
                ingest.add("-X");
                ingest.add(x);
            }
            ingests.add(new ProcessBuilder(ingest).redirectErrorStream(true)
                    .redirectOutput(logs.resolve("ingest-" + c + ".log").toFile()).start());
        }
        long ingestStart = System.nanoTime();
        long[] ingestCpuNanos = new long[cameras];
        long[] ingestWallNanos = new long[cameras];
        Thread sampler = new Thread(() -> { // an ended process's CPU time cannot be read: sample it while it runs
            while (true) {
                boolean alive = false;
                for (int c = 0; c < ingests.size(); c++) {
                    Process p = ingests.get(c);
                    if (p.isAlive()) {
                        alive = true;
                        ingestWallNanos[c] = System.nanoTime() - ingestStart;
                        int camera = c;
                        p.toHandle().info().totalCpuDuration().ifPresent(d -> ingestCpuNanos[camera] = d.toNanos());
                    }
                }
                if (!alive) {
                    return;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        Map<String, Camera> seen = new ConcurrentHashMap<>();
        AtomicLong total = new AtomicLong();
        AtomicLong expected = new AtomicLong(-1);
        long pid = processor.pid();
        Map<Long, ThreadCpu> cpuStart = new HashMap<>();
        long[] window = {Long.MIN_VALUE, 0};
        long warmupNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(opts.getOrDefault("warmup-s", "10")));
        long[] firstMask = {Long.MIN_VALUE};
        ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), Map.of("bootstrap.servers", bootstrap));
        KafkaSettings kafka = new KafkaSettings(loaded.segstream(), loaded.kafka());
        Thread waiter = new Thread(() -> {
            long sum = 0;
            for (int c = 0; c < ingests.size(); c++) {
                try {
                    ingests.get(c).waitFor();
                    String log = Files.readString(logs.resolve("ingest-" + c + ".log"));
                    Matcher m = Pattern.compile("ingested (\\d+) frames.*?; ([\\d.]+) MB per camera-second").matcher(log);
                    if (!m.find()) {
                        throw new IllegalStateException("ingest " + c + " failed:\n" + log);
                    }
                    sum += Long.parseLong(m.group(1));
                    seen.computeIfAbsent("cam-" + c, k -> new Camera()).mbPerCameraSecond =
                            Double.parseDouble(m.group(2));
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            expected.set(sum);
        });
        waiter.setDaemon(true);
        waiter.start();
        boolean done = TopicReader.follow(kafka.consumer(), loaded.segstream().masksTopic(), r -> {
            long now = System.nanoTime();
            Mask mask;
            try {
                mask = Mask.parseFrom(r.value());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            total.incrementAndGet();
            if (firstMask[0] == Long.MIN_VALUE) {
                firstMask[0] = now;
            }
            Camera camera = seen.computeIfAbsent(mask.getCameraId(), k -> new Camera());
            synchronized (camera) {
                camera.doubled += camera.sequences.add(mask.getSequence()) ? 0 : 1;
            }
            if (mask.getStatus() == MaskStatus.MASK_STATUS_OK) {
                synchronized (camera) {
                    camera.allLatencyUs.add(System.currentTimeMillis() * 1000 - mask.getCaptureTimeUs());
                }
            }
            if (now - firstMask[0] < warmupNanos) {
                return;
            }
            if (window[0] == Long.MIN_VALUE) {
                window[0] = now;
                cpuStart.putAll(ThreadCpu.read(pid));
            }
            window[1] = now;
            synchronized (camera) {
                camera.masks++;
                camera.firstMaskNanos = Math.min(camera.firstMaskNanos, now);
                camera.lastMaskNanos = now;
                if (mask.getStatus() == MaskStatus.MASK_STATUS_OK) {
                    camera.segmented++;
                    camera.warm += mask.getCrf().getWarmStart() ? 1 : 0;
                    camera.latencyUs.add(System.currentTimeMillis() * 1000 - mask.getCaptureTimeUs());
                    camera.preUs += mask.getTimings().getPreprocessUs();
                    camera.inferenceUs += mask.getTimings().getInferenceUs();
                    camera.crfUs += mask.getTimings().getCrfUs();
                    camera.postUs += mask.getTimings().getPostprocessUs();
                    var t = mask.getTimings();
                    camera.arrivalAgeUs.add(t.getEndToEndUs() - t.getQueueUs() - t.getPreprocessUs()
                            - t.getInferenceUs() - t.getCrfUs() - t.getPostprocessUs());
                } else {
                    camera.lastSkip = mask.getStatusDetail();
                    camera.skipped.merge(mask.getStatus().name().replace("MASK_STATUS_SKIPPED_", "").toLowerCase(
                            Locale.ROOT), 1L, Long::sum);
                }
            }
        }, () -> expected.get() >= 0 && total.get() >= expected.get(), Duration.ofMinutes(30));
        long doubled = seen.values().stream().mapToLong(c -> c.doubled).sum();
        System.out.printf(Locale.ROOT, "masks %d for %d frames ingested, %d sequence numbers answered twice%n",
                total.get(), expected.get(), doubled);
        Map<Long, ThreadCpu> cpuEnd = ThreadCpu.read(pid);
        if (!done) {
            throw new IllegalStateException("masks " + total.get() + " of " + expected.get() + " within 30 minutes");
        }
        if (window[0] == Long.MIN_VALUE) {
            throw new IllegalStateException("every mask came within the warm-up; ingest more frames");
        }
        report(seen, cpuStart, cpuEnd, (window[1] - window[0]) / 1e9);
        sampler.join(); // the ingests have ended: its last samples are in, and visible here
        double cores = 0;
        for (int c = 0; c < cameras; c++) {
            cores += ingestWallNanos[c] > 0 ? (double) ingestCpuNanos[c] / ingestWallNanos[c] : 0;
        }
        System.out.printf(Locale.ROOT, "ingest CPU (decoding, converting, producing; JVM start-up included): %.2f "
                + "cores per camera%n", cores / cameras);
    }

    private static void report(Map<String, Camera> cameras, Map<Long, ThreadCpu> start, Map<Long, ThreadCpu> end,
            double seconds) {
        System.out.printf(Locale.ROOT, "%-7s %6s %6s %7s %11s %6s %9s %9s %28s %10s  %s%n", "camera", "masks",
                "segm", "segm/s", "skipped", "warm", "p50 ms", "p99 ms", "pre/infer/crf/post ms", "MB/cam-s",
                "skips by reason");
        long segmented = 0;
        double sumRate = 0;
        for (Map.Entry<String, Camera> e : new TreeMap<>(cameras).entrySet()) {
            Camera c = e.getValue();
            double span = (c.lastMaskNanos - c.firstMaskNanos) / 1e9;
            double rate = span > 0 ? c.segmented / span : Double.NaN;
            segmented += c.segmented;
            sumRate += Double.isNaN(rate) ? 0 : rate;
            long skips = c.masks - c.segmented;
            double n = Math.max(1, c.segmented);
            System.out.printf(Locale.ROOT, "%-7s %6d %6d %7.2f %10.1f%% %5.0f%% %9s %9s %28s %10.2f  %s%n", e.getKey(),
                    c.masks, c.segmented, rate, 100.0 * skips / Math.max(1, c.masks), 100.0 * c.warm / n,
                    percentile(c.latencyUs, 0.50), percentile(c.latencyUs, 0.99),
                    String.format(Locale.ROOT, "%.0f/%.0f/%.0f/%.0f", c.preUs / n / 1000, c.inferenceUs / n / 1000,
                            c.crfUs / n / 1000, c.postUs / n / 1000), c.mbPerCameraSecond, c.skipped);
        }
        for (Map.Entry<String, Camera> e : new TreeMap<>(cameras).entrySet()) {
            Camera c = e.getValue();
            System.out.printf(Locale.ROOT, "%s: segmented frames reached the processor p50 %s ms, p99 %s ms after "
                    + "capture; p99 capture to mask with the warm-up %s ms; last skip: %s%n", e.getKey(),
                    percentile(c.arrivalAgeUs, 0.5), percentile(c.arrivalAgeUs, 0.99),
                    percentile(c.allLatencyUs, 0.99), c.lastSkip);
        }
        System.out.printf(Locale.ROOT, "all cameras: %d segmented, %.2f segmented frames/s together%n", segmented,
                sumRate);
        Map<String, Double> byKind = new TreeMap<>();
        for (Map.Entry<Long, ThreadCpu> e : end.entrySet()) {
            ThreadCpu before = start.get(e.getKey());
            double ms = e.getValue().cpuMs() - (before != null ? before.cpuMs() : 0);
            byKind.merge(e.getValue().kind(), ms, Double::sum);
        }
        double all = byKind.values().stream().mapToDouble(Double::doubleValue).sum();
        double outside = all - byKind.getOrDefault("inference", 0.0) - byKind.getOrDefault("jit", 0.0);
        StringBuilder kinds = new StringBuilder();
        long frames = Math.max(1, segmented);
        byKind.forEach((k, v) -> kinds.append(String.format(Locale.ROOT, " %s %.0f", k, v / frames)));
        System.out.printf(Locale.ROOT, "processor CPU over %.1f s of masks: %.2f cores; core-ms per segmented frame:%s; "
                + "outside inference and JIT %.0f%n", seconds, all / 1000 / seconds, kinds, outside / frames);
    }

    private static String percentile(List<Long> values, double q) {
        if (values.isEmpty()) {
            return "-";
        }
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return Long.toString(sorted.get((int) Math.min(sorted.size() - 1, Math.floor(q * sorted.size()))) / 1000);
    }

    /** One thread's name and CPU time from {@code /proc/PID/task/TID/stat}. */
    private record ThreadCpu(String comm, long tid, long pid, double cpuMs) {
        static Map<Long, ThreadCpu> read(long pid) {
            Map<Long, ThreadCpu> threads = new HashMap<>();
            double msPerTick = 1000.0 / 100; // USER_HZ is 100 on Linux
            try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        int open = stat.indexOf('(');
                        int close = stat.lastIndexOf(')');
                        String[] rest = stat.substring(close + 2).split(" ");
                        long tid = Long.parseLong(stat.substring(0, open).trim());
                        double ms = (Long.parseLong(rest[11]) + Long.parseLong(rest[12])) * msPerTick;
                        threads.put(tid, new ThreadCpu(stat.substring(open + 1, close), tid, pid, ms));
                    } catch (IOException | RuntimeException e) {
                        // the thread ended between the listing and the read
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the processor's threads: " + e.getMessage(), e);
            }
            return threads;
        }

        /**
         * inference (ONNX Runtime's pool, which takes the name of the JVM's launcher thread, "java", and
         * the batcher thread that calls it), jit, gc, kafka (client threads) or processing (stream threads
         * and CRF workers: pre/post-processing, the CRF, deserialising frames, the live schedule).
         */
        String kind() {
            if (comm.startsWith("segstream-batch") || (comm.equals("java") && tid != pid)) {
                return "inference";
            }
            if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                return "jit";
            }
            if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
                return "gc";
            }
            if (comm.startsWith("kafka-")) {
                return "kafka";
            }
            return "processing";
        }
    }

    private static void awaitReady(Process processor, int port, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!processor.isAlive()) {
                throw new IllegalStateException("the processor ended:\n" + Files.readString(log));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/readyz")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not serving yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the processor was not ready within 5 minutes:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String require(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key + "=...");
        }
        return v;
    }
}

package io.segstream.bench;

import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The compose stack's figures (issue 16) on real containers (deploy/compose/compose.yaml), masks
 * followed by one read_committed consumer on the host:
 * <ol>
 *   <li>time from {@code compose up} (broker, two processors, the realtime camera, as users start it)
 *       to the first mask;</li>
 *   <li>after a SIGKILL of the processor that holds the camera, the longest gap between masks;</li>
 *   <li>frames/s of two processors against one, alternating 1, 2, 1, 2: CAMERAS cameras of FRAMES
 *       frames ingested first, then the processors started, frames/s from the first mask to the last.</li>
 * </ol>
 * Needs podman, podman-compose and the images (deploy/README.md). From the repository root:
 * <pre>
 * SEGSTREAM_IMAGE=localhost/segstream:it KAFKA_IMAGE=localhost/segstream-kafka:it SEGSTREAM_DATA=../shared/data \
 *   java -cp benchmarks/target/benchmarks.jar io.segstream.bench.ComposeRun [CAMERAS] [FRAMES]
 * </pre>
 */
public final class ComposeRun {
    private static final String PROJECT = "segbench";
    private static final Map<String, String> ENV = new HashMap<>();

    private ComposeRun() {}

    public static void main(String[] args) throws Exception {
        int cameras = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        for (String name : List.of("SEGSTREAM_IMAGE", "KAFKA_IMAGE", "SEGSTREAM_DATA")) {
            String value = System.getenv(name);
            if (value == null) {
                throw new IllegalArgumentException("set " + name + " (see the class comment)");
            }
            ENV.put(name, name.equals("SEGSTREAM_DATA") ? Path.of(value).toRealPath().toString() : value);
        }
        ENV.putAll(Map.of("KAFKA_PORT", "19092", "RUN1_METRICS_PORT", "19464", "RUN2_METRICS_PORT", "19465"));
        Runtime.getRuntime().addShutdownHook(new Thread(ComposeRun::down));

        // 1 and 2: the stack as users start it, then a SIGKILL mid-stream.
        down();
        long up = System.nanoTime();
        compose("up", "-d");
        try (Masks masks = new Masks()) {
            masks.awaitCount(1, Duration.ofMinutes(5));
            System.out.printf(Locale.ROOT, "compose up to first mask: %.1f s%n", (masks.arrivals.get(0) - up) / 1e9);
            masks.awaitCount(40, Duration.ofMinutes(5));
            int owner = owner();
            long killedAt = System.nanoTime();
            int before = masks.count();
            run("podman", "rm", "-f", "-t", "0", PROJECT + "_run-" + owner + "_1");
            masks.awaitCount(before + 60, Duration.ofMinutes(5));
            long gap = 0;
            for (int i = 1; i < masks.arrivals.size(); i++) {
                if (masks.arrivals.get(i) > killedAt) {
                    gap = Math.max(gap, masks.arrivals.get(i) - masks.arrivals.get(i - 1));
                }
            }
            System.out.printf(Locale.ROOT, "SIGKILL of run-%d after %d masks: longest gap between masks after it "
                    + "%.1f s%n", owner, before, gap / 1e9);
        }
        down();

        // 3: one processor against two.
        for (int replicas : new int[] {1, 2, 1, 2}) {
            down();
            compose("up", "-d", "kafka");
            List<Process> ingests = new ArrayList<>();
            Thread.sleep(5_000);
            for (int c = 1; c <= cameras; c++) {
                ingests.add(start("podman", "run", "--rm", "--network", PROJECT + "_default",
                        "-e", "SEGSTREAM_DATA_DIR=/data", "-e", "SEGSTREAM_BROKER_TIMEOUT_MS=120000",
                        "-v", ENV.get("SEGSTREAM_DATA") + ":/data:ro",
                        "-v", Path.of("deploy/compose/segstream.properties").toAbsolutePath()
                                + ":/etc/segstream/segstream.properties:ro",
                        ENV.get("SEGSTREAM_IMAGE"), "ingest", "--config", "/etc/segstream/segstream.properties",
                        "--source", "sample:vtest", "--camera", "cam-" + c, "--max-frames", Integer.toString(frames)));
            }
            for (Process p : ingests) {
                if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    throw new IllegalStateException("an ingest failed");
                }
            }
            List<String> services = replicas == 1 ? List.of("run-1") : List.of("run-1", "run-2");
            List<String> upArgs = new ArrayList<>(List.of("up", "-d", "--no-deps"));
            upArgs.addAll(services);
            compose(upArgs.toArray(String[]::new));
            int total = cameras * frames;
            try (Masks masks = new Masks()) {
                masks.awaitCount(total, Duration.ofMinutes(10));
                double seconds = (masks.arrivals.get(total - 1) - masks.arrivals.get(0)) / 1e9;
                System.out.printf(Locale.ROOT, "%d processor(s): %d masks in %.1f s after the first: %.2f frames/s%n",
                        replicas, total, seconds, (total - 1) / seconds);
            }
        }
    }

    /** The processor whose frame count grows. */
    private static int owner() throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            long a = framesIn(19464);
            long b = framesIn(19465);
            Thread.sleep(1_500);
            long grewA = framesIn(19464) - a;
            long grewB = framesIn(19465) - b;
            if ((grewA == 0) != (grewB == 0)) {
                return grewA > 0 ? 1 : 2;
            }
        }
        throw new IllegalStateException("neither processor alone holds the camera");
    }

    private static long framesIn(int port) {
        try {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/metrics")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("(?m)^segstream_frames_total\\S* ([0-9.E]+)").matcher(body);
            return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    /** Masks as they arrive, from the beginning of the topic; arrival times in System.nanoTime(). */
    private static final class Masks implements AutoCloseable {
        final List<Long> arrivals = new ArrayList<>();
        private final KafkaConsumer<String, byte[]> consumer;
        private boolean assigned;

        Masks() {
            ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), Map.of("bootstrap.servers",
                    "127.0.0.1:19092"));
            consumer = new KafkaConsumer<>(new KafkaSettings(loaded.segstream(), loaded.kafka()).consumer(),
                    new StringDeserializer(), new ByteArrayDeserializer());
        }

        int count() {
            return arrivals.size();
        }

        void awaitCount(int n, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (arrivals.size() < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + arrivals.size() + " of " + n + " masks");
                }
                if (!assigned) {
                    List<PartitionInfo> parts;
                    try {
                        parts = consumer.partitionsFor("masks", Duration.ofSeconds(5));
                    } catch (org.apache.kafka.common.KafkaException e) {
                        parts = List.of();
                    }
                    if (parts == null || parts.isEmpty()) {
                        sleep(500);
                        continue;
                    }
                    consumer.assign(parts.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList());
                    consumer.seekToBeginning(consumer.assignment());
                    assigned = true;
                }
                int got = consumer.poll(Duration.ofMillis(100)).count();
                long now = System.nanoTime();
                for (int i = 0; i < got; i++) {
                    arrivals.add(now);
                }
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private static void compose(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("podman-compose", "-p", PROJECT, "-f",
                "deploy/compose/compose.yaml"));
        command.addAll(List.of(args));
        run(command.toArray(String[]::new));
    }

    private static void down() {
        try {
            compose("down", "-t", "2");
        } catch (Exception e) {
            // nothing was up
        }
    }

    private static void run(String... command) throws Exception {
        Process p = start(command);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }

    private static Process start(String... command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("/dev/null")));
        builder.environment().putAll(ENV);
        return builder.start();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

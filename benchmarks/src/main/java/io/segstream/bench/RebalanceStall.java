package io.segstream.bench;

import io.segstream.assets.Assets;
import io.segstream.broker.EmbeddedKafka;
import io.segstream.broker.TopicAdmin;
import io.segstream.codec.VideoSource;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.data.AssetResolver;
import io.segstream.ingest.FrameIngestor;
import io.segstream.model.ModelImporter;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.PixelFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * The rebalance stall of {@code ThreeProcessorsTest}, repeated for a p50 and a p99: three
 * {@code segstream run} JVMs with one application id, 8 cameras on 8 partitions, 200 frames each;
 * one SIGKILLed after a quarter of the masks and not restarted, then the other two restarted one at
 * a time (SIGTERM, wait for RUNNING, next). The stall is the longest gap between two masks of one
 * camera after the fault. Each run also counts masks doubled or out of order (read_committed).
 *
 * <p>Arms are jars holding {@code io.segstream.cli.Main} (two builds of segstream, say), each
 * optionally followed by {@code +key=value} settings given to its processors after the test's own
 * (session.timeout.ms 6000, heartbeat.interval.ms 1500, producer.transaction.timeout.ms 5000,
 * commit.interval.ms 200), run alternately so that the machine's drift falls on all alike:
 *
 * <pre>
 * java -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar \
 *     io.segstream.bench.RebalanceStall RUNS JAR[+KEY=VALUE...][,JAR[+KEY=VALUE...]...]
 * </pre>
 */
public final class RebalanceStall {
    private static final int CAMERAS = 8;
    private static final int FRAMES = 200;
    private static final long TOTAL = (long) CAMERAS * FRAMES;

    private RebalanceStall() {
    }

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        List<String> jars = Arrays.asList(args[1].split(","));
        Path work = Files.createTempDirectory("segstream-stall");
        Path model = work.resolve("model");
        AssetResolver data = AssetResolver.fromEnvironment(null);
        ModelImporter.importModel(data.resolve(Assets.DEEPLAB_ONNX), model, ModelImporter.Options.none());
        Map<String, List<double[]>> results = new HashMap<>();
        try (EmbeddedKafka broker = EmbeddedKafka.start(32 * 1024 * 1024)) {
            for (int run = 1; run <= runs; run++) {
                for (int arm = 0; arm < jars.size(); arm++) {
                    String name = "r" + run + "a" + arm;
                    double[] r = scenario(broker.bootstrapServers(), data, model, jars.get(arm), work.resolve(name),
                            name);
                    results.computeIfAbsent(jars.get(arm), k -> new ArrayList<>()).add(r);
                    System.out.printf(Locale.ROOT, "run %d, %s: kill stall %.1f s, rolling-restart stall %.1f s, "
                            + "all %d frames masked, doubled %d, out of order %d%n", run, jars.get(arm), r[0], r[1], TOTAL,
                            (long) r[2], (long) r[3]);
                }
            }
        }
        for (String jar : jars) {
            List<double[]> rs = results.get(jar);
            System.out.printf(Locale.ROOT, "%s, %d runs: kill stall p50 %.1f s, p99 %.1f s (max); rolling-restart "
                    + "stall p50 %.1f s, p99 %.1f s (max); doubled %d, out of order %d%n", jar, rs.size(),
                    percentile(rs, 0, 0.5), percentile(rs, 0, 0.99), percentile(rs, 1, 0.5), percentile(rs, 1, 0.99),
                    (long) rs.stream().mapToDouble(r -> r[2]).sum(), (long) rs.stream().mapToDouble(r -> r[3]).sum());
        }
    }

    /** Nearest-rank percentile of column {@code column}: with fewer than 100 runs, p99 is the largest. */
    private static double percentile(List<double[]> rows, int column, double p) {
        double[] v = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
        return v[Math.max(0, (int) Math.ceil(p * v.length) - 1)];
    }

    /**
     * One run: {kill stall s, rolling-restart stall s, doubled, out of order}. A run where a frame
     * gets no mask within its time stops the harness with the count it reached.
     */
    private static double[] scenario(String bootstrap, AssetResolver data, Path model, String jar, Path dir,
            String name) throws Exception {
        Files.createDirectories(dir);
        Map<String, String> settings = Map.of("bootstrap.servers", bootstrap,
                SegstreamConfig.FRAMES_TOPIC, name + "-frames", SegstreamConfig.MASKS_TOPIC, name + "-masks",
                SegstreamConfig.DEAD_LETTER_TOPIC, name + "-dead-letters", SegstreamConfig.TOPIC_PARTITIONS, "8");
        ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), settings);
        SegstreamConfig config = loaded.segstream();
        KafkaSettings kafka = new KafkaSettings(config, loaded.kafka());
        TopicAdmin.ensureAll(config, kafka);
        List<String> cameras = camerasOnDistinctPartitions();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                new ByteArraySerializer())) {
            for (int c = 0; c < CAMERAS; c++) {
                Path clip = data.resolve(c % 2 == 0 ? Assets.VTEST : Assets.CAR_TRAFFIC);
                try (VideoSource video = VideoSource.open(clip.toString(), PixelFormat.PIXEL_FORMAT_I420)) {
                    new FrameIngestor(config, producer).ingest(video, new FrameIngestor.Options(clip.toString(),
                            cameras.get(c), PixelFormat.PIXEL_FORMAT_I420, false, FRAMES, 0), n -> { });
                }
            }
        }
        List<Process> processors = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(kafka.consumer(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int p = 0; p < CAMERAS; p++) {
                parts.add(new TopicPartition(config.masksTopic(), p));
            }
            reader.assign(parts);
            reader.seekToBeginning(parts);
            Follow follow = new Follow(reader);
            for (int i = 1; i <= 3; i++) {
                processors.add(launch(jar, model, settings, name, dir.resolve("p" + i + ".log")));
            }
            follow.until(() -> follow.distinct() >= TOTAL / 4, Duration.ofMinutes(4));
            long killedAt = System.nanoTime();
            processors.get(0).destroyForcibly();
            // The killed member's cameras show their gap only once they move: wait until every camera not
            // yet done has 10 masks past the kill (its last commit can bring a few; 10 would need 2 s of it).
            Map<String, Integer> countAtKill = follow.counts();
            follow.until(() -> follow.counts().entrySet().stream().allMatch(e -> e.getValue() >= FRAMES
                    || e.getValue() >= countAtKill.getOrDefault(e.getKey(), 0) + 10), Duration.ofMinutes(4));
            long rollingAt = System.nanoTime();
            double killStall = follow.longestGap(killedAt, rollingAt) / 1e9;
            StringBuilder timeline = new StringBuilder();
            for (int i = 1; i <= 2; i++) {
                Process old = processors.get(i);
                old.destroy();
                if (!old.waitFor(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("processor " + (i + 1) + " did not stop within 30 s");
                }
                timeline.append(String.format(Locale.ROOT, "p%d exited %.1f s, ", i + 1, since(rollingAt)));
                Path log = dir.resolve("p" + (i + 1) + "-restarted.log");
                processors.set(i, launch(jar, model, settings, name, log));
                awaitRunning(processors.get(i), log);
                timeline.append(String.format(Locale.ROOT, "its successor RUNNING %.1f s; ", since(rollingAt)));
            }
            follow.until(() -> follow.distinct() >= TOTAL, Duration.ofMinutes(6));
            double rollingStall = follow.longestGap(rollingAt, Long.MAX_VALUE) / 1e9;
            System.out.printf(Locale.ROOT, "  rolling restart (from the first SIGTERM): %sthe longest gap %s%n", timeline,
                    follow.longestGapSpan(rollingAt));
            // Late duplicates would come after the last new mask: give them a moment to show.
            follow.until(() -> false, Duration.ofSeconds(2), true);
            return new double[] {killStall, rollingStall, follow.records - follow.distinct(), follow.outOfOrder};
        } finally {
            for (Process p : processors) {
                p.destroy();
            }
            for (Process p : processors) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            // 1,600 frames of 480x360 a run: free the broker's disk for the next.
            try (Admin admin = Admin.create(kafka.admin())) {
                admin.deleteTopics(List.of(config.framesTopic(), config.masksTopic(), config.deadLetterTopic()))
                        .all().get();
            }
        }
    }

    private static double since(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static Process launch(String jar, Path model, Map<String, String> settings, String app, Path log)
            throws IOException {
        String[] arm = jar.split("\\+");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx700m", "-Dai.djl.offline=true",
                "-Dsegstream.data.dir=" + System.getProperty("segstream.data.dir", ""), "-cp", arm[0],
                "io.segstream.cli.Main", "run", "--model", model.toString(), "--application-id", app,
                "--report-every", "1s", "--inference-threads", "1", "--stream-threads", "2", "--metrics-port", "-1",
                "--fit", "squash", "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=1500",
                "-X", "producer.transaction.timeout.ms=5000", "-X", "commit.interval.ms=200"));
        settings.forEach((k, v) -> command.addAll(List.of("-X", k + "=" + v)));
        for (int i = 1; i < arm.length; i++) { // the arm's own settings, after the test's: the last -X wins
            command.addAll(List.of("-X", arm[i]));
        }
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitRunning(Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.readString(log, StandardCharsets.UTF_8).contains("RUNNING:")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("a restarted processor did not reach RUNNING; see " + log);
            }
            Thread.sleep(50);
        }
    }

    /** Masks as they arrive: distinct frames, records, order per camera, and each camera's arrival times. */
    private static final class Follow {
        private final KafkaConsumer<String, byte[]> reader;
        private final Set<String> seen = new HashSet<>();
        private final Map<String, List<Long>> arrivals = new HashMap<>();
        private final Map<String, Long> last = new HashMap<>();
        private long records;
        private long outOfOrder;

        Follow(KafkaConsumer<String, byte[]> reader) {
            this.reader = reader;
        }

        int distinct() {
            return seen.size();
        }

        void until(BooleanSupplier done, Duration timeout) throws Exception {
            until(done, timeout, false);
        }

        void until(BooleanSupplier done, Duration timeout, boolean timeoutIsTheEnd) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    if (timeoutIsTheEnd) {
                        return;
                    }
                    throw new IllegalStateException("only " + seen.size() + " frames got a mask in time");
                }
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(100))) {
                    Mask mask = Mask.parseFrom(r.value());
                    records++;
                    seen.add(mask.getCameraId() + "/" + mask.getSequence());
                    Long previous = last.put(mask.getCameraId(), mask.getSequence());
                    if (previous != null && mask.getSequence() <= previous) {
                        outOfOrder++;
                    }
                    arrivals.computeIfAbsent(mask.getCameraId(), k -> new ArrayList<>()).add(System.nanoTime());
                }
            }
        }

        /** Masks so far per camera (distinct or not). */
        Map<String, Integer> counts() {
            Map<String, Integer> counts = new HashMap<>();
            arrivals.forEach((camera, times) -> counts.put(camera, times.size()));
            return counts;
        }

        /** The longest gap between two masks of one camera whose second mask arrived in (from, to). */
        long longestGap(long from, long to) {
            long longest = 0;
            for (List<Long> times : arrivals.values()) {
                for (int i = 1; i < times.size(); i++) {
                    if (times.get(i) > from && times.get(i) < to) {
                        longest = Math.max(longest, times.get(i) - times.get(i - 1));
                    }
                }
            }
            return longest;
        }

        /** The longest gap after {@code from}: its camera, and when it began and ended, in s from {@code from}. */
        String longestGapSpan(long from) {
            String span = "none";
            long longest = -1;
            for (Map.Entry<String, List<Long>> e : arrivals.entrySet()) {
                List<Long> times = e.getValue();
                for (int i = 1; i < times.size(); i++) {
                    long gap = times.get(i) - times.get(i - 1);
                    if (times.get(i) > from && gap > longest) {
                        longest = gap;
                        span = String.format(Locale.ROOT, "%s, %.1f s to %.1f s", e.getKey(),
                                (times.get(i - 1) - from) / 1e9, (times.get(i) - from) / 1e9);
                    }
                }
            }
            return span;
        }
    }

    /** Camera ids that the default partitioner puts on 8 different partitions. */
    private static List<String> camerasOnDistinctPartitions() {
        List<String> cameras = new ArrayList<>();
        Set<Integer> used = new HashSet<>();
        for (int i = 0; cameras.size() < CAMERAS; i++) {
            String id = "cam-" + i;
            if (used.add(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % CAMERAS)) {
                cameras.add(id);
            }
        }
        return cameras;
    }
}

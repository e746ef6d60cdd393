package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SegstreamProcess;
import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.broker.EmbeddedKafka;
import io.segstream.broker.TopicAdmin;
import io.segstream.codec.VideoSource;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.ingest.FrameIngestor;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.PixelFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out's answer to a lost processor (DESIGN.md, "Contracts"): three {@code segstream run}
 * JVMs with one application id share 8 cameras on 8 partitions; one is SIGKILLed mid-stream and not
 * restarted, its cameras move to the other two; then those two are restarted one at a time
 * (SIGTERM, wait for RUNNING, next). A read_committed reader must find exactly one mask per
 * (camera, sequence), in order per camera. The stall (the longest gap between two masks of a
 * camera) is measured for the kill and for the rolling restart. Streams' settings for a small
 * stall: a 6 s session timeout with 1.5 s heartbeats (the broker's minimum session), a 5 s
 * transaction timeout so a killed member's open transaction is aborted quickly, 200 ms commits.
 */
@Tag("integration")
class ThreeProcessorsTest {
    static final int CAMERAS = 8;
    static final int FRAMES_PER_CAMERA = 200;
    static final String APP = "three";

    @TempDir
    static Path work;

    @Test
    void aProcessorKilledAmongThreeAndARollingRestartLoseAndDoubleNothing() throws Exception {
        Path model = SharedData.importModel(work.resolve("model"));
        try (EmbeddedKafka broker = EmbeddedKafka.start(32 * 1024 * 1024)) {
            Map<String, String> topics = Map.of("bootstrap.servers", broker.bootstrapServers(),
                    SegstreamConfig.FRAMES_TOPIC, "three-frames", SegstreamConfig.MASKS_TOPIC, "three-masks",
                    SegstreamConfig.DEAD_LETTER_TOPIC, "three-dead-letters", SegstreamConfig.TOPIC_PARTITIONS, "8");
            ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), topics);
            SegstreamConfig config = loaded.segstream();
            KafkaSettings kafka = new KafkaSettings(config, loaded.kafka());
            TopicAdmin.ensureAll(config, kafka);
            List<String> cameras = camerasOnDistinctPartitions();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                    new ByteArraySerializer())) {
                for (int c = 0; c < CAMERAS; c++) {
                    Path clip = SharedData.path(c % 2 == 0 ? Assets.VTEST : Assets.CAR_TRAFFIC);
                    try (VideoSource video = VideoSource.open(clip.toString(), PixelFormat.PIXEL_FORMAT_I420)) {
                        assertEquals(FRAMES_PER_CAMERA, new FrameIngestor(config, producer).ingest(video,
                                new FrameIngestor.Options(clip.toString(), cameras.get(c), PixelFormat.PIXEL_FORMAT_I420,
                                        false, FRAMES_PER_CAMERA, 0), n -> { }));
                    }
                }
            }
            long total = (long) CAMERAS * FRAMES_PER_CAMERA;
            List<SegstreamProcess> processors = new ArrayList<>();
            try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(kafka.consumer(), new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>();
                for (int p = 0; p < 8; p++) {
                    parts.add(new TopicPartition(config.masksTopic(), p));
                }
                reader.assign(parts);
                reader.seekToBeginning(parts);
                Follow follow = new Follow(reader);
                for (int i = 1; i <= 3; i++) {
                    processors.add(launch(model, topics, "p" + i));
                }
                follow.until(() -> follow.distinct() >= total / 4, Duration.ofMinutes(4), processors);
                long killedAt = System.nanoTime();
                processors.get(0).kill(); // SIGKILL, not restarted
                int atKill = follow.distinct();
                // The killed member's cameras show their gap only once they move: wait until every camera not
                // yet done has 10 masks past the kill (its last commit can bring a few; 10 would need 2 s of it).
                Map<String, Integer> countAtKill = follow.counts();
                follow.until(() -> follow.counts().entrySet().stream().allMatch(e -> e.getValue() >= FRAMES_PER_CAMERA
                        || e.getValue() >= countAtKill.getOrDefault(e.getKey(), 0) + 10), Duration.ofMinutes(4),
                        processors);
                double killStall = follow.longestGapAfter(killedAt) / 1e9;

                // Rolling restart of the other two, one at a time.
                long rollingAt = System.nanoTime();
                int atRolling = follow.distinct();
                for (int i = 1; i <= 2; i++) {
                    SegstreamProcess old = processors.get(i);
                    old.terminate();
                    assertEquals(143, old.awaitExit(Duration.ofSeconds(30)), old.output());
                    SegstreamProcess restarted = launch(model, topics, "p" + (i + 1) + "-restarted");
                    processors.set(i, restarted);
                    assertTrue(restarted.awaitOutput(o -> o.contains("RUNNING:"), Duration.ofMinutes(2)),
                            restarted.output());
                }
                follow.until(() -> follow.distinct() >= total, Duration.ofMinutes(6), processors);
                double rollingStall = follow.longestGapAfter(rollingAt) / 1e9;
                assertTrue(atRolling < total, "everything was done before the rolling restart began");
                System.out.printf("three processors: SIGKILL of one after %d of %d masks, longest gap between a "
                                + "camera's masks after it %.1f s; rolling restart began after %d, longest gap %.1f s; "
                                + "gaps per camera around the kill: %s%n", atKill, total, killStall, atRolling,
                        rollingStall, follow.gapsAfter(killedAt));
            } finally {
                for (SegstreamProcess p : processors) {
                    p.terminate();
                    p.awaitExit(Duration.ofSeconds(20));
                    p.close();
                }
            }

            // Exactly one mask per frame, in order per camera, read_committed.
            Map<String, Integer> counts = new HashMap<>();
            Map<String, Long> last = new HashMap<>();
            long[] outOfOrder = {0};
            long records = io.segstream.broker.TopicReader.readAll(kafka.consumer(), config.masksTopic(), r -> {
                Mask mask = parse(r);
                counts.merge(mask.getCameraId() + "/" + mask.getSequence(), 1, Integer::sum);
                Long previous = last.put(mask.getCameraId(), mask.getSequence());
                if (previous != null && mask.getSequence() <= previous) {
                    outOfOrder[0]++;
                }
            });
            assertEquals(total, counts.size(), "frames with a mask");
            assertEquals(total, records, "masks read (a frame with two would make more)");
            assertEquals(0, outOfOrder[0], "masks out of order within a camera");
        }
    }

    /** Masks as they arrive: distinct frames, and each camera's arrival times. */
    private static final class Follow {
        private final KafkaConsumer<String, byte[]> reader;
        private final Set<String> seen = new HashSet<>();
        private final Map<String, List<Long>> arrivals = new HashMap<>();

        Follow(KafkaConsumer<String, byte[]> reader) {
            this.reader = reader;
        }

        int distinct() {
            return seen.size();
        }

        /** Masks so far per camera. */
        Map<String, Integer> counts() {
            Map<String, Integer> counts = new HashMap<>();
            arrivals.forEach((camera, times) -> counts.put(camera, times.size()));
            return counts;
        }

        void until(java.util.function.BooleanSupplier done, Duration timeout, List<SegstreamProcess> processors)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    StringBuilder logs = new StringBuilder();
                    for (SegstreamProcess p : processors) {
                        String out = p.output();
                        logs.append(p.log()).append(":\n").append(out, Math.max(0, out.length() - 3000),
                                out.length()).append('\n');
                    }
                    throw new AssertionError("only " + seen.size() + " frames got a mask in time\n" + logs);
                }
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(100))) {
                    Mask mask = parse(r);
                    seen.add(mask.getCameraId() + "/" + mask.getSequence());
                    arrivals.computeIfAbsent(mask.getCameraId(), k -> new ArrayList<>()).add(System.nanoTime());
                }
            }
        }

        /** Per camera, the longest gap between two of its masks that arrived after {@code since}. */
        Map<String, String> gapsAfter(long since) {
            Map<String, String> gaps = new java.util.TreeMap<>();
            arrivals.forEach((camera, times) -> gaps.put(camera, String.format(java.util.Locale.ROOT, "%.1f",
                    gap(times, since) / 1e9)));
            return gaps;
        }

        long longestGapAfter(long since) {
            return arrivals.values().stream().mapToLong(times -> gap(times, since)).max().orElse(0);
        }

        private static long gap(List<Long> times, long since) {
            long longest = 0;
            for (int i = 1; i < times.size(); i++) {
                if (times.get(i) > since) {
                    longest = Math.max(longest, times.get(i) - times.get(i - 1));
                }
            }
            return longest;
        }
    }

    private static SegstreamProcess launch(Path model, Map<String, String> topics, String name) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--model", model.toString(), "--application-id", APP,
                "--report-every", "1s", "--inference-threads", "1", "--stream-threads", "2", "--metrics-port", "-1",
                "--fit", "squash", "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=1500",
                "-X", "producer.transaction.timeout.ms=5000", "-X", "commit.interval.ms=200"));
        topics.forEach((k, v) -> args.addAll(List.of("-X", k + "=" + v)));
        return SegstreamProcess.start(work.resolve(name + ".log"), List.of("-Xmx700m"), args.toArray(String[]::new));
    }

    /** Camera ids that the default partitioner puts on 8 different partitions. */
    private static List<String> camerasOnDistinctPartitions() {
        List<String> cameras = new ArrayList<>();
        Set<Integer> used = new HashSet<>();
        for (int i = 0; cameras.size() < CAMERAS; i++) {
            String id = "cam-" + i;
            int partition = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % 8;
            if (used.add(partition)) {
                cameras.add(id);
            }
        }
        return cameras;
    }

    private static Mask parse(ConsumerRecord<String, byte[]> record) {
        try {
            return Mask.parseFrom(record.value());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}

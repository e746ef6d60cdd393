package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.broker.EmbeddedKafka;
import io.segstream.broker.TopicAdmin;
import io.segstream.broker.TopicReader;
import io.segstream.codec.VideoSource;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.ingest.FrameIngestor;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.PixelFormat;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor as a separate JVM ({@code segstream run}) against the embedded broker, killed with
 * SIGKILL three times at random moments and restarted each time (DESIGN.md, "Contracts").
 * Afterwards a read_committed reader must find exactly one mask per (camera, sequence), in order
 * per camera, with exactly-once; and none missing with at-least-once (duplicates counted).
 */
@Tag("integration")
class ProcessorKillTest {
    static final int FRAMES_PER_CAMERA = 300;
    static final Map<String, Path> CAMERAS = Map.of("vtest", SharedData.path(Assets.VTEST),
            "traffic", SharedData.path(Assets.CAR_TRAFFIC));

    @TempDir
    static Path modelDir;
    @TempDir
    static Path logs;
    static EmbeddedKafka broker;

    @BeforeAll
    static void start() throws Exception {
        SharedData.importModel(modelDir);
        broker = EmbeddedKafka.start(32 * 1024 * 1024);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** What the reader found: masks per (camera, sequence), and sequences out of order per camera. */
    record Outcome(Map<String, Integer> counts, long outOfOrder, long records) {}

    private static Outcome killThreeTimesAndFinish(String prefix, String guarantee, long seed) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                SegstreamConfig.FRAMES_TOPIC, prefix + "-frames",
                SegstreamConfig.MASKS_TOPIC, prefix + "-masks",
                SegstreamConfig.DEAD_LETTER_TOPIC, prefix + "-dead-letters",
                SegstreamConfig.TOPIC_PARTITIONS, "4"));
        ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), settings);
        SegstreamConfig config = loaded.segstream();
        KafkaSettings kafka = new KafkaSettings(config, loaded.kafka());
        TopicAdmin.ensureAll(config, kafka);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                new ByteArraySerializer())) {
            for (Map.Entry<String, Path> camera : CAMERAS.entrySet()) {
                try (VideoSource video = VideoSource.open(camera.getValue().toString(), PixelFormat.PIXEL_FORMAT_I420)) {
                    long sent = new FrameIngestor(config, producer).ingest(video, new FrameIngestor.Options(
                            camera.getValue().toString(), camera.getKey(), PixelFormat.PIXEL_FORMAT_I420, false,
                            FRAMES_PER_CAMERA, 0), n -> { });
                    assertEquals(FRAMES_PER_CAMERA, sent);
                }
            }
        }
        long expected = (long) CAMERAS.size() * FRAMES_PER_CAMERA;
        Random random = new Random(seed);
        List<Long> committedAtKill = new ArrayList<>();
        long before = 0;
        for (int kill = 1; kill <= 3; kill++) {
            Process processor = launch(prefix, settings, guarantee, kill);
            // Each kill lands mid-work: once this processor has added masks (however long its start took on a
            // busy machine), then after a random 0-3 s more.
            Path log = logs.resolve(prefix + "-" + kill + ".log");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (TopicReader.readAll(kafka.consumer(), config.masksTopic(), record -> { }) <= before) {
                assertTrue(processor.isAlive(), "processor exited on its own; see " + log);
                assertTrue(System.nanoTime() < deadline, "no mask within 3 minutes; see " + log);
                Thread.sleep(250);
            }
            boolean exited = processor.waitFor(random.nextInt(3_000), TimeUnit.MILLISECONDS);
            assertTrue(!exited, "processor exited on its own (exit " + (exited ? processor.exitValue() : 0)
                    + "); see " + log);
            processor.destroyForcibly(); // SIGKILL
            processor.waitFor();
            before = TopicReader.readAll(kafka.consumer(), config.masksTopic(), record -> { });
            committedAtKill.add(before);
        }
        System.out.println(guarantee + ": masks committed when each kill landed: " + committedAtKill + " of " + expected);
        // The kills must land mid-stream: work done before each (waited for above), and work left after the last.
        assertTrue(committedAtKill.get(2) < expected, "everything was done before the last kill");
        Process last = launch(prefix, settings, guarantee, 4);
        try {
            AtomicLong distinct = new AtomicLong();
            Map<String, Integer> seen = new HashMap<>();
            boolean done = TopicReader.follow(kafka.consumer(), config.masksTopic(), record -> {
                Mask mask = parse(record.value());
                if (seen.merge(mask.getCameraId() + "/" + mask.getSequence(), 1, Integer::sum) == 1) {
                    distinct.incrementAndGet();
                }
            }, () -> distinct.get() >= expected, java.time.Duration.ofMinutes(6));
            assertTrue(done, "only " + distinct.get() + " of " + expected + " frames got a mask; see "
                    + logs.resolve(prefix + "-4.log"));
        } finally {
            last.destroy(); // SIGTERM: a clean shutdown
            if (!last.waitFor(90, TimeUnit.SECONDS)) {
                last.destroyForcibly();
            }
        }
        Map<String, Integer> counts = new HashMap<>();
        Map<String, Long> lastSequence = new HashMap<>();
        long[] outOfOrder = {0};
        long records = TopicReader.readAll(kafka.consumer(), config.masksTopic(), record -> {
            Mask mask = parse(record.value());
            counts.merge(mask.getCameraId() + "/" + mask.getSequence(), 1, Integer::sum);
            Long previous = lastSequence.put(mask.getCameraId(), mask.getSequence());
            if (previous != null && mask.getSequence() <= previous) {
                outOfOrder[0]++;
            }
        });
        return new Outcome(counts, outOfOrder[0], records);
    }

    private static Process launch(String prefix, Map<String, String> settings, String guarantee, int run)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dsegstream.data.dir=" + SharedData.dir(), "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), "io.segstream.cli.Main", "run",
                "--model", modelDir.toString(), "--application-id", prefix, "--report-every", "2s",
                "--inference-threads", "2", "--metrics-port", "0", "--fit", "squash",
                "-X", "processing.guarantee=" + guarantee,
                // A killed member is noticed after its session (6 s, the broker's minimum) and its open
                // transaction aborted after 5 s, so restarts resume within seconds.
                "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=1500",
                "-X", "producer.transaction.timeout.ms=5000", "-X", "commit.interval.ms=200"));
        for (Map.Entry<String, String> e : settings.entrySet()) {
            command.add("-X");
            command.add(e.getKey() + "=" + e.getValue());
        }
        File log = logs.resolve(prefix + "-" + run + ".log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    private static Mask parse(byte[] value) {
        try {
            return Mask.parseFrom(value);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("the masks topic holds a record that is not a Mask", e);
        }
    }

    @Test
    void exactlyOnceSurvivesThreeKillsWithOneMaskPerFrameInOrder() throws Exception {
        Outcome outcome = killThreeTimesAndFinish("kill-eos", "exactly_once_v2", 7);
        long expected = (long) CAMERAS.size() * FRAMES_PER_CAMERA;
        long missing = expected - outcome.counts().size();
        long duplicated = outcome.counts().values().stream().filter(c -> c > 1).count();
        System.out.printf("exactly-once after 3 SIGKILLs: %d masks read, %d frames missing, %d duplicated, "
                + "%d out of order%n", outcome.records(), missing, duplicated, outcome.outOfOrder());
        assertEquals(0, missing, "frames without a mask");
        assertEquals(0, duplicated, "frames with more than one mask");
        assertEquals(expected, outcome.records());
        assertEquals(0, outcome.outOfOrder(), "masks out of sequence order within a camera");
    }

    @Test
    void atLeastOnceSurvivesThreeKillsWithoutLosingAFrame() throws Exception {
        Outcome outcome = killThreeTimesAndFinish("kill-alo", "at_least_once", 13);
        long expected = (long) CAMERAS.size() * FRAMES_PER_CAMERA;
        long missing = expected - outcome.counts().size();
        long duplicates = outcome.records() - outcome.counts().size();
        System.out.printf("at-least-once after 3 SIGKILLs: %d masks read, %d frames missing, %d duplicate masks%n",
                outcome.records(), missing, duplicates);
        assertEquals(0, missing, "frames without a mask");
    }
}

package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.broker.EmbeddedKafka;
import io.segstream.broker.TopicAdmin;
import io.segstream.broker.TopicReader;
import io.segstream.codec.VideoSource;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.data.AssetResolver;
import io.segstream.ingest.FrameIngestor;
import io.segstream.metrics.MaskTally;
import io.segstream.schemas.v1.Frame;
import io.segstream.schemas.v1.PixelFormat;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 malformed records of seven kinds mixed with real frames: every bad one is dead-lettered
 * with its reason, every good one gets a mask, the processor keeps running, and the heap stays
 * bounded (nothing is sized from an untrusted header before it is checked).
 */
@Tag("integration")
class MalformedFloodTest {
    static final int BAD = 10_000;
    static final int GOOD = 60;

    @TempDir
    static Path modelDir;

    /** One malformed record of kind {@code kind}, derived from a real frame. */
    static byte[] malformed(int kind, Frame good, Random random, long nowUs) {
        switch (kind) {
            case 0: {
                byte[] junk = new byte[1 + random.nextInt(2000)];
                random.nextBytes(junk);
                return junk;
            }
            case 1: {
                byte[] whole = good.toByteArray();
                return java.util.Arrays.copyOf(whole, 1 + random.nextInt(whole.length - 1));
            }
            case 2:
                return good.toBuilder().setWidth(good.getWidth() + 1 + random.nextInt(100)).build().toByteArray();
            case 3:
                return good.toBuilder().setWidth(Integer.MAX_VALUE - random.nextInt(1000))
                        .setHeight(Integer.MAX_VALUE - random.nextInt(1000)).setData(ByteString.EMPTY).build()
                        .toByteArray();
            case 4:
                return good.toBuilder().setPixelFormatValue(6 + random.nextInt(1000)).build().toByteArray();
            case 5:
                return good.toBuilder().setCameraId("").build().toByteArray();
            default:
                return good.toBuilder().setCaptureTimeUs(random.nextBoolean() ? -1 - random.nextInt(1 << 30)
                        : nowUs + 365L * 24 * 3600 * 1_000_000).build().toByteArray();
        }
    }

    static final String[] REASONS = {"not a segstream.v1.Frame", "", "bytes for", "out of range",
        "unknown pixel format", "camera_id is empty", "capture_time_us"};

    @Test
    void tenThousandMalformedRecordsAreDeadLetteredAndEveryGoodFrameGetsAMask() throws Exception {
        SharedData.importModel(modelDir);
        try (EmbeddedKafka broker = EmbeddedKafka.start(32 * 1024 * 1024)) {
            ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), new HashMap<>(Map.of(
                    "bootstrap.servers", broker.bootstrapServers(),
                    SegstreamConfig.FIT, "squash",
                    SegstreamConfig.INFERENCE_THREADS, "2")));
            SegstreamConfig config = loaded.segstream();
            KafkaSettings kafka = new KafkaSettings(config, loaded.kafka());
            TopicAdmin.ensureAll(config, kafka);
            List<Frame> good = new ArrayList<>();
            try (VideoSource video = VideoSource.open(SharedData.path(Assets.VTEST).toString(),
                    PixelFormat.PIXEL_FORMAT_I420)) {
                for (int i = 0; i < GOOD; i++) {
                    good.add(FrameIngestor.toFrame(video.next(), "lobby", i, "vtest.avi", 10));
                }
            }
            Random random = new Random(5);
            int[] sentPerKind = new int[7];
            Map<java.nio.ByteBuffer, Integer> kindOf = new HashMap<>();
            long nowUs = System.currentTimeMillis() * 1000;
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                    new ByteArraySerializer())) {
                int bad = 0;
                for (int g = 0; g < GOOD; g++) {
                    producer.send(new ProducerRecord<>(config.framesTopic(), "lobby", good.get(g).toByteArray()));
                    int until = (int) ((long) BAD * (g + 1) / GOOD);
                    for (; bad < until; bad++) {
                        int kind = bad % 7;
                        sentPerKind[kind]++;
                        byte[] value = malformed(kind, good.get(g), random, nowUs);
                        kindOf.put(java.nio.ByteBuffer.wrap(value), kind);
                        producer.send(new ProducerRecord<>(config.framesTopic(), "lobby", value));
                    }
                }
                producer.flush();
            }
            System.gc();
            long heapBefore = liveHeap();
            long peakHeap = 0;
            MaskTally tally;
            try (SegstreamProcessor processor = SegstreamProcessor.start(config, kafka, modelDir, AssetResolver.defaultCacheDir(), "flood")) {
                processor.awaitRunning(Duration.ofMinutes(1));
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (processor.metrics().masksOut() < GOOD || processor.metrics().deadLetteredRecords() < BAD) {
                    assertTrue(System.nanoTime() < deadline, "stalled at " + processor.metrics().masksOut()
                            + " masks and " + processor.metrics().deadLetteredRecords() + " dead letters");
                    peakHeap = Math.max(peakHeap, liveHeap());
                    Thread.sleep(50);
                }
                assertEquals(org.apache.kafka.streams.KafkaStreams.State.RUNNING, processor.state());
                tally = MaskTally.collect(kafka.consumer(), config.masksTopic(), GOOD, Duration.ofMinutes(2));
            }
            assertEquals(GOOD, tally.masks());
            assertEquals(0, tally.cameras().get("lobby").outOfOrder());
            int[] deadPerReason = new int[7];
            int[] ownReason = new int[7];
            long dead = TopicReader.readAll(kafka.consumer(), config.deadLetterTopic(), record -> {
                String reason = new String(record.headers().lastHeader(Headers.ERROR).value(), StandardCharsets.UTF_8);
                Integer kind = kindOf.get(java.nio.ByteBuffer.wrap(record.value()));
                if (kind != null && !REASONS[kind].isEmpty() && reason.contains(REASONS[kind])) {
                    ownReason[kind]++;
                }
                for (int k = REASONS.length - 1; k >= 0; k--) {
                    if (!REASONS[k].isEmpty() && reason.contains(REASONS[k])) {
                        deadPerReason[k]++;
                        return;
                    }
                }
                deadPerReason[1]++; // truncated protobuf: parses as garbage or as a frame whose bytes fall short
            });
            System.out.printf("%d malformed records sent (per kind %s), %d dead-lettered (per reason %s), "
                            + "%d masks; live heap (after GC) %d MB before, peak %d MB%n", BAD, java.util.Arrays.toString(sentPerKind),
                    dead, java.util.Arrays.toString(deadPerReason), tally.masks(), heapBefore >> 20, peakHeap >> 20);
            assertEquals(BAD, dead, "every malformed record dead-lettered");
            // Each record of these kinds is dead-lettered with its own reason (a truncated record, kind 1,
            // may parse into a frame with any fault, so reasons are matched to the record that was sent).
            for (int k : new int[] {3, 4, 5}) {
                assertEquals(sentPerKind[k], ownReason[k], "kind " + k + " dead-lettered for its own reason");
            }
            // What survives garbage collection, not what awaits it: a processor that buffered the flood
            // would keep it live. The test JVM holds the broker, the model and whatever earlier tests left.
            assertTrue(peakHeap - heapBefore < 512L << 20, "live heap grew by " + ((peakHeap - heapBefore) >> 20)
                    + " MB during the flood");
        }
    }

    /** Heap in use right after the last collection of each heap pool. */
    private static long liveHeap() {
        long live = 0;
        for (java.lang.management.MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getCollectionUsage() != null) {
                live += pool.getCollectionUsage().getUsed();
            }
        }
        return live;
    }
}

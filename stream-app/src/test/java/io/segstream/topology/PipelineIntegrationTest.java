package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.broker.EmbeddedKafka;
import io.segstream.broker.TopicAdmin;
import io.segstream.broker.TopicReader;
import io.segstream.codec.DecodedFrame;
import io.segstream.codec.VideoSource;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.data.AssetResolver;
import io.segstream.ingest.FrameIngestor;
import io.segstream.metrics.MaskTally;
import io.segstream.schemas.v1.Frame;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.MaskStatus;
import io.segstream.schemas.v1.PixelFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on a real (embedded, single-node KRaft) Kafka broker, real clips, the real model. */
@Tag("integration")
class PipelineIntegrationTest {
    static final int PERSON = 15;
    static final int CAR = 7;

    @TempDir
    static Path modelDir;
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

    /** Settings for one test: its own topics, so tests share the broker without sharing data. */
    private static ConfigLoader.Loaded settings(String prefix, Map<String, String> extra) {
        Map<String, String> overrides = new HashMap<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                SegstreamConfig.FRAMES_TOPIC, prefix + "-frames",
                SegstreamConfig.MASKS_TOPIC, prefix + "-masks",
                SegstreamConfig.DEAD_LETTER_TOPIC, prefix + "-dead-letters",
                SegstreamConfig.INFERENCE_THREADS, "2",
                // the 257 model these tests import is at its best tiled at native resolution
                SegstreamConfig.FIT, "tile",
                "commit.interval.ms", "200"));
        overrides.putAll(extra);
        return ConfigLoader.load(null, Map.of(), overrides);
    }

    private static MaskTally collect(KafkaSettings kafka, SegstreamConfig config, long expected) {
        return MaskTally.collect(kafka.consumer(), config.masksTopic(), expected, Duration.ofMinutes(8));
    }

    @Test
    void twoCamerasGetOneMaskPerFrameInOrderWithTheirObjects() throws Exception {
        ConfigLoader.Loaded loaded = settings("two", Map.of());
        SegstreamConfig config = loaded.segstream();
        KafkaSettings kafka = new KafkaSettings(config, loaded.kafka());
        TopicAdmin.ensureAll(config, kafka);
        int framesPerCamera = 200;
        Map<String, Path> cameras = Map.of("vtest", SharedData.path(Assets.VTEST),
                "traffic", SharedData.path(Assets.CAR_TRAFFIC));
        long sent = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                new ByteArraySerializer())) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<Long>> jobs = new ArrayList<>();
            for (Map.Entry<String, Path> camera : cameras.entrySet()) {
                jobs.add(pool.submit(() -> {
                    try (VideoSource video = VideoSource.open(camera.getValue().toString(),
                            PixelFormat.PIXEL_FORMAT_I420)) {
                        return new FrameIngestor(config, producer).ingest(video, new FrameIngestor.Options(
                                camera.getValue().toString(), camera.getKey(), PixelFormat.PIXEL_FORMAT_I420, false,
                                framesPerCamera, 0), n -> { });
                    }
                }));
            }
            for (Future<Long> job : jobs) {
                sent += job.get();
            }
            pool.shutdown();
        }
        assertEquals(2L * framesPerCamera, sent);

        MaskTally tally;
        long deadLettered;
        try (SegstreamProcessor processor = SegstreamProcessor.start(config, kafka, modelDir, AssetResolver.defaultCacheDir(), "two-cameras")) {
            tally = collect(kafka, config, sent);
            deadLettered = processor.metrics().deadLetteredRecords();
            assertTrue(processor.metrics().meanBatchSize() > 1, "batches carry several model inputs");
        }
        assertEquals(sent, tally.masks(), "one mask per frame");
        assertEquals(0, deadLettered, "nothing dead-lettered");
        for (String camera : cameras.keySet()) {
            MaskTally.Camera c = tally.cameras().get(camera);
            assertEquals(framesPerCamera, c.masks(), camera);
            assertEquals(0, c.outOfOrder(), camera + " masks in sequence order");
            assertEquals(0, c.skipped(), camera);
        }
        double withPerson = tally.cameras().get("vtest").shareOfMasksWith(PERSON);
        double withCar = tally.cameras().get("traffic").shareOfMasksWith(CAR);
        assertTrue(withPerson > 0.8, "person in " + withPerson + " of vtest masks");
        assertTrue(withCar > 0.8, "car in " + withCar + " of traffic masks");
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicWithTheirReasonAndGoodFramesStillGetMasks() throws Exception {
        // The longest batch delay the setting allows: a frame that waited for its batch to fill would wait all
        // of it, so a queue time below it says the batcher did not wait, whatever this machine's speed.
        ConfigLoader.Loaded loaded = settings("bad", Map.of(SegstreamConfig.FIT, "squash",
                SegstreamConfig.BATCH_MAX_DELAY_MS, "10000", SegstreamConfig.METRICS_PORT, "0"));
        SegstreamConfig config = loaded.segstream();
        KafkaSettings kafka = new KafkaSettings(config, loaded.kafka());
        TopicAdmin.ensureAll(config, kafka);
        List<Frame> good = new ArrayList<>();
        try (VideoSource video = VideoSource.open(SharedData.path(Assets.VTEST).toString(),
                PixelFormat.PIXEL_FORMAT_I420)) {
            for (int i = 0; i < 30; i++) {
                DecodedFrame decoded = video.next();
                good.add(FrameIngestor.toFrame(decoded, "lobby", i, "vtest.avi", 10));
            }
        }
        byte[] junk = new byte[5000];
        new Random(3).nextBytes(junk);
        Frame template = good.get(0);
        List<byte[]> bad = List.of(
                junk,
                template.toBuilder().setData(ByteString.copyFrom(new byte[1000])).build().toByteArray(),
                template.toBuilder().setPixelFormatValue(77).build().toByteArray());
        List<String> reasons = List.of("not a segstream.v1.Frame", "1000 bytes for 480x360 I420, expected 259200",
                "unknown pixel format 77");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < good.size(); i++) {
                producer.send(new ProducerRecord<>(config.framesTopic(), "lobby", good.get(i).toByteArray()));
                if (i % 10 == 4) {
                    producer.send(new ProducerRecord<>(config.framesTopic(), "lobby", bad.get(i / 10)));
                }
            }
            producer.flush();
        }

        MaskTally tally;
        try (SegstreamProcessor processor = SegstreamProcessor.start(config, kafka, modelDir, AssetResolver.defaultCacheDir(), "bad-records")) {
            tally = collect(kafka, config, good.size());
            assertEquals(3, processor.metrics().deadLetteredRecords());
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + processor.metricsPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("segstream_frames_total 33.0"), metrics);
            assertTrue(metrics.contains("segstream_masks_total 30.0"), metrics);
            assertTrue(metrics.contains("segstream_dead_letters_total 3.0"), metrics);
            assertTrue(metrics.contains("segstream_latency_end_to_end_seconds_count 30"), metrics);
            assertTrue(metrics.contains("segstream_engine_info{description=\"ONNX Runtime") && metrics.contains("engine=\"cpu\"} 1"), metrics);
            assertTrue(metrics.contains("records_lag"), "Kafka Streams' consumer lag is published");
            // The probes on the same port: alive, and ready once RUNNING with the engine loaded.
            processor.awaitRunning(java.time.Duration.ofSeconds(30));
            var http = java.net.http.HttpClient.newHttpClient();
            var ready = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + processor.metricsPort() + "/readyz")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), ready.body());
            assertEquals("ready: engine cpu loaded, Kafka Streams RUNNING\n", ready.body());
            assertEquals(200, http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + processor.metricsPort() + "/healthz")).build(), java.net.http.HttpResponse.BodyHandlers
                    .ofString()).statusCode());
        }
        MaskTally.Camera lobby = tally.cameras().get("lobby");
        assertEquals(30, lobby.masks());
        assertEquals(0, lobby.outOfOrder());
        List<String> seen = new ArrayList<>();
        TopicReader.readAll(kafka.consumer(), config.deadLetterTopic(), record -> {
            Header error = record.headers().lastHeader(Headers.ERROR);
            seen.add(new String(error.value(), StandardCharsets.UTF_8));
            assertEquals(config.framesTopic(), new String(record.headers().lastHeader(Headers.SOURCE_TOPIC).value(),
                    StandardCharsets.UTF_8));
        });
        assertEquals(3, seen.size(), "dead letters: " + seen);
        for (int i = 0; i < 3; i++) {
            assertTrue(seen.get(i).contains(reasons.get(i)), seen.get(i) + " should say " + reasons.get(i));
        }
        // One camera, so one caller: its frames never wait for a batch to fill (max delay 10 s).
        List<Long> queued = new ArrayList<>();
        TopicReader.readAll(kafka.consumer(), config.masksTopic(), record -> {
            try {
                Mask mask = Mask.parseFrom(record.value());
                assertEquals(MaskStatus.MASK_STATUS_OK, mask.getStatus());
                queued.add(mask.getTimings().getQueueUs());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(queued.stream().allMatch(q -> q < 10_000_000), "queue times (us) below the 10 s maximum delay: "
                + queued);
    }
}

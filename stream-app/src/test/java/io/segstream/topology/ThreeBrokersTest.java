package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.broker.ThreeNodeKafka;
import io.segstream.broker.TopicAdmin;
import io.segstream.codec.VideoSource;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.data.AssetResolver;
import io.segstream.ingest.FrameIngestor;
import io.segstream.metrics.MaskTally;
import io.segstream.schemas.v1.PixelFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker lost among three: a three-node KRaft cluster (replication factor 3, min.insync.replicas
 * 2, internal topics included), the processor running exactly-once; one broker is stopped
 * mid-stream, processing must go on without it, and again once it is back. A read_committed reader
 * then finds one mask per frame, none twice.
 */
@Tag("integration")
class ThreeBrokersTest {
    @TempDir
    static Path modelDir;

    @Test
    void processingGoesOnWithoutOneBrokerOfThreeAndAfterItReturns() throws Exception {
        SharedData.importModel(modelDir);
        int frames = 300;
        try (ThreeNodeKafka cluster = new ThreeNodeKafka(32 * 1024 * 1024)) {
            ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), new HashMap<>(Map.of(
                    "bootstrap.servers", cluster.bootstrapServers(),
                    SegstreamConfig.FIT, "squash",
                    SegstreamConfig.INFERENCE_THREADS, "2",
                    SegstreamConfig.TOPIC_PARTITIONS, "2",
                    "commit.interval.ms", "200")));
            SegstreamConfig config = loaded.segstream();
            KafkaSettings kafka = new KafkaSettings(config, loaded.kafka());
            TopicAdmin.ensureAll(config, kafka);
            try (Admin admin = Admin.create(kafka.admin())) {
                for (TopicDescription d : admin.describeTopics(java.util.List.of(config.framesTopic(),
                        config.masksTopic())).allTopicNames().get().values()) {
                    assertEquals(3, d.partitions().get(0).replicas().size(), d.toString());
                }
            }
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                    new ByteArraySerializer())) {
                int c = 0;
                for (var clip : java.util.List.of(Assets.VTEST, Assets.CAR_TRAFFIC)) {
                    try (VideoSource video = VideoSource.open(SharedData.path(clip).toString(),
                            PixelFormat.PIXEL_FORMAT_I420)) {
                        assertEquals(frames / 2, new FrameIngestor(config, producer).ingest(video,
                                new FrameIngestor.Options(clip.toString(), "cam-" + c++, PixelFormat.PIXEL_FORMAT_I420,
                                        false, frames / 2, 0), n -> { }));
                    }
                }
            }
            long atStop;
            long whileDown;
            try (SegstreamProcessor processor = SegstreamProcessor.start(config, kafka, modelDir, AssetResolver.defaultCacheDir(), "three-brokers")) {
                processor.awaitRunning(Duration.ofMinutes(1));
                while (processor.metrics().masksOut() < 40) {
                    Thread.sleep(20);
                }
                atStop = processor.metrics().masksOut();
                cluster.stop(1); // broker 2 of 3
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (processor.metrics().masksOut() < atStop + 60 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                whileDown = processor.metrics().masksOut() - atStop;
                assertTrue(whileDown >= 60, "only " + whileDown + " masks while a broker was down");
                cluster.start(1);
                MaskTally tally = MaskTally.collect(kafka.consumer(), config.masksTopic(), frames,
                        Duration.ofMinutes(4));
                assertTrue(tally.masks() >= frames);
            }
            MaskCounts read = MaskCounts.read(kafka.consumer(), config.masksTopic());
            Map<String, Integer> counts = read.perFrame();
            long records = read.records();
            System.out.printf("three brokers: one stopped after %d masks, %d more while it was down, then back: "
                    + "%d masks read for %d frames%n", atStop, whileDown, records, frames);
            assertTrue(atStop + whileDown < frames, "all the work was done before the broker came back");
            assertEquals(frames, counts.size(), "frames with a mask");
            assertEquals(frames, records, "one mask per frame, none twice");
        }
    }
}

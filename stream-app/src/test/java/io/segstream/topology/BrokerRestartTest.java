package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.broker.EmbeddedKafka;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker stops and comes back on the same log directory mid-stream; the processor resumes,
 * losing nothing. Once for 3 s, and once for 40 s: longer than the producer's delivery bound
 * (broker.timeout.ms, 30 s) and the transaction timeout, so the processor's sends and commits fail
 * while the broker is away, and it must recover rather than hang or lose frames.
 */
@Tag("integration")
class BrokerRestartTest {
    @TempDir
    static Path modelDir;

    @ParameterizedTest
    @ValueSource(ints = {3, 40})
    void processingResumesAfterABrokerRestartWithOneMaskPerFrame(int downSeconds) throws Exception {
        SharedData.importModel(modelDir);
        int frames = 300;
        try (EmbeddedKafka broker = EmbeddedKafka.start(32 * 1024 * 1024)) {
            ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), new HashMap<>(Map.of(
                    "bootstrap.servers", broker.bootstrapServers(),
                    SegstreamConfig.FIT, "tile",
                    SegstreamConfig.INFERENCE_THREADS, "2",
                    "commit.interval.ms", "200")));
            SegstreamConfig config = loaded.segstream();
            KafkaSettings kafka = new KafkaSettings(config, loaded.kafka());
            TopicAdmin.ensureAll(config, kafka);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                    new ByteArraySerializer());
                    VideoSource video = VideoSource.open(SharedData.path(Assets.VTEST).toString(),
                            PixelFormat.PIXEL_FORMAT_I420)) {
                assertEquals(frames, new FrameIngestor(config, producer).ingest(video, new FrameIngestor.Options(
                        "vtest.avi", "lobby", PixelFormat.PIXEL_FORMAT_I420, false, frames, 0), n -> { }));
            }
            long before;
            long afterStop;
            try (SegstreamProcessor processor = SegstreamProcessor.start(config, kafka, modelDir, AssetResolver.defaultCacheDir(),
                    "restart-" + downSeconds)) {
                processor.awaitRunning(Duration.ofMinutes(1));
                while (processor.metrics().masksOut() < 40) {
                    Thread.sleep(20);
                }
                before = processor.metrics().masksOut();
                broker.stop();
                Thread.sleep(downSeconds * 1000L);
                afterStop = processor.metrics().masksOut();
                broker.start();
                MaskTally tally = MaskTally.collect(kafka.consumer(), config.masksTopic(), frames,
                        Duration.ofMinutes(4));
                assertTrue(tally.masks() >= frames);
            }
            MaskCounts read = MaskCounts.read(kafka.consumer(), config.masksTopic());
            Map<String, Integer> counts = read.perFrame();
            long records = read.records();
            System.out.printf("broker stopped for %d s after %d masks, back after %d: %d masks read for %d frames%n",
                    downSeconds, before, afterStop, records, frames);
            assertTrue(afterStop < frames, "all the work was done before the broker came back");
            assertEquals(frames, counts.size(), "frames with a mask");
            assertEquals(frames, records, "one mask per frame, none twice");
        }
    }
}

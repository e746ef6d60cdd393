package io.segstream.bench;

import com.google.protobuf.ByteString;
import io.segstream.data.AssetResolver;
import io.segstream.assets.Assets;
import io.segstream.broker.EmbeddedKafka;
import io.segstream.broker.TopicAdmin;
import io.segstream.broker.TopicReader;
import io.segstream.codec.DecodedFrame;
import io.segstream.codec.VideoSource;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.metrics.PipelineMetrics;
import io.segstream.schemas.v1.Frame;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.MaskStatus;
import io.segstream.schemas.v1.PixelFormat;
import io.segstream.topology.FrameStage;
import io.segstream.topology.SegstreamTopology;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Kafka transport alone: 640x360 I420 frames (real pixels: car_traffic_small.mp4) produced to the frames topic, then the processor's topology (validation included) with
 * inference replaced by a stage that answers each frame with a header-only Mask. Reports produce
 * and process rates in frames/s and MB/s of frame payload, for exactly-once and at-least-once;
 * the process rate runs from the first frame the topology sees to the last mask it produces
 * (then every mask is checked to become visible to a read_committed consumer).
 *
 * <pre>
 * java -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar \
 *     io.segstream.bench.TransportThroughput [frames=2000] [rounds=2]
 * </pre>
 */
public final class TransportThroughput {
    private static final int W = 640;
    private static final int H = 360;
    private static final int CAMERAS = 4;

    private TransportThroughput() {}

    public static void main(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        List<byte[]> pictures = pictures(AssetResolver.fromEnvironment(null).resolve(Assets.CAR_TRAFFIC).toString(), 50);
        double mb = W * H * 3 / 2 / 1e6;
        System.out.printf(Locale.ROOT, "%d frames of %dx%d I420 (%.3f MB each), %d cameras, %d cores%n", frames, W, H, mb,
                CAMERAS, Runtime.getRuntime().availableProcessors());
        System.out.printf("%-6s %-14s %12s %10s %12s %10s%n", "round", "guarantee", "produce f/s", "MB/s",
                "process f/s", "MB/s");
        try (EmbeddedKafka broker = EmbeddedKafka.start(32 * 1024 * 1024)) {
            int run = 0;
            for (int round = 1; round <= rounds; round++) {
                for (String guarantee : new String[] {"exactly_once_v2", "at_least_once"}) {
                    String prefix = "x" + (run++);
                    Map<String, String> s = new HashMap<>();
                    s.put("bootstrap.servers", broker.bootstrapServers());
                    s.put(SegstreamConfig.FRAMES_TOPIC, prefix + "-frames");
                    s.put(SegstreamConfig.MASKS_TOPIC, prefix + "-masks");
                    s.put(SegstreamConfig.DEAD_LETTER_TOPIC, prefix + "-dead-letters");
                    s.put("processing.guarantee", guarantee);
                    ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), s);
                    SegstreamConfig config = loaded.segstream();
                    KafkaSettings kafka = new KafkaSettings(config, loaded.kafka());
                    TopicAdmin.ensureAll(config, kafka);
                    double produced = produce(kafka, config, pictures, frames);
                    double processed = process(kafka, config, frames, prefix);
                    System.out.printf(Locale.ROOT, "%-6d %-14s %12.1f %10.1f %12.1f %10.1f%n", round, guarantee,
                            produced, produced * mb, processed, processed * mb);
                }
            }
        }
    }

    /** The first {@code count} frames of car_traffic_small.mp4 (640x360), as I420 bytes. */
    private static List<byte[]> pictures(String video, int count) {
        List<byte[]> out = new ArrayList<>();
        try (VideoSource source = VideoSource.open(video, PixelFormat.PIXEL_FORMAT_I420)) {
            for (int i = 0; i < count; i++) {
                DecodedFrame f = source.next();
                if (f.width() != W || f.height() != H) {
                    throw new IllegalStateException(video + " is " + f.width() + "x" + f.height() + ", expected 640x360");
                }
                out.add(f.data());
            }
        }
        return out;
    }

    private static double produce(KafkaSettings kafka, SegstreamConfig config, List<byte[]> pictures, int frames) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                new ByteArraySerializer())) {
            long t0 = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                String camera = "cam-" + (i % CAMERAS);
                Frame frame = Frame.newBuilder().setCameraId(camera).setSequence(i / CAMERAS)
                        .setCaptureTimeUs(System.currentTimeMillis() * 1000).setWidth(W).setHeight(H)
                        .setPixelFormat(PixelFormat.PIXEL_FORMAT_I420)
                        .setData(ByteString.copyFrom(pictures.get(i % pictures.size()))).build();
                producer.send(new ProducerRecord<>(config.framesTopic(), camera, frame.toByteArray()));
            }
            producer.flush();
            return frames / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static double process(KafkaSettings kafka, SegstreamConfig config, int frames, String appId)
            throws InterruptedException {
        FrameStage noInference = (valid, arrivalUs, state) -> Mask.newBuilder()
                .setCameraId(valid.frame().getCameraId()).setSequence(valid.frame().getSequence())
                .setCaptureTimeUs(valid.frame().getCaptureTimeUs()).setWidth(valid.frame().getWidth())
                .setHeight(valid.frame().getHeight()).setStatus(MaskStatus.MASK_STATUS_OK).build();
        PipelineMetrics metrics = new PipelineMetrics(1);
        try (KafkaStreams streams = new KafkaStreams(SegstreamTopology.build(config, noInference, metrics,
                Clock.systemUTC()), kafka.streams(appId))) {
            streams.start();
            // From the first frame the topology sees to the last mask it hands to the producer (sampled
            // every millisecond); then every mask must also become visible to a read_committed reader.
            long t0 = 0;
            while (metrics.masksOut() < frames) {
                if (t0 == 0 && metrics.framesIn() > 0) {
                    t0 = System.nanoTime();
                }
                Thread.sleep(1);
            }
            double rate = frames / ((System.nanoTime() - t0) / 1e9);
            AtomicLong masks = new AtomicLong();
            if (!TopicReader.follow(kafka.consumer(), config.masksTopic(), r -> masks.incrementAndGet(),
                    () -> masks.get() >= frames, Duration.ofMinutes(10))) {
                throw new IllegalStateException("only " + masks.get() + " masks became visible");
            }
            return rate;
        }
    }
}

package io.segstream.bench;

import io.segstream.data.AssetResolver;
import io.segstream.assets.Assets;
import io.segstream.broker.EmbeddedKafka;
import io.segstream.broker.TopicAdmin;
import io.segstream.broker.TopicReader;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.model.ModelImporter;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.MaskStatus;
import io.segstream.topology.SegstreamProcessor;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Overload: {@code cameras} replays of vtest.avi at its own 10 frames/s each, several times what
 * the processor can segment, for {@code seconds}. Live mode ({@code max.frame.age.ms}) must keep
 * latency bounded by the maximum age plus processing time, answer the rest with SKIPPED_STALE
 * masks, and keep the heap bounded; batch mode must process every frame, only later. Heap is this
 * JVM's (broker, processor and ingest together), sampled every 100 ms.
 *
 * <pre>
 * java -Xmx3g -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar \
 *     io.segstream.bench.OverloadRun [cameras=8] [live-seconds=60] [batch-seconds=20] [max-age-ms=500]
 * </pre>
 */
public final class OverloadRun {
    private OverloadRun() {}

    public static void main(String[] args) throws Exception {
        int cameras = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int liveSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int batchSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int maxAgeMs = args.length > 3 ? Integer.parseInt(args[3]) : 500;
        AssetResolver assets = AssetResolver.fromEnvironment(null);
        Path video = assets.resolve(Assets.VTEST);
        Path modelDir = Files.createTempDirectory("segstream-overload-model");
        ModelImporter.importModel(assets.resolve(Assets.DEEPLAB_ONNX), modelDir, ModelImporter.Options.none());
        System.out.printf("%d cameras x 10 frames/s of vtest.avi (480x360, fit tile), %d cores%n", cameras,
                Runtime.getRuntime().availableProcessors());
        System.out.printf("%-6s %8s %8s %8s %9s %9s %9s %10s %10s %9s%n", "mode", "offered", "masks", "skipped",
                "segm f/s", "p50 ms", "p99 ms", "max ms", "drain s", "peak MB");
        try (EmbeddedKafka broker = EmbeddedKafka.start(32 * 1024 * 1024)) {
            run(broker, modelDir, video, cameras, liveSeconds, maxAgeMs);
            run(broker, modelDir, video, cameras, batchSeconds, 0);
        }
    }

    private static void run(EmbeddedKafka broker, Path modelDir, Path video, int cameras, int seconds, int maxAgeMs)
            throws Exception {
        String prefix = maxAgeMs > 0 ? "live" : "batch";
        ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                SegstreamConfig.FRAMES_TOPIC, prefix + "-frames",
                SegstreamConfig.MASKS_TOPIC, prefix + "-masks",
                SegstreamConfig.DEAD_LETTER_TOPIC, prefix + "-dead-letters",
                SegstreamConfig.MAX_FRAME_AGE_MS, Integer.toString(maxAgeMs)));
        SegstreamConfig config = loaded.segstream();
        KafkaSettings kafka = new KafkaSettings(config, loaded.kafka());
        TopicAdmin.ensureAll(config, kafka);
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicLong peak = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        int frames = seconds * 10;
        long expected = (long) cameras * frames;
        List<Long> latencies = new ArrayList<>();
        long[] skipped = {0};
        long drainNanos;
        try (SegstreamProcessor processor = SegstreamProcessor.start(config, kafka, modelDir, AssetResolver.defaultCacheDir(), prefix)) {
            processor.awaitRunning(Duration.ofMinutes(1));
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<Long> ingest = pool.submit(() -> PipelineThroughput.ingest(kafka, config, video, cameras, frames,
                    true));
            AtomicLong seen = new AtomicLong();
            long[] ingestDone = {0};
            TopicReader.follow(kafka.consumer(), config.masksTopic(), record -> {
                try {
                    Mask mask = Mask.parseFrom(record.value());
                    if (mask.getStatus() == MaskStatus.MASK_STATUS_SKIPPED_STALE) {
                        skipped[0]++;
                    } else {
                        latencies.add(mask.getTimings().getEndToEndUs());
                    }
                    seen.incrementAndGet();
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new IllegalStateException(e);
                }
                if (ingestDone[0] == 0 && ingest.isDone()) {
                    ingestDone[0] = System.nanoTime();
                }
            }, () -> seen.get() >= expected, Duration.ofMinutes(30));
            drainNanos = ingestDone[0] == 0 ? 0 : System.nanoTime() - ingestDone[0];
            ingest.get();
            pool.shutdown();
        } finally {
            sampling.set(false);
            sampler.join();
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        // Segmented frames per second of wall time, from the first frame offered to the last mask.
        double segmentedRate = sorted.length / (seconds + drainNanos / 1e9);
        System.out.printf(Locale.ROOT, "%-6s %8d %8d %8d %9.1f %9.0f %9.0f %10.0f %10.1f %9d%n",
                maxAgeMs > 0 ? "live" : "batch", expected, expected, skipped[0], segmentedRate,
                percentile(sorted, 50) / 1e3, percentile(sorted, 99) / 1e3,
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e3, drainNanos / 1e9, peak.get() >> 20);
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}

package io.segstream.bench;

import io.segstream.data.AssetResolver;
import io.segstream.assets.Assets;
import io.segstream.broker.EmbeddedKafka;
import io.segstream.broker.TopicAdmin;
import io.segstream.codec.PixelConverter;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoSource;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.inference.Engines;
import io.segstream.inference.FrameTranslator;
import io.segstream.inference.InferenceEngine;
import io.segstream.inference.EngineChoice;
import io.segstream.ingest.FrameIngestor;
import io.segstream.metrics.MaskTally;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import io.segstream.schemas.v1.PixelFormat;
import io.segstream.segmentation.CameraStates;
import io.segstream.segmentation.Segmenter;
import io.segstream.segmentation.SegmenterOptions;
import io.segstream.segmentation.SegmentationPath;
import io.segstream.topology.SegstreamProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The end-to-end harness of the Kafka pipeline on an embedded broker, against bare inference in
 * the same run. For each camera count:
 *
 * <ul>
 *   <li>throughput: every camera's frames (vtest.avi, 480x360) are produced first, then the
 *       processor runs from the moment it reaches RUNNING to the last mask;
 *   <li>bare inference: the engine alone, fed the same number of model inputs in exactly the batch
 *       sizes the pipeline ran (its batch-size histogram), inputs prepared beforehand;
 *   <li>in-process segmentation: {@link Segmenter} on the decoded frames (pixels to labels: input
 *       writing, inference, stitching, argmax) without Kafka, codecs or batching across threads;
 *   <li>latency: cameras replay at the clip's own frame rate (10 frames/s) while the processor runs;
 *       capture-to-mask p50/p99.
 * </ul>
 * Rounds alternate pipeline and baselines so that drift hits both alike.
 *
 * <pre>
 * java -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar \
 *     io.segstream.bench.PipelineThroughput [cameras=1,4] [frames=120] [rounds=2] [fit=tile] [latency-frames=100] \
 *     [broker=jvm|process]
 * </pre>
 * With {@code broker=process} the embedded broker runs in a JVM of its own ({@link BrokerProcess},
 * 1 GB heap), as in a deployment, instead of sharing the processor's; {@code latency-frames=0}
 * skips the latency part.
 */
public final class PipelineThroughput {
    private PipelineThroughput() {}

    public static void main(String[] args) throws Exception {
        int[] cameraCounts = java.util.Arrays.stream((args.length > 0 ? args[0] : "1,4").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 120;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        String fit = args.length > 3 ? args[3] : "tile";
        int latencyFrames = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        boolean ownProcess = args.length > 5 && args[5].equals("process");
        Path video = AssetResolver.fromEnvironment(null).resolve(Assets.VTEST);
        Path modelDir = Files.createTempDirectory("segstream-bench-model");
        ModelImporter.importModel(AssetResolver.fromEnvironment(null).resolve(Assets.DEEPLAB_ONNX), modelDir,
                ModelImporter.Options.none());
        ModelCard card = ModelCard.read(modelDir.resolve(ModelImporter.CARD_FILE));
        int threads = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "vtest.avi 480x360, fit %s, %d frames per camera, %d rounds, %d cores, broker %s%n",
                fit, frames, rounds, threads, ownProcess ? "in its own JVM" : "in the processor's JVM");
        System.out.printf("%-8s %-5s %10s %10s %8s %10s %8s %8s%n", "cameras", "round", "pipe f/s", "bare f/s",
                "ratio", "seg f/s", "ratio", "batch");
        try (Broker broker = ownProcess ? Broker.of(BrokerProcess.start("1g", 32 * 1024 * 1024,
                Files.createTempFile("segstream-bench-broker", ".log"))) : Broker.of(EmbeddedKafka.start(32 * 1024 * 1024))) {
            int run = 0;
            for (int round = 1; round <= rounds; round++) {
                for (int cameras : cameraCounts) {
                    String prefix = "t" + (run++);
                    ConfigLoader.Loaded loaded = settings(broker, prefix, fit, threads);
                    SegstreamConfig config = loaded.segstream();
                    KafkaSettings kafka = new KafkaSettings(config, loaded.kafka());
                    TopicAdmin.ensureAll(config, kafka);
                    long sent = ingest(kafka, config, video, cameras, frames, false);
                    double pipeline;
                    long[] batches;
                    double meanBatch;
                    try (SegstreamProcessor processor = SegstreamProcessor.start(config, kafka, modelDir, AssetResolver.defaultCacheDir(), prefix)) {
                        processor.awaitRunning(Duration.ofMinutes(2));
                        long t0 = System.nanoTime();
                        follow(kafka, config, sent);
                        pipeline = sent / ((System.nanoTime() - t0) / 1e9);
                        batches = processor.metrics().batchSizeCounts();
                        meanBatch = processor.metrics().meanBatchSize();
                    }
                    double bare = bareInference(modelDir, card, config, video, batches, sent, threads);
                    double segmenter = segmenter(modelDir, card, config, video, (int) sent, threads);
                    System.out.printf(Locale.ROOT, "%-8d %-5d %10.2f %10.2f %8.3f %10.2f %8.3f %8.2f%n", cameras,
                            round, pipeline, bare, pipeline / bare, segmenter, pipeline / segmenter, meanBatch);
                }
            }
            if (latencyFrames <= 0) {
                return;
            }
            System.out.println();
            System.out.printf("%-8s %10s %10s %10s %10s %10s%n", "cameras", "offered", "pipe f/s", "p50 ms", "p99 ms",
                    "skipped");
            for (int cameras : cameraCounts) {
                String prefix = "l" + cameras;
                ConfigLoader.Loaded loaded = settings(broker, prefix, fit, threads);
                SegstreamConfig config = loaded.segstream();
                KafkaSettings kafka = new KafkaSettings(config, loaded.kafka());
                TopicAdmin.ensureAll(config, kafka);
                try (SegstreamProcessor processor = SegstreamProcessor.start(config, kafka, modelDir, AssetResolver.defaultCacheDir(), prefix)) {
                    processor.awaitRunning(Duration.ofMinutes(2));
                    ExecutorService pool = Executors.newSingleThreadExecutor();
                    Future<Long> ingest = pool.submit(() -> ingest(kafka, config, video, cameras, latencyFrames, true));
                    long t0 = System.nanoTime();
                    MaskTally tally = follow(kafka, config, (long) cameras * latencyFrames);
                    double rate = tally.masks() / ((System.nanoTime() - t0) / 1e9);
                    ingest.get();
                    pool.shutdown();
                    System.out.printf(Locale.ROOT, "%-8d %10s %10.2f %10.1f %10.1f %10d%n", cameras,
                            (cameras * 10) + " f/s", rate, tally.latencyPercentileUs(50) / 1e3,
                            tally.latencyPercentileUs(99) / 1e3, tally.skipped());
                }
            }
        }
    }

    /** The broker under test, in this JVM or in its own. */
    private interface Broker extends AutoCloseable {
        String bootstrapServers();

        static Broker of(EmbeddedKafka embedded) {
            return new Broker() {
                public String bootstrapServers() { return embedded.bootstrapServers(); }
                public void close() { embedded.close(); }
            };
        }

        static Broker of(BrokerProcess process) {
            return new Broker() {
                public String bootstrapServers() { return process.bootstrapServers(); }
                public void close() throws java.io.IOException { process.close(); }
            };
        }
    }

    private static ConfigLoader.Loaded settings(Broker broker, String prefix, String fit, int threads) {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", broker.bootstrapServers());
        s.put(SegstreamConfig.FRAMES_TOPIC, prefix + "-frames");
        s.put(SegstreamConfig.MASKS_TOPIC, prefix + "-masks");
        s.put(SegstreamConfig.DEAD_LETTER_TOPIC, prefix + "-dead-letters");
        s.put(SegstreamConfig.FIT, fit);
        s.put(SegstreamConfig.INFERENCE_THREADS, Integer.toString(threads));
        return ConfigLoader.load(null, Map.of(), s);
    }

    static long ingest(KafkaSettings kafka, SegstreamConfig config, Path video, int cameras, int frames,
            boolean realtime) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(cameras);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                new ByteArraySerializer())) {
            List<Future<Long>> jobs = new ArrayList<>();
            for (int c = 0; c < cameras; c++) {
                String camera = "cam-" + c;
                jobs.add(pool.submit(() -> {
                    try (VideoSource source = VideoSource.open(video.toString(), PixelFormat.PIXEL_FORMAT_I420)) {
                        return new FrameIngestor(config, producer).ingest(source, new FrameIngestor.Options(
                                video.toString(), camera, PixelFormat.PIXEL_FORMAT_I420, realtime, frames, 0), n -> { });
                    }
                }));
            }
            long sent = 0;
            for (Future<Long> job : jobs) {
                sent += job.get();
            }
            return sent;
        } finally {
            pool.shutdown();
        }
    }

    private static MaskTally follow(KafkaSettings kafka, SegstreamConfig config, long expected) {
        return MaskTally.collect(kafka.consumer(), config.masksTopic(), expected, Duration.ofMinutes(30));
    }

    /** Frames/s of the engine alone, run in the batch sizes the pipeline ran. */
    private static double bareInference(Path modelDir, ModelCard card, SegstreamConfig config, Path video,
            long[] batches, long frames, int threads) {
        FrameTranslator translator = new FrameTranslator(card, config.fit());
        int maxBatch = batches.length - 1;
        float[][] inputs = new float[maxBatch + 1][];
        RgbImage rgb = new RgbImage(1, 1);
        List<RgbImage> sample = io.segstream.codec.VideoFrames.sample(video, 0, 1, 1);
        rgb = sample.get(0);
        var views = translator.plan(rgb.width(), rgb.height());
        float[] one = new float[views.size() * translator.slotSize()];
        translator.writeInputs(rgb, views, one, 0);
        for (int b = 1; b <= maxBatch; b++) {
            inputs[b] = new float[b * translator.slotSize()];
            for (int i = 0; i < b; i++) {
                System.arraycopy(one, (i % views.size()) * translator.slotSize(), inputs[b], i * translator.slotSize(),
                        translator.slotSize());
            }
        }
        try (InferenceEngine engine = Engines.cpu(modelDir.resolve(ModelImporter.MODEL_FILE), card.input().itemShape(), threads)) {
            for (int i = 0; i < 5; i++) {
                engine.infer(inputs[Math.min(4, maxBatch)], Math.min(4, maxBatch));
            }
            long t0 = System.nanoTime();
            for (int b = 1; b <= maxBatch; b++) {
                for (long n = 0; n < batches[b]; n++) {
                    engine.infer(inputs[b], b);
                }
            }
            return frames / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** Frames/s of pixels-to-labels in one thread, without Kafka. */
    private static double segmenter(Path modelDir, ModelCard card, SegstreamConfig config, Path video, int frames,
            int threads) {
        List<RgbImage> decoded = new ArrayList<>();
        try (VideoSource source = VideoSource.open(video.toString(), PixelFormat.PIXEL_FORMAT_I420)) {
            for (int i = 0; i < Math.min(frames, 120); i++) {
                var frame = source.next();
                RgbImage rgb = new RgbImage(frame.width(), frame.height());
                PixelConverter.toRgb(frame.layout(), frame.data(), rgb);
                decoded.add(rgb);
            }
        }
        try (Segmenter segmenter = Segmenter.open(SegmenterOptions.forModel(modelDir).withEngine(EngineChoice.CPU)
                .withThreads(threads).withFit(config.fit()).withMaxBatch(config.batchMaxSize()))) {
            SegmentationPath path = segmenter.path();
            for (int i = 0; i < 5; i++) {
                path.segment(SegmentationPath.Input.still(decoded.get(i)), CameraStates.NONE);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                path.segment(SegmentationPath.Input.still(decoded.get(i % decoded.size())), CameraStates.NONE);
            }
            return frames / ((System.nanoTime() - t0) / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package io.segstream.bench;

import io.segstream.assets.Assets;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoFrames;
import io.segstream.config.SegstreamConfig;
import io.segstream.data.AssetResolver;
import io.segstream.inference.DynamicBatcher;
import io.segstream.inference.EngineRequest;
import io.segstream.inference.Engines;
import io.segstream.inference.FrameTranslator;
import io.segstream.inference.InferenceEngine;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import io.segstream.model.ModelLocator;
import io.segstream.segmentation.CameraStates;
import io.segstream.segmentation.SegmentationPath;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What overlapping one camera's pre- and post-processing with its own inference would buy (issue
 * 18): one camera's frames through the pipeline's own {@link SegmentationPath} and
 * {@link DynamicBatcher}, no Kafka, three arms taking turns round by round:
 * <ul>
 * <li><b>serial</b>: one thread, frame after frame, as a camera's task runs today (its pre- and
 * post-processing while the engine idles);
 * <li><b>overlap</b>: two threads on the same camera, each with its own path, taking alternate frames,
 * so that one frame is prepared or stitched while the other is inferred (what a task would do with
 * a frame in flight held in a changelogged buffer; the buffer's store write and the reordering are
 * not modelled, so this is an upper bound);
 * <li><b>bare</b>: the engine alone on the same model inputs, one frame's inputs per call.
 * </ul>
 * The default model and fit, the engine on 2 threads (ONNX Runtime, CPU), batches of at most 8
 * inputs, 5 ms batching delay, vtest.avi.
 *
 * <pre>
 * java -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar \
 *     io.segstream.bench.OverlapRun [frames per round] [rounds]
 * </pre>
 * Each round runs the three arms in turn on the same frames; the closing line gives the medians of
 * the rounds' ratios.
 */
public final class OverlapRun {
    private OverlapRun() {}

    public static void main(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        AssetResolver assets = AssetResolver.fromEnvironment(null);
        SegstreamConfig config = new SegstreamConfig(Map.of());
        Path modelDir = ModelLocator.locate(config.model(), assets);
        ModelCard card = ModelCard.read(modelDir.resolve(ModelImporter.CARD_FILE));
        List<RgbImage> decoded = VideoFrames.sample(assets.resolve(Assets.VTEST), 0, frames, 1);
        FrameTranslator shape = new FrameTranslator(card, config.fit());
        System.out.printf(Locale.ROOT, "%s, fit %s, %d frames of %dx%d, %d model inputs each%n", card.id(),
                config.fit().label(), frames, decoded.get(0).width(), decoded.get(0).height(),
                shape.plan(decoded.get(0).width(), decoded.get(0).height()).size());
        System.out.printf("%-6s %10s %10s %10s %14s %14s%n", "round", "serial f/s", "overlap f/s", "bare f/s",
                "overlap/serial", "serial/bare");
        try (InferenceEngine engine = Engines.cpu(EngineRequest.forModel(modelDir, card, 2, 1, false, null));
                DynamicBatcher batcher = new DynamicBatcher(engine, shape.slotSize(), shape.outputSize(), 8,
                        TimeUnit.MILLISECONDS.toNanos(5), (size, nanos) -> { });
                SegmentationPath first = new SegmentationPath(card, config.fit(), batcher, null);
                SegmentationPath second = new SegmentationPath(card, config.fit(), batcher, null)) {
            float[] inputs = bareInputs(shape, decoded.get(0));
            int perFrame = inputs.length / shape.slotSize();
            serial(first, decoded, 5); // warm-up: the engine's first calls and the JIT
            double[] overlapRatio = new double[rounds];
            double[] serialRatio = new double[rounds];
            for (int r = 1; r <= rounds; r++) {
                double serial = serial(first, decoded, frames);
                double overlap = overlap(first, second, decoded, frames);
                long t0 = System.nanoTime();
                for (int i = 0; i < frames; i++) {
                    engine.infer(inputs, perFrame);
                }
                double bare = frames / ((System.nanoTime() - t0) / 1e9);
                System.out.printf(Locale.ROOT, "%-6d %10.2f %10.2f %10.2f %14.3f %14.3f%n", r, serial, overlap, bare,
                        overlap / serial, serial / bare);
                overlapRatio[r - 1] = overlap / serial;
                serialRatio[r - 1] = serial / bare;
            }
            // Rounds are short and taken in turns, so a slow window falls on one round's ratios: take medians.
            System.out.printf(Locale.ROOT, "median of %d rounds: overlap/serial %.3f, serial/bare %.3f%n", rounds,
                    Stats.median(overlapRatio), Stats.median(serialRatio));
        }
    }


    /** One frame's model inputs, as the path writes them. */
    private static float[] bareInputs(FrameTranslator shape, RgbImage rgb) {
        var views = shape.plan(rgb.width(), rgb.height());
        float[] inputs = new float[views.size() * shape.slotSize()];
        shape.writeInputs(rgb, views, inputs, 0);
        return inputs;
    }

    private static double serial(SegmentationPath path, List<RgbImage> frames, int count) throws InterruptedException {
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            path.segment(SegmentationPath.Input.still(frames.get(i)), CameraStates.NONE);
        }
        return count / ((System.nanoTime() - t0) / 1e9);
    }

    private static double overlap(SegmentationPath first, SegmentationPath second, List<RgbImage> frames, int count)
            throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        Thread other = new Thread(() -> {
            try {
                for (int i = 1; i < count; i += 2) {
                    second.segment(SegmentationPath.Input.still(frames.get(i)), CameraStates.NONE);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "overlap-odd");
        other.start();
        for (int i = 0; i < count; i += 2) {
            first.segment(SegmentationPath.Input.still(frames.get(i)), CameraStates.NONE);
        }
        other.join();
        if (failure.get() != null) {
            throw new IllegalStateException("the second thread failed", failure.get());
        }
        return count / ((System.nanoTime() - t0) / 1e9);
    }
}

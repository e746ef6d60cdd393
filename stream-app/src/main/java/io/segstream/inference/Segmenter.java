package io.segstream.inference;

import io.segstream.codec.RgbImage;
import io.segstream.model.ModelCard;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames in, label maps out: fits each frame to the model ({@link FitMode}), runs all the
 * resulting inputs (whole frames or tiles) through the engine in batches of at most
 * {@code maxBatch}, upsamples and stitches the stride-8 logits to each frame's size and takes the
 * argmax. Buffers are reused across calls; one caller at a time.
 */
public final class Segmenter {
    private final InferenceEngine engine;
    private final ModelCard card;
    private final FitMode fit;
    private final int maxBatch;
    private final InputWriter writer;
    private final LogitsStitcher stitcher = new LogitsStitcher();
    private final LogitsMapping mapping;
    private final int outputSize;
    private float[] inputs = new float[0];

    public Segmenter(InferenceEngine engine, ModelCard card, FitMode fit, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        }
        this.engine = engine;
        this.card = card;
        this.fit = fit;
        this.maxBatch = maxBatch;
        this.writer = new InputWriter(card.input());
        this.mapping = card.output().alignCorners() ? LogitsMapping.ALIGN_CORNERS : LogitsMapping.ASYMMETRIC;
        this.outputSize = card.classCount() * card.output().width() * card.output().height();
    }

    public Segmentation segment(RgbImage frame) {
        return segment(List.of(frame)).get(0);
    }

    public synchronized List<Segmentation> segment(List<RgbImage> frames) {
        int modelW = card.input().width();
        int modelH = card.input().height();
        List<List<InputView>> plans = new ArrayList<>(frames.size());
        List<String> fits = new ArrayList<>(frames.size());
        int total = 0;
        for (RgbImage frame : frames) {
            List<InputView> views = InputPlanner.plan(fit, frame.width(), frame.height(), modelW, modelH);
            plans.add(views);
            fits.add(InputPlanner.describe(fit, views));
            total += views.size();
        }
        // Lay out every view of every frame, then run them in chunks of maxBatch.
        long t0 = System.nanoTime();
        int slot = writer.slotSize();
        if (inputs.length < total * slot) {
            inputs = new float[total * slot];
        }
        int k = 0;
        for (int f = 0; f < frames.size(); f++) {
            for (InputView view : plans.get(f)) {
                writer.write(frames.get(f), view, inputs, k++);
            }
        }
        long t1 = System.nanoTime();
        float[] logits = new float[total * outputSize];
        for (int start = 0; start < total; start += maxBatch) {
            int n = Math.min(maxBatch, total - start);
            float[] chunk = start == 0 && n == total && inputs.length == total * slot
                    ? inputs
                    : java.util.Arrays.copyOfRange(inputs, start * slot, (start + n) * slot);
            float[] out = engine.infer(chunk, n);
            System.arraycopy(out, 0, logits, start * outputSize, n * outputSize);
        }
        long t2 = System.nanoTime();
        List<Segmentation> results = new ArrayList<>(frames.size());
        int v = 0;
        int batchSize = Math.min(total, maxBatch);
        for (int f = 0; f < frames.size(); f++) {
            long p0 = System.nanoTime();
            RgbImage frame = frames.get(f);
            stitcher.reset(frame.width(), frame.height(), card.classCount());
            for (InputView view : plans.get(f)) {
                stitcher.add(logits, v++ * outputSize, card.output().width(), card.output().height(), modelW, modelH,
                        view, mapping);
            }
            stitcher.finish();
            byte[] labels = new byte[frame.width() * frame.height()];
            stitcher.argmax(labels);
            long post = System.nanoTime() - p0;
            int views = plans.get(f).size();
            results.add(new Segmentation(frame.width(), frame.height(), labels, fits.get(f), views, batchSize,
                    (t1 - t0) * views / total, (t2 - t1) * views / total, post));
        }
        return results;
    }

    public ModelCard card() {
        return card;
    }

    public String engineDescription() {
        return engine.description();
    }
}

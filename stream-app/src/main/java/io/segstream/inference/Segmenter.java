package io.segstream.inference;

import io.segstream.codec.RgbImage;
import io.segstream.model.ModelCard;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames in, label maps out, outside Kafka ({@code segstream segment}, tests, benchmarks): the
 * {@link FrameTranslator} fits each frame to the model, all resulting inputs (whole frames or
 * tiles) run through the engine in batches of at most {@code maxBatch}, and each frame's logits
 * are stitched and reduced by argmax. Buffers are reused across calls; one caller at a time.
 */
public final class Segmenter {
    private final InferenceEngine engine;
    private final FrameTranslator translator;
    private final int maxBatch;
    private float[] inputs = new float[0];
    private float[] logits = new float[0];
    private float[] chunk = new float[0];

    public Segmenter(InferenceEngine engine, ModelCard card, FitMode fit, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        }
        this.engine = engine;
        this.translator = new FrameTranslator(card, fit);
        this.maxBatch = maxBatch;
    }

    public Segmentation segment(RgbImage frame) {
        return segment(List.of(frame)).get(0);
    }

    public synchronized List<Segmentation> segment(List<RgbImage> frames) {
        List<List<InputView>> plans = new ArrayList<>(frames.size());
        int total = 0;
        for (RgbImage frame : frames) {
            List<InputView> views = translator.plan(frame.width(), frame.height());
            plans.add(views);
            total += views.size();
        }
        int slot = translator.slotSize();
        int outputSize = translator.outputSize();
        long t0 = System.nanoTime();
        if (inputs.length < total * slot) {
            inputs = new float[total * slot];
            logits = new float[total * outputSize];
        }
        int k = 0;
        for (int f = 0; f < frames.size(); f++) {
            translator.writeInputs(frames.get(f), plans.get(f), inputs, k);
            k += plans.get(f).size();
        }
        long t1 = System.nanoTime();
        for (int start = 0; start < total; start += maxBatch) {
            int n = Math.min(maxBatch, total - start);
            if (chunk.length != n * slot) {
                chunk = new float[n * slot];
            }
            System.arraycopy(inputs, start * slot, chunk, 0, n * slot);
            float[] out = engine.infer(chunk, n);
            System.arraycopy(out, 0, logits, start * outputSize, n * outputSize);
        }
        long t2 = System.nanoTime();
        List<Segmentation> results = new ArrayList<>(frames.size());
        int first = 0;
        int batchSize = Math.min(total, maxBatch);
        for (int f = 0; f < frames.size(); f++) {
            long p0 = System.nanoTime();
            RgbImage frame = frames.get(f);
            List<InputView> views = plans.get(f);
            translator.stitch(logits, first, views, frame.width(), frame.height());
            byte[] labels = new byte[frame.width() * frame.height()];
            translator.argmax(labels);
            first += views.size();
            long post = System.nanoTime() - p0;
            results.add(new Segmentation(frame.width(), frame.height(), labels, translator.describe(views),
                    views.size(), batchSize, (t1 - t0) * views.size() / total, (t2 - t1) * views.size() / total, post));
        }
        return results;
    }

    public ModelCard card() {
        return translator.card();
    }

    public String engineDescription() {
        return engine.description();
    }
}

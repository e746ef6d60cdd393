package io.segstream.inference;

/**
 * Runs inputs on an engine from the calling thread, in engine calls of at most {@code maxBatch}
 * inputs. One caller at a time; its chunk buffer is reused.
 */
public final class DirectRunner implements ModelRunner {
    private final InferenceEngine engine;
    private final int maxBatch;
    private final int slotSize;
    private final int outputSize;
    private float[] chunk = new float[0];

    /**
     * @param slotSize floats per model input
     * @param outputSize floats per model output
     */
    public DirectRunner(InferenceEngine engine, int maxBatch, int slotSize, int outputSize) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        }
        this.engine = engine;
        this.maxBatch = maxBatch;
        this.slotSize = slotSize;
        this.outputSize = outputSize;
    }

    /** A runner for {@code card}'s model on {@code engine}, in engine calls of at most {@code maxBatch}. */
    public static DirectRunner of(InferenceEngine engine, io.segstream.model.ModelCard card, int maxBatch) {
        FrameTranslator shape = new FrameTranslator(card, Fit.of(FitMode.SQUASH));
        return new DirectRunner(engine, maxBatch, shape.slotSize(), shape.outputSize());
    }

    @Override
    public synchronized Run run(float[] inputs, int items, float[] outputs) {
        long t0 = System.nanoTime();
        if (items <= maxBatch) {
            // one engine call: the caller reads the engine's own output array; timed after the call returns
            final float[] out = engine.infer(inputs, items);
            return new Run(0, System.nanoTime() - t0, items, out);
        }
        for (int start = 0; start < items; start += maxBatch) {
            int n = Math.min(maxBatch, items - start);
            if (chunk.length != n * slotSize) {
                chunk = new float[n * slotSize];
            }
            System.arraycopy(inputs, start * slotSize, chunk, 0, n * slotSize);
            float[] out = engine.infer(chunk, n);
            System.arraycopy(out, 0, outputs, start * outputSize, n * outputSize);
        }
        return new Run(0, System.nanoTime() - t0, Math.min(items, maxBatch), outputs);
    }

    @Override
    public String description() {
        return engine.description();
    }
}

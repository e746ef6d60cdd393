package io.segstream.inference;

/**
 * Runs a model on a batch of prepared inputs: the one seam between the pipeline and an engine,
 * opened by an {@link EngineProvider} through {@link Engines}. Implementations are safe for
 * concurrent callers.
 */
public interface InferenceEngine extends AutoCloseable {
    /**
     * @param input {@code batch} model inputs, each laid out as the model card says
     * @param batch number of inputs
     * @return the outputs, {@code batch} x the model's output size, in the output's own layout
     */
    float[] infer(float[] input, int batch);

    /** Engine, version and device, for logs: "ONNX Runtime 1.21.1, CPU, 2 threads". */
    String description();

    /** Which of the {@code --engine} choices this is (never {@link EngineChoice#AUTO}). */
    EngineChoice choice();

    @Override
    void close();
}

package io.segstream.inference;

/**
 * Runs a model on a batch of prepared inputs. The one seam between the pipeline and an engine
 * (DJL's ONNX Runtime or TensorRT today; ONNX Runtime's CUDA/TensorRT providers can be added here
 * without touching anything that calls it). Implementations are safe for concurrent callers.
 */
public interface InferenceEngine extends AutoCloseable {
    /**
     * @param input {@code batch} model inputs, each laid out as the model card says
     * @param batch number of inputs
     * @return the outputs, {@code batch} x the model's output size, in the output's own layout
     */
    float[] infer(float[] input, int batch);

    /** Engine, version and device, for logs: "OnnxRuntime 1.21.1 on cpu()". */
    String description();

    @Override
    void close();
}

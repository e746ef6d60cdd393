package io.segstream.inference;

/** The {@code --engine} choice. */
public enum EngineKind {
    /** TensorRT when an NVIDIA GPU and TensorRT are present, else ONNX Runtime on the CPU. */
    AUTO,
    ONNXRUNTIME,
    TENSORRT
}

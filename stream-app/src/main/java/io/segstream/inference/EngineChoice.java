package io.segstream.inference;

import java.util.Locale;

/**
 * The {@code --engine} choice, named as ONNX Runtime's execution providers are: {@code cpu},
 * {@code cuda} and {@code tensorrt}, or {@code auto} for the first of TensorRT, CUDA and CPU that
 * can run here.
 */
public enum EngineChoice {
    AUTO, CPU, CUDA, TENSORRT;

    /** Parses a choice; {@code onnxruntime}, the name of earlier releases, means {@code cpu}. */
    public static EngineChoice parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("onnxruntime")) {
            return CPU;
        }
        for (EngineChoice c : values()) {
            if (c.label().equals(v)) {
                return c;
            }
        }
        throw new IllegalArgumentException("engine " + value + " is not one of auto, cpu, cuda, tensorrt");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

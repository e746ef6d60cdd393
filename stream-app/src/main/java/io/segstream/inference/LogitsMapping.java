package io.segstream.inference;

/** How model-input coordinates map to logits coordinates when logits are upsampled bilinearly. */
public enum LogitsMapping {
    /**
     * TensorFlow's align_corners=True, as DeepLab trains: the first and last logits sit on the first
     * and last input pixels, so logit = u * (lw - 1) / (iw - 1) (u / 8 for 257 -> 33).
     */
    ALIGN_CORNERS,
    /** ONNX Upsample (opset 9) and Resize "asymmetric": logit = u * lw / iw. */
    ASYMMETRIC;

    double map(double u, int inputSize, int logitsSize) {
        if (this == ALIGN_CORNERS) {
            return inputSize == 1 ? 0 : u * (logitsSize - 1) / (inputSize - 1);
        }
        return u * logitsSize / inputSize;
    }
}

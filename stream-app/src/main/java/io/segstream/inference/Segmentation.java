package io.segstream.inference;

/**
 * The label map of one frame and what it cost. {@code fit} is "squash", "letterbox" or
 * "tile:CxR"; {@code batchSize} is the number of model inputs in the engine call(s) that carried it.
 */
public record Segmentation(int width, int height, byte[] labels, String fit, int views, int batchSize,
        long preprocessNanos, long inferenceNanos, long postprocessNanos) {
    /** Pixels per class index (0..255). */
    public long[] classPixels() {
        long[] counts = new long[256];
        for (byte label : labels) {
            counts[label & 0xFF]++;
        }
        return counts;
    }

    /** Share of pixels (0..1) labelled {@code classIndex}. */
    public double share(int classIndex) {
        return (double) classPixels()[classIndex] / labels.length;
    }
}

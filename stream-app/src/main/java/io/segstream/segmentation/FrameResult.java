package io.segstream.segmentation;

import io.segstream.crf.CrfRefiner;

/**
 * What the segmentation path made of one frame: its labels ({@code width x height}, row-major;
 * owned by the path and valid until its next call; the working size, or the frame's
 * {@code sourceWidth x sourceHeight} when labels are enlarged to it), pixels per class, how the frame was fitted
 * to the model, and what each step cost.
 *
 * @param fit "squash", "letterbox", "tile:CxR" or "zoom:CxR"
 * @param views model inputs the frame became
 * @param batchSize the largest engine batch that carried them
 * @param crf what the CRF did, or null when it is off
 */
public record FrameResult(String camera, long sequence, int width, int height, int sourceWidth, int sourceHeight,
        byte[] labels, long[] classPixels,
        String fit, int views, int batchSize, long preprocessNanos, long queueNanos, long inferenceNanos,
        long crfNanos, long postprocessNanos, CrfRefiner.Outcome crf) {

    /** Share of pixels (0..1) labelled {@code classIndex}. */
    public double share(int classIndex) {
        return (double) classPixels[classIndex] / ((long) width * height);
    }
}

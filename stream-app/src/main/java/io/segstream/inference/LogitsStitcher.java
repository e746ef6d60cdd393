package io.segstream.inference;

import java.util.Arrays;

/**
 * Upsamples the logits of one or more {@link InputView}s of a frame bilinearly to the frame's
 * pixels and averages them where views overlap (DeepLab's bilinear upsampling of the stride-8
 * logits, extended to tiles). Output: class planes {@code [classes][height][width]}. Buffers are
 * sized once per frame size and reused.
 */
public final class LogitsStitcher {
    private int width;
    private int height;
    private int classes;
    private float[] planes = new float[0];
    private float[] weight = new float[0];
    private int[] xi = new int[0];
    private float[] xf = new float[0];

    /** Starts a frame: zeroes the accumulators. */
    public void reset(int frameW, int frameH, int classCount) {
        width = frameW;
        height = frameH;
        classes = classCount;
        int n = frameW * frameH;
        if (planes.length < n * classCount) {
            planes = new float[n * classCount];
        }
        if (weight.length < n) {
            weight = new float[n];
        }
        if (xi.length < frameW) {
            xi = new int[frameW];
            xf = new float[frameW];
        }
        Arrays.fill(planes, 0, n * classCount, 0f);
        Arrays.fill(weight, 0, n, 0f);
    }

    /**
     * Adds the logits of one view, {@code [classes][lh][lw]} starting at {@code offset}, to every frame
     * pixel inside the view's region whose centre falls on its canvas rectangle.
     */
    public void add(float[] logits, int offset, int lw, int lh, int inputW, int inputH, InputView view,
            LogitsMapping mapping) {
        int xStart = view.sx();
        int xEnd = view.sx() + view.sw();
        int yStart = view.sy();
        int yEnd = view.sy() + view.sh();
        for (int x = xStart; x < xEnd; x++) {
            double l = clamp(mapping.map(view.canvasX(x), inputW, lw), 0, lw - 1);
            int i = Math.min((int) l, Math.max(lw - 2, 0));
            xi[x] = i;
            xf[x] = lw == 1 ? 0f : (float) (l - i);
        }
        int lPlane = lw * lh;
        int fPlane = width * height;
        int xStep = lw == 1 ? 0 : 1;
        for (int y = yStart; y < yEnd; y++) {
            double ly = clamp(mapping.map(view.canvasY(y), inputH, lh), 0, lh - 1);
            int yi = Math.min((int) ly, Math.max(lh - 2, 0));
            float fy = lh == 1 ? 0f : (float) (ly - yi);
            int yStep = lh == 1 ? 0 : lw;
            int rowOut = y * width;
            for (int x = xStart; x < xEnd; x++) {
                weight[rowOut + x] += 1f;
            }
            for (int c = 0; c < classes; c++) {
                int src = offset + c * lPlane + yi * lw;
                int dst = c * fPlane + rowOut;
                for (int x = xStart; x < xEnd; x++) {
                    int s = src + xi[x];
                    float wx = xf[x];
                    float top = logits[s] + wx * (logits[s + xStep] - logits[s]);
                    float bottom = logits[s + yStep] + wx * (logits[s + yStep + xStep] - logits[s + yStep]);
                    planes[dst + x] += top + fy * (bottom - top);
                }
            }
        }
    }

    /** Divides by the number of views that covered each pixel. Call once after the last {@link #add}. */
    public void finish() {
        int n = width * height;
        for (int p = 0; p < n; p++) {
            float wgt = weight[p];
            if (wgt > 1f) {
                float inv = 1f / wgt;
                for (int c = 0; c < classes; c++) {
                    planes[c * n + p] *= inv;
                }
            }
        }
    }

    /** Per-pixel argmax into {@code labels} (width x height bytes). */
    public void argmax(byte[] labels) {
        int n = width * height;
        for (int p = 0; p < n; p++) {
            float best = planes[p];
            int bestClass = 0;
            for (int c = 1; c < classes; c++) {
                float v = planes[c * n + p];
                if (v > best) {
                    best = v;
                    bestClass = c;
                }
            }
            labels[p] = (byte) bestClass;
        }
    }

    /** The stitched class planes (valid up to classes x width x height). */
    public float[] planes() {
        return planes;
    }

    private static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : (v > hi ? hi : v);
    }
}

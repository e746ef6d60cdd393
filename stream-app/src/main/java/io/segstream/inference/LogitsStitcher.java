package io.segstream.inference;

import java.util.Arrays;

/**
 * Upsamples the logits of one or more {@link InputView}s of a frame bilinearly to an output grid
 * and averages them where views overlap (DeepLab's bilinear upsampling of the stride-8 logits,
 * extended to tiles). The output grid is the frame's pixels, or a working size that covers the
 * same frame with fewer pixels (pixel centres to pixel centres): each output pixel takes the
 * logits at its centre's position in the frame. Output: class planes
 * {@code [classes][height][width]}. Buffers are sized once per output size and reused.
 */
public final class LogitsStitcher {
    private int width;
    private int height;
    /** Frame pixels per output pixel, per axis (1: the output is the frame). */
    private double scaleX = 1;
    private double scaleY = 1;
    private int classes;
    private float[] planes = new float[0];
    private float[] weight = new float[0];
    /** 1 / weight where views overlap, else 1 ({@link #finish}). */
    private float[] inverse = new float[0];
    private int[] xi = new int[0];
    private float[] xf = new float[0];
    private int[] yi = new int[0];
    private float[] yf = new float[0];
    private float[] rows = new float[0];
    private float[] best = new float[0];
    private boolean finished;

    /** Starts a frame whose output is its own pixels: zeroes the accumulators. */
    public void reset(int frameW, int frameH, int classCount) {
        reset(frameW, frameH, frameW, frameH, classCount);
    }

    /** Starts a {@code frameW x frameH} frame whose class planes are {@code outW x outH}: zeroes the accumulators. */
    public void reset(int frameW, int frameH, int outW, int outH, int classCount) {
        scaleX = (double) frameW / outW;
        scaleY = (double) frameH / outH;
        width = outW;
        height = outH;
        classes = classCount;
        int n = outW * outH;
        if (planes.length < n * classCount) {
            planes = new float[n * classCount];
        }
        if (weight.length < n) {
            weight = new float[n];
            inverse = new float[n];
        }
        if (xi.length < frameW) {
            xi = new int[frameW];
            xf = new float[frameW];
        }
        Arrays.fill(planes, 0, n * classCount, 0f);
        finished = false;
        Arrays.fill(weight, 0, n, 0f);
    }

    /**
     * Adds the logits of one view, {@code [classes][lh][lw]} starting at {@code offset}, to every frame
     * pixel inside the view's region whose centre falls on its canvas rectangle. Separable: each
     * class's logit rows are first interpolated across the view's columns, then each frame row is
     * one contiguous blend of two of those rows (the same arithmetic as the 2-D form, in an order the
     * JIT vectorises).
     */
    public void add(float[] logits, int offset, int lw, int lh, int inputW, int inputH, InputView view,
            LogitsMapping mapping) {
        finished = false;
        // Output pixels whose centre falls on a frame pixel of the view's region (all of them, at scale 1).
        int xStart = first(view.sx(), scaleX, width);
        int xEnd = first(view.sx() + view.sw(), scaleX, width);
        int yStart = first(view.sy(), scaleY, height);
        int yEnd = first(view.sy() + view.sh(), scaleY, height);
        if (xEnd <= xStart || yEnd <= yStart) {
            return;
        }
        int vw = xEnd - xStart;
        int xStep = lw == 1 ? 0 : 1;
        for (int x = xStart; x < xEnd; x++) {
            double l = clamp(mapping.map(view.canvasX(frameCoordinate(x, scaleX)), inputW, lw), 0, lw - 1);
            int i = Math.min((int) l, Math.max(lw - 2, 0));
            xi[x] = i;
            xf[x] = lw == 1 ? 0f : (float) (l - i);
        }
        if (rows.length < lh * vw) {
            rows = new float[lh * vw];
        }
        if (yi.length < height) {
            yi = new int[height];
            yf = new float[height];
        }
        for (int y = yStart; y < yEnd; y++) {
            double ly = clamp(mapping.map(view.canvasY(frameCoordinate(y, scaleY)), inputH, lh), 0, lh - 1);
            int i = Math.min((int) ly, Math.max(lh - 2, 0));
            yi[y] = i;
            yf[y] = lh == 1 ? 0f : (float) (ly - i);
        }
        int lPlane = lw * lh;
        int fPlane = width * height;
        int rowStep = lh == 1 ? 0 : vw;
        for (int y = yStart; y < yEnd; y++) {
            int rowOut = y * width;
            for (int x = xStart; x < xEnd; x++) {
                weight[rowOut + x] += 1f;
            }
        }
        for (int c = 0; c < classes; c++) {
            int src = offset + c * lPlane;
            for (int r = 0; r < lh; r++) {
                int s = src + r * lw;
                int o = r * vw - xStart;
                for (int x = xStart; x < xEnd; x++) {
                    int k = s + xi[x];
                    rows[o + x] = logits[k] + xf[x] * (logits[k + xStep] - logits[k]);
                }
            }
            int dst = c * fPlane + xStart;
            for (int y = yStart; y < yEnd; y++) {
                int r0 = yi[y] * vw;
                int r1 = r0 + rowStep;
                float fy = yf[y];
                int d = dst + y * width;
                for (int k = 0; k < vw; k++) {
                    float top = rows[r0 + k];
                    planes[d + k] += top + fy * (rows[r1 + k] - top);
                }
            }
        }
    }

    /**
     * Divides by the number of views that covered each pixel. {@link #planes()} does it when needed;
     * {@link #argmax} does not need it (a pixel's classes share one divisor).
     */
    public void finish() {
        if (finished) {
            return;
        }
        int n = width * height;
        boolean overlap = false;
        for (int p = 0; p < n; p++) {
            float wgt = weight[p];
            // x * 1 is x, bit for bit: pixels one view covered keep their logits.
            inverse[p] = wgt > 1f ? 1f / wgt : 1f;
            overlap |= wgt > 1f;
        }
        if (overlap) {
            // Plane by plane, in memory order (a pixel's classes are a plane apart).
            for (int c = 0; c < classes; c++) {
                int base = c * n;
                for (int p = 0; p < n; p++) {
                    planes[base + p] *= inverse[p];
                }
            }
        }
        finished = true;
    }

    /** Per-pixel argmax into {@code labels} (width x height bytes), class plane by class plane. */
    public void argmax(byte[] labels) {
        int n = width * height;
        if (best.length < n) {
            best = new float[n];
        }
        System.arraycopy(planes, 0, best, 0, n);
        Arrays.fill(labels, 0, n, (byte) 0);
        for (int c = 1; c < classes; c++) {
            int base = c * n;
            byte label = (byte) c;
            for (int p = 0; p < n; p++) {
                float v = planes[base + p];
                if (v > best[p]) {
                    best[p] = v;
                    labels[p] = label;
                }
            }
        }
    }

    /** The stitched class planes (valid up to classes x width x height). */
    public float[] planes() {
        finish();
        return planes;
    }

    /** Frame coordinate of the centre of output pixel {@code i} (i itself at scale 1). */
    private static double frameCoordinate(int i, double scale) {
        return scale == 1 ? i : (i + 0.5) * scale - 0.5;
    }

    /** The first output pixel whose centre lies at or beyond the left edge of frame pixel {@code frameIndex}. */
    private static int first(int frameIndex, double scale, int size) {
        if (scale == 1) {
            return Math.min(frameIndex, size);
        }
        return Math.max(0, Math.min(size, (int) Math.ceil(frameIndex / scale - 0.5)));
    }

    private static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : (v > hi ? hi : v);
    }
}

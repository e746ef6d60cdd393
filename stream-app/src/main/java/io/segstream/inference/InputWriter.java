package io.segstream.inference;

import io.segstream.codec.RgbImage;
import io.segstream.model.ModelCard;

/**
 * Writes one {@link InputView} of an RGB frame into a model input slot: bilinear resize of the
 * view's region, normalised per channel, in the model's layout and channel order, grey padding
 * outside the view's rectangle. Owns its per-column index and weight tables and two interpolated
 * frame rows; one thread at a time.
 */
public final class InputWriter {
    private final ModelCard.Input input;
    private final int w;
    private final int h;
    private final float[] pad = new float[3];
    /** The model's channel of R, G and B. */
    private final int[] order;
    private final int[] x0;
    private final float[] fx;
    /** Frame rows interpolated across the input's columns ({@code [3][w]}), and which rows they are. */
    private final float[] bufA;
    private final float[] bufB;
    private int rowA;
    private int rowB;

    public InputWriter(ModelCard.Input input) {
        this.input = input;
        this.w = input.width();
        this.h = input.height();
        for (int c = 0; c < 3; c++) {
            pad[c] = input.normalise(c, 127.5f);
        }
        this.order = input.bgr() ? new int[] {2, 1, 0} : new int[] {0, 1, 2};
        this.x0 = new int[w];
        this.fx = new float[w];
        this.bufA = new float[3 * w];
        this.bufB = new float[3 * w];
    }

    /** Floats per model input. */
    public int slotSize() {
        return 3 * w * h;
    }

    /**
     * Fills slot {@code slot} of {@code batch} with {@code view} of {@code frame}. Separable: each frame
     * row the view samples is interpolated across the input's columns once (a zoomed view samples
     * most rows for two input rows), then each input row is one blend of two such rows per channel,
     * written plane by plane; the arithmetic is the 2-D form's, in an order the JIT vectorises.
     */
    public void write(RgbImage frame, InputView view, float[] batch, int slot) {
        int base = slot * slotSize();
        byte[] rgb = frame.data();
        int fw = frame.width();
        int fh = frame.height();
        int uStart = Math.max(0, (int) Math.ceil(view.dx() - 0.5));
        int uEnd = Math.min(w, (int) Math.ceil(view.dx() + view.dw() - 0.5));
        int vStart = Math.max(0, (int) Math.ceil(view.dy() - 0.5));
        int vEnd = Math.min(h, (int) Math.ceil(view.dy() + view.dh() - 0.5));
        for (int u = 0; u < w; u++) {
            double x = clamp(view.frameX(u), view.sx(), view.sx() + view.sw() - 1);
            int xi = Math.min((int) x, fw - 2 < 0 ? 0 : fw - 2);
            x0[u] = xi;
            fx[u] = fw == 1 ? 0f : (float) (x - xi);
        }
        boolean nhwc = input.layout() == ModelCard.Layout.NHWC;
        int plane = w * h;
        int next = fw == 1 ? 0 : 3;
        rowA = -1;
        rowB = -1;
        for (int v = 0; v < h; v++) {
            if (v < vStart || v >= vEnd || uEnd <= uStart) {
                pad(batch, base, nhwc, plane, v, 0, w);
                continue;
            }
            double y = clamp(view.frameY(v), view.sy(), view.sy() + view.sh() - 1);
            int yi = Math.min((int) y, fh - 2 < 0 ? 0 : fh - 2);
            float fy = fh == 1 ? 0f : (float) (y - yi);
            float[] top = across(rgb, fw, yi, uStart, uEnd, next);
            float[] bottom = across(rgb, fw, fh == 1 ? yi : yi + 1, uStart, uEnd, next);
            pad(batch, base, nhwc, plane, v, 0, uStart);
            pad(batch, base, nhwc, plane, v, uEnd, w);
            for (int c = 0; c < 3; c++) {
                int r = c * w;
                if (nhwc) {
                    int o = base + 3 * v * w + order[c];
                    for (int u = uStart; u < uEnd; u++) {
                        float t = top[r + u];
                        batch[o + 3 * u] = input.normalise(c, t + fy * (bottom[r + u] - t));
                    }
                } else {
                    int o = base + order[c] * plane + v * w;
                    for (int u = uStart; u < uEnd; u++) {
                        float t = top[r + u];
                        batch[o + u] = input.normalise(c, t + fy * (bottom[r + u] - t));
                    }
                }
            }
        }
    }

    /**
     * Frame row {@code y} interpolated across input columns {@code [uStart, uEnd)}, channel by channel
     * ({@code [3][w]}); the last two rows made are kept, so a row shared by consecutive input rows is
     * made once.
     */
    private float[] across(byte[] rgb, int fw, int y, int uStart, int uEnd, int next) {
        if (y == rowA) {
            return bufA;
        }
        if (y == rowB) {
            return bufB;
        }
        // Replace the row made longer ago: rows come in increasing order, so that is the lower one.
        boolean intoA = rowA < rowB;
        float[] out = intoA ? bufA : bufB;
        if (intoA) {
            rowA = y;
        } else {
            rowB = y;
        }
        int row = 3 * y * fw;
        for (int u = uStart; u < uEnd; u++) {
            int a = row + 3 * x0[u];
            float wx = fx[u];
            for (int c = 0; c < 3; c++) {
                out[c * w + u] = (rgb[a + c] & 0xFF) + wx * ((rgb[a + next + c] & 0xFF) - (rgb[a + c] & 0xFF));
            }
        }
        return out;
    }

    /** Grey padding for input columns {@code [from, to)} of input row {@code v}. */
    private void pad(float[] batch, int base, boolean nhwc, int plane, int v, int from, int to) {
        if (from >= to) {
            return;
        }
        for (int c = 0; c < 3; c++) {
            if (nhwc) {
                int o = base + 3 * v * w + order[c];
                for (int u = from; u < to; u++) {
                    batch[o + 3 * u] = pad[c];
                }
            } else {
                int o = base + order[c] * plane + v * w;
                java.util.Arrays.fill(batch, o + from, o + to, pad[c]);
            }
        }
    }

    private static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : (v > hi ? hi : v);
    }
}

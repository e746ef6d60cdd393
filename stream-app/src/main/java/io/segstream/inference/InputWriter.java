package io.segstream.inference;

import io.segstream.codec.RgbImage;
import io.segstream.model.ModelCard;

/**
 * Writes one {@link InputView} of an RGB frame into a model input slot: bilinear resize of the
 * view's region, normalised per channel, in the model's layout and channel order, grey padding
 * outside the view's rectangle. Owns its per-column index and weight tables.
 */
public final class InputWriter {
    private final ModelCard.Input input;
    private final int w;
    private final int h;
    private final float[] pad = new float[3];
    private final int[] x0;
    private final float[] fx;

    public InputWriter(ModelCard.Input input) {
        this.input = input;
        this.w = input.width();
        this.h = input.height();
        for (int c = 0; c < 3; c++) {
            pad[c] = input.normalise(c, 127.5f);
        }
        this.x0 = new int[w];
        this.fx = new float[w];
    }

    /** Floats per model input. */
    public int slotSize() {
        return 3 * w * h;
    }

    /** Fills slot {@code slot} of {@code batch} with {@code view} of {@code frame}. */
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
        int rc = input.bgr() ? 2 : 0; // position of R in the model's channel order
        int bc = 2 - rc;
        for (int v = 0; v < h; v++) {
            boolean rowInside = v >= vStart && v < vEnd;
            double y = clamp(view.frameY(v), view.sy(), view.sy() + view.sh() - 1);
            int yi = Math.min((int) y, fh - 2 < 0 ? 0 : fh - 2);
            float fy = fh == 1 ? 0f : (float) (y - yi);
            int row0 = 3 * yi * fw;
            int row1 = fh == 1 ? row0 : row0 + 3 * fw;
            for (int u = 0; u < w; u++) {
                int o = nhwc ? base + 3 * (v * w + u) : base + v * w + u;
                int step = nhwc ? 1 : plane;
                if (!rowInside || u < uStart || u >= uEnd) {
                    batch[o + rc * step] = pad[0];
                    batch[o + step] = pad[1];
                    batch[o + bc * step] = pad[2];
                    continue;
                }
                int a = row0 + 3 * x0[u];
                int b = row1 + 3 * x0[u];
                int next = fw == 1 ? 0 : 3;
                float wx = fx[u];
                for (int c = 0; c < 3; c++) {
                    float top = (rgb[a + c] & 0xFF) + wx * ((rgb[a + next + c] & 0xFF) - (rgb[a + c] & 0xFF));
                    float bottom = (rgb[b + c] & 0xFF) + wx * ((rgb[b + next + c] & 0xFF) - (rgb[b + c] & 0xFF));
                    float value = input.normalise(c, top + fy * (bottom - top));
                    int channel = c == 0 ? rc : (c == 2 ? bc : 1);
                    batch[o + channel * step] = value;
                }
            }
        }
    }

    private static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : (v > hi ? hi : v);
    }
}

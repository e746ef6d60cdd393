package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.codec.RgbImage;
import io.segstream.model.ModelCard;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The separable writer gives the 2-D bilinear form's values bit for bit, in every layout and fit. */
class InputWriterTest {
    private static final int SIZE = 97;
    private static final float[] MEAN = {123.675f, 116.28f, 103.53f};
    private static final float[] STD = {58.395f, 57.12f, 57.375f};

    private static ModelCard.Input input(ModelCard.Layout layout, String order) {
        return new ModelCard.Input("x", SIZE, SIZE, layout, order, MEAN, STD);
    }

    private static RgbImage randomFrame(int w, int h, long seed) {
        byte[] rgb = new byte[3 * w * h];
        new Random(seed).nextBytes(rgb);
        return new RgbImage(w, h, rgb);
    }

    @Test
    void theSeparableWriterIsTheBilinearFormBitForBit() {
        int[][] sizes = {{1279, 719}, {320, 180}, {97, 97}, {60, 200}, {1, 50}, {50, 1}, {1, 1}};
        int checked = 0;
        for (ModelCard.Layout layout : ModelCard.Layout.values()) {
            for (String order : List.of("RGB", "BGR")) {
                ModelCard.Input in = input(layout, order);
                InputWriter writer = new InputWriter(in);
                for (int[] size : sizes) {
                    RgbImage frame = randomFrame(size[0], size[1], size[0] * 31L + size[1]);
                    for (Fit fit : List.of(Fit.of(FitMode.ZOOM), Fit.of(FitMode.SQUASH), Fit.of(FitMode.LETTERBOX),
                            Fit.of(FitMode.TILE))) {
                        List<InputView> views = InputPlanner.plan(fit, size[0], size[1], SIZE, SIZE);
                        float[] expected = new float[views.size() * writer.slotSize()];
                        float[] actual = new float[expected.length];
                        java.util.Arrays.fill(actual, Float.NaN); // every value must be written
                        for (int i = 0; i < views.size(); i++) {
                            reference(in, frame, views.get(i), expected, i);
                            writer.write(frame, views.get(i), actual, i);
                        }
                        assertArrayEquals(expected, actual, layout + " " + order + " " + size[0] + "x" + size[1]
                                + " " + fit);
                        checked += views.size();
                    }
                }
            }
        }
        assertTrue(checked > 100, "views checked: " + checked);
    }

    /** The writer as it was before it became separable: bilinear per pixel and channel. */
    private static void reference(ModelCard.Input input, RgbImage frame, InputView view, float[] batch, int slot) {
        int w = input.width();
        int h = input.height();
        float[] pad = new float[3];
        for (int c = 0; c < 3; c++) {
            pad[c] = input.normalise(c, 127.5f);
        }
        int[] x0 = new int[w];
        float[] fx = new float[w];
        int base = slot * 3 * w * h;
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
        int rc = input.bgr() ? 2 : 0;
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

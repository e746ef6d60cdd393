package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LogitsStitcherTest {
    private static final int CLASSES = 3;
    private static final int LOGITS = 33;
    private static final int INPUT = 257;

    private static float[] randomLogits(int views, long seed) {
        Random random = new Random(seed);
        float[] logits = new float[views * CLASSES * LOGITS * LOGITS];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextGaussian() * 4;
        }
        return logits;
    }

    private static float[] stitch(float[] logits, List<InputView> views, int w, int h, int outW, int outH) {
        LogitsStitcher stitcher = new LogitsStitcher();
        stitcher.reset(w, h, outW, outH, CLASSES);
        for (int i = 0; i < views.size(); i++) {
            stitcher.add(logits, i * CLASSES * LOGITS * LOGITS, LOGITS, LOGITS, INPUT, INPUT, views.get(i),
                    LogitsMapping.ALIGN_CORNERS);
        }
        return stitcher.planes().clone();
    }

    /** At the frame's own size the scaled form is the frame-size form, bit for bit. */
    @Test
    void theWorkingSizeOfASmallFrameIsItsOwnSize() {
        List<InputView> views = InputPlanner.plan(Fit.of(FitMode.ZOOM), 480, 360, INPUT, INPUT);
        float[] logits = randomLogits(views.size(), 1);
        LogitsStitcher own = new LogitsStitcher();
        own.reset(480, 360, CLASSES);
        for (int i = 0; i < views.size(); i++) {
            own.add(logits, i * CLASSES * LOGITS * LOGITS, LOGITS, LOGITS, INPUT, INPUT, views.get(i),
                    LogitsMapping.ALIGN_CORNERS);
        }
        float[] expected = own.planes();
        float[] scaled = stitch(logits, views, 480, 360, 480, 360);
        for (int i = 0; i < CLASSES * 480 * 360; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(scaled[i]), "plane value " + i);
        }
    }

    /**
     * A 1280x720 frame's tiles stitched at 640x360: each output pixel holds the logits at its
     * centre's place in the frame. With logits that are a linear function of frame position (every
     * tile agreeing), that is exactly the mean of the 2x2 frame pixels it covers.
     */
    @Test
    void aHalfSizeOutputHoldsTheFrameLogitsAtItsPixelCentres() {
        List<InputView> views = InputPlanner.plan(Fit.of(FitMode.ZOOM), 1280, 720, INPUT, INPUT);
        float[] logits = new float[views.size() * CLASSES * LOGITS * LOGITS];
        for (int v = 0; v < views.size(); v++) {
            InputView view = views.get(v);
            for (int c = 0; c < CLASSES; c++) {
                for (int r = 0; r < LOGITS; r++) {
                    for (int q = 0; q < LOGITS; q++) {
                        // align corners: logit q sits on input pixel q * (INPUT - 1) / (LOGITS - 1)
                        double x = view.frameX(q * (INPUT - 1) / (LOGITS - 1));
                        double y = view.frameY(r * (INPUT - 1) / (LOGITS - 1));
                        logits[((v * CLASSES + c) * LOGITS + r) * LOGITS + q] = (float) ((c + 1) * 0.01 * x - 0.02 * y);
                    }
                }
            }
        }
        float[] full = stitch(logits, views, 1280, 720, 1280, 720);
        float[] half = stitch(logits, views, 1280, 720, 640, 360);
        int plane = 640 * 360;
        double worst = 0;
        double sum = 0;
        for (int c = 0; c < CLASSES; c++) {
            for (int y = 1; y < 359; y++) {
                for (int x = 1; x < 639; x++) {
                    int f = c * 1280 * 720 + 2 * y * 1280 + 2 * x;
                    double mean = (full[f] + full[f + 1] + full[f + 1280] + full[f + 1281]) / 4.0;
                    double d = Math.abs(half[c * plane + y * 640 + x] - mean);
                    worst = Math.max(worst, d);
                    sum += d;
                }
            }
        }
        // A one-pixel shift would be 0.01 to 0.03 everywhere; what remains is float rounding and the half pixel at
        // each tile's edge, where the tile's logits are clamped.
        assertEquals(0, sum / (CLASSES * 638 * 358), 2e-4, "mean difference from the frame's 2x2 means");
        assertEquals(0, worst, 0.01, "largest difference from the frame's 2x2 means, away from the border");
    }

    /**
     * Where tiles overlap, a pixel holds the mean of their logits: the sum over views taken in order,
     * times one over their number, bit for bit as the pixel-by-pixel division computed it.
     */
    @Test
    void overlappingViewsAreAveragedBitForBit() {
        List<InputView> views = InputPlanner.plan(Fit.of(FitMode.ZOOM), 1280, 720, INPUT, INPUT);
        float[] logits = randomLogits(views.size(), 7);
        float[] sums = new float[CLASSES * 640 * 360];
        float[] count = new float[640 * 360];
        for (int i = 0; i < views.size(); i++) {
            LogitsStitcher one = new LogitsStitcher();
            one.reset(1280, 720, 640, 360, CLASSES);
            one.add(logits, i * CLASSES * LOGITS * LOGITS, LOGITS, LOGITS, INPUT, INPUT, views.get(i),
                    LogitsMapping.ALIGN_CORNERS);
            float[] alone = one.planes(); // one view: nothing to divide
            for (int p = 0; p < count.length; p++) {
                if (alone[p] != 0f) { // covered (random logits are never exactly 0)
                    count[p] += 1f;
                    for (int c = 0; c < CLASSES; c++) {
                        sums[c * count.length + p] += alone[c * count.length + p];
                    }
                }
            }
        }
        int overlapped = 0;
        for (int p = 0; p < count.length; p++) {
            if (count[p] > 1f) {
                overlapped++;
                float inv = 1f / count[p];
                for (int c = 0; c < CLASSES; c++) {
                    sums[c * count.length + p] *= inv;
                }
            }
        }
        float[] stitched = stitch(logits, views, 1280, 720, 640, 360);
        assertTrue(overlapped > 10_000, "pixels under two or more tiles: " + overlapped);
        for (int i = 0; i < sums.length; i++) {
            assertEquals(Float.floatToIntBits(sums[i]), Float.floatToIntBits(stitched[i]), "plane value " + i);
        }
    }
}

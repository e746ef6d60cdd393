package io.segstream.crf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The grid filter against the Gaussian summed over every pair of pixels. */
class GridGaussianTest {
    private static final int W = 37;
    private static final int H = 23;
    private static final int CHANNELS = 3;

    /** Exact: {@code weight * scale_i * sum_j exp(-|p_i - p_j|^2 / 2 theta^2) scale_j in_j}, j over the whole frame. */
    private static double[] bruteForce(float[] in, float[] scale, float weight, float theta) {
        double[] out = new double[W * H * CHANNELS];
        for (int i = 0; i < W * H; i++) {
            for (int j = 0; j < W * H; j++) {
                double dx = i % W - j % W;
                double dy = i / W - j / W;
                double k = Math.exp(-(dx * dx + dy * dy) / (2.0 * theta * theta));
                for (int c = 0; c < CHANNELS; c++) {
                    out[i * CHANNELS + c] += weight * scale[i] * k * scale[j] * in[j * CHANNELS + c];
                }
            }
        }
        return out;
    }

    private static float[] run(GridGaussian grid, float[] in, float[] scale, float weight, int threads) {
        float[] out = new float[W * H * CHANNELS];
        try (Parallel parallel = new Parallel(threads)) {
            grid.resize(W, H);
            grid.filter(in, scale, weight, CHANNELS, parallel,
                    (y, values, worker) -> System.arraycopy(values, 0, out, y * W * CHANNELS, W * CHANNELS));
        }
        return out;
    }

    @Test
    void equalsTheGaussianOverAllPairsUpToItsCutOffAtThreeWidths() {
        Random random = new Random(7);
        float[] in = new float[W * H * CHANNELS];
        float[] scale = new float[W * H];
        for (int i = 0; i < in.length; i++) {
            in[i] = random.nextFloat();
        }
        for (int i = 0; i < scale.length; i++) {
            scale[i] = 0.5f + random.nextFloat();
        }
        for (float theta : new float[] {0.5f, 1f, 3f}) {
            double[] exact = bruteForce(in, scale, 2f, theta);
            for (int threads : new int[] {1, 2}) {
                float[] ours = run(new GridGaussian(theta), in, scale, 2f, threads);
                double worst = 0;
                double largest = 0;
                for (int i = 0; i < exact.length; i++) {
                    worst = Math.max(worst, Math.abs(ours[i] - exact[i]));
                    largest = Math.max(largest, Math.abs(exact[i]));
                }
                // The taps beyond 3 widths hold under 1% of the kernel's mass.
                assertEquals(0, worst / largest, 0.01, "theta " + theta + ", " + threads + " threads");
            }
        }
    }

    /**
     * Pixels marked to skip are left out of the vertical pass: every other pixel's values are the
     * full filter's, bit for bit, whether its run of wanted pixels is one pixel long or a whole row.
     */
    @Test
    void skippedPixelsLeaveTheOthersValuesAsTheyWere() {
        Random random = new Random(3);
        float[] in = new float[W * H * CHANNELS];
        float[] scale = new float[W * H];
        byte[] skip = new byte[W * H];
        for (int i = 0; i < in.length; i++) {
            in[i] = random.nextFloat();
        }
        for (int p = 0; p < W * H; p++) {
            scale[p] = 0.5f + random.nextFloat();
            boolean wholeRowWanted = p / W == 5;
            skip[p] = (byte) (wholeRowWanted || random.nextInt(3) == 0 ? -1 : random.nextInt(CHANNELS));
        }
        GridGaussian grid = new GridGaussian(1f);
        float[] full = run(grid, in, scale, 2f, 2);
        float[] some = new float[W * H * CHANNELS];
        try (Parallel parallel = new Parallel(2)) {
            grid.filter(in, scale, 2f, CHANNELS, skip, parallel,
                    (y, values, worker) -> System.arraycopy(values, 0, some, y * W * CHANNELS, W * CHANNELS));
        }
        int wanted = 0;
        for (int p = 0; p < W * H; p++) {
            if (skip[p] < 0) {
                wanted++;
                for (int c = 0; c < CHANNELS; c++) {
                    assertEquals(full[p * CHANNELS + c], some[p * CHANNELS + c], "pixel " + p + ", channel " + c);
                }
            }
        }
        assertEquals(true, wanted > W && wanted < W * H / 2, "a few wanted pixels: " + wanted);
    }

    @Test
    void normalisationIsTheInverseRootOfEachPixelsKernelSum() {
        GridGaussian grid = new GridGaussian(1f);
        grid.resize(W, H);
        float[] norm = new float[W * H];
        grid.normalisation(norm);
        float[] ones = new float[W * H * CHANNELS];
        java.util.Arrays.fill(ones, 1f);
        float[] unit = new float[W * H];
        java.util.Arrays.fill(unit, 1f);
        double[] sums = bruteForce(ones, unit, 1f, 1f);
        for (int p = 0; p < W * H; p++) {
            assertEquals(1 / Math.sqrt(sums[p * CHANNELS]), norm[p], 0.01 * norm[p], "pixel " + p);
        }
    }

    @Test
    void aWideKernelIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GridGaussian(GridGaussian.MAX_THETA + 1f));
    }
}

package io.segstream.crf;

/**
 * The test oracle: the same mean field as {@link DenseCrf} with every pairwise term computed
 * exactly, O(N^2) per iteration: exact Gaussians, the same symmetric normalisation (j = i
 * included), the same Potts update. Usable on tiny images only.
 */
final class BruteForceMeanField {
    private BruteForceMeanField() {}

    /** Marginals {@code [pixel][label]} after {@code params.iterations()} iterations from softmax(logits). */
    static float[] run(byte[] rgb, int width, int height, float[] logitPlanes, int labels, CrfParams params) {
        return run(rgb, width, height, logitPlanes, labels, params, 1);
    }

    /**
     * {@link #run(byte[], int, int, float[], int, CrfParams)} with the appearance kernel between
     * blocks of {@code block x block} pixels: each pixel seen at its block's centre and mean colour
     * (blocks cut by the frame's edge are smaller), as {@link DenseCrf}'s half-resolution appearance
     * lattice sees it; the smoothness kernel between the pixels themselves.
     */
    static float[] run(byte[] rgb, int width, int height, float[] logitPlanes, int labels, CrfParams params,
            int block) {
        int n = width * height;
        double[][] at = new double[n][5]; // appearance position and colour of each pixel's block
        for (int i = 0; i < n; i++) {
            int x0 = i % width / block * block;
            int y0 = i / width / block * block;
            int x1 = Math.min(width, x0 + block);
            int y1 = Math.min(height, y0 + block);
            at[i][0] = (x0 + x1 - 1) / 2.0;
            at[i][1] = (y0 + y1 - 1) / 2.0;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    for (int c = 0; c < 3; c++) {
                        at[i][2 + c] += (rgb[3 * (y * width + x) + c] & 0xFF) / (double) ((x1 - x0) * (y1 - y0));
                    }
                }
            }
        }
        double[][] app = new double[n][n];
        double[][] smooth = new double[n][n];
        double[] appSum = new double[n];
        double[] smoothSum = new double[n];
        for (int i = 0; i < n; i++) {
            int xi = i % width;
            int yi = i / width;
            for (int j = 0; j < n; j++) {
                int xj = j % width;
                int yj = j / width;
                double dp = (xi - xj) * (xi - xj) + (yi - yj) * (yi - yj);
                double da = (at[i][0] - at[j][0]) * (at[i][0] - at[j][0])
                        + (at[i][1] - at[j][1]) * (at[i][1] - at[j][1]);
                double dc = 0;
                for (int c = 0; c < 3; c++) {
                    double diff = at[i][2 + c] - at[j][2 + c];
                    dc += diff * diff;
                }
                app[i][j] = Math.exp(-da / (2.0 * params.thetaAlpha() * params.thetaAlpha())
                        - dc / (2.0 * params.thetaBeta() * params.thetaBeta()));
                smooth[i][j] = Math.exp(-dp / (2.0 * params.thetaGamma() * params.thetaGamma()));
                appSum[i] += app[i][j];
                smoothSum[i] += smooth[i][j];
            }
        }
        double[] q = new double[n * labels];
        double[] u = new double[n * labels];
        for (int p = 0; p < n; p++) {
            for (int l = 0; l < labels; l++) {
                u[p * labels + l] = logitPlanes[l * n + p];
            }
            softmax(u, p * labels, labels, q);
        }
        double[] next = new double[n * labels];
        for (int it = 0; it < params.iterations(); it++) {
            for (int i = 0; i < n; i++) {
                for (int l = 0; l < labels; l++) {
                    double a = 0;
                    double s = 0;
                    for (int j = 0; j < n; j++) {
                        a += app[i][j] / Math.sqrt(appSum[i] * appSum[j]) * q[j * labels + l];
                        s += smooth[i][j] / Math.sqrt(smoothSum[i] * smoothSum[j]) * q[j * labels + l];
                    }
                    next[i * labels + l] = u[i * labels + l] + params.w1() * a + params.w2() * s;
                }
            }
            for (int p = 0; p < n; p++) {
                softmax(next, p * labels, labels, q);
            }
        }
        float[] out = new float[n * labels];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) q[i];
        }
        return out;
    }

    private static void softmax(double[] in, int o, int labels, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int l = 0; l < labels; l++) {
            max = Math.max(max, in[o + l]);
        }
        double sum = 0;
        for (int l = 0; l < labels; l++) {
            out[o + l] = Math.exp(in[o + l] - max);
            sum += out[o + l];
        }
        for (int l = 0; l < labels; l++) {
            out[o + l] /= sum;
        }
    }
}

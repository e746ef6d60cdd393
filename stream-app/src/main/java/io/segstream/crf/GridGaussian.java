package io.segstream.crf;

/**
 * A Gaussian of the pixel positions alone, {@code exp(-|p_i - p_j|^2 / 2 theta^2)}, filtered on the
 * image grid as two 1-D convolutions (it is separable), cut off at three standard deviations: the
 * CRF's smoothness kernel when it is narrow. The default model's is 1 px: a permutohedral lattice
 * over the positions then has about as many vertices as the frame has pixels, and the 7-tap
 * convolution costs less than its splat, blur and slice (6 ms less per iteration at 640x480 on one
 * thread); from 1.5 px on (DeepLab's is 3 px) the lattice has few enough vertices to be the faster
 * (benchmarks/RESULTS.md, "CRF speed, before and after"). Unlike the lattice it computes the
 * Gaussian itself.
 *
 * <p>Values are laid out {@code [pixel][channel]}, pixels row by row. One instance per CRF; the
 * buffers are sized for the largest frame and label count seen.
 */
final class GridGaussian {
    /** The widest kernel the grid takes, in pixels (19 taps). */
    static final float MAX_THETA = 3f;

    /** Up to this width the grid is the faster of the two (measured, see above); the CRF's default choice. */
    static final float FASTER_UP_TO = 1f;

    private final float[] taps;   // taps[t] = exp(-t^2 / 2 theta^2), t = 0..radius
    private final int radius;
    private int width = -1;
    private int height = -1;
    private float[] rowSums = new float[0];    // per row: the kernel's sum over the rows it reaches
    private float[] columnSums = new float[0]; // per column: likewise over columns
    private float[] horizontal = new float[0]; // the first pass's result, [pixel][channel]
    private float[][] padded = new float[0][]; // per worker: one row of scaled input, zeros either side
    private float[][] sums = new float[0][];   // per worker: one row of the vertical pass's sums

    GridGaussian(float theta) {
        if (!(theta > 0f && theta <= MAX_THETA)) {
            throw new IllegalArgumentException("grid Gaussian width must be in (0, " + MAX_THETA + "] px, was " + theta);
        }
        radius = Math.max(1, (int) Math.ceil(3 * theta));
        taps = new float[radius + 1];
        for (int t = 0; t <= radius; t++) {
            taps[t] = (float) Math.exp(-t * (double) t / (2.0 * theta * theta));
        }
    }

    /** Readies the filter for frames of this size. */
    void resize(int w, int h) {
        if (w == width && h == height) {
            return;
        }
        width = w;
        height = h;
        columnSums = sums(w);
        rowSums = sums(h);
    }

    /** For each of {@code n} positions on a line: the sum of the taps that stay on it. */
    private float[] sums(int n) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            float sum = taps[0];
            for (int t = 1; t <= radius; t++) {
                sum += (i - t >= 0 ? taps[t] : 0f) + (i + t < n ? taps[t] : 0f);
            }
            s[i] = sum;
        }
        return s;
    }

    /** {@code norm[p] = (sum_j k(p, j))^-1/2}, the symmetric normalisation of every pixel. */
    void normalisation(float[] norm) {
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                norm[y * width + x] = (float) (1.0 / Math.sqrt((double) rowSums[y] * columnSums[x]));
            }
        }
    }

    /** Receives the filtered values of one row, {@code [x][channel]}, on the worker that made them. */
    interface RowSink {
        void row(int y, float[] values, int worker);
    }

    /**
     * Hands each row of {@code weight * scale[i] * sum_j k(i, j) scale[j] in[j]} to {@code sink}
     * (what {@link PermutohedralLattice}'s filter of the same arguments computes approximately), so
     * that the caller uses it while the row is in cache instead of reading it back from memory.
     */
    void filter(float[] in, float[] scale, float weight, int channels, Parallel parallel, RowSink sink) {
        filter(in, scale, weight, channels, null, parallel, sink);
    }

    /**
     * {@link #filter(float[], float[], float, int, Parallel, RowSink)}, except that the rows handed
     * to {@code sink} hold values only for the pixels whose {@code skip} entry is negative (the
     * others' are left undefined): the vertical pass runs over the runs of such pixels alone.
     *
     * @param skip per pixel: negative where its values are wanted; null: wanted everywhere
     */
    void filter(float[] in, float[] scale, float weight, int channels, byte[] skip, Parallel parallel, RowSink sink) {
        int w = width;
        int h = height;
        int line = w * channels;
        int pad = radius * channels;
        if (horizontal.length < h * line) {
            horizontal = new float[h * line];
        }
        int workers = parallel.workers();
        if (padded.length < workers || padded[0].length < line + 2 * pad) {
            padded = new float[workers][line + 2 * pad];
            sums = new float[workers][line];
        }
        int r = radius;
        float[] k = taps;
        float[] mid = horizontal;
        // Horizontally: each row's scaled input with zeros either side, so every tap reads in bounds.
        parallel.forRange(h, 2 * workers, (from, to, worker) -> {
            float[] src = padded[worker];
            java.util.Arrays.fill(src, pad + line, 2 * pad + line, 0f); // a wider frame's values may be there
            for (int y = from; y < to; y++) {
                int base = y * line;
                for (int x = 0, p = y * w; x < w; x++, p++) {
                    float s = scale[p];
                    int o = x * channels;
                    for (int c = 0; c < channels; c++) {
                        src[pad + o + c] = in[base + o + c] * s;
                    }
                }
                float k0 = k[0];
                for (int i = 0; i < line; i++) {
                    mid[base + i] = k0 * src[pad + i];
                }
                for (int t = 1; t <= r; t++) {
                    int before = pad - t * channels;
                    int after = pad + t * channels;
                    float kt = k[t];
                    for (int i = 0; i < line; i++) {
                        mid[base + i] += kt * (src[before + i] + src[after + i]);
                    }
                }
            }
        });
        // Vertically, row by row into a buffer of the worker's, which goes to the sink.
        parallel.forRange(h, 2 * workers, (from, to, worker) -> {
            float[] acc = sums[worker];
            for (int y = from; y < to; y++) {
                int row = y * w;
                if (skip == null) {
                    vertical(acc, mid, y, 0, w, channels, scale, weight);
                } else {
                    for (int x = 0; x < w; ) {
                        while (x < w && skip[row + x] >= 0) {
                            x++;
                        }
                        int end = x;
                        while (end < w && skip[row + end] < 0) {
                            end++;
                        }
                        if (end > x) {
                            vertical(acc, mid, y, x, end, channels, scale, weight);
                        }
                        x = end;
                    }
                }
                sink.row(y, acc, worker);
            }
        });
    }

    /**
     * The vertical pass of row {@code y}, pixels {@code x0..x1}, from the horizontal pass's
     * {@code mid} into {@code acc} (the row's buffer), scaled on the way out.
     */
    private void vertical(float[] acc, float[] mid, int y, int x0, int x1, int channels, float[] scale, float weight) {
        int line = width * channels;
        int base = y * line;
        int a = x0 * channels;
        int b = x1 * channels;
        float k0 = taps[0];
        for (int i = a; i < b; i++) {
            acc[i] = k0 * mid[base + i];
        }
        for (int t = 1; t <= radius; t++) {
            float kt = taps[t];
            int above = base - t * line;
            int below = base + t * line;
            if (y - t >= 0 && y + t < height) {
                for (int i = a; i < b; i++) {
                    acc[i] += kt * (mid[above + i] + mid[below + i]);
                }
            } else if (y - t >= 0) {
                for (int i = a; i < b; i++) {
                    acc[i] += kt * mid[above + i];
                }
            } else if (y + t < height) {
                for (int i = a; i < b; i++) {
                    acc[i] += kt * mid[below + i];
                }
            }
        }
        for (int x = x0, p = y * width + x0; x < x1; x++, p++) {
            float s = scale[p] * weight;
            int o = x * channels;
            for (int c = 0; c < channels; c++) {
                acc[o + c] *= s;
            }
        }
    }
}

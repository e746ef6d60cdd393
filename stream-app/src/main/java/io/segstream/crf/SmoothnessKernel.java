package io.segstream.crf;

/**
 * The smoothness kernel of a dense CRF, {@code w2 exp(-|p_i-p_j|^2/2 thetaGamma^2)}: positions only,
 * so the same for every frame of a size. Filtered on the pixel grid ({@link GridGaussian}) when
 * narrow, else on a permutohedral lattice over the positions (see {@link CrfOptions.Smoothness}).
 */
final class SmoothnessKernel {
    private final CrfParams params;
    private final Parallel parallel;
    private final GridGaussian grid; // or null: on the lattice
    private final PermutohedralLattice lattice = new PermutohedralLattice(2);
    private float[] features = new float[0];
    private float[] norm = new float[0];
    private int width = -1;
    private int height = -1;
    private float theta = -1f;

    SmoothnessKernel(final CrfOptions options, final Parallel parallel) {
        this.params = options.params();
        this.parallel = parallel;
        this.grid = options.gridSmoothness() ? new GridGaussian(params.thetaGamma()) : null;
    }

    /** True when it filters on the pixel grid, handing each filtered row to a {@link GridGaussian.RowSink}. */
    boolean onGrid() {
        return grid != null;
    }

    /** Builds the kernel for frames of {@code w x h} pixels, unless it has them already. */
    void prepare(final int w, final int h) {
        if (w == width && h == height && params.thetaGamma() == theta) {
            return;
        }
        final int n = w * h;
        if (norm.length < n) {
            norm = new float[n];
        }
        if (grid != null) {
            grid.resize(w, h);
            grid.normalisation(norm);
        } else {
            if (features.length < n * 2) {
                features = new float[n * 2];
            }
            final float ig = 1f / params.thetaGamma();
            parallel.forRange(n, (from, to, worker) -> {
                for (int p = from; p < to; p++) {
                    features[2 * p] = (p % w) * ig;
                    features[2 * p + 1] = (p / w) * ig;
                }
            });
            lattice.init(features, n, parallel);
            lattice.normalisation(norm, null, parallel);
        }
        width = w;
        height = h;
        theta = params.thetaGamma();
    }

    /**
     * On the grid: hands each row's message of marginals {@code q} ({@code [pixel][label]}) at the
     * pixels that are not settled to {@code sink}, on the worker that made it.
     */
    void filterRows(final float[] q, final int labels, final byte[] settled, final GridGaussian.RowSink sink) {
        grid.filter(q, norm, params.w2(), labels, settled, parallel, sink);
    }

    /** On the lattice: adds the message of marginals {@code q} to {@code message} at the pixels that are not settled. */
    void addTo(final float[] message, final float[] q, final int labels, final byte[] settled, final long settledStamp,
            final long[] live) {
        lattice.filter(q, norm, message, params.w2(), true, labels, settled, settledStamp, live, parallel);
    }
}

package io.segstream.crf;

/**
 * A frame's unaries at the CRF's active labels, and which pixels and labels settle on them. A
 * pixel whose unaries alone lead by {@link #settleMargin} is settled: it holds its label, one-hot,
 * for the whole frame; only unsettled pixels have their unaries stored ({@code [pixel][label]},
 * logits: -U up to a per-pixel constant) and, when more than {@value PermutohedralLattice#FEW}
 * labels take part, their live labels (a bit per label).
 */
final class Unaries {
    /** The largest share of a pixel's neighbours' kernel mass it receives, as measured on real frames (1.19), rounded up. */
    static final float MESSAGE_BOUND = 1.25f;

    /** Nats by which a settled pixel's label leads the others even after the strongest messages. */
    static final float SETTLE_SLACK = 6f;

    private final float settleMargin; // unary margin, in nats, from which a pixel is settled; infinite: none is
    float[] unary = new float[0];     // logits, [pixel][label], of the unsettled pixels
    byte[] own = new byte[0];         // per pixel: the active label the unaries alone favour
    byte[] settled = new byte[0];     // per pixel: the active label it is settled on, or -1
    byte[] wasSettled = new byte[0];  // the previous frame's settled, when the start keeps them
    long[] live = new long[0];        // per unsettled pixel, when sparse: bit k set where label k is live
    boolean sparse;                   // settling on, 9 to 64 labels: unsettled pixels carry their live labels alone
    private float[][] block = new float[0][]; // per worker: one block of pixels' unaries, [pixel][label]

    Unaries(final CrfOptions options) {
        this.settleMargin = options.meanField() == CrfOptions.MeanField.SETTLED
                ? settleMargin(options.params()) : Float.POSITIVE_INFINITY;
    }

    /**
     * The margin, in nats, by which a pixel's best unary must lead its second for the pixel to be
     * settled. Under Potts compatibility an update adds {@code w m_i(k)} to label k's sum, where
     * {@code m_i(k) = n_i sum_j k(i,j) n_j Q_j(k)}; these are non-negative and sum over k to
     * {@code n_i sum_j k(i,j) n_j}, which the symmetric normalisation holds near 1 (at most 1.19 on
     * real frames with the default model's and DeepLab's appearance kernels). So the messages move a
     * label's sum against another's by at most {@code (w1 + w2) * }{@value #MESSAGE_BOUND}: a pixel
     * whose unaries lead by that plus {@value #SETTLE_SLACK} nats keeps its label in every update,
     * with marginals within e^-6 of one-hot, whatever its neighbours do; nor can the warm start's
     * prior turn it (it counts at most the warm-start limit against a label, 1 nat by default, 8 at
     * most, and the updates drop it). Its marginals are taken as one-hot, so it is splatted into
     * one channel and not sliced or updated. The default model's margin is 12.25 nats: 68% of the
     * pixels of a street scene at 640x480 (vtest) reach it; DeepLab's is 14.75.
     *
     * <p>By the same bound a label that trails a pixel's best unary by the margin stays more than
     * 6 nats below it through every update: it is dead at that pixel, its marginal held at 0 (the
     * settled pixels' approximation, label by label). When more than {@value PermutohedralLattice#FEW}
     * labels take part, an unsettled pixel carries its live labels alone, and the filters' splat and
     * slice and the softmax do the work of those (on vtest frames with all 21 labels, 7.6 per
     * unsettled pixel with DeepLab's margin, 6.9 with the default model's); with fewer, the filters'
     * channel groups take all of them as fast (measured level; benchmarks/RESULTS.md, "Fourth speed round").
     */
    static float settleMargin(final CrfParams params) {
        return MESSAGE_BOUND * (params.w1() + params.w2()) + SETTLE_SLACK;
    }

    /**
     * Sizes the per-pixel buffers for {@code n} pixels and {@code l} labels.
     *
     * @return true when it allocated the settled pixels or the unaries anew
     */
    boolean ensure(final int n, final int l, final int workers) {
        boolean allocated = false;
        if (settled.length < n) {
            allocated = true;
            wasSettled = new byte[n];
            own = new byte[n];
            settled = new byte[n];
        }
        if (block.length < workers || block[0].length < LabelSelection.BLOCK * l) {
            block = new float[workers][LabelSelection.BLOCK * l];
        }
        if (unary.length < n * l) {
            allocated = true;
            unary = new float[n * l];
        }
        return allocated;
    }

    /** Keeps this frame's settled pixels as the previous frame's (the start compares them). */
    void keepSettled() {
        final byte[] swap = wasSettled;
        wasSettled = settled;
        settled = swap;
    }

    /**
     * Loads the unaries of the active labels from the class planes, gathered a block at a time into
     * a buffer that stays in cache; only the pixels that do not settle have theirs written out
     * (nothing reads a settled pixel's), with their live labels.
     */
    void load(final float[] logitPlanes, final int n, final int[] active, final int a, final Parallel parallel) {
        sparse = settleMargin < Float.POSITIVE_INFINITY && a > PermutohedralLattice.FEW && a <= Long.SIZE;
        if (sparse && live.length < n) {
            live = new long[n]; // only CRFs that see more than FEW labels hold the masks
        }
        parallel.forRange(n, (from, to, worker) -> {
            final float[] values = block[worker];
            for (int b = from; b < to; b += LabelSelection.BLOCK) {
                final int e = Math.min(to, b + LabelSelection.BLOCK);
                for (int k = 0; k < a; k++) {
                    final int src = active[k] * n;
                    for (int p = b, o = k; p < e; p++, o += a) {
                        values[o] = logitPlanes[src + p];
                    }
                }
                settleBlock(values, b, e, a);
            }
        });
    }

    /** Settles pixels {@code b..e} whose gathered unaries lead by the margin; stores the others'. */
    private void settleBlock(final float[] values, final int b, final int e, final int a) {
        final boolean withLive = sparse;
        for (int p = b, o = 0; p < e; p++, o += a) {
            int best = 0;
            float top = values[o];
            float second = Float.NEGATIVE_INFINITY;
            for (int k = 1; k < a; k++) {
                final float u = values[o + k];
                if (u > top) {
                    second = top;
                    top = u;
                    best = k;
                } else if (u > second) {
                    second = u;
                }
            }
            own[p] = (byte) best;
            if (top - second >= settleMargin) {
                settled[p] = (byte) best;
            } else {
                settled[p] = -1;
                for (int k = 0, u = p * a; k < a; k++) {
                    unary[u + k] = values[o + k];
                }
                if (withLive) {
                    long mask = 0;
                    for (int k = 0; k < a; k++) {
                        mask |= top - values[o + k] < settleMargin ? 1L << k : 0L;
                    }
                    live[p] = mask;
                }
            }
        }
    }
}

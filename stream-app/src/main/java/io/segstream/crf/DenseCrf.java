package io.segstream.crf;

/**
 * Mean-field inference in the fully connected CRF (Kraehenbuehl and Koltun, NIPS 2011) as DeepLab
 * uses it: unary = -log softmax(logits at the CRF's resolution), the appearance and smoothness
 * kernels of {@link CrfParams}, Potts compatibility. Each iteration filters the marginals with both
 * kernels on a {@link PermutohedralLattice}, so it costs time linear in the pixels.
 *
 * <p>Kernels are normalised symmetrically, {@code m_i = n_i sum_j k(i,j) n_j Q_j} with
 * {@code n_i = (sum_j k(i,j))^-1/2} and the sum including j = i, as in Kraehenbuehl's reference
 * implementation (NORMALIZE_SYMMETRIC, pydensecrf's default): DeepLab's published weights were
 * tuned with it, and it makes the result independent of the lattice's overall gain.
 *
 * <p>One instance per thread; buffers are sized once per frame size and label count and reused.
 */
public final class DenseCrf implements AutoCloseable {
    private final PermutohedralLattice appearance = new PermutohedralLattice(5);
    private final PermutohedralLattice smoothness = new PermutohedralLattice(2);
    private final CrfParams params;
    private int pixels;
    private int labels;
    private float[] appFeatures = new float[0];
    private float[] smoothFeatures = new float[0];
    private float[] appNorm = new float[0];
    private float[] smoothNorm = new float[0];
    private float[] unary = new float[0];   // logits, [pixel][label]: -U up to a per-pixel constant
    private float[] q = new float[0];       // marginals, [pixel][label]
    private float[] scaled = new float[0];
    private float[] filtered = new float[0];
    private float[] message = new float[0];
    private float[] bestLogit = new float[0];
    private final float[] changes = new float[64];
    private final float pruneLogGap;
    private final Parallel parallel;
    private int smoothWidth = -1;
    private int smoothHeight = -1;
    private float smoothTheta = -1f;
    private int[] active = new int[0];   // original label of each active label
    private int allLabels;
    private float lastChange;
    private int lastIterations;

    /** A CRF over every label. */
    public DenseCrf(CrfParams params) {
        this(params, 0f);
    }

    /**
     * @param pruneProbability labels whose softmax probability stays below this at every pixel
     *     take no part (a DeepLab frame rarely has more than 3-4 labels with a chance anywhere);
     *     0 keeps all labels
     */
    public DenseCrf(CrfParams params, float pruneProbability) {
        this(params, pruneProbability, 1);
    }

    /**
     * @param threads threads that share each pass over the pixels and the lattice (the caller's
     *     plus threads - 1 of its own)
     */
    public DenseCrf(CrfParams params, float pruneProbability, int threads) {
        this.parallel = new Parallel(threads);
        if (pruneProbability < 0f || pruneProbability >= 1f) {
            throw new IllegalArgumentException("pruneProbability must be in [0, 1), was " + pruneProbability);
        }
        this.params = params;
        this.pruneLogGap = pruneProbability == 0f ? Float.NEGATIVE_INFINITY : (float) Math.log(pruneProbability);
    }

    /** Labels taking part in the last {@link #prepare}. */
    public int activeLabels() {
        return labels;
    }

    public CrfParams params() {
        return params;
    }

    /**
     * Builds both lattices from the frame and loads the unaries.
     *
     * @param rgb the frame, packed RGB, {@code width * height * 3} bytes
     * @param logitPlanes class planes {@code [label][height][width]} (the stitcher's layout)
     * @param labelCount number of labels
     */
    public void prepare(byte[] rgb, int width, int height, float[] logitPlanes, int labelCount) {
        int n = width * height;
        pixels = n;
        allLabels = labelCount;
        labels = selectLabels(logitPlanes, n, labelCount);
        ensure(n, labels);
        float ia = 1f / params.thetaAlpha();
        float ib = 1f / params.thetaBeta();
        float ig = 1f / params.thetaGamma();
        for (int y = 0, p = 0; y < height; y++) {
            for (int x = 0; x < width; x++, p++) {
                int a = p * 5;
                appFeatures[a] = x * ia;
                appFeatures[a + 1] = y * ia;
                appFeatures[a + 2] = (rgb[3 * p] & 0xFF) * ib;
                appFeatures[a + 3] = (rgb[3 * p + 1] & 0xFF) * ib;
                appFeatures[a + 4] = (rgb[3 * p + 2] & 0xFF) * ib;
                smoothFeatures[2 * p] = x * ig;
                smoothFeatures[2 * p + 1] = y * ig;
            }
        }
        appearance.init(appFeatures, n);
        normalisation(appearance, appNorm);
        // The smoothness kernel sees positions only: its lattice is the same for every frame of a size.
        if (width != smoothWidth || height != smoothHeight || params.thetaGamma() != smoothTheta) {
            smoothness.init(smoothFeatures, n);
            normalisation(smoothness, smoothNorm);
            smoothWidth = width;
            smoothHeight = height;
            smoothTheta = params.thetaGamma();
        }
        int a = labels;
        for (int k = 0; k < a; k++) {
            int src = active[k] * n;
            for (int p = 0; p < n; p++) {
                unary[p * a + k] = logitPlanes[src + p];
            }
        }
    }

    /**
     * The labels that can reach {@code exp(pruneLogGap)} probability somewhere: a label's softmax
     * probability is at most {@code exp(logit - max logit)}, so keeping every label within
     * {@code -pruneLogGap} of the pixel's best logit keeps every label that could.
     */
    private int selectLabels(float[] planes, int n, int labelCount) {
        if (active.length < labelCount) {
            active = new int[labelCount];
        }
        if (pruneLogGap == Float.NEGATIVE_INFINITY) {
            for (int l = 0; l < labelCount; l++) {
                active[l] = l;
            }
            return labelCount;
        }
        if (bestLogit.length < n) {
            bestLogit = new float[n];
        }
        System.arraycopy(planes, 0, bestLogit, 0, n);
        for (int l = 1; l < labelCount; l++) {
            int o = l * n;
            for (int p = 0; p < n; p++) {
                bestLogit[p] = Math.max(bestLogit[p], planes[o + p]);
            }
        }
        // A label must reach the threshold on a few pixels (1 in 2000, at least 4): a handful of
        // uncertain pixels cannot drag a label into every filtering pass.
        int needed = Math.max(4, n / 2000);
        int count = 0;
        for (int l = 0; l < labelCount; l++) {
            int o = l * n;
            int hits = 0;
            for (int p = 0; p < n && hits < needed; p++) {
                if (planes[o + p] - bestLogit[p] >= pruneLogGap) {
                    hits++;
                }
            }
            if (hits >= needed) {
                active[count++] = l;
            }
        }
        return count;
    }

    /** Starts from softmax of the unaries alone (a cold start). */
    public void initFromUnaries() {
        java.util.Arrays.fill(message, 0, pixels * labels, 0f);
        for (int p = 0; p < pixels; p++) {
            softmaxInto(p * labels, q);
        }
    }

    /** Runs {@code iterations} parallel mean-field updates from the current marginals. */
    public void iterate(int iterations) {
        float change = 0f;
        int n = pixels;
        int l = labels;
        for (int it = 0; it < iterations; it++) {
            java.util.Arrays.fill(message, 0, n * l, 0f);
            addMessage(appearance, appNorm, params.w1());
            addMessage(smoothness, smoothNorm, params.w2());
            java.util.Arrays.fill(changes, 0f);
            parallel.forRange(n, (from, to, worker) -> {
                float largest = 0f;
                for (int p = from; p < to; p++) {
                    int o = p * l;
                    softmaxInto(o, scaled);
                    for (int k = 0; k < l; k++) {
                        float d = Math.abs(scaled[o + k] - q[o + k]);
                        if (d > largest) {
                            largest = d;
                        }
                        q[o + k] = scaled[o + k];
                    }
                }
                changes[worker] = largest;
            });
            change = 0f;
            for (float c : changes) {
                change = Math.max(change, c);
            }
        }
        lastChange = change;
        lastIterations = iterations;
    }

    /** Cold start plus {@code params.iterations()} iterations; writes the argmax to {@code labelsOut}. */
    public void infer(byte[] rgb, int width, int height, float[] logitPlanes, int labelCount, byte[] labelsOut) {
        prepare(rgb, width, height, logitPlanes, labelCount);
        initFromUnaries();
        iterate(params.iterations());
        argmax(labelsOut);
    }

    /** Per-pixel argmax of the marginals. */
    public void argmax(byte[] out) {
        for (int p = 0; p < pixels; p++) {
            int o = p * labels;
            int best = 0;
            float bestQ = q[o];
            for (int k = 1; k < labels; k++) {
                if (q[o + k] > bestQ) {
                    bestQ = q[o + k];
                    best = k;
                }
            }
            out[p] = (byte) active[best];
        }
    }

    /**
     * The marginals, {@code [pixel][active label]}, valid for pixels x {@link #activeLabels()}
     * entries; {@link #activeLabel(int)} names each column. Pruned labels have marginal 0.
     */
    public float[] marginals() {
        return q;
    }

    /** The original label index of active label {@code k}. */
    public int activeLabel(int k) {
        return active[k];
    }

    /** Largest change of any marginal in the last iteration. */
    public float lastChange() {
        return lastChange;
    }

    public int lastIterations() {
        return lastIterations;
    }

    private void addMessage(PermutohedralLattice lattice, float[] norm, float weight) {
        int l = labels;
        parallel.forRange(pixels, (from, to, worker) -> {
            for (int p = from; p < to; p++) {
                float s = norm[p];
                int o = p * l;
                for (int k = 0; k < l; k++) {
                    scaled[o + k] = q[o + k] * s;
                }
            }
        });
        lattice.filter(scaled, filtered, l, parallel);
        parallel.forRange(pixels, (from, to, worker) -> {
            for (int p = from; p < to; p++) {
                float s = norm[p] * weight;
                int o = p * l;
                for (int k = 0; k < l; k++) {
                    message[o + k] += filtered[o + k] * s;
                }
            }
        });
    }

    /** out[o..o+l) = softmax(unary + message) of the pixel whose values start at o. */
    private void softmaxInto(int o, float[] out) {
        int l = labels;
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < l; k++) {
            float v = unary[o + k] + message[o + k];
            out[o + k] = v;
            if (v > max) {
                max = v;
            }
        }
        float sum = 0f;
        for (int k = 0; k < l; k++) {
            float e = FastExp.exp(out[o + k] - max);
            out[o + k] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int k = 0; k < l; k++) {
            out[o + k] *= inv;
        }
    }

    private void normalisation(PermutohedralLattice lattice, float[] norm) {
        int n = pixels;
        java.util.Arrays.fill(scaled, 0, n, 1f);
        lattice.filter(scaled, filtered, 1, parallel);
        for (int p = 0; p < n; p++) {
            norm[p] = (float) (1.0 / Math.sqrt(filtered[p] + 1e-20));
        }
    }

    private void ensure(int n, int l) {
        if (appFeatures.length < n * 5) {
            appFeatures = new float[n * 5];
            smoothFeatures = new float[n * 2];
            appNorm = new float[n];
            smoothNorm = new float[n];
        }
        if (q.length < n * l) {
            unary = new float[n * l];
            q = new float[n * l];
            scaled = new float[n * l];
            filtered = new float[n * l];
            message = new float[n * l];
        }
    }

    /** Stops the CRF's own threads. */
    @Override
    public void close() {
        parallel.close();
    }
}

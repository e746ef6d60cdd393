package io.segstream.crf;

/**
 * Mean-field inference in the fully connected CRF (Kraehenbuehl and Koltun, NIPS 2011) as DeepLab
 * uses it: unary = -log softmax(logits at the CRF's resolution), the appearance and smoothness
 * kernels of {@link CrfParams}, Potts compatibility. Each iteration filters the marginals with both
 * kernels on a {@link PermutohedralLattice}, so it costs time linear in the pixels.
 *
 * <p>Kernels are normalised symmetrically, {@code m_i = n_i sum_j k(i,j) n_j Q_j} with
 * {@code n_i = (sum_j k(i,j))^-1/2} and the sum including j = i, as in Kraehenbuehl's second
 * release (NORMALIZE_SYMMETRIC, pydensecrf's default); it makes the result independent of the
 * lattice's overall gain. DeepLab's own CRF layer used his first release, which normalises per
 * pixel ({@code m_i = sum_j k(i,j) Q_j / sum_j k(i,j)}); on voc-sample the two differ by at most
 * 0.22 mIoU points with DeepLab's parameters and five others (benchmarks/RESULTS.md).
 *
 * <p>One instance per thread; buffers are sized once per frame size and label count and reused.
 */
public final class DenseCrf implements AutoCloseable {
    private Appearance app = new Appearance();
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
    private float[] scaled = new float[0];   // the update's new marginals, and ones for the normalisation
    private float[] filtered = new float[0]; // the normalisation's filtered ones, one per pixel
    private float[] message = new float[0];
    private float[] bestLogit = new float[0];
    private int[][] hits = new int[0][];       // per worker, per label: pixels where it is within reach
    private static final int SELECT_BLOCK = 2048;
    private final float[] changes;   // per worker: the largest marginal change of its pixels
    private final int[] flips;       // per worker: its pixels whose label changed
    private final int[] overruled;   // per worker: its pixels whose label argmax gave, unlike the unaries'
    private int lastOverruled;
    private final float pruneLogGap;
    private final Parallel parallel;
    private static final float MAX_LATTICE_GROWTH = 1.5f;
    private int[] changedPixels = new int[0];
    private byte[] colourChange = new byte[0]; // per pixel: the largest channel change since the lattice's last frame
    private boolean colourChangeKnown;         // false: the lattice's last frame had another size, or none
    private boolean lastBuildFull;
    private int smoothWidth = -1;
    private int smoothHeight = -1;
    private float smoothTheta = -1f;
    private int[] active = new int[0];   // original label of each active label
    private float lastChange;
    private int lastFlips;
    private int lastIterations;

    /** The largest label-pruning probability (the {@code crf.prune.probability} setting's range too). */
    public static final float MAX_PRUNE_PROBABILITY = 0.5f;

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
        this.changes = new float[threads];
        this.flips = new int[threads];
        this.overruled = new int[threads];
        if (!(pruneProbability >= 0f && pruneProbability <= MAX_PRUNE_PROBABILITY)) {
            throw new IllegalArgumentException("pruneProbability must be in [0, " + MAX_PRUNE_PROBABILITY + "], was "
                    + pruneProbability);
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
        prepare(rgb, width, height, logitPlanes, labelCount, false);
    }

    /**
     * {@link #prepare(byte[], int, int, float[], int)}, updating the appearance lattice of the
     * previous frame instead of building it anew when {@code reuseLattice} and the frame has the
     * previous one's size: only pixels whose colour changed are embedded again (on a fixed camera,
     * 56-82% of pixels keep their exact colour from frame to frame on the sample clips). A full build
     * happens anyway when more than half the pixels changed or updates have grown the lattice by
     * half since its last build.
     */
    public void prepare(byte[] rgb, int width, int height, float[] logitPlanes, int labelCount,
            boolean reuseLattice) {
        int n = width * height;
        pixels = n;
        labels = selectLabels(logitPlanes, n, labelCount);
        ensure(n, labels);
        float ia = 1f / params.thetaAlpha();
        float ib = 1f / params.thetaBeta();
        float ig = 1f / params.thetaGamma();
        parallel.forRange(n, (from, to, worker) -> {
            for (int p = from; p < to; p++) {
                int x = p % width;
                int y = p / width;
                int a = p * 5;
                appFeatures[a] = x * ia;
                appFeatures[a + 1] = y * ia;
                appFeatures[a + 2] = (rgb[3 * p] & 0xFF) * ib;
                appFeatures[a + 3] = (rgb[3 * p + 1] & 0xFF) * ib;
                appFeatures[a + 4] = (rgb[3 * p + 2] & 0xFF) * ib;
                smoothFeatures[2 * p] = x * ig;
                smoothFeatures[2 * p + 1] = y * ig;
            }
        });
        if (changedPixels.length < n) {
            changedPixels = new int[n];
            colourChange = new byte[n];
        }
        measureColourChange(rgb, width, height);
        if (!(reuseLattice && updateAppearance(rgb, width, height))) {
            app.lattice.init(appFeatures, n, parallel);
            lastBuildFull = true;
        }
        if (app.previousRgb.length < n * 3) {
            app.previousRgb = new byte[n * 3];
        }
        System.arraycopy(rgb, 0, app.previousRgb, 0, n * 3);
        app.width = width;
        app.height = height;
        normalisation(app.lattice, appNorm);
        // The smoothness kernel sees positions only: its lattice is the same for every frame of a size.
        if (width != smoothWidth || height != smoothHeight || params.thetaGamma() != smoothTheta) {
            smoothness.init(smoothFeatures, n, parallel);
            normalisation(smoothness, smoothNorm);
            smoothWidth = width;
            smoothHeight = height;
            smoothTheta = params.thetaGamma();
        }
        int a = labels;
        parallel.forRange(n, (from, to, worker) -> {
            for (int k = 0; k < a; k++) {
                int src = active[k] * n;
                for (int p = from; p < to; p++) {
                    unary[p * a + k] = logitPlanes[src + p];
                }
            }
        });
    }

    /** Each pixel's largest channel change since the appearance's last frame, where it had this size. */
    private void measureColourChange(byte[] rgb, int width, int height) {
        colourChangeKnown = width == app.width && height == app.height;
        if (!colourChangeKnown) {
            return;
        }
        byte[] previousRgb = app.previousRgb;
        parallel.forRange(width * height, (from, to, worker) -> {
            for (int p = from, b = 3 * from; p < to; p++, b += 3) {
                int d = Math.max(Math.abs((rgb[b] & 0xFF) - (previousRgb[b] & 0xFF)),
                        Math.max(Math.abs((rgb[b + 1] & 0xFF) - (previousRgb[b + 1] & 0xFF)),
                                Math.abs((rgb[b + 2] & 0xFF) - (previousRgb[b + 2] & 0xFF))));
                colourChange[p] = (byte) d;
            }
        });
    }

    /** Re-embeds the pixels whose colour changed; false when a full build is due instead. */
    private boolean updateAppearance(byte[] rgb, int width, int height) {
        if (width != app.width || height != app.height || app.lattice.growth() > MAX_LATTICE_GROWTH) {
            return false;
        }
        int n = width * height;
        int count = 0;
        int limit = n / 2;
        byte[] previousRgb = app.previousRgb;
        for (int p = 0, b = 0; p < n; p++, b += 3) {
            if (rgb[b] != previousRgb[b] || rgb[b + 1] != previousRgb[b + 1] || rgb[b + 2] != previousRgb[b + 2]) {
                if (count == limit) {
                    return false;
                }
                changedPixels[count++] = p;
            }
        }
        app.lattice.update(appFeatures, changedPixels, count);
        lastBuildFull = false;
        return true;
    }

    /**
     * The appearance lattice of one stream of frames (a camera) and the frame it was built for,
     * which {@link #prepare(byte[], int, int, float[], int, boolean)} updates instead of
     * rebuilding. A DenseCrf owns one; {@link TemporalCrf} keeps one per camera and hands the
     * camera's in with {@link #useAppearance} (about 50 bytes per pixel). Private to the package:
     * the per-camera cache is the refiner's own business.
     */
    static final class Appearance {
        private final PermutohedralLattice lattice = new PermutohedralLattice(5);
        private byte[] previousRgb = new byte[0];
        private int width = -1;
        private int height = -1;
        /** The sequence number of the frame it holds, as its owner ({@link TemporalCrf}) records it. */
        long sequence = Long.MIN_VALUE;

        /** Forgets the frame, so the next prepare builds the lattice anew (for reuse by another camera). */
        void forget() {
            width = -1;
            height = -1;
            sequence = Long.MIN_VALUE;
        }
    }

    /** The appearance lattice the next {@link #prepare} builds or updates. */
    void useAppearance(Appearance appearance) {
        app = appearance;
    }

    /** True when the last {@link #prepare} built the appearance lattice from scratch. */
    public boolean lastBuildFull() {
        return lastBuildFull;
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
        int workers = parallel.workers();
        if (hits.length < workers || hits[0].length < labelCount) {
            hits = new int[workers][labelCount];
        }
        // A label must reach the threshold on a few pixels (1 in 2000, at least 4): a handful of
        // uncertain pixels cannot drag a label into every filtering pass.
        int needed = Math.max(4, n / 2000);
        // Each worker takes its pixels in blocks small enough that a block of every plane stays in
        // cache between the two passes, so the planes are read from memory once; a label that
        // already reached the count in this worker's pixels is not counted further.
        // Every worker's counts start at zero here, not inside the pass: a small frame runs on worker 0
        // alone, and the others' counts from an earlier, larger frame must not be summed with its own.
        for (int[] counts : hits) {
            java.util.Arrays.fill(counts, 0);
        }
        parallel.forRange(n, (from, to, worker) -> {
            int[] counts = hits[worker];
            for (int b = from; b < to; b += SELECT_BLOCK) {
                int e = Math.min(to, b + SELECT_BLOCK);
                System.arraycopy(planes, b, bestLogit, b, e - b);
                for (int l = 1; l < labelCount; l++) {
                    int o = l * n;
                    for (int p = b; p < e; p++) {
                        bestLogit[p] = Math.max(bestLogit[p], planes[o + p]);
                    }
                }
                for (int l = 0; l < labelCount; l++) {
                    if (counts[l] >= needed) {
                        continue;
                    }
                    int o = l * n;
                    int c = 0;
                    for (int p = b; p < e; p++) {
                        c += planes[o + p] - bestLogit[p] >= pruneLogGap ? 1 : 0;
                    }
                    counts[l] += c;
                }
            }
        });
        int count = 0;
        for (int l = 0; l < labelCount; l++) {
            int total = 0;
            for (int w = 0; w < workers; w++) {
                total += hits[w][l];
            }
            if (total >= needed) {
                active[count++] = l;
            }
        }
        return count;
    }

    /** Starts from softmax of the unaries alone (a cold start). */
    public void initFromUnaries() {
        int l = labels;
        parallel.forRange(pixels, (from, to, worker) -> {
            java.util.Arrays.fill(message, from * l, to * l, 0f);
            for (int p = from; p < to; p++) {
                softmaxInto(p * l, q);
            }
        });
    }

    /** Runs {@code iterations} parallel mean-field updates from the current marginals. */
    public void iterate(int iterations) {
        for (int it = 0; it < iterations; it++) {
            update();
        }
        lastIterations = iterations;
    }

    /**
     * Runs parallel mean-field updates until one changes the label of at most {@code flipShare} of
     * the pixels (the marginals have stopped moving where it matters: the mask), or {@code cap}
     * updates have run; at least one runs.
     *
     * @return the updates run
     */
    public int iterateUntilStable(float flipShare, int cap) {
        int it = 0;
        do {
            update();
            it++;
        } while (it < cap && lastFlips > flipShare * pixels);
        lastIterations = it;
        return it;
    }

    /** One parallel update: Q = softmax(logits + the pairwise messages of the current Q). */
    private void update() {
        int n = pixels;
        int l = labels;
        // The appearance message overwrites the last one, the smoothness message adds to it.
        app.lattice.filter(q, appNorm, message, params.w1(), false, l, parallel);
        smoothness.filter(q, smoothNorm, message, params.w2(), true, l, parallel);
        java.util.Arrays.fill(changes, 0f);
        java.util.Arrays.fill(flips, 0);
        // The softmax fused with the bookkeeping: one pass that reads the unaries, messages and old
        // marginals once and writes the new marginals (scaled holds a pixel's sums, then its exps).
        parallel.forRange(n, (from, to, worker) -> {
            float largest = 0f;
            int flipped = 0;
            for (int p = from; p < to; p++) {
                int o = p * l;
                float max = Float.NEGATIVE_INFINITY;
                float bestBefore = Float.NEGATIVE_INFINITY;
                int before = 0;
                int after = 0;
                for (int k = 0; k < l; k++) {
                    float v = unary[o + k] + message[o + k];
                    scaled[o + k] = v;
                    if (v > max) {
                        max = v;
                        after = k;
                    }
                    float old = q[o + k];
                    if (old > bestBefore) {
                        bestBefore = old;
                        before = k;
                    }
                }
                float inv = 1f / expInPlace(scaled, o, max);
                for (int k = 0; k < l; k++) {
                    float updated = scaled[o + k] * inv;
                    largest = Math.max(largest, Math.abs(updated - q[o + k]));
                    q[o + k] = updated;
                }
                if (before != after) {
                    flipped++;
                }
            }
            changes[worker] = largest;
            flips[worker] = flipped;
        });
        float change = 0f;
        int flipped = 0;
        for (int w = 0; w < changes.length; w++) {
            change = Math.max(change, changes[w]);
            flipped += flips[w];
        }
        lastChange = change;
        lastFlips = flipped;
    }

    /**
     * Starts from the carried marginals of the camera's previous frame blended with the new
     * unaries: {@code Q0 = normalise(Q_prev^weight * softmax(-U))}. The new evidence always
     * enters (DESIGN.md: the previous marginals alone stall at a stale fixed point when people
     * move). A label taking part now but not carried starts at the state's floor.
     *
     * @param carried a state of this frame's size
     * @param limit the most, in nats, that the past may count against a label at a pixel: the
     *     carried marginals of a converged CRF are nearly certain (a label it ruled out carries
     *     e^-8), so uncapped they outweigh any new evidence and an object moving onto a pixel is
     *     held back frame after frame; capped, evidence stronger than e^limit to 1 wins at once
     */
    public void initWarm(CrfState carried, float weight, float limit) {
        initWarm(carried, weight, limit, -1);
    }

    /**
     * {@link #initWarm(CrfState, float, float)}, except that pixels whose colour changed by more than
     * {@code motionLevels} in a channel since the appearance's previous frame start cold (from their
     * unaries): what the carried marginals say of a pixel that now shows something else is stale,
     * and at a moving edge it holds the old label in place. Callers pass a negative value, or the
     * gate is skipped, unless the appearance's previous frame is the frame {@code carried} was
     * saved from ({@link TemporalCrf} checks the sequence).
     *
     * @param motionLevels the largest channel change, 0-255, at which a pixel still starts warm;
     *     negative: every pixel starts warm
     */
    public void initWarm(CrfState carried, float weight, float limit, int motionLevels) {
        if (carried.width() * carried.height() != pixels) {
            throw new IllegalArgumentException("carried CRF state is " + carried.width() + "x" + carried.height()
                    + ", the frame has " + pixels + " pixels");
        }
        int l = labels;
        int[] column = carriedColumns(carried);
        byte[] field = carried.toBytes();
        int base = carried.fieldOffset();
        int m = carried.labelCount();
        if (!(limit > 0f)) {
            throw new IllegalArgumentException("warm-start limit must be positive, was " + limit);
        }
        float step = -CrfState.STEP * weight;
        float floor = Math.max(CrfState.FLOOR * weight, -limit);
        boolean gated = motionLevels >= 0 && colourChangeKnown;
        byte[] change = colourChange;
        parallel.forRange(pixels, (from, to, worker) -> {
            for (int p = from; p < to; p++) {
                int o = p * l;
                int f = base + p * m;
                if (gated && (change[p] & 0xFF) > motionLevels) {
                    java.util.Arrays.fill(message, o, o + l, 0f);
                    softmaxInto(o, q);
                    continue;
                }
                for (int k = 0; k < l; k++) {
                    int c = column[k];
                    message[o + k] = c < 0 ? floor : Math.max((field[f + c] & 0xFF) * step, -limit);
                }
                softmaxInto(o, q);
            }
        });
    }

    /** For each active label, its column in {@code carried}, or -1. */
    private int[] carriedColumns(CrfState carried) {
        int[] column = new int[labels];
        for (int k = 0; k < labels; k++) {
            column[k] = -1;
            for (int c = 0; c < carried.labelCount(); c++) {
                if (carried.label(c) == active[k]) {
                    column[k] = c;
                }
            }
        }
        return column;
    }

    /**
     * Share of pixels whose most likely label under the new unaries alone differs from the carried
     * final label: near 0 for a still camera, near the moving objects' share as they move, and
     * high across a scene cut.
     */
    public float disagreement(CrfState carried) {
        int l = labels;
        int offset = carried.labelsOffset();
        byte[] carriedLabels = carried.toBytes();
        long differing = 0;
        for (int p = 0; p < pixels; p++) {
            int o = p * l;
            int best = 0;
            for (int k = 1; k < l; k++) {
                if (unary[o + k] > unary[o + best]) {
                    best = k;
                }
            }
            if (active[best] != (carriedLabels[offset + p] & 0xFF)) {
                differing++;
            }
        }
        return (float) differing / pixels;
    }

    /**
     * The state to carry to the camera's next frame: this frame's marginals (quantised, see
     * {@link CrfState}) and final labels.
     *
     * @param finalLabels the labels {@link #argmax} wrote for this frame
     */
    public CrfState saveState(int width, int height, long sequence, byte[] finalLabels) {
        int l = labels;
        CrfState state = CrfState.allocate(width, height, sequence, l);
        for (int k = 0; k < l; k++) {
            state.setLabel(k, active[k]);
        }
        byte[] out = state.toBytes();
        System.arraycopy(finalLabels, 0, out, state.labelsOffset(), pixels);
        int base = state.fieldOffset();
        float perStep = 1f / CrfState.STEP;
        parallel.forRange(pixels, (from, to, worker) -> {
            for (int p = from; p < to; p++) {
                int o = p * l;
                // q = softmax(unary + message), so ln q_k - ln q_max is the difference of those sums.
                float best = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < l; k++) {
                    best = Math.max(best, unary[o + k] + message[o + k]);
                }
                for (int k = 0; k < l; k++) {
                    float rel = best - unary[o + k] - message[o + k];
                    out[base + o + k] = (byte) Math.min(255, (int) (rel * perStep + 0.5f));
                }
            }
        });
        return state;
    }

    /** Cold start plus {@code params.iterations()} iterations; writes the argmax to {@code labelsOut}. */
    public void infer(byte[] rgb, int width, int height, float[] logitPlanes, int labelCount, byte[] labelsOut) {
        prepare(rgb, width, height, logitPlanes, labelCount);
        initFromUnaries();
        iterate(params.iterations());
        argmax(labelsOut);
    }

    /**
     * Per-pixel argmax of the marginals; also counts the pixels where it differs from the argmax of
     * the unaries alone, the network's own label ({@link #lastOverruled}).
     */
    public void argmax(byte[] out) {
        int l = labels;
        java.util.Arrays.fill(overruled, 0);
        parallel.forRange(pixels, (from, to, worker) -> {
            int differ = 0;
            for (int p = from; p < to; p++) {
                int o = p * l;
                int best = 0;
                float bestQ = q[o];
                int own = 0;
                float ownU = unary[o];
                for (int k = 1; k < l; k++) {
                    if (q[o + k] > bestQ) {
                        bestQ = q[o + k];
                        best = k;
                    }
                    if (unary[o + k] > ownU) {
                        ownU = unary[o + k];
                        own = k;
                    }
                }
                out[p] = (byte) active[best];
                differ += best != own ? 1 : 0;
            }
            overruled[worker] += differ;
        });
        int sum = 0;
        for (int count : overruled) {
            sum += count;
        }
        lastOverruled = sum;
    }

    /** Pixels whose label the last {@link #argmax} gave differs from the network's own (the unaries' argmax). */
    public int lastOverruled() {
        return lastOverruled;
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

    /** Pixels whose most likely label the last iteration changed: what the stop rule counts. */
    int lastFlips() {
        return lastFlips;
    }

    /** values[o..o+l) = exp(values[o..o+l) - max); returns their sum. */
    private float expInPlace(float[] values, int o, float max) {
        float sum = 0f;
        for (int k = 0; k < labels; k++) {
            float e = FastExp.exp(values[o + k] - max);
            values[o + k] = e;
            sum += e;
        }
        return sum;
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
        float inv = 1f / expInPlace(out, o, max);
        for (int k = 0; k < l; k++) {
            out[o + k] *= inv;
        }
    }

    private void normalisation(PermutohedralLattice lattice, float[] norm) {
        int n = pixels;
        java.util.Arrays.fill(scaled, 0, n, 1f);
        lattice.filter(scaled, filtered, 1, parallel);
        parallel.forRange(n, (from, to, worker) -> {
            for (int p = from; p < to; p++) {
                norm[p] = (float) (1.0 / Math.sqrt(filtered[p] + 1e-20));
            }
        });
    }

    private void ensure(int n, int l) {
        if (appFeatures.length < n * 5) {
            appFeatures = new float[n * 5];
            smoothFeatures = new float[n * 2];
            appNorm = new float[n];
            smoothNorm = new float[n];
            filtered = new float[n];
        }
        if (q.length < n * l) {
            unary = new float[n * l];
            q = new float[n * l];
            scaled = new float[n * l];
            message = new float[n * l];
        }
    }

    /** Stops the CRF's own threads. */
    @Override
    public void close() {
        parallel.close();
    }
}

package io.segstream.crf;

/**
 * Mean-field inference in the fully connected CRF (Kraehenbuehl and Koltun, NIPS 2011) as DeepLab
 * uses it: unary = -log softmax(logits at the CRF's resolution), the appearance and smoothness
 * kernels of {@link CrfParams}, Potts compatibility. Each iteration filters the marginals with the
 * appearance kernel ({@link AppearanceKernel}, a permutohedral lattice over position and colour) and
 * the smoothness kernel ({@link SmoothnessKernel}, on the pixel grid when narrow), so it costs time
 * linear in the pixels. Which labels take part is {@link LabelSelection}'s call; which pixels settle
 * on their label, {@link Unaries}'; a warm start from a camera's carried state, {@link WarmStart}'s.
 * This class holds the marginals and runs the starts, the updates and their softmax.
 *
 * <p>Kernels are normalised symmetrically, {@code m_i = n_i sum_j k(i,j) n_j Q_j} with
 * {@code n_i = (sum_j k(i,j))^-1/2} and the sum including j = i, as in Kraehenbuehl's second
 * release (NORMALIZE_SYMMETRIC, pydensecrf's default); it makes the result independent of the
 * lattice's overall gain. DeepLab's own CRF layer used his first release, which normalises per
 * pixel ({@code m_i = sum_j k(i,j) Q_j / sum_j k(i,j)}); on voc-sample the two differ by at most
 * 0.22 mIoU points with DeepLab's parameters and five others (benchmarks/RESULTS.md).
 *
 * <p>Lifecycle per frame: {@link #prepare} (or {@link #prepareReusingLattice}), a start
 * ({@link #initFromUnaries} or {@link #initWarm}), updates ({@link #iterate} or
 * {@link #iterateUntilStable}), {@link #argmax}, and {@link #saveState} for a camera's next frame.
 * The product reaches it through {@link CrfRefiner} ({@link CrfSetup}); it is public for the
 * benchmarks that time and score these steps one by one. One instance per thread; buffers are sized
 * once per frame size and label count and reused. {@link #close} stops its threads.
 */
public final class DenseCrf implements AutoCloseable {
    /** {@link #prepareFrame}'s tolerance for a lattice built anew. */
    private static final int NEW_LATTICE = -1;

    private final CrfParams params;
    private final Parallel parallel;
    private final LabelSelection selection;
    private final Unaries unaries;
    private final AppearanceKernel appearance;
    private final SmoothnessKernel smoothness;
    private final WarmStart warm;
    int pixels;
    int labels;
    private int width;
    private int height;
    float[] q = new float[0];           // marginals, [pixel][label]
    byte[] current = new byte[0];       // per pixel: the active label of the marginals (start or update)
    byte[] field = new byte[0];         // the last update's marginals as CrfState stores them
    private float[] message = new float[0];
    private float[][] sums = new float[0][]; // per worker: one pixel's unary and message sums
    private final float[] changes;      // per worker: the largest marginal change of its pixels
    private final int[] flips;          // per worker: its pixels whose label changed
    final int[] counts;                 // per worker: its pixels that a counting pass (argmax, disagreement) counted
    private boolean startRan;           // a start has written the settled pixels' marginals since the last prepare
    private boolean keepSettled;        // the last start's settled pixels' marginals, labels and stored form still stand
    private int lastSettled;
    private long settledStamp;          // names the last prepare's settled pixels and scale for the lattices
    boolean updated;                    // field holds the last update's (none since the start)
    private float lastChange;
    private int lastFlips;
    private int lastIterations;
    private int lastOverruled;

    /** A CRF as {@code options} say; it starts {@code options.threads() - 1} threads of its own. */
    public DenseCrf(final CrfOptions options) {
        this.params = options.params();
        this.parallel = new Parallel(options.threads());
        this.selection = new LabelSelection(options.pruneProbability());
        this.unaries = new Unaries(options);
        this.appearance = new AppearanceKernel(options, parallel);
        this.smoothness = new SmoothnessKernel(options, parallel);
        this.warm = new WarmStart(this);
        this.changes = new float[options.threads()];
        this.flips = new int[options.threads()];
        this.counts = new int[options.threads()];
    }

    /** Pixels the last start settled (see {@link Unaries#settleMargin}). */
    public int lastSettled() {
        return lastSettled;
    }

    /** True when the last prepare let pixels settled again on their label keep what the last start wrote (for tests). */
    boolean keptSettled() {
        return keepSettled;
    }

    /** Labels taking part in the last prepare. */
    public int activeLabels() {
        return labels;
    }

    public CrfParams params() {
        return params;
    }

    Parallel parallel() {
        return parallel;
    }

    Unaries unaries() {
        return unaries;
    }

    /** The active labels' original indices ({@link LabelSelection#active()}). */
    int[] active() {
        return selection.active();
    }

    AppearanceKernel appearance() {
        return appearance;
    }

    /**
     * Builds both kernels for the frame, anew, and loads the unaries.
     *
     * @param rgb the frame, packed RGB, {@code width * height * 3} bytes
     * @param logitPlanes class planes {@code [label][height][width]} (the stitcher's layout)
     * @param labelCount number of labels
     */
    public void prepare(final byte[] rgb, final int width, final int height, final float[] logitPlanes,
            final int labelCount) {
        prepareFrame(rgb, width, height, logitPlanes, labelCount, NEW_LATTICE);
    }

    /**
     * {@link #prepare}, updating the appearance lattice of the previous frame of this size instead of
     * building it anew: only points whose colour is now more than {@code latticeTolerance} levels (in
     * some channel) from the colour the lattice holds for them are embedded again, with their new
     * colour. On a fixed camera 64% of pixels keep their exact colour from frame to frame, 88% stay
     * within 3 levels (vtest_720p). A full build happens anyway when more than half the points
     * changed or updates have grown the lattice by half since its last build.
     *
     * @param latticeTolerance 0: re-embed every point whose colour changed at all (the result is the
     *     full build's); more: an approximation whose agreement with the full build
     *     benchmarks/RESULTS.md reports
     */
    public void prepareReusingLattice(final byte[] rgb, final int width, final int height, final float[] logitPlanes,
            final int labelCount, final int latticeTolerance) {
        if (latticeTolerance < 0) {
            throw new IllegalArgumentException("lattice tolerance must be 0 or more levels, was " + latticeTolerance);
        }
        prepareFrame(rgb, width, height, logitPlanes, labelCount, latticeTolerance);
    }

    private void prepareFrame(final byte[] rgb, final int width, final int height, final float[] logitPlanes,
            final int labelCount, final int latticeTolerance) {
        final int n = width * height;
        final boolean samePixels = pixels == n;
        pixels = n;
        labels = selection.select(logitPlanes, n, labelCount, parallel);
        final boolean allocated = ensure(n, labels);
        // A pixel settled on the same label as in the last start keeps the marginals, label and stored
        // form that start wrote (no update writes a settled pixel's), when they are laid out as now.
        keepSettled = startRan && samePixels && !allocated && selection.sameAsBefore();
        startRan = false;
        if (keepSettled) {
            unaries.keepSettled();
        }
        this.width = width;
        this.height = height;
        appearance.prepare(rgb, width, height, labels, latticeTolerance);
        smoothness.prepare(width, height);
        unaries.load(logitPlanes, n, selection.active(), labels, parallel);
        settledStamp = PermutohedralLattice.newStamp();
        updated = false;
    }

    /** The appearance lattice the next prepare builds or updates (a camera's, see {@link TemporalCrf}). */
    void useAppearance(final AppearanceCache cache) {
        appearance.use(cache);
    }

    /** True when the last prepare built the appearance lattice from scratch. */
    public boolean lastBuildFull() {
        return appearance.lastBuildFull();
    }

    /** Starts from softmax of the unaries alone (a cold start). */
    public void initFromUnaries() {
        final int l = labels;
        final boolean keep = keepSettled;
        final byte[] was = unaries.wasSettled;
        final byte[] settled = unaries.settled;
        final float[] unary = unaries.unary;
        final long[] live = unaries.live;
        final boolean sparse = unaries.sparse;
        startPass((from, to, worker) -> {
            final float[] v = sums[worker];
            int count = 0;
            for (int p = from; p < to; p++) {
                final int o = p * l;
                if (settled[p] >= 0) {
                    if (!keep || was[p] != settled[p]) {
                        settle(p);
                    }
                    count++;
                    continue;
                }
                for (int k = 0; k < l; k++) {
                    v[k] = unary[o + k];
                }
                current[p] = (byte) (sparse ? softmaxLive(v, o, live[p]) : softmax(v, q, o));
            }
            counts[worker] += count;
        });
        finishStart();
    }

    /**
     * Starts from the carried marginals of the camera's previous frame blended with the new
     * unaries ({@link WarmStart#start}); every pixel starts warm.
     */
    public void initWarm(final CrfState carried, final float weight, final float limit) {
        warm.start(carried, weight, limit, -1);
    }

    /**
     * {@link #initWarm(CrfState, float, float)}, except that pixels whose colour changed by more than
     * {@code motionLevels} in a channel since the appearance's previous frame start cold
     * ({@link WarmStart#start}).
     *
     * @param motionLevels the largest channel change, 0-255, at which a pixel still starts warm;
     *     negative: every pixel starts warm
     */
    public void initWarm(final CrfState carried, final float weight, final float limit, final int motionLevels) {
        warm.start(carried, weight, limit, motionLevels);
    }

    /** Share of pixels whose label under the new unaries alone differs from the carried final label ({@link WarmStart#disagreement}). */
    public float disagreement(final CrfState carried) {
        return warm.disagreement(carried);
    }

    /**
     * The state to carry to the camera's next frame ({@link WarmStart#save}).
     *
     * @param finalLabels the labels {@link #argmax} wrote for this frame
     */
    public CrfState saveState(final int width, final int height, final long sequence, final byte[] finalLabels) {
        return warm.save(width, height, sequence, finalLabels);
    }

    /**
     * Starts settled pixel {@code p} on its label, one-hot, with the marginals a {@link CrfState}
     * stores for it (every other label at the state's floor, as the exact marginals would store
     * them too: they are more than 8 nats down).
     */
    void settle(final int p) {
        final int l = labels;
        final int o = p * l;
        final int label = unaries.settled[p];
        for (int k = 0; k < l; k++) {
            q[o + k] = 0f;
            field[o + k] = (byte) 255;
        }
        q[o + label] = 1f;
        field[o + label] = 0;
        current[p] = (byte) label;
    }

    /**
     * Runs a start's pass over the pixels; with blocks, a row of points at a time, each followed by
     * the sum of its points' marginals while they are in cache (the first update's filter input).
     * The body adds its settled pixels to {@code counts[worker]}.
     */
    void startPass(final Parallel.Range body) {
        java.util.Arrays.fill(counts, 0);
        final int block = appearance.block();
        if (block == 1) {
            parallel.forRange(pixels, body);
            return;
        }
        final int rowPixels = block * width;
        final byte[] settled = unaries.settled;
        final int l = labels;
        parallel.forRange(appearance.pointRows(), 16, (from, to, worker) -> {
            for (int py = from; py < to; py++) {
                body.run(py * rowPixels, Math.min(pixels, (py + 1) * rowPixels), worker);
                appearance.sumPointRow(py, q, settled, l);
            }
        });
        appearance.markGathered();
    }

    /** Ends a start: sums the workers' counts of settled pixels. */
    void finishStart() {
        int sum = 0;
        for (int w = 0; w < parallel.workers(); w++) {
            sum += counts[w];
        }
        lastSettled = sum;
        updated = false;
        startRan = true;
    }

    /** Runs {@code iterations} parallel mean-field updates from the current marginals. */
    public void iterate(final int iterations) {
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
    public int iterateUntilStable(final float flipShare, final int cap) {
        int it = 0;
        do {
            update();
            it++;
        } while (it < cap && lastFlips > flipShare * pixels);
        lastIterations = it;
        return it;
    }

    /**
     * One parallel update: Q = softmax(logits + the pairwise messages of the current Q). The
     * appearance message goes through {@code message}; the smoothness message, when the grid
     * filters it, goes row by row straight into the softmax, and the same pass records each pixel's
     * label and the marginals as a {@link CrfState} stores them, so that nothing reads the frame's
     * sums back from memory.
     */
    private void update() {
        final int l = labels;
        final byte[] settled = unaries.settled;
        final long[] liveLabels = unaries.sparse ? unaries.live : null;
        // The grid's dense softmax reads each pixel's point's message itself; the others take it from message.
        appearance.filter(q, settled, l, message, settledStamp, liveLabels, !smoothness.onGrid() || unaries.sparse);
        java.util.Arrays.fill(changes, 0f);
        java.util.Arrays.fill(flips, 0);
        if (smoothness.onGrid()) {
            final int w = width;
            smoothness.filterRows(q, l, settled,
                    (y, values, worker) -> softmaxPixels(y * w, (y + 1) * w, values, worker));
        } else {
            smoothness.addTo(message, q, l, settled, settledStamp, liveLabels);
            parallel.forRange(pixels, (from, to, worker) -> softmaxPixels(from, to, null, worker));
        }
        float change = 0f;
        int flipped = 0;
        for (int w = 0; w < changes.length; w++) {
            change = Math.max(change, changes[w]);
            flipped += flips[w];
        }
        lastChange = change;
        lastFlips = flipped;
        updated = true;
    }

    /**
     * The update's softmax for pixels {@code from..to}: reads the unaries, the message and the old
     * marginals once, writes the new marginals, label and stored form.
     *
     * @param extra the smoothness message of these pixels, {@code [pixel - from][label]}, or null
     *     when {@code message} holds it already
     */
    private void softmaxPixels(final int from, final int to, final float[] extra, final int worker) {
        if (unaries.sparse) {
            softmaxLivePixels(from, to, extra, worker);
            return;
        }
        final int l = labels;
        final float[] v = sums[worker];
        final float[] unary = unaries.unary;
        final byte[] settled = unaries.settled;
        final float perStep = 1f / CrfState.STEP;
        float largest = changes[worker];
        int flipped = 0;
        final int block = appearance.block();
        final boolean direct = block > 1 && extra != null; // the grid's row (from..to) reads its points' message
        final float[] pointMessage = appearance.pointMessage();
        final int pointRow = direct ? from / width / block * appearance.pointsWide() * l : 0;
        for (int p = from; p < to; p++) {
            if (settled[p] >= 0) {
                continue; // its label, marginals and stored form are the start's
            }
            final int o = p * l;
            // The label with the largest sum is the one with the largest new marginal (exp is monotone).
            float max = Float.NEGATIVE_INFINITY;
            int after = 0;
            if (extra == null) {
                for (int k = 0; k < l; k++) {
                    final float sum = unary[o + k] + message[o + k];
                    v[k] = sum;
                    if (sum > max) {
                        max = sum;
                        after = k;
                    }
                }
            } else {
                final int e = (p - from) * l;
                float[] source = message;
                int a = o;
                if (direct) {
                    source = pointMessage;
                    a = pointRow + ((p - from) >> 1) * l; // 2x2 blocks
                }
                for (int k = 0; k < l; k++) {
                    final float sum = unary[o + k] + source[a + k] + extra[e + k];
                    v[k] = sum;
                    if (sum > max) {
                        max = sum;
                        after = k;
                    }
                }
            }
            float total = 0f;
            for (int k = 0; k < l; k++) {
                final float below = max - v[k];
                field[o + k] = (byte) Math.min(255, (int) (below * perStep + 0.5f));
                final float x = FastExp.exp(-below);
                v[k] = x;
                total += x;
            }
            final float inv = 1f / total;
            for (int k = 0; k < l; k++) {
                final float updatedQ = v[k] * inv;
                final float change = Math.abs(updatedQ - q[o + k]);
                // a comparison, not Math.max: the JIT's float max also orders NaN and -0, and costs more
                largest = change > largest ? change : largest;
                q[o + k] = updatedQ;
            }
            flipped += current[p] != after ? 1 : 0;
            current[p] = (byte) after;
        }
        changes[worker] = largest;
        flips[worker] += flipped;
    }

    /**
     * {@link #softmaxPixels} over each pixel's live labels alone: the others' marginals stay 0 and
     * their stored form the floor, as the start wrote them.
     */
    private void softmaxLivePixels(final int from, final int to, final float[] extra, final int worker) {
        final float[] v = sums[worker];
        final float[] unary = unaries.unary;
        final byte[] settled = unaries.settled;
        final long[] live = unaries.live;
        final int l = labels;
        final float perStep = 1f / CrfState.STEP;
        float largest = changes[worker];
        int flipped = 0;
        for (int p = from; p < to; p++) {
            if (settled[p] >= 0) {
                continue;
            }
            final int o = p * l;
            final int e = (p - from) * l;
            final long mask = live[p];
            float max = Float.NEGATIVE_INFINITY;
            int after = 0;
            for (long m = mask; m != 0; m &= m - 1) {
                final int k = Long.numberOfTrailingZeros(m);
                final float sum = unary[o + k] + message[o + k] + (extra == null ? 0f : extra[e + k]);
                v[k] = sum;
                if (sum > max) {
                    max = sum;
                    after = k;
                }
            }
            float total = 0f;
            for (long m = mask; m != 0; m &= m - 1) {
                final int k = Long.numberOfTrailingZeros(m);
                final float below = max - v[k];
                field[o + k] = (byte) Math.min(255, (int) (below * perStep + 0.5f));
                final float x = FastExp.exp(-below);
                v[k] = x;
                total += x;
            }
            final float inv = 1f / total;
            for (long m = mask; m != 0; m &= m - 1) {
                final int k = Long.numberOfTrailingZeros(m);
                final float updatedQ = v[k] * inv;
                final float change = Math.abs(updatedQ - q[o + k]);
                largest = change > largest ? change : largest;
                q[o + k] = updatedQ;
            }
            flipped += current[p] != after ? 1 : 0;
            current[p] = (byte) after;
        }
        changes[worker] = largest;
        flips[worker] += flipped;
    }

    /** Cold start plus {@code params.iterations()} iterations; writes the argmax to {@code labelsOut}. */
    public void infer(final byte[] rgb, final int width, final int height, final float[] logitPlanes,
            final int labelCount, final byte[] labelsOut) {
        prepare(rgb, width, height, logitPlanes, labelCount);
        initFromUnaries();
        iterate(params.iterations());
        argmax(labelsOut);
    }

    /**
     * Per-pixel argmax of the marginals; also counts the pixels where it differs from the argmax of
     * the unaries alone, the network's own label ({@link #lastOverruled}).
     */
    public void argmax(final byte[] out) {
        final int[] active = selection.active();
        final byte[] own = unaries.own;
        java.util.Arrays.fill(counts, 0);
        parallel.forRange(pixels, (from, to, worker) -> {
            int differ = 0;
            for (int p = from; p < to; p++) {
                final int best = current[p] & 0xFF;
                out[p] = (byte) active[best];
                differ += best != (own[p] & 0xFF) ? 1 : 0;
            }
            counts[worker] = differ;
        });
        int sum = 0;
        for (final int count : counts) {
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
     * entries; {@link #activeLabel(int)} names each column. Pruned labels have marginal 0; a
     * settled pixel's marginals are one-hot (see {@link Unaries#settleMargin}).
     */
    public float[] marginals() {
        return q;
    }

    /** The original label index of active label {@code k}. */
    public int activeLabel(final int k) {
        return selection.label(k);
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

    /**
     * out[o..o+labels) = softmax(v[0..labels)); v is overwritten.
     *
     * @return the label with the largest share (the first, on a tie)
     */
    int softmax(final float[] v, final float[] out, final int o) {
        final int l = labels;
        float max = Float.NEGATIVE_INFINITY;
        int best = 0;
        for (int k = 0; k < l; k++) {
            if (v[k] > max) {
                max = v[k];
                best = k;
            }
        }
        float total = 0f;
        for (int k = 0; k < l; k++) {
            final float x = FastExp.exp(v[k] - max);
            v[k] = x;
            total += x;
        }
        final float inv = 1f / total;
        for (int k = 0; k < l; k++) {
            out[o + k] = v[k] * inv;
        }
        return best;
    }

    /**
     * {@link #softmax} over the labels {@code mask} sets: q[o + k] = their softmax of v, 0 for the
     * others, whose stored form is set to the floor (they stay there through the frame's updates).
     *
     * @return the label with the largest share (the first, on a tie)
     */
    int softmaxLive(final float[] v, final int o, final long mask) {
        final int l = labels;
        float max = Float.NEGATIVE_INFINITY;
        int best = 0;
        for (long m = mask; m != 0; m &= m - 1) {
            final int k = Long.numberOfTrailingZeros(m);
            if (v[k] > max) {
                max = v[k];
                best = k;
            }
        }
        float total = 0f;
        for (int k = 0; k < l; k++) {
            final float x = (mask >>> k & 1L) != 0 ? FastExp.exp(v[k] - max) : 0f;
            v[k] = x;
            total += x;
        }
        final float inv = 1f / total;
        for (int k = 0; k < l; k++) {
            q[o + k] = v[k] * inv;
            if (v[k] == 0f) {
                field[o + k] = (byte) 255;
            }
        }
        return best;
    }

    /** Per worker: a pixel's sums (for a start's softmax). */
    float[] sums(final int worker) {
        return sums[worker];
    }

    /** Sizes the buffers for n pixels and l labels; true when it allocated marginals or settled pixels anew. */
    private boolean ensure(final int n, final int l) {
        boolean allocated = unaries.ensure(n, l, changes.length);
        if (current.length < n) {
            current = new byte[n];
        }
        if (sums.length < changes.length || sums[0].length < l) {
            sums = new float[changes.length][Math.max(l, 32)];
        }
        if (q.length < n * l) {
            allocated = true;
            q = new float[n * l];
            field = new byte[n * l];
            message = new float[n * l];
        }
        return allocated;
    }

    /** Stops the CRF's own threads. */
    @Override
    public void close() {
        parallel.close();
    }
}

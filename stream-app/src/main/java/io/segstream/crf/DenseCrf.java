package io.segstream.crf;

/**
 * Mean-field inference in the fully connected CRF (Kraehenbuehl and Koltun, NIPS 2011) as DeepLab
 * uses it: unary = -log softmax(logits at the CRF's resolution), the appearance and smoothness
 * kernels of {@link CrfParams}, Potts compatibility. Each iteration filters the marginals with the
 * appearance kernel on a {@link PermutohedralLattice}, and with the smoothness kernel on the pixel
 * grid when it is narrow ({@link GridGaussian}, 1 px as the default model's), else on a lattice too,
 * so it costs time linear in the pixels. With a wide appearance kernel (16 px or more, as the default
 * model's 20 and DeepLab's 121) the appearance lattice holds a point per 2x2 block of pixels, a
 * quarter of the points (see {@link #DenseCrf(CrfParams, float, int, boolean, boolean, int)}).
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
    private final GridGaussian grid; // the smoothness kernel on the pixel grid, or null: on the lattice
    private final CrfParams params;
    private int pixels;
    private int labels;
    private int width;
    private int height;
    private final int block;                 // the appearance lattice's points: blocks of block x block pixels
    private int pointsWide;                  // points per row of blocks
    private int pointRows;
    private float[] pointMass = new float[0];   // per point: its pixels (block > 1)
    private int massWidth = -1;                 // the frame size pointMass was counted for
    private int massHeight = -1;
    private float[] pointQ = new float[0];      // per point: its pixels' marginals summed, [point][label] (block > 1)
    private float[] pointMessage = new float[0]; // per point: the appearance message, [point][label] (block > 1)
    private boolean pointQFresh;                 // the last start summed the points' marginals
    private float[] appFeatures = new float[0];
    private float[] smoothFeatures = new float[0];
    private float[] appNorm = new float[0];
    private float[] smoothNorm = new float[0];
    private float[] unary = new float[0];   // logits, [pixel][label]: -U up to a per-pixel constant
    private float[] q = new float[0];       // marginals, [pixel][label]
    private byte[] own = new byte[0];        // per pixel: the active label the unaries alone favour
    private byte[] current = new byte[0];    // per pixel: the active label of the marginals (start or update)
    private byte[] field = new byte[0];      // the last update's marginals as CrfState stores them
    private byte[] settled = new byte[0];    // per pixel: the active label it is settled on, or -1
    private byte[] wasSettled = new byte[0]; // the previous prepare's settled, when keepSettled
    private boolean startRan;                // a start has written the settled pixels' marginals since the last prepare
    private boolean keepSettled;             // the last start's settled pixels' marginals, labels and stored form still stand
    private int[] lastActive = new int[0];   // the previous prepare's active labels
    private long[] live = new long[0];       // per unsettled pixel, when sparse: bit k set where label k is live
    private boolean sparse;                  // settling on, 9 to 64 labels: unsettled pixels carry their live labels alone
    private int lastSettled;
    private long settledStamp;               // names the last prepare's settled pixels and scale for the lattices
    private boolean updated;                 // field holds the last update's (none since the start)
    private float[][] sums = new float[0][]; // per worker: one pixel's unary and message sums
    private float[][] blockUnary = new float[0][]; // per worker: one block of pixels' unaries, [pixel][label]
    private float[] message = new float[0];
    private float[] bestLogit = new float[0];
    private int[][] hits = new int[0][];       // per worker, per label: pixels where it is within reach
    private static final int SELECT_BLOCK = 2048;
    private final float[] changes;   // per worker: the largest marginal change of its pixels
    private final int[] flips;       // per worker: its pixels whose label changed
    private final int[] counts;      // per worker: its pixels that a counting pass (argmax, disagreement) counted
    private int lastOverruled;
    private final float pruneLogGap;
    private final float settleMargin; // unary margin, in nats, from which a pixel is settled; infinite: none is
    private final Parallel parallel;
    private static final float MAX_LATTICE_GROWTH = 1.5f;
    private int[] changedPoints = new int[0];
    private final float[] priorOf = new float[256]; // the warm start's prior per carried byte: one load per label
    private int[][] changedBy = new int[0][];  // per worker: the points its part of the colour scan listed
    private final int[] changedCount;          // per worker: how many
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
        this(params, pruneProbability, threads, params.thetaGamma() <= GridGaussian.FASTER_UP_TO);
    }

    /**
     * @param gridSmoothness filter the smoothness kernel on the pixel grid ({@link GridGaussian}; it
     *     must then be at most {@value GridGaussian#MAX_THETA} px wide); false: on a permutohedral
     *     lattice like the appearance kernel, as Kraehenbuehl's CRF does. The other constructors
     *     take the grid where it is the faster, up to {@value GridGaussian#FASTER_UP_TO} px.
     */
    public DenseCrf(CrfParams params, float pruneProbability, int threads, boolean gridSmoothness) {
        this(params, pruneProbability, threads, gridSmoothness, true);
    }

    /**
     * @param settle settle the pixels whose unaries alone are so sure of their label that no message
     *     can change it (see {@link #settleMargin}): they hold it, one-hot, for the whole frame and
     *     take no part in the updates' slice and softmax; false: the exact mean field at every pixel,
     *     with an appearance point per pixel
     */
    public DenseCrf(CrfParams params, float pruneProbability, int threads, boolean gridSmoothness, boolean settle) {
        this(params, pruneProbability, threads, gridSmoothness, settle,
                settle && params.thetaAlpha() >= HALF_RESOLUTION_FROM ? 2 : 1);
    }

    /**
     * The appearance kernel's width (theta_alpha, px) from which the product's CRF (settling on)
     * builds the appearance lattice over 2x2 blocks of pixels rather than over pixels.
     */
    public static final float HALF_RESOLUTION_FROM = 16f;

    /**
     * @param appearanceBlock 1: the appearance lattice has a point per pixel (the exact mean field);
     *     2: a point per 2x2 block of pixels, at the block's mean colour and centre, weighted by its
     *     pixels, whose message each pixel of the block receives. A kernel 16 px or wider hardly
     *     varies across a block except at colour edges that cut through one; the lattice's work
     *     (embedding, normalisation, splat, blur, slice) shrinks about fourfold. The other
     *     constructors take 2 when settling is on and theta_alpha is at least
     *     {@value #HALF_RESOLUTION_FROM} px (benchmarks/RESULTS.md, "Half-resolution appearance").
     */
    public DenseCrf(CrfParams params, float pruneProbability, int threads, boolean gridSmoothness, boolean settle,
            int appearanceBlock) {
        if (appearanceBlock != 1 && appearanceBlock != 2) {
            throw new IllegalArgumentException("appearance block must be 1 or 2 pixels, was " + appearanceBlock);
        }
        this.block = appearanceBlock;
        this.settleMargin = settle ? settleMargin(params) : Float.POSITIVE_INFINITY;
        this.grid = gridSmoothness ? new GridGaussian(params.thetaGamma()) : null;
        this.parallel = new Parallel(threads);
        this.changes = new float[threads];
        this.flips = new int[threads];
        this.counts = new int[threads];
        this.changedCount = new int[threads];
        if (!(pruneProbability >= 0f && pruneProbability <= MAX_PRUNE_PROBABILITY)) {
            throw new IllegalArgumentException("pruneProbability must be in [0, " + MAX_PRUNE_PROBABILITY + "], was "
                    + pruneProbability);
        }
        this.params = params;
        this.pruneLogGap = pruneProbability == 0f ? Float.NEGATIVE_INFINITY : (float) Math.log(pruneProbability);
    }

    /** The largest share of a pixel's neighbours' kernel mass it receives, as measured on real frames (1.19), rounded up. */
    static final float MESSAGE_BOUND = 1.25f;

    /** Nats by which a settled pixel's label leads the others even after the strongest messages. */
    static final float SETTLE_SLACK = 6f;

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
    static float settleMargin(CrfParams params) {
        return MESSAGE_BOUND * (params.w1() + params.w2()) + SETTLE_SLACK;
    }

    /** Pixels the last start settled (see {@link #settleMargin}). */
    public int lastSettled() {
        return lastSettled;
    }

    /** True when the last {@link #prepare} let pixels settled again on their label keep what the last start wrote (for tests). */
    boolean keptSettled() {
        return keepSettled;
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
     * previous one's size: only pixels whose colour changed are embedded again
     * ({@link #prepare(byte[], int, int, float[], int, int)} with a tolerance of 0).
     */
    public void prepare(byte[] rgb, int width, int height, float[] logitPlanes, int labelCount,
            boolean reuseLattice) {
        prepare(rgb, width, height, logitPlanes, labelCount, reuseLattice ? 0 : -1);
    }

    /**
     * {@link #prepare(byte[], int, int, float[], int)}, updating the appearance lattice of the
     * previous frame of this size instead of building it anew when {@code latticeTolerance} is 0
     * or more: only pixels whose colour is now more than {@code latticeTolerance} levels (in some
     * channel) from the colour the lattice holds for them are embedded again, with their new
     * colour. On a fixed camera 64% of pixels keep their exact colour from frame to frame, 88%
     * stay within 3 levels (vtest_720p). A full build happens anyway when more than half the
     * pixels changed or updates have grown the lattice by half since its last build.
     *
     * @param latticeTolerance negative: build the lattice anew; 0: re-embed every pixel whose colour
     *     changed at all (the result is the full build's); more: an approximation whose agreement with
     *     the full build benchmarks/RESULTS.md reports
     */
    public void prepare(byte[] rgb, int width, int height, float[] logitPlanes, int labelCount,
            int latticeTolerance) {
        int n = width * height;
        boolean samePixels = pixels == n;
        int previousLabels = labels;
        if (lastActive.length < labels) {
            lastActive = new int[active.length];
        }
        System.arraycopy(active, 0, lastActive, 0, labels);
        pixels = n;
        labels = selectLabels(logitPlanes, n, labelCount);
        boolean allocated = ensure(n, labels);
        // A pixel settled on the same label as in the last start keeps the marginals, label and stored
        // form that start wrote (no update writes a settled pixel's), when they are laid out as now.
        keepSettled = startRan && samePixels && !allocated && labels == previousLabels
                && java.util.Arrays.equals(active, 0, labels, lastActive, 0, labels);
        startRan = false;
        if (keepSettled) {
            byte[] swap = wasSettled;
            wasSettled = settled;
            settled = swap;
        }
        this.width = width;
        this.height = height;
        int s = block;
        pointsWide = (width + s - 1) / s;
        pointRows = (height + s - 1) / s;
        int np = pointsWide * pointRows;
        ensurePoints(np, labels);
        if (colourChange.length < n) {
            colourChange = new byte[n];
        }
        boolean sameSize = width == app.width && height == app.height && s == app.block;
        colourChangeKnown = sameSize;
        boolean update = latticeTolerance >= 0 && sameSize && app.lattice.growth() <= MAX_LATTICE_GROWTH;
        if (sameSize) {
            scanColours(rgb, true, update ? latticeTolerance : NO_POINTS);
        }
        if (!(update && updateAppearance(np))) {
            if (app.heldColour.length < np * 3) {
                app.heldColour = new short[np * 3];
            }
            scanColours(rgb, false, EVERY_POINT);
            app.lattice.init(appFeatures, np, parallel);
            lastBuildFull = true;
        }
        if (!sameSize) {
            if (app.previousRgb.length < n * 3) {
                app.previousRgb = new byte[n * 3];
            }
            System.arraycopy(rgb, 0, app.previousRgb, 0, n * 3);
        }
        app.width = width;
        app.height = height;
        app.block = s;
        app.lattice.normalisation(appNorm, s == 1 ? null : pointMass, parallel);
        // The smoothness kernel sees positions only: it is the same for every frame of a size.
        if (width != smoothWidth || height != smoothHeight || params.thetaGamma() != smoothTheta) {
            if (grid != null) {
                grid.resize(width, height);
                grid.normalisation(smoothNorm);
            } else {
                float ig = 1f / params.thetaGamma();
                parallel.forRange(n, (from, to, worker) -> {
                    for (int p = from; p < to; p++) {
                        smoothFeatures[2 * p] = (p % width) * ig;
                        smoothFeatures[2 * p + 1] = (p / width) * ig;
                    }
                });
                smoothness.init(smoothFeatures, n, parallel);
                smoothness.normalisation(smoothNorm, null, parallel);
            }
            smoothWidth = width;
            smoothHeight = height;
            smoothTheta = params.thetaGamma();
        }
        // The unaries, gathered a block at a time into a buffer that stays in cache; only the pixels
        // that do not settle have theirs written out (nothing reads a settled pixel's), with their
        // live labels (see settleMargin).
        int a = labels;
        sparse = settleMargin < Float.POSITIVE_INFINITY && a > PermutohedralLattice.FEW && a <= Long.SIZE;
        if (sparse && live.length < n) {
            live = new long[n]; // only CRFs that see more than FEW labels hold the masks
        }
        boolean withLive = sparse;
        parallel.forRange(n, (from, to, worker) -> {
            float[] block = blockUnary[worker];
            for (int b = from; b < to; b += SELECT_BLOCK) {
                int e = Math.min(to, b + SELECT_BLOCK);
                for (int k = 0; k < a; k++) {
                    int src = active[k] * n;
                    for (int p = b, o = k; p < e; p++, o += a) {
                        block[o] = logitPlanes[src + p];
                    }
                }
                for (int p = b, o = 0; p < e; p++, o += a) {
                    int best = 0;
                    float top = block[o];
                    float second = Float.NEGATIVE_INFINITY;
                    for (int k = 1; k < a; k++) {
                        float u = block[o + k];
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
                            unary[u + k] = block[o + k];
                        }
                        if (withLive) {
                            long mask = 0;
                            for (int k = 0; k < a; k++) {
                                mask |= top - block[o + k] < settleMargin ? 1L << k : 0L;
                            }
                            live[p] = mask;
                        }
                    }
                }
            }
        });
        settledStamp = PermutohedralLattice.newStamp();
        updated = false;
        pointQFresh = false;
    }

    /**
     * Point {@code pt}'s appearance features: its block's centre over theta_alpha, its mean colour
     * (the channel sums over its pixels) over theta_beta. For 1x1 blocks, the pixel's position and colour.
     */
    private void pointFeatures(int pt, int x0, int x1, int y0, int y1, int r, int g, int u, float ia, float ib) {
        int c = (x1 - x0) * (y1 - y0);
        int a = pt * 5;
        appFeatures[a] = (x0 + (x1 - x0 - 1) * 0.5f) * ia;
        appFeatures[a + 1] = (y0 + (y1 - y0 - 1) * 0.5f) * ia;
        appFeatures[a + 2] = (float) r / c * ib;
        appFeatures[a + 3] = (float) g / c * ib;
        appFeatures[a + 4] = (float) u / c * ib;
    }

    /** {@link #scanColours}: list no point. */
    private static final int NO_POINTS = -1;
    /** {@link #scanColours}: take every point's colour and features, listing none (a full build). */
    private static final int EVERY_POINT = -2;

    /**
     * One pass over the frame by rows of blocks: with {@code gate}, each pixel's largest channel
     * change since the appearance's last frame (for the motion gate), which then becomes this frame
     * (a frame of the appearance's size); with a {@code tolerance} of 0 or more, the points whose
     * mean colour moved more than {@code tolerance} levels (in some channel) from the colour the
     * lattice holds for them, listed per worker, with their new colour and features in place for
     * {@link #updateAppearance}; with {@link #EVERY_POINT}, every point's colour and features.
     */
    private void scanColours(byte[] rgb, boolean gate, int tolerance) {
        int s = block;
        int wide = pointsWide;
        int rows = pointRows;
        int workers = parallel.workers();
        int perWorker = (rows / workers + 1) * wide; // rows go to workers in equal runs
        if (changedBy.length < workers || changedBy[0].length < rows * wide
                || changedBy[workers - 1].length < perWorker) {
            // worker 0 takes all the rows of a frame too small to split
            changedBy = new int[workers][];
            changedBy[0] = new int[rows * wide];
            for (int w = 1; w < workers; w++) {
                changedBy[w] = new int[perWorker];
            }
        }
        java.util.Arrays.fill(changedCount, 0);
        byte[] previous = app.previousRgb;
        short[] held = app.heldColour;
        int w = width;
        int h = height;
        float ia = 1f / params.thetaAlpha();
        float ib = 1f / params.thetaBeta();
        parallel.forRange(rows, 16, (from, to, worker) -> {
            int[] list = changedBy[worker];
            int count = 0;
            for (int py = from; py < to; py++) {
                int y0 = py * s;
                int y1 = Math.min(h, y0 + s);
                for (int px = 0, pt = py * wide; px < wide; px++, pt++) {
                    int x0 = px * s;
                    int x1 = Math.min(w, x0 + s);
                    int r = 0;
                    int g = 0;
                    int u = 0;
                    for (int y = y0; y < y1; y++) {
                        for (int p = y * w + x0, b = 3 * p, end = y * w + x1; p < end; p++, b += 3) {
                            int cr = rgb[b] & 0xFF;
                            int cg = rgb[b + 1] & 0xFF;
                            int cu = rgb[b + 2] & 0xFF;
                            if (gate) {
                                colourChange[p] = (byte) Math.max(Math.abs(cr - (previous[b] & 0xFF)), Math.max(
                                        Math.abs(cg - (previous[b + 1] & 0xFF)), Math.abs(cu - (previous[b + 2] & 0xFF))));
                                previous[b] = rgb[b];
                                previous[b + 1] = rgb[b + 1];
                                previous[b + 2] = rgb[b + 2];
                            }
                            r += cr;
                            g += cg;
                            u += cu;
                        }
                    }
                    if (tolerance == NO_POINTS) {
                        continue;
                    }
                    int c = 3 * pt;
                    if (tolerance == EVERY_POINT || Math.max(Math.abs(r - held[c]), Math.max(Math.abs(g - held[c + 1]),
                            Math.abs(u - held[c + 2]))) > tolerance * (x1 - x0) * (y1 - y0)) {
                        if (tolerance != EVERY_POINT) {
                            list[count++] = pt;
                        }
                        held[c] = (short) r;
                        held[c + 1] = (short) g;
                        held[c + 2] = (short) u;
                        pointFeatures(pt, x0, x1, y0, y1, r, g, u, ia, ib);
                    }
                }
            }
            changedCount[worker] = count;
        });
    }

    /**
     * Re-embeds the points {@link #scanColours} listed; false, having changed nothing in the lattice,
     * when more than half the points changed and a full build is due instead.
     */
    private boolean updateAppearance(int points) {
        int count = 0;
        for (int w = 0; w < changedCount.length; w++) {
            count += changedCount[w];
        }
        if (count > points / 2) {
            return false;
        }
        count = 0;
        for (int w = 0; w < changedCount.length; w++) { // in worker order: point order, as a serial scan lists them
            System.arraycopy(changedBy[w], 0, changedPoints, count, changedCount[w]);
            count += changedCount[w];
        }
        app.lattice.update(appFeatures, changedPoints, count, parallel);
        lastBuildFull = false;
        return true;
    }

    /**
     * The appearance lattice of one stream of frames (a camera) and the frame it was built for,
     * which {@link #prepare(byte[], int, int, float[], int, boolean)} updates instead of
     * rebuilding. A DenseCrf owns one; {@link TemporalCrf} keeps one per camera and hands the
     * camera's in with {@link #useAppearance} (about 50 bytes per point: a pixel, or a 2x2 block of
     * them). Private to the package: the per-camera cache is the refiner's own business.
     */
    static final class Appearance {
        private final PermutohedralLattice lattice = new PermutohedralLattice(5);
        private byte[] previousRgb = new byte[0]; // the last frame, for the motion gate
        private short[] heldColour = new short[0]; // per point: the channel sums the lattice holds it at
        private int width = -1;
        private int height = -1;
        private int block;
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
                    // Most labels come nowhere near any pixel's best: the largest gap (a reduction, which
                    // the JIT vectorises) rules such a block out before anything is counted.
                    float nearest = Float.NEGATIVE_INFINITY;
                    for (int p = b; p < e; p++) {
                        nearest = Math.max(nearest, planes[o + p] - bestLogit[p]);
                    }
                    if (nearest < pruneLogGap) {
                        continue;
                    }
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
        boolean keep = keepSettled;
        byte[] was = wasSettled;
        startPass((from, to, worker) -> {
            float[] v = sums[worker];
            int count = 0;
            for (int p = from; p < to; p++) {
                int o = p * l;
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
        countSettled();
        updated = false;
        startRan = true;
    }

    /**
     * Starts settled pixel {@code p} on its label, one-hot, with the marginals a {@link CrfState}
     * stores for it (every other label at the state's floor, as the exact marginals would store
     * them too: they are more than 8 nats down).
     */
    private void settle(int p) {
        int l = labels;
        int o = p * l;
        int label = settled[p];
        for (int k = 0; k < l; k++) {
            q[o + k] = 0f;
            field[o + k] = (byte) 255;
        }
        q[o + label] = 1f;
        field[o + label] = 0;
        current[p] = (byte) label;
    }

    /** Sums the workers' counts of settled pixels of a start. */
    private void countSettled() {
        int sum = 0;
        for (int w = 0; w < parallel.workers(); w++) {
            sum += counts[w];
        }
        lastSettled = sum;
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

    /**
     * One parallel update: Q = softmax(logits + the pairwise messages of the current Q). The
     * appearance message goes through {@code message}; the smoothness message, when the grid
     * filters it, goes row by row straight into the softmax, and the same pass records each pixel's
     * label and the marginals as a {@link CrfState} stores them, so that nothing reads the frame's
     * sums back from memory.
     */
    private void update() {
        int l = labels;
        long[] liveLabels = sparse ? live : null;
        if (block == 1) {
            app.lattice.filter(q, appNorm, message, params.w1(), false, l, settled, settledStamp, liveLabels, parallel);
        } else {
            if (!pointQFresh) {
                gatherPoints();
            }
            pointQFresh = false;
            app.lattice.filter(pointQ, appNorm, pointMessage, params.w1(), false, l, parallel);
            // The grid's dense softmax reads each pixel's point's message itself; the others take it from message.
            if (grid == null || sparse) {
                spreadMessage();
            }
        }
        java.util.Arrays.fill(changes, 0f);
        java.util.Arrays.fill(flips, 0);
        if (grid != null) {
            int w = smoothWidth;
            grid.filter(q, smoothNorm, params.w2(), l, settled, parallel,
                    (y, values, worker) -> softmaxPixels(y * w, (y + 1) * w, values, worker));
        } else {
            smoothness.filter(q, smoothNorm, message, params.w2(), true, l, settled, settledStamp, liveLabels, parallel);
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

    /** Each point's marginals: the sum of its pixels' (a settled pixel's one-hot). */
    private void gatherPoints() {
        parallel.forRange(pointRows, 16, (from, to, worker) -> {
            for (int py = from; py < to; py++) {
                sumPointRow(py);
            }
        });
    }

    /** The marginals of row {@code py}'s points: the sum of their pixels' (a settled pixel's one-hot). */
    private void sumPointRow(int py) {
        int l = labels;
        int s = block;
        int w = width;
        int y0 = py * s;
        int y1 = Math.min(height, y0 + s);
        for (int px = 0, o = py * pointsWide * l; px < pointsWide; px++, o += l) {
            for (int k = 0; k < l; k++) {
                pointQ[o + k] = 0f;
            }
            int x0 = px * s;
            int x1 = Math.min(w, x0 + s);
            for (int y = y0; y < y1; y++) {
                for (int p = y * w + x0, end = y * w + x1; p < end; p++) {
                    int label = settled[p];
                    if (label >= 0) {
                        pointQ[o + label] += 1f;
                    } else {
                        for (int k = 0, i = p * l; k < l; k++) {
                            pointQ[o + k] += q[i + k];
                        }
                    }
                }
            }
        }
    }

    /**
     * Runs a start's pass over the pixels; with blocks, a row of points at a time, each followed by
     * the sum of its points' marginals while they are in cache (the first update's filter input).
     * The body adds its settled pixels to {@code counts[worker]}.
     */
    private void startPass(Parallel.Range body) {
        java.util.Arrays.fill(counts, 0);
        if (block == 1) {
            parallel.forRange(pixels, body);
            return;
        }
        int rowPixels = block * width;
        parallel.forRange(pointRows, 16, (from, to, worker) -> {
            for (int py = from; py < to; py++) {
                body.run(py * rowPixels, Math.min(pixels, (py + 1) * rowPixels), worker);
                sumPointRow(py);
            }
        });
        pointQFresh = true;
    }

    /** Gives each pixel that is not settled its point's appearance message. */
    private void spreadMessage() {
        int l = labels;
        int s = block;
        int wide = pointsWide;
        int w = width;
        parallel.forRange(height, 16, (from, to, worker) -> {
            for (int y = from; y < to; y++) {
                int row = y / s * wide;
                for (int x = 0, p = y * w; x < w; x++, p++) {
                    if (settled[p] < 0) {
                        System.arraycopy(pointMessage, (row + x / s) * l, message, p * l, l);
                    }
                }
            }
        });
    }

    /**
     * The update's softmax for pixels {@code from..to}: reads the unaries, the message and the old
     * marginals once, writes the new marginals, label and stored form.
     *
     * @param extra the smoothness message of these pixels, {@code [pixel - from][label]}, or null
     *     when {@code message} holds it already
     */
    private void softmaxPixels(int from, int to, float[] extra, int worker) {
        if (sparse) {
            softmaxLivePixels(from, to, extra, worker);
            return;
        }
        int l = labels;
        float[] v = sums[worker];
        float perStep = 1f / CrfState.STEP;
        float largest = changes[worker];
        int flipped = 0;
        boolean direct = block > 1 && extra != null; // the grid's row (from..to) reads its points' message
        int pointRow = direct ? from / width / block * pointsWide * l : 0;
        for (int p = from; p < to; p++) {
            if (settled[p] >= 0) {
                continue; // its label, marginals and stored form are the start's
            }
            int o = p * l;
            // The label with the largest sum is the one with the largest new marginal (exp is monotone).
            float max = Float.NEGATIVE_INFINITY;
            int after = 0;
            if (extra == null) {
                for (int k = 0; k < l; k++) {
                    float sum = unary[o + k] + message[o + k];
                    v[k] = sum;
                    if (sum > max) {
                        max = sum;
                        after = k;
                    }
                }
            } else {
                int e = (p - from) * l;
                float[] appearance = message;
                int a = o;
                if (direct) {
                    appearance = pointMessage;
                    a = pointRow + ((p - from) >> 1) * l; // 2x2 blocks
                }
                for (int k = 0; k < l; k++) {
                    float sum = unary[o + k] + appearance[a + k] + extra[e + k];
                    v[k] = sum;
                    if (sum > max) {
                        max = sum;
                        after = k;
                    }
                }
            }
            float total = 0f;
            for (int k = 0; k < l; k++) {
                float below = max - v[k];
                field[o + k] = (byte) Math.min(255, (int) (below * perStep + 0.5f));
                float x = FastExp.exp(-below);
                v[k] = x;
                total += x;
            }
            float inv = 1f / total;
            for (int k = 0; k < l; k++) {
                float updatedQ = v[k] * inv;
                float change = Math.abs(updatedQ - q[o + k]);
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
    private void softmaxLivePixels(int from, int to, float[] extra, int worker) {
        int l = labels;
        float[] v = sums[worker];
        float perStep = 1f / CrfState.STEP;
        float largest = changes[worker];
        int flipped = 0;
        for (int p = from; p < to; p++) {
            if (settled[p] >= 0) {
                continue;
            }
            int o = p * l;
            int e = (p - from) * l;
            long mask = live[p];
            float max = Float.NEGATIVE_INFINITY;
            int after = 0;
            for (long m = mask; m != 0; m &= m - 1) {
                int k = Long.numberOfTrailingZeros(m);
                float sum = unary[o + k] + message[o + k] + (extra == null ? 0f : extra[e + k]);
                v[k] = sum;
                if (sum > max) {
                    max = sum;
                    after = k;
                }
            }
            float total = 0f;
            for (long m = mask; m != 0; m &= m - 1) {
                int k = Long.numberOfTrailingZeros(m);
                float below = max - v[k];
                field[o + k] = (byte) Math.min(255, (int) (below * perStep + 0.5f));
                float x = FastExp.exp(-below);
                v[k] = x;
                total += x;
            }
            float inv = 1f / total;
            for (long m = mask; m != 0; m &= m - 1) {
                int k = Long.numberOfTrailingZeros(m);
                float updatedQ = v[k] * inv;
                float change = Math.abs(updatedQ - q[o + k]);
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
        byte[] carriedField = carried.toBytes();
        int base = carried.fieldOffset();
        int m = carried.labelCount();
        if (!(limit > 0f)) {
            throw new IllegalArgumentException("warm-start limit must be positive, was " + limit);
        }
        float step = -CrfState.STEP * weight;
        float floor = Math.max(CrfState.FLOOR * weight, -limit);
        boolean gated = motionLevels >= 0 && colourChangeKnown;
        boolean keep = keepSettled;
        byte[] was = wasSettled;
        byte[] change = colourChange;
        float[] priorOf = this.priorOf;
        for (int b = 0; b < 256; b++) {
            priorOf[b] = Math.max(b * step, -limit);
        }
        startPass((from, to, worker) -> {
            float[] v = sums[worker];
            int count = 0;
            for (int p = from; p < to; p++) {
                if (settled[p] >= 0) {
                    if (!keep || was[p] != settled[p]) {
                        settle(p);
                    }
                    count++;
                    continue;
                }
                int o = p * l;
                int f = base + p * m;
                boolean moved = gated && (change[p] & 0xFF) > motionLevels;
                for (int k = 0; k < l; k++) {
                    int c = column[k];
                    float prior = moved ? 0f : c < 0 ? floor : priorOf[carriedField[f + c] & 0xFF];
                    v[k] = unary[o + k] + prior;
                }
                current[p] = (byte) (sparse ? softmaxLive(v, o, live[p]) : softmax(v, q, o));
            }
            counts[worker] += count;
        });
        countSettled();
        updated = false;
        startRan = true;
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
        int offset = carried.labelsOffset();
        byte[] carriedLabels = carried.toBytes();
        java.util.Arrays.fill(counts, 0);
        parallel.forRange(pixels, (from, to, worker) -> {
            int differing = 0;
            for (int p = from; p < to; p++) {
                differing += active[own[p] & 0xFF] != (carriedLabels[offset + p] & 0xFF) ? 1 : 0;
            }
            counts[worker] = differing;
        });
        long differing = 0;
        for (int count : counts) {
            differing += count;
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
        if (updated) {
            System.arraycopy(field, 0, out, base, pixels * l);
            return state;
        }
        // No update since the start: the start's marginals, ln q_max - ln q_k (0 gives the largest step).
        float perStep = 1f / CrfState.STEP;
        parallel.forRange(pixels, (from, to, worker) -> {
            for (int p = from; p < to; p++) {
                int o = p * l;
                float best = 0f;
                for (int k = 0; k < l; k++) {
                    best = Math.max(best, q[o + k]);
                }
                float top = (float) Math.log(best);
                for (int k = 0; k < l; k++) {
                    float rel = q[o + k] > 0f ? top - (float) Math.log(q[o + k]) : Float.POSITIVE_INFINITY;
                    out[base + o + k] = (byte) Math.min(255, (int) Math.min(255f, rel * perStep + 0.5f));
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
        java.util.Arrays.fill(counts, 0);
        parallel.forRange(pixels, (from, to, worker) -> {
            int differ = 0;
            for (int p = from; p < to; p++) {
                int best = current[p] & 0xFF;
                out[p] = (byte) active[best];
                differ += best != (own[p] & 0xFF) ? 1 : 0;
            }
            counts[worker] = differ;
        });
        int sum = 0;
        for (int count : counts) {
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
     * settled pixel's marginals are one-hot (see {@link #settleMargin}).
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

    /**
     * out[o..o+labels) = softmax(v[0..labels)); v is overwritten.
     *
     * @return the label with the largest share (the first, on a tie)
     */
    private int softmax(float[] v, float[] out, int o) {
        int l = labels;
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
            float x = FastExp.exp(v[k] - max);
            v[k] = x;
            total += x;
        }
        float inv = 1f / total;
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
    private int softmaxLive(float[] v, int o, long mask) {
        int l = labels;
        float max = Float.NEGATIVE_INFINITY;
        int best = 0;
        for (long m = mask; m != 0; m &= m - 1) {
            int k = Long.numberOfTrailingZeros(m);
            if (v[k] > max) {
                max = v[k];
                best = k;
            }
        }
        float total = 0f;
        for (int k = 0; k < l; k++) {
            float x = (mask >>> k & 1L) != 0 ? FastExp.exp(v[k] - max) : 0f;
            v[k] = x;
            total += x;
        }
        float inv = 1f / total;
        for (int k = 0; k < l; k++) {
            q[o + k] = v[k] * inv;
            if (v[k] == 0f) {
                field[o + k] = (byte) 255;
            }
        }
        return best;
    }

    /** Sizes the buffers for n pixels and l labels; true when it allocated marginals or settled pixels anew. */
    private boolean ensure(int n, int l) {
        boolean allocated = false;
        if (settled.length < n) {
            allocated = true;
            wasSettled = new byte[n];
            smoothFeatures = new float[n * 2];
            smoothNorm = new float[n];
            own = new byte[n];
            current = new byte[n];
            settled = new byte[n];
        }
        if (sums.length < changes.length || sums[0].length < l) {
            sums = new float[changes.length][Math.max(l, 32)];
        }
        if (blockUnary.length < changes.length || blockUnary[0].length < SELECT_BLOCK * l) {
            blockUnary = new float[changes.length][SELECT_BLOCK * l];
        }
        if (q.length < n * l) {
            allocated = true;
            unary = new float[n * l];
            q = new float[n * l];
            field = new byte[n * l];
            message = new float[n * l];
        }
        return allocated;
    }

    /** Sizes the appearance lattice's per-point buffers for np points and l labels, and counts the points' pixels. */
    private void ensurePoints(int np, int l) {
        if (appFeatures.length < np * 5) {
            appFeatures = new float[np * 5];
            appNorm = new float[np];
            changedPoints = new int[np];
        }
        if (block == 1) {
            return;
        }
        if (pointQ.length < np * l) {
            pointQ = new float[np * l];
            pointMessage = new float[np * l];
        }
        if (pointMass.length < np) {
            pointMass = new float[np];
            massWidth = -1;
        }
        if (width != massWidth || height != massHeight) {
            int s = block;
            for (int pt = 0; pt < np; pt++) {
                int x0 = pt % pointsWide * s;
                int y0 = pt / pointsWide * s;
                pointMass[pt] = (Math.min(width, x0 + s) - x0) * (Math.min(height, y0 + s) - y0);
            }
            massWidth = width;
            massHeight = height;
        }
    }

    /** Stops the CRF's own threads. */
    @Override
    public void close() {
        parallel.close();
    }
}

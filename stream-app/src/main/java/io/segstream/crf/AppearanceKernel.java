package io.segstream.crf;

/**
 * The appearance kernel of a dense CRF: {@code w1 exp(-|p_i-p_j|^2/2 thetaAlpha^2 - |I_i-I_j|^2/2 thetaBeta^2)}
 * filtered on a permutohedral lattice over position and colour. Its points are pixels, or 2x2 blocks
 * of pixels ({@link CrfOptions.AppearancePoints#BLOCKS}: a point at the block's centre and mean colour,
 * weighted by its pixels, whose filter input is the sum of its pixels' marginals and whose message
 * each of its pixels receives).
 *
 * <p>The lattice lives in an {@link AppearanceCache}, one per stream of frames: when a frame has the
 * cache's size, only the points whose colour moved are embedded again. The same scan over the frame
 * measures each pixel's colour change since the cache's frame, which the warm start's motion gate reads
 * ({@link #colourChange()}).
 */
final class AppearanceKernel {
    private static final float MAX_LATTICE_GROWTH = 1.5f;
    /** {@link #scanColours}: list no point. */
    private static final int NO_POINTS = -1;
    /** {@link #scanColours}: take every point's colour and features, listing none (a full build). */
    private static final int EVERY_POINT = -2;

    private final CrfParams params;
    private final Parallel parallel;
    private final int block;                    // points are blocks of block x block pixels
    private AppearanceCache app = new AppearanceCache();
    private int width;
    private int height;
    private int pointsWide;                     // points per row of blocks
    private int pointRows;
    private float[] pointMass = new float[0];   // per point: its pixels (block > 1)
    private int massWidth = -1;                 // the frame size pointMass was counted for
    private int massHeight = -1;
    private float[] pointQ = new float[0];      // per point: its pixels' marginals summed, [point][label] (block > 1)
    private float[] pointMessage = new float[0]; // per point: the appearance message, [point][label] (block > 1)
    private boolean pointQFresh;                 // the last start summed the points' marginals
    private float[] features = new float[0];
    private float[] norm = new float[0];
    private int[] changedPoints = new int[0];
    private int[][] changedBy = new int[0][];   // per worker: the points its part of the colour scan listed
    private final int[] changedCount;           // per worker: how many
    private byte[] colourChange = new byte[0];  // per pixel: the largest channel change since the lattice's last frame
    private boolean colourChangeKnown;          // false: the lattice's last frame had another size, or none
    private boolean lastBuildFull;

    AppearanceKernel(final CrfOptions options, final Parallel parallel) {
        this.params = options.params();
        this.parallel = parallel;
        this.block = options.appearanceBlock();
        this.changedCount = new int[options.threads()];
    }

    /** The lattice the next {@link #prepare} builds or updates. */
    void use(final AppearanceCache cache) {
        app = cache;
    }

    /** Pixels a point stands for, a side: 1 or 2. */
    int block() {
        return block;
    }

    /** Points per row of blocks of the frame last prepared. */
    int pointsWide() {
        return pointsWide;
    }

    /** Per point, the appearance message of the last {@link #filter} ([point][label]; block > 1). */
    float[] pointMessage() {
        return pointMessage;
    }

    /** Per pixel of the frame last prepared: its largest channel change since the cache's previous frame. */
    byte[] colourChange() {
        return colourChange;
    }

    /** True when {@link #colourChange()} is known: the cache's previous frame had this frame's size. */
    boolean colourChangeKnown() {
        return colourChangeKnown;
    }

    /** True when the last {@link #prepare} built the lattice from scratch. */
    boolean lastBuildFull() {
        return lastBuildFull;
    }

    /**
     * Builds the lattice for a frame, or updates the cache's lattice of the previous frame of this size
     * when {@code latticeTolerance} is 0 or more: only points whose colour is now more than
     * {@code latticeTolerance} levels (in some channel) from the colour the lattice holds for them are
     * embedded again. A full build happens anyway when more than half the points changed or updates
     * have grown the lattice by half since its last build.
     */
    void prepare(final byte[] rgb, final int frameWidth, final int frameHeight, final int labels,
            final int latticeTolerance) {
        final int n = frameWidth * frameHeight;
        width = frameWidth;
        height = frameHeight;
        final int s = block;
        pointsWide = (width + s - 1) / s;
        pointRows = (height + s - 1) / s;
        final int np = pointsWide * pointRows;
        ensurePoints(np, labels);
        if (colourChange.length < n) {
            colourChange = new byte[n];
        }
        final boolean sameSize = app.holds(width, height, s);
        colourChangeKnown = sameSize;
        final boolean update = latticeTolerance >= 0 && sameSize && app.lattice.growth() <= MAX_LATTICE_GROWTH;
        if (sameSize) {
            scanColours(rgb, true, update ? latticeTolerance : NO_POINTS);
        }
        if (!(update && updateLattice(np))) {
            if (app.heldColour.length < np * 3) {
                app.heldColour = new short[np * 3];
            }
            scanColours(rgb, false, EVERY_POINT);
            app.lattice.init(features, np, parallel);
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
        app.lattice.normalisation(norm, s == 1 ? null : pointMass, parallel);
        pointQFresh = false;
    }

    /**
     * Point {@code pt}'s features: its block's centre over theta_alpha, its mean colour (the channel
     * sums over its pixels) over theta_beta. For 1x1 blocks, the pixel's position and colour.
     */
    private void pointFeatures(final int pt, final int x0, final int x1, final int y0, final int y1, final int r,
            final int g, final int u, final float ia, final float ib) {
        final int c = (x1 - x0) * (y1 - y0);
        final int a = pt * 5;
        features[a] = (x0 + (x1 - x0 - 1) * 0.5f) * ia;
        features[a + 1] = (y0 + (y1 - y0 - 1) * 0.5f) * ia;
        features[a + 2] = (float) r / c * ib;
        features[a + 3] = (float) g / c * ib;
        features[a + 4] = (float) u / c * ib;
    }

    /**
     * One pass over the frame by rows of blocks: with {@code gate}, each pixel's largest channel
     * change since the cache's last frame (for the motion gate), which then becomes this frame
     * (a frame of the cache's size); with a {@code tolerance} of 0 or more, the points whose
     * mean colour moved more than {@code tolerance} levels (in some channel) from the colour the
     * lattice holds for them, listed per worker, with their new colour and features in place for
     * {@link #updateLattice}; with {@link #EVERY_POINT}, every point's colour and features.
     */
    private void scanColours(final byte[] rgb, final boolean gate, final int tolerance) {
        final int wide = pointsWide;
        final int rows = pointRows;
        final int workers = parallel.workers();
        final int perWorker = (rows / workers + 1) * wide; // rows go to workers in equal runs
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
        parallel.forRange(rows, 16, (from, to, worker) -> scanRows(rgb, gate, tolerance, from, to, worker));
    }

    /** {@link #scanColours} for the rows of blocks {@code from..to}, by worker {@code worker}. */
    private void scanRows(final byte[] rgb, final boolean gate, final int tolerance, final int from, final int to,
            final int worker) {
        final int s = block;
        final int wide = pointsWide;
        final byte[] previous = app.previousRgb;
        final short[] held = app.heldColour;
        final int w = width;
        final int h = height;
        final float ia = 1f / params.thetaAlpha();
        final float ib = 1f / params.thetaBeta();
        final int[] list = changedBy[worker];
        int count = 0;
        for (int py = from; py < to; py++) {
            final int y0 = py * s;
            final int y1 = Math.min(h, y0 + s);
            for (int px = 0, pt = py * wide; px < wide; px++, pt++) {
                final int x0 = px * s;
                final int x1 = Math.min(w, x0 + s);
                int r = 0;
                int g = 0;
                int u = 0;
                for (int y = y0; y < y1; y++) {
                    for (int p = y * w + x0, b = 3 * p, end = y * w + x1; p < end; p++, b += 3) {
                        final int cr = rgb[b] & 0xFF;
                        final int cg = rgb[b + 1] & 0xFF;
                        final int cu = rgb[b + 2] & 0xFF;
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
                final int c = 3 * pt;
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
    }

    /**
     * Re-embeds the points {@link #scanColours} listed; false, having changed nothing in the lattice,
     * when more than half the points changed and a full build is due instead.
     */
    private boolean updateLattice(final int points) {
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
        app.lattice.update(features, changedPoints, count, parallel);
        lastBuildFull = false;
        return true;
    }

    /**
     * The appearance message of marginals {@code q} ({@code [pixel][label]}, settled pixels one-hot on
     * their label): into {@code message} for every pixel that is not settled; with blocks, into
     * {@link #pointMessage()} per point, and into {@code message} too unless {@code perPixel} is false
     * (a caller that reads each pixel's point's message itself).
     */
    void filter(final float[] q, final byte[] settled, final int labels, final float[] message,
            final long settledStamp, final long[] live, final boolean perPixel) {
        if (block == 1) {
            app.lattice.filter(q, norm, message, params.w1(), false, labels, settled, settledStamp, live, parallel);
            return;
        }
        if (!pointQFresh) {
            gatherPoints(q, settled, labels);
        }
        pointQFresh = false;
        app.lattice.filter(pointQ, norm, pointMessage, params.w1(), false, labels, parallel);
        if (perPixel) {
            spreadMessage(settled, labels, message);
        }
    }

    /** Each point's marginals: the sum of its pixels' (a settled pixel's one-hot). */
    private void gatherPoints(final float[] q, final byte[] settled, final int labels) {
        parallel.forRange(pointRows, 16, (from, to, worker) -> {
            for (int py = from; py < to; py++) {
                sumPointRow(py, q, settled, labels);
            }
        });
    }

    /**
     * The marginals of row {@code py}'s points: the sum of their pixels' (a settled pixel's one-hot).
     * A start calls it for each row of points as it writes them, while they are in cache; the next
     * {@link #filter} then reads these sums ({@link #markGathered}).
     */
    void sumPointRow(final int py, final float[] q, final byte[] settled, final int l) {
        final int s = block;
        final int w = width;
        final int y0 = py * s;
        final int y1 = Math.min(height, y0 + s);
        for (int px = 0, o = py * pointsWide * l; px < pointsWide; px++, o += l) {
            for (int k = 0; k < l; k++) {
                pointQ[o + k] = 0f;
            }
            final int x0 = px * s;
            final int x1 = Math.min(w, x0 + s);
            for (int y = y0; y < y1; y++) {
                for (int p = y * w + x0, end = y * w + x1; p < end; p++) {
                    final int label = settled[p];
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

    /** The rows of points a start walks, {@link #sumPointRow} after each: the points' rows of the frame. */
    int pointRows() {
        return pointRows;
    }

    /** Tells the next {@link #filter} that a start has summed every point's marginals. */
    void markGathered() {
        pointQFresh = true;
    }

    /** Gives each pixel that is not settled its point's appearance message. */
    private void spreadMessage(final byte[] settled, final int l, final float[] message) {
        final int s = block;
        final int wide = pointsWide;
        final int w = width;
        parallel.forRange(height, 16, (from, to, worker) -> {
            for (int y = from; y < to; y++) {
                final int row = y / s * wide;
                for (int x = 0, p = y * w; x < w; x++, p++) {
                    if (settled[p] < 0) {
                        System.arraycopy(pointMessage, (row + x / s) * l, message, p * l, l);
                    }
                }
            }
        });
    }

    /** Sizes the per-point buffers for np points and l labels, and counts the points' pixels. */
    private void ensurePoints(final int np, final int l) {
        if (features.length < np * 5) {
            features = new float[np * 5];
            norm = new float[np];
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
            final int s = block;
            for (int pt = 0; pt < np; pt++) {
                final int x0 = pt % pointsWide * s;
                final int y0 = pt / pointsWide * s;
                pointMass[pt] = (Math.min(width, x0 + s) - x0) * (Math.min(height, y0 + s) - y0);
            }
            massWidth = width;
            massHeight = height;
        }
    }
}

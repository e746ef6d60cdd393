package io.segstream.crf;

/**
 * How warm starts are made and when they are refused.
 *
 * @param warmStart false: every frame starts cold
 * @param weight exponent of the carried marginals in {@code Q_prev^weight * softmax(-U)}
 * @param limit the most, in nats, that the carried marginals may count against a label at a
 *     pixel ({@link WarmStart#start})
 * @param flipShare iterations stop once one changes the label of at most this share of pixels
 * @param sceneCut a frame whose unaries disagree with the carried labels on more than this
 *     share of pixels starts cold
 * @param reuseLattice update the camera's appearance lattice from its previous frame when it
 *     has the same size, re-embedding only pixels whose colour changed
 *     ({@link DenseCrf#prepare})
 * @param motion pixels whose colour changed by more than this many levels in a channel since the
 *     camera's previous frame start cold ({@link WarmStart#start});
 *     negative: none do
 * @param latticeTolerance with lattice reuse, pixels whose colour moved at most this many levels
 *     in every channel from the colour the camera's lattice holds for them are not embedded again
 *     ({@link DenseCrf#prepare}); 0: exactly the full build
 * @param maxGap most sequence numbers between a camera's carried state and its next refined frame
 *     that still warm-start (frames skipped in live mode or decimated at ingest leave gaps); 1: only
 *     consecutive frames
 */
public record WarmStartSettings(boolean warmStart, float weight, float limit, float flipShare, float sceneCut,
        boolean reuseLattice, int motion, int latticeTolerance, int maxGap) {
    /** Ranges of the settings, which the {@code crf.*} configuration declares with these same bounds. */
    public static final float MIN_WEIGHT = 0.01f;
    public static final float MAX_WEIGHT = 10f;
    public static final float MIN_LIMIT = 0.1f;
    public static final float MAX_LIMIT = 8f;
    public static final float MAX_STOP_SHARE = 0.5f;
    public static final float MIN_SCENE_CUT = 0.01f;
    public static final float MAX_SCENE_CUT = 1f;
    public static final int MAX_MOTION = 255;
    public static final int MAX_LATTICE_TOLERANCE = 255;
    public static final int MAX_GAP = 100_000;

    /**
     * Frames between refined frames that still warm-start, by default: two seconds of a 25 frames/s
     * camera, the gaps live mode leaves when a frame takes up to a second. Chosen, not yet measured:
     * the DAVIS comparison with sequences decimated 2x and 5x is still to be run (benchmarks/RESULTS.md,
     * "Live HD cameras").
     */
    public static final int DEFAULT_MAX_GAP = 50;

    /**
     * The motion gate by default, levels (negative: off): chosen on DAVIS lucia and car-shadow, where
     * it lifts the warm start's per-frame IoU above a cold start with the same stop rule
     * (benchmarks/RESULTS.md, "Warm start against cold, per model").
     */
    public static final int DEFAULT_MOTION = 48;

    /**
     * The lattice update's tolerance by default, levels: measured on vtest_720p against a lattice
     * built anew for every frame (benchmarks/RESULTS.md, "CRF speed, before and after").
     */
    public static final int DEFAULT_LATTICE_TOLERANCE = 3;

    /**
     * Chosen by measurement (benchmarks/RESULTS.md, "CRF temporal warm start"): the limit is the
     * most object-preserving one measured, at the price of part of the flicker reduction.
     */
    public static final WarmStartSettings DEFAULT = new WarmStartSettings(true, 1f, 1f, 0.005f, 0.30f, true,
            DEFAULT_MOTION, DEFAULT_LATTICE_TOLERANCE, DEFAULT_MAX_GAP);

    public WarmStartSettings {
        if (motion > MAX_MOTION) {
            throw new IllegalArgumentException("warm-start motion gate must be at most " + MAX_MOTION
                    + " levels (negative: off), was " + motion);
        }
        if (latticeTolerance < 0 || latticeTolerance > MAX_LATTICE_TOLERANCE) {
            throw new IllegalArgumentException("lattice tolerance must be in [0, " + MAX_LATTICE_TOLERANCE
                    + "] levels, was " + latticeTolerance);
        }
        if (maxGap < 1 || maxGap > MAX_GAP) {
            throw new IllegalArgumentException("warm-start gap must be in [1, " + MAX_GAP + "] frames, was " + maxGap);
        }
        require("warm-start weight", weight, MIN_WEIGHT, MAX_WEIGHT);
        require("warm-start limit (nats)", limit, MIN_LIMIT, MAX_LIMIT);
        require("CRF stop share", flipShare, 0f, MAX_STOP_SHARE);
        require("scene-cut share", sceneCut, MIN_SCENE_CUT, MAX_SCENE_CUT);
    }

    /** These settings with only consecutive frames warm-starting (the gap bound before live mode skipped frames). */
    public WarmStartSettings(boolean warmStart, float weight, float limit, float flipShare, float sceneCut,
            boolean reuseLattice, int motion, int latticeTolerance) {
        this(warmStart, weight, limit, flipShare, sceneCut, reuseLattice, motion, latticeTolerance, 1);
    }

    private static void require(String name, float value, float min, float max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + value);
        }
    }

    public WarmStartSettings withWarmStart(boolean on) {
        return new WarmStartSettings(on, weight, limit, flipShare, sceneCut, reuseLattice, motion, latticeTolerance, maxGap);
    }

    public WarmStartSettings withReuseLattice(boolean on) {
        return new WarmStartSettings(warmStart, weight, limit, flipShare, sceneCut, on, motion, latticeTolerance, maxGap);
    }

    /** These settings with {@code levels} as the motion gate (negative: off). */
    public WarmStartSettings withMotion(int levels) {
        return new WarmStartSettings(warmStart, weight, limit, flipShare, sceneCut, reuseLattice, levels, latticeTolerance, maxGap);
    }

    /** These settings with {@code frames} as the longest gap that still warm-starts. */
    public WarmStartSettings withMaxGap(int frames) {
        return new WarmStartSettings(warmStart, weight, limit, flipShare, sceneCut, reuseLattice, motion,
                latticeTolerance, frames);
    }

    /** These settings with {@code levels} as the lattice update's tolerance. */
    public WarmStartSettings withLatticeTolerance(int levels) {
        return new WarmStartSettings(warmStart, weight, limit, flipShare, sceneCut, reuseLattice, motion, levels, maxGap);
    }
}

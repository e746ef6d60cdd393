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
 */
public record WarmStartSettings(boolean warmStart, float weight, float limit, float flipShare, float sceneCut,
        boolean reuseLattice, int motion, int latticeTolerance) {
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
            DEFAULT_MOTION, DEFAULT_LATTICE_TOLERANCE);

    public WarmStartSettings {
        if (motion > MAX_MOTION) {
            throw new IllegalArgumentException("warm-start motion gate must be at most " + MAX_MOTION
                    + " levels (negative: off), was " + motion);
        }
        if (latticeTolerance < 0 || latticeTolerance > MAX_LATTICE_TOLERANCE) {
            throw new IllegalArgumentException("lattice tolerance must be in [0, " + MAX_LATTICE_TOLERANCE
                    + "] levels, was " + latticeTolerance);
        }
        require("warm-start weight", weight, MIN_WEIGHT, MAX_WEIGHT);
        require("warm-start limit (nats)", limit, MIN_LIMIT, MAX_LIMIT);
        require("CRF stop share", flipShare, 0f, MAX_STOP_SHARE);
        require("scene-cut share", sceneCut, MIN_SCENE_CUT, MAX_SCENE_CUT);
    }

    private static void require(String name, float value, float min, float max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + value);
        }
    }

    public WarmStartSettings withWarmStart(boolean on) {
        return new WarmStartSettings(on, weight, limit, flipShare, sceneCut, reuseLattice, motion, latticeTolerance);
    }

    public WarmStartSettings withReuseLattice(boolean on) {
        return new WarmStartSettings(warmStart, weight, limit, flipShare, sceneCut, on, motion, latticeTolerance);
    }

    /** These settings with {@code levels} as the motion gate (negative: off). */
    public WarmStartSettings withMotion(int levels) {
        return new WarmStartSettings(warmStart, weight, limit, flipShare, sceneCut, reuseLattice, levels, latticeTolerance);
    }

    /** These settings with {@code levels} as the lattice update's tolerance. */
    public WarmStartSettings withLatticeTolerance(int levels) {
        return new WarmStartSettings(warmStart, weight, limit, flipShare, sceneCut, reuseLattice, motion, levels);
    }
}

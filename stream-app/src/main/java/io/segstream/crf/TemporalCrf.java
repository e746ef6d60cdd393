package io.segstream.crf;

/**
 * The dense CRF for a stream of frames from fixed cameras (DESIGN.md, "Temporal warm start"):
 * each frame's mean field starts from the same camera's previous marginals blended with the new
 * unaries, the past counting at most a few nats against any label so that objects moving in are
 * not held back ({@link DenseCrf#initWarm}), and runs until the labels stop changing; it starts cold, from
 * the unaries alone, on a camera's first frame, after a gap in the sequence, after a size change
 * and on a scene cut. One instance per thread; the carried {@link CrfState} belongs to the caller
 * (a camera's task), so any thread can refine any camera's frame.
 */
public final class TemporalCrf implements CrfRefiner {
    /**
     * How warm starts are made and when they are refused.
     *
     * @param warmStart false: every frame starts cold
     * @param weight exponent of the carried marginals in {@code Q_prev^weight * softmax(-U)}
     * @param limit the most, in nats, that the carried marginals may count against a label at a
     *     pixel ({@link DenseCrf#initWarm})
     * @param flipShare iterations stop once one changes the label of at most this share of pixels
     * @param sceneCut a frame whose unaries disagree with the carried labels on more than this
     *     share of pixels starts cold
     * @param reuseLattice update the camera's appearance lattice from its previous frame when it
     *     has the same size, re-embedding only pixels whose colour changed
     *     ({@link DenseCrf#prepare(byte[], int, int, float[], int, boolean)})
     * @param motion pixels whose colour changed by more than this many levels in a channel since the
     *     camera's previous frame start cold ({@link DenseCrf#initWarm(CrfState, float, float, int)});
     *     negative: none do
     * @param latticeTolerance with lattice reuse, pixels whose colour moved at most this many levels
     *     in every channel from the colour the camera's lattice holds for them are not embedded again
     *     ({@link DenseCrf#prepare(byte[], int, int, float[], int, int)}); 0: exactly the full build
     */
    public record Settings(boolean warmStart, float weight, float limit, float flipShare, float sceneCut,
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
         * Chosen by measurement (benchmarks/RESULTS.md, "CRF temporal warm start"): the limit is the
         * most object-preserving one measured, at the price of part of the flicker reduction.
         */
        public static final Settings DEFAULT = new Settings(true, 1f, 1f, 0.005f, 0.30f, true, DEFAULT_MOTION,
                DEFAULT_LATTICE_TOLERANCE);

        public Settings {
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

        public Settings withWarmStart(boolean on) {
            return new Settings(on, weight, limit, flipShare, sceneCut, reuseLattice, motion, latticeTolerance);
        }

        public Settings withReuseLattice(boolean on) {
            return new Settings(warmStart, weight, limit, flipShare, sceneCut, on, motion, latticeTolerance);
        }

        /** These settings with {@code levels} as the motion gate (negative: off). */
        public Settings withMotion(int levels) {
            return new Settings(warmStart, weight, limit, flipShare, sceneCut, reuseLattice, levels, latticeTolerance);
        }

        /** These settings with {@code levels} as the lattice update's tolerance. */
        public Settings withLatticeTolerance(int levels) {
            return new Settings(warmStart, weight, limit, flipShare, sceneCut, reuseLattice, motion, levels);
        }
    }

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

    /** Appearance lattices kept per instance (per stream thread), one per camera, least recently used out. */
    static final int LATTICES_KEPT = 4;

    private final DenseCrf crf;
    private final Settings settings;
    private final java.util.LinkedHashMap<String, DenseCrf.Appearance> lattices =
            new java.util.LinkedHashMap<>(16, 0.75f, true);

    /** @param crf the CRF to drive; its {@code iterations} parameter is the cap per frame */
    public TemporalCrf(DenseCrf crf, Settings settings) {
        this.crf = crf;
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * {@inheritDoc} The camera's appearance lattice is updated from its previous frame when
     * lattice reuse is on; the returned state is null when warm start is off.
     */
    @Override
    public Outcome refine(String camera, long sequence, byte[] rgb, int width, int height, float[] logitPlanes,
            int labelCount, CrfState carried, byte[] labelsOut) {
        // The camera's own appearance, also without lattice reuse: its last frame is what the motion gate
        // compares with, valid only when that frame is the one the carried state was saved from.
        DenseCrf.Appearance appearance = latticeOf(camera);
        crf.useAppearance(appearance);
        boolean previousFrameKnown = carried != null && appearance.sequence == carried.sequence();
        crf.prepare(rgb, width, height, logitPlanes, labelCount,
                settings.reuseLattice() ? settings.latticeTolerance() : -1);
        appearance.sequence = sequence;
        String cold = coldStartReason(width, height, sequence, carried);
        float disagreement = Float.NaN;
        if (cold == null) {
            disagreement = crf.disagreement(carried);
            if (disagreement > settings.sceneCut()) {
                cold = String.format(java.util.Locale.ROOT, "scene cut: %.1f%% of pixels disagree with the carried "
                        + "labels (threshold %.1f%%)", 100 * disagreement, 100 * settings.sceneCut());
            }
        }
        if (cold == null) {
            crf.initWarm(carried, settings.weight(), settings.limit(), previousFrameKnown ? settings.motion() : -1);
        } else {
            crf.initFromUnaries();
        }
        int cap = Math.max(1, crf.params().iterations());
        int iterations = crf.iterateUntilStable(settings.flipShare(), cap);
        crf.argmax(labelsOut);
        CrfState next = settings.warmStart() ? crf.saveState(width, height, sequence, labelsOut) : null;
        return new Outcome(iterations, cold == null, cold == null ? "" : cold, crf.lastChange(), disagreement,
                !crf.lastBuildFull(), (float) crf.lastOverruled() / (width * height), next);
    }

    /**
     * The camera's own appearance lattice, so that a thread serving several cameras in turn still
     * updates each camera's lattice from that camera's previous frame; the least recently used
     * camera's is handed over (and rebuilt) beyond {@value #LATTICES_KEPT}.
     */
    private DenseCrf.Appearance latticeOf(String camera) {
        DenseCrf.Appearance lattice = lattices.get(camera);
        if (lattice == null) {
            if (lattices.size() < LATTICES_KEPT) {
                lattice = new DenseCrf.Appearance();
            } else {
                var eldest = lattices.entrySet().iterator();
                lattice = eldest.next().getValue();
                eldest.remove();
                lattice.forget();
            }
            lattices.put(camera, lattice);
        }
        return lattice;
    }

    private String coldStartReason(int width, int height, long sequence, CrfState carried) {
        if (!settings.warmStart()) {
            return "warm start off";
        }
        if (carried == null) {
            return "first frame (no carried state)";
        }
        if (carried.width() != width || carried.height() != height) {
            return "size change: " + carried.width() + "x" + carried.height() + " to " + width + "x" + height;
        }
        if (sequence != carried.sequence() + 1) {
            return "gap in sequence: previous " + carried.sequence() + ", this " + sequence;
        }
        return null;
    }

    @Override
    public boolean carriesState() {
        return settings.warmStart();
    }

    @Override
    public String description() {
        return CrfSetup.describe(crf.params(), settings.warmStart());
    }

    @Override
    public void close() {
        crf.close();
    }
}

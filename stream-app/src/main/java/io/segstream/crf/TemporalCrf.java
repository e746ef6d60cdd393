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
public final class TemporalCrf implements AutoCloseable {
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
     */
    public record Settings(boolean warmStart, float weight, float limit, float flipShare, float sceneCut,
            boolean reuseLattice) {
        /**
         * Chosen by measurement (benchmarks/RESULTS.md, "CRF temporal warm start"): the limit is the
         * most object-preserving one measured, at the price of part of the flicker reduction.
         */
        public static final Settings DEFAULT = new Settings(true, 1f, 1f, 0.005f, 0.30f, true);

        public Settings {
            if (!(weight > 0f) || weight > 10f) {
                throw new IllegalArgumentException("warm-start weight must be in (0, 10], was " + weight);
            }
            if (!(limit > 0f) || limit > 8f) {
                throw new IllegalArgumentException("warm-start limit must be in (0, 8] nats, was " + limit);
            }
            if (!(flipShare >= 0f) || flipShare >= 1f) {
                throw new IllegalArgumentException("CRF stop share must be in [0, 1), was " + flipShare);
            }
            if (!(sceneCut > 0f) || sceneCut > 1f) {
                throw new IllegalArgumentException("scene-cut share must be in (0, 1], was " + sceneCut);
            }
        }

        public Settings withWarmStart(boolean on) {
            return new Settings(on, weight, limit, flipShare, sceneCut, reuseLattice);
        }

        public Settings withReuseLattice(boolean on) {
            return new Settings(warmStart, weight, limit, flipShare, sceneCut, on);
        }
    }

    /** What one frame's refinement did. */
    public record Outcome(int iterations, boolean warm, String coldStartReason, float finalChange,
            float disagreement, boolean latticeReused, CrfState state) {}

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
     * Refines one frame of a camera and writes its labels.
     *
     * @param camera the camera's id (whose appearance lattice to update)
     * @param carried the camera's state from its previous refined frame, or null
     * @return what happened, with the state to carry to the camera's next frame (null when warm
     *     start is off)
     */
    public Outcome refine(String camera, byte[] rgb, int width, int height, float[] logitPlanes, int labelCount,
            long sequence, CrfState carried, byte[] labelsOut) {
        if (settings.reuseLattice()) {
            crf.useAppearance(latticeOf(camera));
        }
        crf.prepare(rgb, width, height, logitPlanes, labelCount, settings.reuseLattice());
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
            crf.initWarm(carried, settings.weight(), settings.limit());
        } else {
            crf.initFromUnaries();
        }
        int cap = Math.max(1, crf.params().iterations());
        int iterations = crf.iterateUntilStable(settings.flipShare(), cap);
        crf.argmax(labelsOut);
        CrfState next = settings.warmStart() ? crf.saveState(width, height, sequence, labelsOut) : null;
        return new Outcome(iterations, cold == null, cold == null ? "" : cold, crf.lastChange(), disagreement,
                !crf.lastBuildFull(), next);
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
    public void close() {
        crf.close();
    }
}

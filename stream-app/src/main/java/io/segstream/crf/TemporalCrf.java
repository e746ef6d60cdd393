package io.segstream.crf;

/**
 * The dense CRF for a stream of frames from fixed cameras (DESIGN.md, "Live mode"):
 * each frame's mean field starts from the same camera's previous marginals blended with the new
 * unaries, the past counting at most a few nats against any label so that objects moving in are
 * not held back ({@link WarmStart#start}), and runs until the labels stop changing; it starts cold, from
 * the unaries alone, on a camera's first frame, after a gap in the sequence longer than
 * {@link WarmStartSettings#maxGap} (shorter gaps, frames skipped in live mode, stay warm and the
 * motion gate decides per pixel), after a size change and on a scene cut. One instance per thread; the carried {@link CrfState} belongs to the caller
 * (a camera's task), so any thread can refine any camera's frame.
 */
final class TemporalCrf implements CrfRefiner {
    /** Appearance lattices kept per instance (per stream thread), one per camera, least recently used out. */
    static final int LATTICES_KEPT = 4;

    private final DenseCrf crf;
    private final WarmStartSettings settings;
    private final java.util.LinkedHashMap<String, AppearanceCache> lattices =
            new java.util.LinkedHashMap<>(16, 0.75f, true);

    /** @param crf the CRF to drive; its {@code iterations} parameter is the cap per frame */
    TemporalCrf(final DenseCrf crf, final WarmStartSettings settings) {
        this.crf = crf;
        this.settings = settings;
    }

    WarmStartSettings settings() {
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
        AppearanceCache appearance = latticeOf(camera);
        crf.useAppearance(appearance);
        boolean previousFrameKnown = carried != null && appearance.sequence() == carried.sequence();
        if (settings.reuseLattice()) {
            crf.prepareReusingLattice(rgb, width, height, logitPlanes, labelCount, settings.latticeTolerance());
        } else {
            crf.prepare(rgb, width, height, logitPlanes, labelCount);
        }
        appearance.recordSequence(sequence);
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
    private AppearanceCache latticeOf(String camera) {
        AppearanceCache lattice = lattices.get(camera);
        if (lattice == null) {
            if (lattices.size() < LATTICES_KEPT) {
                lattice = new AppearanceCache();
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
        long gap = sequence - carried.sequence();
        if (gap <= 0) {
            return "sequence went back: previous " + carried.sequence() + ", this " + sequence + " (source restarted)";
        }
        if (gap > settings.maxGap()) {
            return "gap in sequence: previous " + carried.sequence() + ", this " + sequence + " (more than "
                    + settings.maxGap() + " frames)";
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

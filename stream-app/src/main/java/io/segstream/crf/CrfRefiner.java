package io.segstream.crf;

/**
 * The dense CRF as the segmentation path sees it: one frame's logits in, refined labels out,
 * warm-started from what the camera's previous frame left behind. The permutohedral mean field
 * ({@link TemporalCrf} over {@link DenseCrf}) is the implementation today; a GPU CRF would be
 * another. An implementation keeps whatever caches it likes (the permutohedral one keeps each
 * camera's appearance lattice) to itself. One instance per thread.
 */
public interface CrfRefiner extends AutoCloseable {
    /**
     * What one frame's refinement did.
     *
     * @param iterations mean-field iterations run
     * @param warm started from the camera's carried state
     * @param coldStartReason why not, when not ("" when warm)
     * @param finalChange the largest marginal change of the last iteration
     * @param disagreement share of pixels whose own labels differed from the carried ones (NaN: not measured)
     * @param latticeReused the appearance lattice was updated, not rebuilt
     * @param changedShare share of pixels whose label the CRF changed from the network's own
     * @param state what to carry to the camera's next frame (its marginals and labels), or null
     */
    record Outcome(int iterations, boolean warm, String coldStartReason, float finalChange, float disagreement,
            boolean latticeReused, float changedShare, CrfState state) {}

    /**
     * Refines one frame of a camera and writes its labels.
     *
     * @param camera the camera's id
     * @param sequence the frame's sequence number (a gap starts cold)
     * @param rgb the frame, interleaved RGB, {@code width x height}
     * @param logitPlanes the logits upsampled to the frame, {@code [classes][height][width]}
     * @param carried the camera's state from its previous refined frame, or null
     * @param labelsOut where the labels go ({@code width x height})
     */
    Outcome refine(String camera, long sequence, byte[] rgb, int width, int height, float[] logitPlanes, int classes,
            CrfState carried, byte[] labelsOut);

    /** True when refinements use the carried state (the caller should load and keep it). */
    boolean carriesState();

    /** Parameters and mode, for start-up lines. */
    String description();

    @Override
    void close();
}

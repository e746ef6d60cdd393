package io.segstream.segmentation;

/**
 * The size the CRF, the labels and everything after them work at, whatever the frame's size
 * (DESIGN.md, "Live mode"): a frame whose long side exceeds {@code maxSide} is worked at that long
 * side with its aspect ratio kept; smaller frames at their own size. The network still sees the
 * frame's own pixels (its tiles come from the source), so how finely it looks does not change;
 * its logits are brought to the working size instead of the frame's.
 *
 * @param maxSide the working size's long side at most, pixels; 0: every frame at its own size
 * @param labelsAtSource labels are enlarged to the frame's size at the end (nearest neighbour), for
 *     consumers who need masks at the source size; false: labels stay at the working size
 */
public record WorkingSize(int maxSide, boolean labelsAtSource) {
    /**
     * The default long side: 640 pixels, the size DeepLab's CRF parameters were tuned at (VOC images,
     * at most 500 pixels, are unchanged by it). A 1280x720 frame's CRF took 54 ms instead of 215
     * (benchmarks/RESULTS.md, "Live HD cameras"); its effect on DAVIS and on the 720p walkers is still
     * to be measured.
     */
    public static final int DEFAULT_MAX_SIDE = 640;
    /** The smallest working long side accepted: below it the CRF's kernels cover too few pixels. */
    public static final int MIN_MAX_SIDE = 64;
    /** Every frame at its own size (what segstream did before working sizes). */
    public static final WorkingSize SOURCE = new WorkingSize(0, false);
    public static final WorkingSize DEFAULT = new WorkingSize(DEFAULT_MAX_SIDE, false);

    public WorkingSize {
        if (maxSide != 0 && maxSide < MIN_MAX_SIDE) {
            throw new IllegalArgumentException("working size's long side must be 0 (the frame's own size) or at least "
                    + MIN_MAX_SIDE + " pixels, was " + maxSide);
        }
    }

    /** The working width for a {@code width x height} frame. */
    public int width(int width, int height) {
        return scaled(width, width, height);
    }

    /** The working height for a {@code width x height} frame. */
    public int height(int width, int height) {
        return scaled(height, width, height);
    }

    private int scaled(int side, int width, int height) {
        int longSide = Math.max(width, height);
        if (maxSide == 0 || longSide <= maxSide) {
            return side;
        }
        return Math.max(1, (int) Math.round((double) side * maxSide / longSide));
    }

    /** "640 (masks at the working size)" and the like, for start-up lines. */
    public String describe() {
        if (maxSide == 0) {
            return "each frame's own size";
        }
        return "long side at most " + maxSide + (labelsAtSource ? ", masks enlarged to the frame's size"
                : ", masks at the working size");
    }
}

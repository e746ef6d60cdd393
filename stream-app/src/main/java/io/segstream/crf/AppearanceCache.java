package io.segstream.crf;

/**
 * The appearance lattice of one stream of frames (a camera) and the frame it was built for, which
 * {@link AppearanceKernel#prepare} updates instead of rebuilding. A {@link DenseCrf} owns one;
 * {@link TemporalCrf} keeps one per camera and hands the camera's in with
 * {@link DenseCrf#useAppearance} (about 50 bytes per point: a pixel, or a 2x2 block of them).
 */
final class AppearanceCache {
    final PermutohedralLattice lattice = new PermutohedralLattice(5);
    byte[] previousRgb = new byte[0];  // the last frame, for the motion gate
    short[] heldColour = new short[0]; // per point: the channel sums the lattice holds it at
    int width = -1;
    int height = -1;
    int block;
    private long sequence = Long.MIN_VALUE;

    /** True when the frame it holds has {@code w x h} pixels in points of {@code s x s}. */
    boolean holds(final int w, final int h, final int s) {
        return w == width && h == height && s == block;
    }

    /** The sequence number of the frame it holds, as its owner recorded it ({@link #recordSequence}). */
    long sequence() {
        return sequence;
    }

    /** Records the sequence number of the frame the last prepare gave it. */
    void recordSequence(final long frameSequence) {
        sequence = frameSequence;
    }

    /** Forgets the frame, so the next prepare builds the lattice anew (for reuse by another camera). */
    void forget() {
        width = -1;
        height = -1;
        sequence = Long.MIN_VALUE;
    }
}

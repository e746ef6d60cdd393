package io.segstream.crf;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * What one camera carries from a frame to the next for the CRF's warm start (DESIGN.md, "Packages",
 * the crf row): the frame's sequence number and size, its final labels, and its final marginals as
 * log-probabilities of the labels that took part, relative to each pixel's most likely label and
 * quantised to one byte: {@code ln q_k - ln q_max} in steps of 1/32 nat, clipped at -255/32
 * (about -8 nats, q/q_max = 3.4e-4).
 *
 * <p>Why that precision: the carried marginals only start the next frame's mean field, which
 * replaces them at its first update, so they are a cache, not data. Half a step is 1/64 nat, a
 * relative error under 1.6% in a probability; below 3.4e-4 of the leading label a label cannot
 * win a pixel in one update (the CRF's pairwise terms are bounded by w1 + w2 nats) and
 * is carried as the floor. Storing log-probabilities rather than probabilities keeps small ones
 * distinct: a byte of probability would round 0.001 to 0 and a zero would veto the label. At
 * 640x480 with 4 labels taking part, a state is 1.5 MB (4 bytes of float marginals for all 21
 * labels would be 25.8 MB).
 *
 * <p>The byte form is the state store's value; {@link #parse} accepts only a well-formed one, so
 * a state from an older layout is ignored (one cold frame), never misread.
 */
public final class CrfState {
    /** Quantisation step of the carried log-marginals, in nats. */
    public static final float STEP = 1f / 32f;
    /** The floor: log-marginal relative to the pixel's best, in nats. */
    public static final float FLOOR = -255f * STEP;

    private static final byte VERSION = 1;
    private static final int HEADER = 1 + 4 + 4 + 8 + 1;

    private final ByteBuffer bytes;
    private final int width;
    private final int height;
    private final long sequence;
    private final int labelCount;

    private CrfState(ByteBuffer bytes) {
        this.bytes = bytes;
        this.width = bytes.getInt(1);
        this.height = bytes.getInt(5);
        this.sequence = bytes.getLong(9);
        this.labelCount = bytes.get(17) & 0xFF;
    }

    /** A blank state of the given shape, to be filled by {@link DenseCrf#saveState}. */
    static CrfState allocate(int width, int height, long sequence, int labelCount) {
        long size = (long) HEADER + labelCount + (long) width * height * (1 + labelCount);
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("CRF state for " + width + "x" + height + " with " + labelCount
                    + " labels does not fit in one array");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size);
        b.put(0, VERSION).putInt(1, width).putInt(5, height).putLong(9, sequence).put(17, (byte) labelCount);
        return new CrfState(b);
    }

    /** The state in {@code data}, or empty when it is not a complete state of this layout. */
    public static Optional<CrfState> parse(byte[] data) {
        if (data == null || data.length < HEADER || data[0] != VERSION) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        int w = b.getInt(1);
        int h = b.getInt(5);
        int l = b.get(17) & 0xFF;
        if (w <= 0 || h <= 0 || (long) HEADER + l + (long) w * h * (1 + l) != data.length) {
            return Optional.empty();
        }
        return Optional.of(new CrfState(b));
    }

    /** The serialised form (the array itself, not a copy). */
    public byte[] toBytes() {
        return bytes.array();
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Sequence number of the frame this state came from. */
    public long sequence() {
        return sequence;
    }

    /** Labels whose marginals are carried. */
    public int labelCount() {
        return labelCount;
    }

    /** The original label index of carried column {@code k}. */
    public int label(int k) {
        return bytes.get(HEADER + k) & 0xFF;
    }

    void setLabel(int k, int label) {
        bytes.put(HEADER + k, (byte) label);
    }

    /** Offset in {@link #toBytes()} of the final labels, one byte per pixel, row-major. */
    int labelsOffset() {
        return HEADER + labelCount;
    }

    /** Offset in {@link #toBytes()} of the quantised log-marginals, {@code [pixel][carried label]}. */
    int fieldOffset() {
        return labelsOffset() + width * height;
    }

    /** Final label of pixel {@code p}. */
    public int finalLabel(int p) {
        return bytes.get(labelsOffset() + p) & 0xFF;
    }

    /** Carried log-marginal of column {@code k} at pixel {@code p}, relative to the pixel's best, in nats. */
    public float logMarginal(int p, int k) {
        return -(bytes.get(fieldOffset() + p * labelCount + k) & 0xFF) * STEP;
    }
}

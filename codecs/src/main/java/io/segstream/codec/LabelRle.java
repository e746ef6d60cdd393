package io.segstream.codec;

import java.io.ByteArrayOutputStream;

/**
 * Run-length encoding of a label map (the Mask's LABEL_RLE encoding).
 *
 * <p>Byte layout: the width x height labels in row-major order as a sequence of runs, each run
 * one byte for the label (0..255) followed by the run length as an unsigned LEB128 varint (7 bits
 * per byte, least significant group first, high bit set on every byte but the last), length >= 1.
 * Runs may cross row ends; the lengths sum to exactly width x height. A Python decoder:
 *
 * <pre>
 * def decode(data, w, h):
 *     out, i = bytearray(), 0
 *     while i &lt; len(data):
 *         label, n, shift = data[i], 0, 0; i += 1
 *         while True:
 *             b = data[i]; i += 1; n |= (b &amp; 0x7F) &lt;&lt; shift; shift += 7
 *             if b &lt; 0x80: break
 *         out += bytes([label]) * n
 *     assert len(out) == w * h
 *     return out
 * </pre>
 */
public final class LabelRle {
    private LabelRle() {}

    /** Encodes the first width x height entries of {@code labels}. */
    public static byte[] encode(byte[] labels, int width, int height) {
        int n = checkedPixels(width, height);
        if (labels.length < n) {
            throw new CodecException(labels.length + " labels for a " + width + "x" + height + " mask, expected " + n);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        int i = 0;
        while (i < n) {
            byte label = labels[i];
            int start = i;
            while (i < n && labels[i] == label) {
                i++;
            }
            out.write(label);
            writeVarint(out, i - start);
        }
        return out.toByteArray();
    }

    /**
     * Decodes into {@code out} (at least width x height bytes).
     *
     * @throws CodecException on truncated data, a zero-length run, an over-long varint, runs that
     *     overflow the mask, or runs that leave it short
     */
    public static void decode(byte[] data, int width, int height, byte[] out) {
        int n = checkedPixels(width, height);
        if (out.length < n) {
            throw new CodecException("output of " + out.length + " bytes is too small for a " + width + "x" + height + " mask");
        }
        int pos = 0;
        int filled = 0;
        while (pos < data.length) {
            byte label = data[pos++];
            long run = 0;
            int shift = 0;
            while (true) {
                if (pos >= data.length) {
                    throw new CodecException("label RLE truncated at byte " + pos + " inside the length of a run");
                }
                int b = data[pos++] & 0xFF;
                run |= (long) (b & 0x7F) << shift;
                if (b < 0x80) {
                    break;
                }
                shift += 7;
                if (shift > 35) {
                    throw new CodecException("label RLE run length at byte " + pos + " is longer than 5 bytes");
                }
            }
            if (run == 0) {
                throw new CodecException("label RLE has a zero-length run at byte " + pos);
            }
            if (filled + run > n) {
                throw new CodecException("label RLE runs overflow the " + width + "x" + height + " mask: "
                        + (filled + run) + " pixels of " + n);
            }
            java.util.Arrays.fill(out, filled, filled + (int) run, label);
            filled += (int) run;
        }
        if (filled != n) {
            throw new CodecException("label RLE covers " + filled + " of the " + n + " pixels of a " + width + "x"
                    + height + " mask (truncated?)");
        }
    }

    /** Decodes into a new array of width x height labels. */
    public static byte[] decode(byte[] data, int width, int height) {
        byte[] out = new byte[checkedPixels(width, height)];
        decode(data, width, height, out);
        return out;
    }

    private static void writeVarint(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7F) != 0) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    static int checkedPixels(int width, int height) {
        if (width <= 0 || height <= 0 || width > PixelLayout.MAX_DIMENSION || height > PixelLayout.MAX_DIMENSION) {
            throw new CodecException("mask size " + width + "x" + height + " is out of range (1.."
                    + PixelLayout.MAX_DIMENSION + " per side)");
        }
        return width * height;
    }
}

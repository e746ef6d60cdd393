package io.segstream.codec;

/**
 * COCO's run-length encoding of one binary mask, in the compressed string form that pycocotools
 * reads as {@code {"size": [height, width], "counts": counts}}.
 *
 * <p>Runs go over the pixels in column-major order (down each column, then to the next), starting
 * with a run of zeros (possibly empty) and alternating. Each count is written as in pycocotools'
 * {@code rleToString}: from the third count on, the difference to the count two places earlier;
 * then 5 bits per character, least significant first, bit 0x20 meaning "more follows", sign taken
 * from bit 0x10 of the last character, each character offset by 48.
 */
public final class CocoRle {
    private CocoRle() {}

    /** The counts string of the mask "label == classIndex" over a row-major width x height label map. */
    public static String encode(byte[] labels, int width, int height, int classIndex) {
        int n = LabelRle.checkedPixels(width, height);
        if (labels.length < n) {
            throw new CodecException(labels.length + " labels for a " + width + "x" + height + " mask, expected " + n);
        }
        StringBuilder s = new StringBuilder();
        long prev2 = 0;
        long prev1 = 0;
        int index = 0;
        boolean current = false;
        long run = 0;
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                boolean on = (labels[y * width + x] & 0xFF) == classIndex;
                if (on != current) {
                    appendCount(s, index, run, prev2);
                    prev2 = prev1;
                    prev1 = run;
                    index++;
                    current = on;
                    run = 0;
                }
                run++;
            }
        }
        appendCount(s, index, run, prev2);
        return s.toString();
    }

    private static void appendCount(StringBuilder s, int index, long count, long twoBefore) {
        long x = index > 2 ? count - twoBefore : count;
        boolean more = true;
        while (more) {
            int c = (int) (x & 0x1F);
            x >>= 5;
            more = (c & 0x10) != 0 ? x != -1 : x != 0;
            if (more) {
                c |= 0x20;
            }
            s.append((char) (c + 48));
        }
    }

    /** Decodes the run counts of a counts string (the uncompressed RLE). */
    public static long[] decodeCounts(String counts) {
        long[] out = new long[Math.max(4, counts.length())];
        int m = 0;
        int p = 0;
        while (p < counts.length()) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                if (p >= counts.length()) {
                    throw new CodecException("COCO RLE counts truncated at character " + p);
                }
                int c = counts.charAt(p) - 48;
                if (c < 0 || c > 63) {
                    throw new CodecException("COCO RLE counts has an invalid character '" + counts.charAt(p) + "' at " + p);
                }
                if (k > 12) {
                    throw new CodecException("COCO RLE count at character " + p + " is too long");
                }
                x |= (long) (c & 0x1F) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) {
                    x |= -1L << (5 * k);
                }
            }
            if (m > 2) {
                x += out[m - 2];
            }
            if (x < 0) {
                throw new CodecException("COCO RLE count " + m + " is negative (" + x + ")");
            }
            out[m++] = x;
        }
        return java.util.Arrays.copyOf(out, m);
    }

    /**
     * Decodes to a row-major binary mask (1 where the class is present).
     *
     * @throws CodecException if the counts do not cover exactly width x height pixels
     */
    public static byte[] decode(String counts, int width, int height) {
        int n = LabelRle.checkedPixels(width, height);
        long[] runs = decodeCounts(counts);
        byte[] mask = new byte[n];
        long pos = 0;
        for (int i = 0; i < runs.length; i++) {
            if (pos + runs[i] > n) {
                throw new CodecException("COCO RLE runs overflow the " + width + "x" + height + " mask: "
                        + (pos + runs[i]) + " pixels of " + n);
            }
            if ((i & 1) == 1) {
                for (long k = pos; k < pos + runs[i]; k++) {
                    int x = (int) (k / height);
                    int y = (int) (k % height);
                    mask[y * width + x] = 1;
                }
            }
            pos += runs[i];
        }
        if (pos != n) {
            throw new CodecException("COCO RLE covers " + pos + " of the " + n + " pixels of a " + width + "x"
                    + height + " mask");
        }
        return mask;
    }
}

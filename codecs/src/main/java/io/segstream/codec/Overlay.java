package io.segstream.codec;

/** Blends a label map's class colours over a frame, for people to look at. The background class stays clear. */
public final class Overlay {
    /** {@code background} value for a class table without one: every class is drawn. */
    public static final int NO_BACKGROUND = -1;

    private Overlay() {}

    /**
     * @param palette 0xRRGGBB per class index
     * @param background the class left clear, or {@link #NO_BACKGROUND}
     * @param alpha weight of the class colour, 0..1
     */
    public static void blend(RgbImage frame, byte[] labels, int[] palette, int background, float alpha, RgbImage out) {
        int n = frame.width() * frame.height();
        out.reshape(frame.width(), frame.height());
        byte[] src = frame.data();
        byte[] dst = out.data();
        int a = Math.round(alpha * 256);
        for (int p = 0; p < n; p++) {
            int label = labels[p] & 0xFF;
            int o = 3 * p;
            if (label == background || label >= palette.length) {
                dst[o] = src[o];
                dst[o + 1] = src[o + 1];
                dst[o + 2] = src[o + 2];
                continue;
            }
            int colour = palette[label];
            dst[o] = (byte) mix(src[o] & 0xFF, colour >> 16 & 0xFF, a);
            dst[o + 1] = (byte) mix(src[o + 1] & 0xFF, colour >> 8 & 0xFF, a);
            dst[o + 2] = (byte) mix(src[o + 2] & 0xFF, colour & 0xFF, a);
        }
    }

    private static int mix(int base, int colour, int a) {
        return (base * (256 - a) + colour * a) >> 8;
    }
}

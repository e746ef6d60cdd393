package io.segstream.codec;

/** Image resampling for people and checks (the pipeline's own model-input resampling is in inference). */
public final class Resize {
    private Resize() {}

    /**
     * Bilinear resize with pixel centres mapped to pixel centres and edges clamped, rounded to the
     * nearest level: what an image library's default resize gives.
     *
     * @param out reused when given (reshaped), else a new image
     */
    public static RgbImage bilinear(RgbImage src, int width, int height, RgbImage out) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("resize to " + width + "x" + height);
        }
        RgbImage dst = out == null ? new RgbImage(width, height) : out.reshape(width, height);
        int sw = src.width();
        int sh = src.height();
        byte[] s = src.data();
        byte[] d = dst.data();
        int[] x0 = new int[width];
        int[] x1 = new int[width];
        float[] fx = new float[width];
        for (int x = 0; x < width; x++) {
            float sx = Math.max(0f, Math.min(sw - 1f, (x + 0.5f) * sw / width - 0.5f));
            x0[x] = (int) sx;
            x1[x] = Math.min(x0[x] + 1, sw - 1);
            fx[x] = sx - x0[x];
        }
        for (int y = 0; y < height; y++) {
            float sy = Math.max(0f, Math.min(sh - 1f, (y + 0.5f) * sh / height - 0.5f));
            int y0 = (int) sy;
            int y1 = Math.min(y0 + 1, sh - 1);
            float fy = sy - y0;
            for (int x = 0; x < width; x++) {
                int a = 3 * (y0 * sw + x0[x]);
                int b = 3 * (y0 * sw + x1[x]);
                int c = 3 * (y1 * sw + x0[x]);
                int e = 3 * (y1 * sw + x1[x]);
                int o = 3 * (y * width + x);
                for (int k = 0; k < 3; k++) {
                    float top = (s[a + k] & 0xFF) + fx[x] * ((s[b + k] & 0xFF) - (s[a + k] & 0xFF));
                    float bottom = (s[c + k] & 0xFF) + fx[x] * ((s[e + k] & 0xFF) - (s[c + k] & 0xFF));
                    d[o + k] = (byte) Math.round(top + fy * (bottom - top));
                }
            }
        }
        return dst;
    }

    /** Nearest-neighbour resize of a label map (pixel centres to pixel centres). */
    public static LabelMap nearest(LabelMap src, int width, int height) {
        byte[] out = new byte[width * height];
        for (int y = 0; y < height; y++) {
            int sy = Math.min(src.height() - 1, (int) ((y + 0.5) * src.height() / height));
            for (int x = 0; x < width; x++) {
                int sx = Math.min(src.width() - 1, (int) ((x + 0.5) * src.width() / width));
                out[y * width + x] = src.labels()[sy * src.width() + sx];
            }
        }
        return new LabelMap(width, height, out);
    }
}

package io.segstream.codec;

import io.segstream.schemas.v1.PixelFormat;

/**
 * Converts frames of any {@link PixelFormat} to interleaved RGB24. YUV is BT.601 limited range
 * (FFmpeg's default for yuv420p and nv12 without colour metadata) with 4:2:0 chroma taken from
 * the sample covering each 2x2 block, as FFmpeg's unscaled yuv2rgb path does; results are truncated,
 * not rounded, which keeps them within 2 levels of that path (it is table-driven and sits about one
 * level below exact rounding). GRAY8 is full-range
 * luminance copied to R, G and B.
 *
 * <p>Callers validate the byte count with {@link PixelLayout#checkLength} first; the loops here
 * trust the layout.
 */
public final class PixelConverter {
    // BT.601 limited range in 16.16 fixed point: R = 1.164(Y-16) + 1.596(V-128), etc.
    private static final int CY = 76309;   // 1.164383 * 65536
    private static final int CRV = 104597; // 1.596027 * 65536
    private static final int CGU = 25675;  // 0.391762 * 65536
    private static final int CGV = 53279;  // 0.812968 * 65536
    private static final int CBU = 132201; // 2.017232 * 65536

    private PixelConverter() {}

    /**
     * Converts {@code data} laid out as {@code layout} into {@code out}, reshaped to the frame size.
     * {@code data} may be a reused buffer longer than the frame; bytes past the layout are ignored.
     */
    public static void toRgb(PixelLayout layout, byte[] data, RgbImage out) {
        if (data.length < layout.totalBytes()) {
            layout.checkLength(data.length, "frame");
        }
        out.reshape(layout.width(), layout.height());
        switch (layout.format()) {
            case PIXEL_FORMAT_I420:
                yuv420ToRgb(layout, data, out.data(), false);
                break;
            case PIXEL_FORMAT_NV12:
                yuv420ToRgb(layout, data, out.data(), true);
                break;
            case PIXEL_FORMAT_RGB24:
                packedToRgb(layout, data, out.data(), false);
                break;
            case PIXEL_FORMAT_BGR24:
                packedToRgb(layout, data, out.data(), true);
                break;
            case PIXEL_FORMAT_GRAY8:
                grayToRgb(layout, data, out.data());
                break;
            default:
                throw new CodecException("unknown pixel format " + layout.format());
        }
    }

    private static void yuv420ToRgb(PixelLayout layout, byte[] src, byte[] dst, boolean nv12) {
        int w = layout.width();
        int h = layout.height();
        int yStride = layout.stride(0);
        int yOff = layout.offset(0);
        int uOff = layout.offset(1);
        int uStride = layout.stride(1);
        int vOff = nv12 ? uOff + 1 : layout.offset(2);
        int vStride = nv12 ? uStride : layout.stride(2);
        int chromaStep = nv12 ? 2 : 1;
        for (int y = 0; y < h; y++) {
            int yRow = yOff + y * yStride;
            int uRow = uOff + (y >> 1) * uStride;
            int vRow = vOff + (y >> 1) * vStride;
            int o = 3 * y * w;
            // Two pixels per chroma sample: its terms are computed once for both.
            for (int x = 0; x < w; x += 2) {
                int c = (x >> 1) * chromaStep;
                int u = (src[uRow + c] & 0xFF) - 128;
                int v = (src[vRow + c] & 0xFF) - 128;
                int r = CRV * v;
                int g = -CGU * u - CGV * v;
                int b = CBU * u;
                int yy = ((src[yRow + x] & 0xFF) - 16) * CY;
                dst[o] = clamp((yy + r) >> 16);
                dst[o + 1] = clamp((yy + g) >> 16);
                dst[o + 2] = clamp((yy + b) >> 16);
                if (x + 1 < w) {
                    yy = ((src[yRow + x + 1] & 0xFF) - 16) * CY;
                    dst[o + 3] = clamp((yy + r) >> 16);
                    dst[o + 4] = clamp((yy + g) >> 16);
                    dst[o + 5] = clamp((yy + b) >> 16);
                }
                o += 6;
            }
        }
    }

    private static void packedToRgb(PixelLayout layout, byte[] src, byte[] dst, boolean swap) {
        int w = layout.width();
        int rowBytes = 3 * w;
        int stride = layout.stride(0);
        for (int y = 0; y < layout.height(); y++) {
            int s = layout.offset(0) + y * stride;
            int o = y * rowBytes;
            if (!swap) {
                System.arraycopy(src, s, dst, o, rowBytes);
                continue;
            }
            for (int x = 0; x < rowBytes; x += 3) {
                dst[o + x] = src[s + x + 2];
                dst[o + x + 1] = src[s + x + 1];
                dst[o + x + 2] = src[s + x];
            }
        }
    }

    private static void grayToRgb(PixelLayout layout, byte[] src, byte[] dst) {
        int w = layout.width();
        for (int y = 0; y < layout.height(); y++) {
            int s = layout.offset(0) + y * layout.stride(0);
            int o = 3 * y * w;
            for (int x = 0; x < w; x++) {
                byte g = src[s + x];
                dst[o++] = g;
                dst[o++] = g;
                dst[o++] = g;
            }
        }
    }

    private static byte clamp(int v) {
        return (byte) (v < 0 ? 0 : (v > 255 ? 255 : v));
    }
}

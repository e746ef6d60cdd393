package io.segstream.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.segstream.schemas.v1.PixelFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The YUV conversion taken two pixels per chroma sample gives the per-pixel formula's bytes exactly. */
class PixelConverterTest {
    @Test
    void yuvPairsGiveThePerPixelFormulaExactly() {
        int[][] sizes = {{1279, 719}, {16, 9}, {1, 1}, {1, 7}, {7, 1}, {2, 2}, {33, 4}};
        for (PixelFormat format : List.of(PixelFormat.PIXEL_FORMAT_I420, PixelFormat.PIXEL_FORMAT_NV12)) {
            for (int[] size : sizes) {
                for (boolean padded : new boolean[] {false, true}) {
                    int w = size[0];
                    int h = size[1];
                    int chroma = (w + 1) / 2;
                    List<Integer> strides = !padded ? List.of()
                            : format == PixelFormat.PIXEL_FORMAT_I420 ? List.of(w + 5, chroma + 3, chroma + 1)
                            : List.of(w + 5, 2 * chroma + 3);
                    PixelLayout layout = PixelLayout.of(format, w, h, strides);
                    byte[] data = new byte[(int) layout.totalBytes()];
                    new Random(w * 7919L + h + (padded ? 1 : 0)).nextBytes(data);
                    RgbImage out = new RgbImage(1, 1);
                    PixelConverter.toRgb(layout, data, out);
                    assertArrayEquals(reference(layout, data, format == PixelFormat.PIXEL_FORMAT_NV12),
                            java.util.Arrays.copyOf(out.data(), 3 * w * h), format + " " + w + "x" + h
                                    + (padded ? " with strides" : ""));
                }
            }
        }
    }

    /** BT.601 limited range, 16.16 fixed point, truncated, one pixel at a time. */
    private static byte[] reference(PixelLayout layout, byte[] src, boolean nv12) {
        int w = layout.width();
        int h = layout.height();
        byte[] dst = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int yy = ((src[layout.offset(0) + y * layout.stride(0) + x] & 0xFF) - 16) * 76309;
                int cu = nv12 ? layout.offset(1) + (y >> 1) * layout.stride(1) + 2 * (x >> 1)
                        : layout.offset(1) + (y >> 1) * layout.stride(1) + (x >> 1);
                int cv = nv12 ? cu + 1 : layout.offset(2) + (y >> 1) * layout.stride(2) + (x >> 1);
                int u = (src[cu] & 0xFF) - 128;
                int v = (src[cv] & 0xFF) - 128;
                int o = 3 * (y * w + x);
                dst[o] = clamp((yy + 104597 * v) >> 16);
                dst[o + 1] = clamp((yy - 25675 * u - 53279 * v) >> 16);
                dst[o + 2] = clamp((yy + 132201 * u) >> 16);
            }
        }
        return dst;
    }

    private static byte clamp(int v) {
        return (byte) (v < 0 ? 0 : (v > 255 ? 255 : v));
    }
}

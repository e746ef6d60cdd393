package io.segstream.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segstream.schemas.v1.PixelFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class PixelLayoutTest {
    @Test
    void computesPackedSizesIncludingOddDimensions() {
        assertEquals(460800, PixelLayout.packed(PixelFormat.PIXEL_FORMAT_I420, 640, 480).totalBytes());
        assertEquals(5 * 3 + 2 * (3 * 2), PixelLayout.packed(PixelFormat.PIXEL_FORMAT_I420, 5, 3).totalBytes());
        assertEquals(5 * 3 + 6 * 2, PixelLayout.packed(PixelFormat.PIXEL_FORMAT_NV12, 5, 3).totalBytes());
        assertEquals(921600, PixelLayout.packed(PixelFormat.PIXEL_FORMAT_RGB24, 640, 480).totalBytes());
        assertEquals(307200, PixelLayout.packed(PixelFormat.PIXEL_FORMAT_GRAY8, 640, 480).totalBytes());
    }

    @Test
    void honoursStrides() {
        PixelLayout layout = PixelLayout.of(PixelFormat.PIXEL_FORMAT_I420, 6, 4, List.of(8, 4, 4));
        assertEquals(8 * 4 + 4 * 2 * 2, layout.totalBytes());
        assertEquals(32, layout.offset(1));
        assertEquals(40, layout.offset(2));
    }

    @Test
    void namesTheMismatchInItsMessage() {
        PixelLayout layout = PixelLayout.packed(PixelFormat.PIXEL_FORMAT_I420, 640, 480);
        CodecException e = assertThrows(CodecException.class, () -> layout.checkLength(921600, "frame 42 of camera cam-1"));
        assertEquals("frame 42 of camera cam-1: 921600 bytes for 640x480 I420, expected 460800", e.getMessage());
    }

    @Test
    void rejectsUnknownFormatsAbsurdSizesAndShortStrides() {
        assertThrows(CodecException.class, () -> PixelLayout.packed(PixelFormat.PIXEL_FORMAT_UNSPECIFIED, 4, 4));
        assertThrows(CodecException.class, () -> PixelLayout.packed(PixelFormat.UNRECOGNIZED, 4, 4));
        assertThrows(CodecException.class, () -> PixelLayout.packed(PixelFormat.PIXEL_FORMAT_RGB24, 100000, 4));
        assertThrows(CodecException.class, () -> PixelLayout.packed(PixelFormat.PIXEL_FORMAT_RGB24, -1, 4));
        assertThrows(CodecException.class, () -> PixelLayout.of(PixelFormat.PIXEL_FORMAT_GRAY8, 8, 2, List.of(4)));
        assertThrows(CodecException.class, () -> PixelLayout.of(PixelFormat.PIXEL_FORMAT_I420, 8, 2, List.of(8)));
    }
}

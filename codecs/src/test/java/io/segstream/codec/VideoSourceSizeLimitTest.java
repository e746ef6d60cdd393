package io.segstream.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.schemas.v1.PixelFormat;
import io.segstream.testdata.TestData;
import org.junit.jupiter.api.Test;

/** Ingest's size limit: FFmpeg's scaler brings a source's frames down to a long side, aspect kept. */
class VideoSourceSizeLimitTest {
    private static String vtest() {
        return TestData.dir().resolve("videos/vtest.avi").toString();
    }

    @Test
    void limitsTheLongSideKeepingTheAspectWithEvenSides() {
        assertArrayEquals(new int[] {640, 360}, VideoSource.limited(1280, 720, 640));
        assertArrayEquals(new int[] {640, 360}, VideoSource.limited(1920, 1080, 640));
        assertArrayEquals(new int[] {640, 360}, VideoSource.limited(1279, 719, 640));
        assertArrayEquals(new int[] {360, 640}, VideoSource.limited(720, 1280, 640));
        assertArrayEquals(new int[] {1279, 719}, VideoSource.limited(1279, 719, 1280), "a frame that fits is kept");
        assertArrayEquals(new int[] {1279, 719}, VideoSource.limited(1279, 719, 0), "0: no limit");
        assertArrayEquals(new int[] {16, 2}, VideoSource.limited(4000, 10, 16), "never below 2 pixels");
    }

    @Test
    void deliversScaledFramesOfARealClipAndSaysTheSourceSize() {
        long fullLuma = 0;
        long scaledLuma = 0;
        try (VideoSource full = VideoSource.open(vtest(), PixelFormat.PIXEL_FORMAT_I420);
                VideoSource scaled = VideoSource.open(vtest(), PixelFormat.PIXEL_FORMAT_I420, 240)) {
            assertEquals(240, scaled.width());
            assertEquals(180, scaled.height());
            assertEquals(480, scaled.sourceWidth());
            assertEquals(360, scaled.sourceHeight());
            for (int i = 0; i < 5; i++) {
                DecodedFrame big = full.next();
                DecodedFrame small = scaled.next();
                assertEquals(240, small.width());
                assertEquals(180, small.height());
                assertEquals(240 * 180 * 3 / 2, small.data().length, "packed I420 at the scaled size");
                assertEquals(big.ptsUs(), small.ptsUs());
                fullLuma += lumaSum(big) / 4; // a quarter of the pixels
                scaledLuma += lumaSum(small);
            }
        }
        double difference = Math.abs(fullLuma - scaledLuma) / (5.0 * 240 * 180);
        assertTrue(difference < 2, "mean brightness kept by the scaler, off by " + difference + " levels");
    }

    @Test
    void deliversASourceThatFitsAsDecoded() {
        try (VideoSource video = VideoSource.open(vtest(), PixelFormat.PIXEL_FORMAT_I420, 640)) {
            DecodedFrame frame = video.next();
            assertEquals(480, frame.width());
            assertEquals(360, frame.height());
            assertEquals(480, video.sourceWidth());
        }
    }

    /** A file replayed as a camera that goes on: rewound mid-clip, it starts again at its first frame, still scaled. */
    @Test
    void rewindStartsAgainAtTheFirstFrameAtTheLimitedSize() {
        try (VideoSource video = VideoSource.open(vtest(), PixelFormat.PIXEL_FORMAT_I420, 240)) {
            DecodedFrame first = video.next();
            DecodedFrame later = null;
            for (int i = 0; i < 10; i++) {
                later = video.next();
            }
            assertTrue(later.ptsUs() > first.ptsUs());
            video.rewind();
            DecodedFrame again = video.next();
            assertEquals(first.ptsUs(), again.ptsUs());
            assertEquals(240, again.width());
            assertEquals(180, again.height());
            assertArrayEquals(first.data(), again.data(), "the same picture as the first time");
        }
    }

    @Test
    void refusesALimitTooSmallToSegment() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VideoSource.open(vtest(), PixelFormat.PIXEL_FORMAT_I420, 8));
        assertTrue(e.getMessage().contains("at least 16"), e.getMessage());
    }

    private static long lumaSum(DecodedFrame frame) {
        long sum = 0;
        for (int i = 0; i < frame.width() * frame.height(); i++) {
            sum += frame.data()[i] & 0xFF;
        }
        return sum;
    }
}

package io.segstream.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.segstream.schemas.v1.Frame;
import io.segstream.schemas.v1.Mask;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Which mask the overlay draws on a frame: its own, else the camera's latest earlier one within the hold. */
class OverlayMaskChoiceTest {
    private static final long FRAME_US = 40_000;

    private static Frame frame(long sequence) {
        return Frame.newBuilder().setSequence(sequence).setCaptureTimeUs(1_000_000_000L + sequence * FRAME_US).build();
    }

    private static Mask mask(long sequence) {
        return Mask.newBuilder().setSequence(sequence).setCaptureTimeUs(frame(sequence).getCaptureTimeUs()).build();
    }

    private static NavigableMap<Long, Mask> segmented(long... sequences) {
        NavigableMap<Long, Mask> masks = new TreeMap<>();
        for (long s : sequences) {
            masks.put(s, mask(s));
        }
        return masks;
    }

    @Test
    void aFrameWithItsOwnMaskIsDrawnWithIt() {
        assertEquals(10, OverlayExporter.maskFor(frame(10), segmented(0, 10, 20)).getSequence());
    }

    @Test
    void aSkippedFrameIsDrawnWithTheCamerasLatestEarlierMask() {
        NavigableMap<Long, Mask> masks = segmented(0, 10, 20);
        assertEquals(10, OverlayExporter.maskFor(frame(11), masks).getSequence());
        assertEquals(10, OverlayExporter.maskFor(frame(19), masks).getSequence(), "never a later frame's mask");
    }

    @Test
    void framesBeforeTheFirstMaskOrLongAfterTheLastHaveNone() {
        NavigableMap<Long, Mask> masks = segmented(5, 100);
        assertNull(OverlayExporter.maskFor(frame(4), masks), "not processed yet");
        long hold = OverlayExporter.HOLD_MASK.toNanos() / 1000 / FRAME_US; // 50 frames
        assertEquals(5, OverlayExporter.maskFor(frame(5 + hold), masks).getSequence(), "2 s after: still drawn");
        assertNull(OverlayExporter.maskFor(frame(5 + hold + 1), masks), "older than the hold: a gap, not drawn");
    }

    @Test
    void aMaskCapturedAfterTheFrameIsNotHeldOver() {
        NavigableMap<Long, Mask> masks = new TreeMap<>();
        masks.put(3L, Mask.newBuilder().setSequence(3).setCaptureTimeUs(frame(9).getCaptureTimeUs()).build());
        assertNull(OverlayExporter.maskFor(frame(4), masks), "a restarted camera's clock: the times disagree");
    }
}

package io.segstream.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.MaskStatus;
import io.segstream.schemas.v1.Timings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The latency and rate figures a live run reports, whole and without its start-up. */
class MaskTallyTest {
    private static final long START_US = 1_700_000_000_000_000L;
    private static final long FRAME_US = 40_000; // 25 frames/s

    private static Mask mask(long sequence, boolean segmented, long latencyMs) {
        return Mask.newBuilder().setCameraId("cam").setSequence(sequence)
                .setCaptureTimeUs(START_US + sequence * FRAME_US)
                .setStatus(segmented ? MaskStatus.MASK_STATUS_OK : MaskStatus.MASK_STATUS_SKIPPED_SUPERSEDED)
                .setTimings(Timings.newBuilder().setEndToEndUs(latencyMs * 1000)).build();
    }

    /** 30 s of a camera: skips before frame 5, then every 10th frame segmented; 2 s each in the first 10 s, 0.5 s after. */
    private static MaskTally liveRun() {
        MaskTally tally = new MaskTally();
        for (long s = 0; s < 750; s++) {
            boolean segmented = s >= 5 && s % 10 == 5;
            tally.add(mask(s, segmented, s < 250 ? 2000 : 500));
        }
        return tally;
    }

    @Test
    void theWholeRunsP99IncludesTheStartUp() {
        assertEquals(2_000_000, liveRun().latencyPercentileUs(99));
    }

    @Test
    void afterTheStartUpOnlyLaterCapturesCount() {
        MaskTally tally = liveRun();
        assertEquals(500_000, tally.latencyPercentileUs(99, Duration.ofSeconds(10)));
        assertEquals(500_000, tally.latencyPercentileUs(50, Duration.ofSeconds(10)));
        // frames 255, 265, ..., 745: 50 segmented over 49 periods of 0.4 s
        assertEquals(2.5, tally.segmentedPerCaptureSecond(Duration.ofSeconds(10)), 1e-9);
        assertEquals(2.5, tally.segmentedPerCaptureSecond(Duration.ZERO), 1e-9);
    }

    @Test
    void theStartUpIsMeasuredFromTheFirstFrameAnsweredNotTheFirstSegmented() {
        MaskTally tally = new MaskTally();
        tally.add(mask(0, false, 0));
        tally.add(mask(200, true, 3000)); // 8 s after the first frame answered: still start-up
        tally.add(mask(300, true, 700));
        tally.add(mask(310, true, 600));
        assertEquals(700_000, tally.latencyPercentileUs(99, Duration.ofSeconds(10)));
        assertEquals(2.5, tally.segmentedPerCaptureSecond(Duration.ofSeconds(10)), 1e-9);
    }

    @Test
    void tooFewSegmentedFramesGiveNoRate() {
        MaskTally tally = new MaskTally();
        tally.add(mask(0, true, 500));
        assertEquals(0, tally.segmentedPerCaptureSecond(Duration.ZERO));
        assertEquals(0, tally.latencyPercentileUs(99, Duration.ofSeconds(10)));
    }
}

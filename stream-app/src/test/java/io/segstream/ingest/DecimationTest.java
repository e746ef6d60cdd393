package io.segstream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.schemas.v1.PixelFormat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ingest's {@code --fps}: which decoded frames of a source are sent. */
class DecimationTest {
    /** Indices of the frames kept out of {@code n} with presentation times {@code ptsUs(i)}. */
    private static List<Integer> kept(FrameIngestor.Decimation decimation, long[] ptsUs) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < ptsUs.length; i++) {
            if (decimation.keep(ptsUs[i])) {
                kept.add(i);
            }
        }
        return kept;
    }

    private static long[] steady(int n, double fps, long jitterUs) {
        long[] pts = new long[n];
        for (int i = 0; i < n; i++) {
            pts[i] = Math.round(i * 1e6 / fps) + (i % 2 == 0 ? jitterUs : -jitterUs);
        }
        return pts;
    }

    @Test
    void keepsEveryFifthFrameOfA25FpsSourceAt5EvenWithJitteredTimestamps() {
        List<Integer> kept = kept(new FrameIngestor.Decimation(5, 25), steady(50, 25, 3_000));
        assertEquals(List.of(0, 5, 10, 15, 20, 25, 30, 35, 40, 45), kept);
    }

    @Test
    void keepsTheRequestedRateOnAverageWhenItDoesNotDivideTheSourceRate() {
        List<Integer> kept = kept(new FrameIngestor.Decimation(10, 25), steady(250, 25, 0));
        assertEquals(100, kept.size(), "10 s of a 25 frames/s source at --fps 10");
        for (int i = 1; i < kept.size(); i++) {
            int step = kept.get(i) - kept.get(i - 1);
            assertTrue(step == 2 || step == 3, "frames kept 2 or 3 source frames apart, was " + step);
        }
    }

    @Test
    void sendsEveryFrameWhenTheRateIsNotBelowTheSources() {
        assertEquals(30, kept(new FrameIngestor.Decimation(25, 25), steady(30, 25, 0)).size());
        assertEquals(30, kept(new FrameIngestor.Decimation(50, 25), steady(30, 25, 0)).size());
        assertEquals(30, kept(new FrameIngestor.Decimation(0, 25), steady(30, 25, 0)).size());
    }

    @Test
    void restartsItsCadenceAfterAGapOrTimestampsThatGoBack() {
        FrameIngestor.Decimation decimation = new FrameIngestor.Decimation(5, 25);
        long[] pts = {0, 40_000, 200_000, 5_000_000, 5_040_000, 5_200_000, 1_000, 41_000, 201_000};
        assertEquals(List.of(0, 2, 3, 5, 6, 8), kept(decimation, pts));
    }

    @Test
    void decimatesAnUnknownRateSourceByTimestampsAlone() {
        assertEquals(List.of(0, 5, 10), kept(new FrameIngestor.Decimation(5, 0), steady(15, 25, 0)));
    }

    @Test
    void refusesARateThatIsNotAbove0() {
        for (double fps : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FrameIngestor.Options(
                    "clip.mp4", "cam", PixelFormat.PIXEL_FORMAT_I420, false, 10, 0, fps));
            assertTrue(e.getMessage().contains("--fps"), e.getMessage());
        }
    }

    private static long replayed(FrameIngestor.Replay replay, long ptsUs) {
        return replay.shifted(new io.segstream.codec.DecodedFrame(2, 2, PixelFormat.PIXEL_FORMAT_I420, new byte[6],
                ptsUs)).ptsUs();
    }

    /** ingest --loop: each pass goes on one frame interval after the last, so pacing and --fps run on unbroken. */
    @Test
    void aReplayedSourceGoesOnOneFrameAfterItsLastFrame() {
        FrameIngestor.Replay replay = new FrameIngestor.Replay(25);
        List<Long> pts = new ArrayList<>();
        for (int pass = 0; pass < 3; pass++) {
            for (int i = 0; i < 3; i++) {
                pts.add(replayed(replay, 80_000 + i * 40_000L)); // a file whose first frame is at 80 ms
            }
            assertTrue(replay.rewind());
        }
        assertEquals(List.of(80_000L, 120_000L, 160_000L, 200_000L, 240_000L, 280_000L, 320_000L, 360_000L, 400_000L),
                pts);
        FrameIngestor.Decimation decimation = new FrameIngestor.Decimation(12.5, 25);
        assertEquals(List.of(0, 2, 4, 6, 8), kept(decimation, pts.stream().mapToLong(Long::longValue).toArray()),
                "decimation keeps its cadence across the seams");
    }

    /**
     * vtest_720p.avi as FFmpeg decodes it: it declares 50 frames/s, its frames are 40 ms apart, and
     * the last (flushed from the decoder) has time 0. The next pass still goes on 40 ms after 13.6 s.
     */
    @Test
    void aMisstatedRateAndAFlushedFrameWithoutATimeDoNotMoveTheNextPass() {
        FrameIngestor.Replay replay = new FrameIngestor.Replay(50);
        for (int i = 1; i <= 340; i++) {
            replayed(replay, i * 40_000L);
        }
        replayed(replay, 0);
        replay.rewind();
        assertEquals(13_640_000, replayed(replay, 40_000));
        assertEquals(13_680_000, replayed(replay, 80_000));
    }

    @Test
    void withoutAKnownRateAReplayStepsByTheLastIntervalSeen() {
        FrameIngestor.Replay replay = new FrameIngestor.Replay(0);
        replayed(replay, 0);
        replayed(replay, 100_000);
        replay.rewind();
        assertEquals(200_000, replayed(replay, 0));
    }

    @Test
    void anEmptySourceIsNotReplayedForEver() {
        FrameIngestor.Replay replay = new FrameIngestor.Replay(25);
        replayed(replay, 0);
        assertTrue(replay.rewind());
        assertEquals(false, replay.rewind(), "a pass without a frame ends the replay");
    }
}

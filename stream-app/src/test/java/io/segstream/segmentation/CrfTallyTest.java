package io.segstream.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.crf.CrfRefiner;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CRF outcomes folded into the figures segment, eval, the metrics and the masks' readers report. */
class CrfTallyTest {
    private static CrfRefiner.Outcome outcome(final int iterations, final boolean warm, final String coldReason,
            final float changedShare) {
        return new CrfRefiner.Outcome(iterations, warm, coldReason, 0.01f, Float.NaN, warm, changedShare, null);
    }

    @Test
    void shouldReportZeroesBeforeTheFirstFrame() {
        final CrfTally tally = new CrfTally();
        assertEquals(0, tally.frames());
        assertEquals(0, tally.warmShare());
        assertEquals(0, tally.meanIterations());
        assertEquals(0, tally.meanChangedShare());
        assertEquals(Map.of(), tally.coldStartReasons());
    }

    @Test
    void shouldFoldOutcomesIntoSharesMeansAndColdStartReasons() {
        final CrfTally tally = new CrfTally();
        tally.add(outcome(5, false, "first frame", 0.04f));
        tally.add(outcome(2, true, "", 0.01f));
        tally.add(outcome(3, true, "", 0.01f));
        tally.add(outcome(6, false, "scene cut", 0.02f));

        assertEquals(4, tally.frames());
        assertEquals(2, tally.warmFrames());
        assertEquals(0.5, tally.warmShare());
        assertEquals(4.0, tally.meanIterations());
        assertEquals(0.02, tally.meanChangedShare(), 1e-7);
        assertEquals(Map.of("first frame", 1L, "scene cut", 1L), tally.coldStartReasons());
    }

    @Test
    void shouldCountAMasksStatisticsAsItsOutcome() {
        final CrfTally fromOutcomes = new CrfTally();
        final CrfTally fromMasks = new CrfTally();
        fromOutcomes.add(outcome(5, false, "first frame", 0.04f));
        fromOutcomes.add(outcome(2, true, "", 0.01f));
        fromMasks.add(5, false, 0.04f, "first frame");
        fromMasks.add(2, true, 0.01f, "");

        assertEquals(fromOutcomes.frames(), fromMasks.frames());
        assertEquals(fromOutcomes.warmShare(), fromMasks.warmShare());
        assertEquals(fromOutcomes.meanIterations(), fromMasks.meanIterations());
        assertEquals(fromOutcomes.meanChangedShare(), fromMasks.meanChangedShare());
        assertEquals(fromOutcomes.coldStartReasons(), fromMasks.coldStartReasons());
    }
}

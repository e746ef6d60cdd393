package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class InputPlannerTest {
    @Test
    void tilesCoverTheFrameWithAtLeastTheMinimumOverlap() {
        assertArrayEquals(new int[] {0, 223}, InputPlanner.starts(480, 257));
        assertArrayEquals(new int[] {0}, InputPlanner.starts(257, 257));
        int[] wide = InputPlanner.starts(1280, 257);
        assertEquals(1280 - 257, wide[wide.length - 1]);
        for (int i = 1; i < wide.length; i++) {
            int overlap = wide[i - 1] + 257 - wide[i];
            assertEquals(true, overlap >= InputPlanner.MIN_TILE_OVERLAP, "overlap " + overlap);
        }
    }

    @Test
    void letterboxKeepsAspectRatioCentred() {
        List<InputView> views = InputPlanner.plan(Fit.of(FitMode.LETTERBOX), 854, 480, 257, 257);
        InputView v = views.get(0);
        assertEquals(257.0, v.dw(), 1e-9);
        assertEquals(480 * 257.0 / 854, v.dh(), 1e-9);
        assertEquals((257 - v.dh()) / 2, v.dy(), 1e-9);
    }

    @Test
    void describesTheTileGrid() {
        List<InputView> views = InputPlanner.plan(Fit.of(FitMode.TILE), 640, 360, 257, 257);
        assertEquals("tile:3x2", InputPlanner.describe(Fit.of(FitMode.TILE), views));
        assertEquals(6, views.size());
    }
}

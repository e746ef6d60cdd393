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

    @Test
    void zoomTilesCoverAHalfTileEachAndEnlargeItToTheModelInput() {
        // A 480x360 frame under a 513 model is one tile at native resolution; zoom 2 cuts it into tiles of
        // 257x257 frame pixels (overlapping by at least 32), each resized onto the 513x513 input.
        assertEquals(1, InputPlanner.plan(Fit.of(FitMode.TILE), 480, 360, 513, 513).size());
        List<InputView> views = InputPlanner.plan(new Fit(FitMode.ZOOM, 2.0), 480, 360, 513, 513);
        assertEquals("zoom:2x2", InputPlanner.describe(Fit.of(FitMode.ZOOM), views));
        for (InputView v : views) {
            assertEquals(257, v.sw());
            assertEquals(257, v.sh());
            assertEquals(513.0, v.dw(), 1e-9);
            assertEquals(0.0, v.dx(), 1e-9);
        }
        assertEquals(480 - 257, views.get(1).sx(), "the last column ends at the frame's edge");
        assertEquals(360 - 257, views.get(2).sy());
        assertEquals(12, InputPlanner.plan(new Fit(FitMode.ZOOM, 3.0), 480, 360, 513, 513).size(),
                "4x3 tiles of 171 pixels, 32 of them shared with each neighbour");
    }
}

package io.segstream.segmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SharedData;
import io.segstream.config.SegstreamConfig;
import io.segstream.inference.EngineChoice;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The processor's warm-up: real frames through the real model and CRF, cold then warm, on a path of its own. */
class WarmUpTest {
    @TempDir
    static Path work;
    static Path model;

    @BeforeAll
    static void importModel() throws Exception {
        model = SharedData.importModel(work.resolve("model"));
    }

    private static SegmenterOptions options(final String crf) {
        return SegmenterOptions.forModel(model).withEngine(EngineChoice.CPU).withThreads(2)
                .withCrf(new SegstreamConfig(Map.of(SegstreamConfig.CRF, crf))::crfSetup);
    }

    @Test
    void theFirstFrameStartsTheCrfColdAndTheOthersWarm() throws Exception {
        try (Segmenter segmenter = Segmenter.open(options("on"))) {
            final WarmUp.Result r = WarmUp.run(segmenter, 3);
            assertEquals(3, r.frameNanos().length);
            assertArrayEquals(new boolean[] {false, true, true}, r.warm(),
                    "one camera's consecutive frames: a cold start, then warm starts");
            for (long n : r.frameNanos()) {
                assertTrue(n > 0, "each frame is timed");
            }
            assertTrue(r.describe().startsWith("3 frames of 1280x720 in "), r.describe());
        }
    }

    @Test
    void withoutACrfNothingIsWarmStarted() throws Exception {
        try (Segmenter segmenter = Segmenter.open(options("off"))) {
            assertArrayEquals(new boolean[] {false}, WarmUp.run(segmenter, 1).warm());
        }
    }

    @Test
    void noFramesIsRefused() throws Exception {
        try (Segmenter segmenter = Segmenter.open(options("off"))) {
            assertThrows(IllegalArgumentException.class, () -> WarmUp.run(segmenter, 0));
        }
    }

    /** The blobs move a few pixels per frame over a still background, so the motion gate sees both. */
    @Test
    void theSceneMovesInPlaces() {
        final int luma = WarmUp.WIDTH * WarmUp.HEIGHT;
        final byte[] first = new byte[luma * 3 / 2];
        final byte[] second = new byte[luma * 3 / 2];
        WarmUp.scene(0, first);
        WarmUp.scene(1, second);
        int moved = 0;
        for (int p = 0; p < luma; p++) {
            if (Math.abs((first[p] & 0xFF) - (second[p] & 0xFF)) > 48) {
                moved++;
            }
        }
        assertTrue(moved > 100, "some pixels change by more than the motion gate's 48 levels: " + moved);
        assertTrue(moved < luma / 10, "most pixels stay: " + moved);
    }
}

package io.segstream.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The scores of {@code segstream eval} against values worked out by hand on small masks. */
class ConfusionMatrixTest {
    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    @Test
    void iouMeanIouAndPixelAccuracyOnSixPixels() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        // truth 0 0 1 1 255 2; predicted 0 1 1 1 0 2: the 255 is ignored
        m.add(b(0, 0, 1, 1, 255, 2), b(0, 1, 1, 1, 0, 2), 255);
        assertEquals(0.5, m.iou(0), 1e-12);          // 1 / (1 + 1 missed)
        assertEquals(2.0 / 3, m.iou(1), 1e-12);      // 2 / (2 + 1 false positive)
        assertEquals(1.0, m.iou(2), 1e-12);
        assertEquals((0.5 + 2.0 / 3 + 1.0) / 3, m.meanIou(), 1e-12);
        assertEquals(4.0 / 5, m.pixelAccuracy(), 1e-12);
    }

    @Test
    void meanIouIsOverClassesPresentInTheTruthOnly() {
        ConfusionMatrix m = new ConfusionMatrix(4);
        m.add(b(0, 0, 1, 1), b(0, 3, 1, 1), 255); // class 3 predicted, never true; class 2 absent
        assertEquals(0.5, m.iou(0), 1e-12);
        assertEquals(0.0, m.iou(3), 1e-12);
        assertTrue(Double.isNaN(m.iou(2)));
        assertEquals((0.5 + 1.0) / 2, m.meanIou(), 1e-12, "classes 2 and 3 are not in the truth");
    }

    @Test
    void oneMatrixOverAllPixelsIsNotTheMeanOfPerImageScores() {
        byte[] truthA = b(1, 1, 1, 1, 1, 1, 1, 0);
        byte[] predA = b(1, 1, 1, 1, 1, 1, 1, 1);
        byte[] truthB = b(0, 1);
        byte[] predB = b(0, 0);
        ConfusionMatrix pooled = new ConfusionMatrix(2);
        pooled.add(truthA, predA, 255);
        pooled.add(truthB, predB, 255);
        // pooled: (0,0)=1 (0,1)=1 (1,1)=7 (1,0)=1 -> IoU0 = 1/3, IoU1 = 7/9
        assertEquals((1.0 / 3 + 7.0 / 9) / 2, pooled.meanIou(), 1e-12);
        ConfusionMatrix a = new ConfusionMatrix(2);
        a.add(truthA, predA, 255);
        ConfusionMatrix bm = new ConfusionMatrix(2);
        bm.add(truthB, predB, 255);
        assertNotEquals((a.meanIou() + bm.meanIou()) / 2, pooled.meanIou(), 1e-3);
    }

    @Test
    void aReusedBufferLongerThanTheImageCountsOnlyItsPixels() {
        ConfusionMatrix m = new ConfusionMatrix(2);
        m.add(b(1, 1, 0, 0, 0), b(1, 0, 1, 1, 1), 2, 255);
        assertEquals(1, m.count(1, 1));
        assertEquals(1, m.count(1, 0));
        assertEquals(0, m.truthPixels(0));
    }
}

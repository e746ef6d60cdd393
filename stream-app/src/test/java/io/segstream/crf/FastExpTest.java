package io.segstream.crf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FastExpTest {
    @Test
    void matchesMathExpWithinFivePartsInAMillionOverTheSoftmaxRange() {
        double worst = 0;
        for (float x = -87f; x <= 0f; x += 0.0173f) {
            double exact = Math.exp(x);
            worst = Math.max(worst, Math.abs(FastExp.exp(x) - exact) / exact);
        }
        for (float x : new float[] {0f, -0.5f, -1.5f, -1e-7f, -86.99f}) {
            worst = Math.max(worst, Math.abs(FastExp.exp(x) - Math.exp(x)) / Math.exp(x));
        }
        assertTrue(worst < 5e-6, "worst relative error " + worst);
        assertEquals(0f, FastExp.exp(-100f));
    }
}

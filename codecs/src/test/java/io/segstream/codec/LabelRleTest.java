package io.segstream.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LabelRleTest {
    @Test
    void encodesHandComputedRunsAcrossRowEnds() {
        byte[] labels = {0, 0, 0, 15, 15, 7};
        assertArrayEquals(new byte[] {0, 3, 15, 2, 7, 1}, LabelRle.encode(labels, 3, 2));
    }

    @Test
    void writesRunLengthsAsLeb128Varints() {
        byte[] labels = new byte[300];
        java.util.Arrays.fill(labels, (byte) 1);
        // 300 = 0b10_0101100: low group 44 with the continuation bit (0xAC), then 2.
        assertArrayEquals(new byte[] {1, (byte) 0xAC, 0x02}, LabelRle.encode(labels, 20, 15));
    }

    @Test
    void roundTripsRandomAndBlockyLabelMaps() {
        Random random = new Random(42);
        for (int trial = 0; trial < 50; trial++) {
            int w = 1 + random.nextInt(90);
            int h = 1 + random.nextInt(70);
            byte[] labels = new byte[w * h];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = trial % 2 == 0 ? (byte) random.nextInt(256) : (byte) ((i / 37) % 21);
            }
            assertArrayEquals(labels, LabelRle.decode(LabelRle.encode(labels, w, h), w, h));
        }
    }

    @Test
    void rejectsTruncatedData() {
        byte[] data = LabelRle.encode(new byte[] {3, 3, 4, 4}, 2, 2);
        byte[] cut = java.util.Arrays.copyOf(data, data.length - 2);
        CodecException e = assertThrows(CodecException.class, () -> LabelRle.decode(cut, 2, 2));
        assertTrue(e.getMessage().contains("covers 2 of the 4 pixels"), e.getMessage());
        byte[] midVarint = {1, (byte) 0x80};
        assertThrows(CodecException.class, () -> LabelRle.decode(midVarint, 2, 2));
    }

    @Test
    void rejectsRunsThatOverflowTheMask() {
        CodecException e = assertThrows(CodecException.class, () -> LabelRle.decode(new byte[] {1, 5}, 2, 2));
        assertTrue(e.getMessage().contains("overflow"), e.getMessage());
    }

    @Test
    void rejectsZeroLengthRunsAndOverlongVarints() {
        assertThrows(CodecException.class, () -> LabelRle.decode(new byte[] {1, 0, 1, 4}, 2, 2));
        byte[] overlong = {1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1};
        assertThrows(CodecException.class, () -> LabelRle.decode(overlong, 2, 2));
    }

    @Test
    void rejectsWrongSizes() {
        assertThrows(CodecException.class, () -> LabelRle.encode(new byte[5], 3, 2));
        assertThrows(CodecException.class, () -> LabelRle.decode(new byte[] {0, 4}, 0, 4));
        assertThrows(CodecException.class, () -> LabelRle.decode(new byte[] {0, 4}, 2, 2, new byte[3]));
    }
}

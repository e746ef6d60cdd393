package io.segstream.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CocoRleTest {
    @Test
    void runsGoDownColumnsStartingWithZeros() {
        // rows: 0 1 1 / 0 1 0 -> column-major 0,0, 1,1, 1,0 -> runs [2, 3, 1]
        byte[] labels = {0, 1, 1, 0, 1, 0};
        assertEquals("231", CocoRle.encode(labels, 3, 2, 1));
        // class 0 starts "on": an empty first run of zeros
        assertArrayEquals(new long[] {0, 2, 3, 1}, CocoRle.decodeCounts(CocoRle.encode(labels, 3, 2, 0)));
    }

    @Test
    void decodesHandComputedCompressedString() {
        // counts [5, 40, 100, 7]: "5"; 40 -> 8|0x20 then 1 -> "X1"; 100 -> 4|0x20 then 3 -> "T3";
        // 7 is stored as 7 - 40 = -33 -> 31|0x20 then 30 (sign bit 0x10 set) -> "oN".
        assertArrayEquals(new long[] {5, 40, 100, 7}, CocoRle.decodeCounts("5X1T3oN"));
        byte[] labels = new byte[152];
        java.util.Arrays.fill(labels, 5, 45, (byte) 9);
        java.util.Arrays.fill(labels, 145, 152, (byte) 9);
        // one column of 152 pixels: column-major equals row-major
        assertEquals("5X1T3oN", CocoRle.encode(labels, 1, 152, 9));
    }

    @Test
    void roundTripsRandomMasks() {
        Random random = new Random(7);
        for (int trial = 0; trial < 40; trial++) {
            int w = 1 + random.nextInt(60);
            int h = 1 + random.nextInt(60);
            byte[] labels = new byte[w * h];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = (byte) (random.nextInt(10) < 3 ? 15 : (trial % 3 == 0 ? random.nextInt(3) : 0));
            }
            byte[] mask = CocoRle.decode(CocoRle.encode(labels, w, h, 15), w, h);
            for (int i = 0; i < labels.length; i++) {
                assertEquals(labels[i] == 15 ? 1 : 0, mask[i], "pixel " + i + " of trial " + trial);
            }
        }
    }

    @Test
    void rejectsCountsThatDoNotCoverTheMask() {
        assertThrows(CodecException.class, () -> CocoRle.decode("231", 3, 3));
        assertThrows(CodecException.class, () -> CocoRle.decode("9", 2, 2));
        assertThrows(CodecException.class, () -> CocoRle.decode("X", 2, 2)); // continuation with nothing after
        assertThrows(CodecException.class, () -> CocoRle.decode("2 1", 3, 1)); // ' ' is below the alphabet
    }
}

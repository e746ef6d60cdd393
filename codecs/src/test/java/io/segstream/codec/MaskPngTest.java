package io.segstream.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segstream.testdata.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MaskPngTest {
    @Test
    void roundTripsClassIndicesAsGreyLevels() {
        byte[] labels = new byte[7 * 5];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) (i % 21);
        }
        LabelMap decoded = MaskPng.decode(MaskPng.encode(labels, 7, 5));
        assertEquals(7, decoded.width());
        assertEquals(5, decoded.height());
        assertArrayEquals(labels, decoded.labels());
    }

    @Test
    void readsPaletteIndicesOfRealVocMasks() throws Exception {
        Path png = TestData.dir().resolve("voc-sample/SegmentationClass/2007_000032.png");
        LabelMap map = MaskPng.decode(Files.readAllBytes(png));
        int[] histogram = new int[256];
        for (byte b : map.labels()) {
            histogram[b & 0xFF]++;
        }
        // 2007_000032 shows aeroplanes (1) and people (15) on background, with void (255) outlines.
        assertEquals(true, histogram[0] > 0 && histogram[1] > 0 && histogram[15] > 0 && histogram[255] > 0);
        for (int c = 2; c < 255; c++) {
            if (c != 15) {
                assertEquals(0, histogram[c], "class " + c);
            }
        }
    }

    @Test
    void rejectsBytesThatAreNotAnImage() {
        assertThrows(CodecException.class, () -> MaskPng.decode(new byte[] {1, 2, 3}));
    }
}

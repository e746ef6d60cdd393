package io.segstream.model;

import java.util.ArrayList;
import java.util.List;

/** Class colour tables. */
public final class Palettes {
    private Palettes() {}

    /**
     * PASCAL VOC's colour map: the bits of the class index spread over R, G and B from the most
     * significant bit down (the devkit's labelcolormap), so class 15 (person) is #C08080.
     */
    public static List<String> pascalVoc(int classes) {
        List<String> out = new ArrayList<>(classes);
        for (int i = 0; i < classes; i++) {
            int r = 0;
            int g = 0;
            int b = 0;
            int c = i;
            for (int bit = 7; bit >= 0; bit--) {
                r |= (c & 1) << bit;
                g |= ((c >> 1) & 1) << bit;
                b |= ((c >> 2) & 1) << bit;
                c >>= 3;
            }
            out.add(String.format("#%02X%02X%02X", r, g, b));
        }
        return out;
    }
}

package io.segstream.model;

import java.util.ArrayList;
import java.util.List;

/** Class tables and colour tables of the datasets the known models were trained on. */
public final class Palettes {
    private Palettes() {}

    /** Cityscapes' 19 evaluation classes in trainId order, as its DeepLab models output them. */
    public static final List<String> CITYSCAPES_CLASSES = List.of("road", "sidewalk", "building", "wall", "fence",
            "pole", "traffic light", "traffic sign", "vegetation", "terrain", "sky", "person", "rider", "car", "truck",
            "bus", "train", "motorcycle", "bicycle");

    /** Cityscapes' own colours for its 19 trainIds (cityscapesScripts, labels.py). */
    public static List<String> cityscapes() {
        return List.of("#804080", "#F423E8", "#464646", "#66669C", "#BE9999", "#999999", "#FAAA1E", "#DCDC00",
                "#6B8E23", "#98FB98", "#4682B4", "#DC143C", "#FF0000", "#00008E", "#000046", "#003C64", "#005064",
                "#0000E6", "#770B20");
    }

    /**
     * VOC's colours for display: the devkit's map ({@link #pascalVoc}) except for the classes a
     * camera sees most, whose devkit colours vanish in an overlay: person's #C08080 is a pale pink
     * over skin and pavement, car's #808080 is grey on grey cars and roads. They take vivid ones
     * (person Cityscapes' crimson, car dodger blue, bus orange, bicycle green, motorbike magenta),
     * which stand out on the sample clips.
     */
    public static List<String> pascalVocForDisplay(int classes) {
        List<String> palette = new ArrayList<>(pascalVoc(classes));
        if (classes == 21) {
            palette.set(15, "#DC143C"); // person
            palette.set(7, "#1E90FF");  // car
            palette.set(6, "#FFA500");  // bus
            palette.set(2, "#00C800");  // bicycle
            palette.set(14, "#FF00FF"); // motorbike
        }
        return palette;
    }

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

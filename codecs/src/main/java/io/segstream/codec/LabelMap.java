package io.segstream.codec;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/** A width x height map of 8-bit class indices, row-major. */
public record LabelMap(int width, int height, byte[] labels) {
    public LabelMap {
        if (labels.length < width * height) {
            throw new CodecException(labels.length + " labels for a " + width + "x" + height + " map");
        }
    }

    /** Class index at (x, y), 0..255. */
    public int get(int x, int y) {
        return labels[y * width + x] & 0xFF;
    }

    /** Reads band 0 of the raster: the class index of palette and greyscale images alike. */
    public static LabelMap fromRaster(BufferedImage image) {
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] labels = new byte[w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                labels[y * w + x] = (byte) row[x];
            }
        }
        return new LabelMap(w, h, labels);
    }
}

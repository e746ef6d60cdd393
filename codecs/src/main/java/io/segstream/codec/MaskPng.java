package io.segstream.codec;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * A label map as an 8-bit greyscale PNG whose pixel value is the class index (the Mask's PNG
 * encoding, and what {@code segstream segment} writes). Uses the JDK's ImageIO PNG codec.
 */
public final class MaskPng {
    private MaskPng() {}

    public static byte[] encode(byte[] labels, int width, int height) {
        BufferedImage image = toImage(labels, width, height);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A TYPE_BYTE_GRAY image over a copy of the labels. */
    public static BufferedImage toImage(byte[] labels, int width, int height) {
        int n = LabelRle.checkedPixels(width, height);
        if (labels.length < n) {
            throw new CodecException(labels.length + " labels for a " + width + "x" + height + " mask, expected " + n);
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        System.arraycopy(labels, 0, pixels, 0, n);
        return image;
    }

    /**
     * Decodes a PNG of class indices (greyscale or palette: the raster index, not the colour, as
     * PASCAL VOC's masks need).
     */
    public static LabelMap decode(byte[] png) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new CodecException("mask PNG does not decode: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new CodecException("mask bytes are not a PNG image (" + png.length + " bytes)");
        }
        return LabelMap.fromRaster(image);
    }
}

package io.segstream.codec;

/**
 * An 8-bit RGB image: interleaved R,G,B bytes, row-major, stride 3 x width. The buffer is owned
 * by the image and reused when it is reshaped to a size that fits (no allocation per frame of
 * an unchanged size).
 */
public final class RgbImage {
    private int width;
    private int height;
    private byte[] data;

    public RgbImage(int width, int height) {
        this.data = new byte[0];
        reshape(width, height);
    }

    /** Wraps existing interleaved RGB bytes (not copied). */
    public RgbImage(int width, int height, byte[] rgb) {
        if (rgb.length < 3 * width * height) {
            throw new CodecException(rgb.length + " bytes for a " + width + "x" + height + " RGB image, expected "
                    + 3 * width * height);
        }
        this.width = width;
        this.height = height;
        this.data = rgb;
    }

    /** Sets the size, growing the buffer only when it is too small. */
    public RgbImage reshape(int newWidth, int newHeight) {
        int needed = 3 * newWidth * newHeight;
        if (data.length < needed) {
            data = new byte[needed];
        }
        width = newWidth;
        height = newHeight;
        return this;
    }

    public int width() { return width; }
    public int height() { return height; }
    /** Interleaved RGB, at least 3 x width x height bytes. */
    public byte[] data() { return data; }

    /** Channel c (0 R, 1 G, 2 B) of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return data[3 * (y * width + x) + c] & 0xFF;
    }
}

package io.segstream.codec;

import io.segstream.schemas.v1.PixelFormat;
import java.util.List;

/**
 * Where each plane of a frame lies in its byte array: plane offsets, row strides and the total
 * size a frame of this format and size must have. Built once per frame size and checked against
 * the bytes before any conversion reads them ("validate at the edge").
 */
public final class PixelLayout {
    /** Largest width or height accepted: 16K video. Anything above is treated as a corrupt header. */
    public static final int MAX_DIMENSION = 16384;

    private final PixelFormat format;
    private final int width;
    private final int height;
    private final int[] strides;
    private final int[] offsets;
    private final long totalBytes;

    private PixelLayout(PixelFormat format, int width, int height, int[] strides, int[] offsets, long totalBytes) {
        this.format = format;
        this.width = width;
        this.height = height;
        this.strides = strides;
        this.offsets = offsets;
        this.totalBytes = totalBytes;
    }

    /** Layout of a tightly packed frame. */
    public static PixelLayout packed(PixelFormat format, int width, int height) {
        return of(format, width, height, List.of());
    }

    /**
     * Layout of a frame with the given row strides (empty: tightly packed).
     *
     * @throws CodecException when the format is unknown, a dimension is out of range, or a stride
     *     is shorter than its plane's row
     */
    public static PixelLayout of(PixelFormat format, int width, int height, List<Integer> strides) {
        if (width <= 0 || height <= 0 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
            throw new CodecException("frame size " + Integer.toUnsignedString(width) + "x"
                    + Integer.toUnsignedString(height) + " is out of range (1.." + MAX_DIMENSION + " per side)");
        }
        int[] rowBytes = minimumRowBytes(format, width);
        int[] planeRows = planeRows(format, height);
        if (!strides.isEmpty() && strides.size() != rowBytes.length) {
            throw new CodecException(format + " has " + rowBytes.length + " planes but " + strides.size()
                    + " strides were given");
        }
        int[] actual = new int[rowBytes.length];
        int[] offsets = new int[rowBytes.length];
        long total = 0;
        for (int p = 0; p < rowBytes.length; p++) {
            actual[p] = strides.isEmpty() ? rowBytes[p] : strides.get(p);
            if (actual[p] < rowBytes[p]) {
                throw new CodecException("stride " + Integer.toUnsignedString(actual[p]) + " of plane " + p + " of "
                        + format + " " + width + "x" + height + " is shorter than its row of " + rowBytes[p] + " bytes");
            }
            offsets[p] = (int) Math.min(total, Integer.MAX_VALUE);
            total += (long) actual[p] * planeRows[p];
        }
        return new PixelLayout(format, width, height, actual, offsets, total);
    }

    private static int[] minimumRowBytes(PixelFormat format, int width) {
        int chroma = (width + 1) / 2;
        switch (format) {
            case PIXEL_FORMAT_I420: return new int[] {width, chroma, chroma};
            case PIXEL_FORMAT_NV12: return new int[] {width, 2 * chroma};
            case PIXEL_FORMAT_RGB24:
            case PIXEL_FORMAT_BGR24: return new int[] {3 * width};
            case PIXEL_FORMAT_GRAY8: return new int[] {width};
            default: throw new CodecException("unknown pixel format " + format);
        }
    }

    private static int[] planeRows(PixelFormat format, int height) {
        int chroma = (height + 1) / 2;
        switch (format) {
            case PIXEL_FORMAT_I420: return new int[] {height, chroma, chroma};
            case PIXEL_FORMAT_NV12: return new int[] {height, chroma};
            default: return new int[] {height};
        }
    }

    /** Throws unless {@code length} is exactly the size this layout implies. */
    public void checkLength(int length, String what) {
        if (length != totalBytes) {
            throw new CodecException(what + ": " + length + " bytes for " + width + "x" + height + " "
                    + shortName(format) + ", expected " + totalBytes);
        }
    }

    /** The format's name without the enum prefix, for messages: I420, NV12, RGB24... */
    public static String shortName(PixelFormat format) {
        return format.name().replace("PIXEL_FORMAT_", "");
    }

    public PixelFormat format() { return format; }
    public int width() { return width; }
    public int height() { return height; }
    public int planes() { return strides.length; }
    public int stride(int plane) { return strides[plane]; }
    public int offset(int plane) { return offsets[plane]; }
    public long totalBytes() { return totalBytes; }
}

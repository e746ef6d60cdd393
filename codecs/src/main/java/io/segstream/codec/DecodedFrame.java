package io.segstream.codec;

import io.segstream.schemas.v1.PixelFormat;

/**
 * One decoded picture, tightly packed in {@code format}; {@code ptsUs} is its presentation time
 * from the start of the stream.
 */
public record DecodedFrame(int width, int height, PixelFormat format, byte[] data, long ptsUs) {
    public PixelLayout layout() {
        return PixelLayout.packed(format, width, height);
    }
}

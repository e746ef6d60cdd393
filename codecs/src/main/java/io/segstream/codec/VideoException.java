package io.segstream.codec;

/** A video source or sink that FFmpeg could not open, decode or encode. */
public class VideoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VideoException(String message) {
        super(message);
    }

    public VideoException(String message, Throwable cause) {
        super(message, cause);
    }
}

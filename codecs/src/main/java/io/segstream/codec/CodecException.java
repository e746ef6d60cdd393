package io.segstream.codec;

/**
 * Bytes that do not decode to what they claim: wrong sizes, truncated data, runs that overflow
 * the frame. The message names the value that was wrong and what was expected.
 */
public class CodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}

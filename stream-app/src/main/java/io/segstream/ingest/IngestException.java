package io.segstream.ingest;

/** Frames could not be produced; the message says why and what to change. */
public final class IngestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IngestException(String message, Throwable cause) {
        super(message, cause);
    }
}

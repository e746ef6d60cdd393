package io.segstream.inference;

/** An engine that was asked for but cannot run here; the message says what is missing. */
public class EngineUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EngineUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

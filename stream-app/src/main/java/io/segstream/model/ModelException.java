package io.segstream.model;

/** A model that is missing, is not a model, or does not fit the pipeline; the message says which and why. */
public class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}

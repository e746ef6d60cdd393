package io.segstream.broker;

/** Kafka could not be reached or refused an operation; the message names the servers and the cause. */
public final class KafkaAccessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KafkaAccessException(String message, Throwable cause) {
        super(message, cause);
    }
}

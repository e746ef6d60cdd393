package io.segstream.broker;

/**
 * Kafka could not be reached in time, or refused what segstream asked; the message names the
 * servers, what was tried and the settings to check. {@link #kind()} tells the command line which
 * exit code to give.
 */
public final class KafkaAccessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, as far as the client can tell. */
    public enum Kind {
        /** No broker answered within the bound (down, wrong address, firewall, wrong protocol). */
        UNREACHABLE,
        /** The broker refused this client's user or password (SASL authentication failed). */
        AUTHENTICATION,
        /** The TLS handshake failed: the broker's certificate is not trusted, or does not match its name. */
        TLS,
        /** The user is known but not allowed what was asked (a missing ACL). */
        AUTHORIZATION,
        /** Anything else a broker reported (a topic that cannot be created, an operation that failed). */
        FAILED
    }

    private final Kind kind;

    public KafkaAccessException(String message, Throwable cause) {
        this(Kind.FAILED, message, cause);
    }

    public KafkaAccessException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}

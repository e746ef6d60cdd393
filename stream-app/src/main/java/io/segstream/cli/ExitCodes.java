package io.segstream.cli;

/** The exit codes of every verb, as README and {@code segstream --help} list them. */
final class ExitCodes {
    /** Done. */
    static final int OK = 0;
    /** A bad setting, input or file, named in the one line printed. */
    static final int ERROR = 1;
    /** The command line itself is wrong (unknown option, missing value): picocli's own code. */
    static final int USAGE = 2;
    /** Kafka did not answer within broker.timeout.ms, or failed an operation. */
    static final int KAFKA_UNAVAILABLE = 3;
    /** Kafka refused the credentials (SASL authentication failed). */
    static final int KAFKA_AUTHENTICATION = 4;
    /** The TLS handshake with Kafka failed (certificate not trusted, or not the broker's name). */
    static final int KAFKA_TLS = 5;
    /** Kafka did not authorise what the verb needs (a missing ACL). */
    static final int KAFKA_AUTHORIZATION = 6;
    /** A bug: the stack trace is printed (please report it). */
    static final int INTERNAL = 70;

    private ExitCodes() {}
}

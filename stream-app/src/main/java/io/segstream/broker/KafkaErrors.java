package io.segstream.broker;

import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Turns what a Kafka client threw into one {@link KafkaAccessException} whose message a user can
 * act on: the bootstrap servers, what segstream was doing, and the settings to check.
 */
public final class KafkaErrors {
    private KafkaErrors() {}

    /**
     * @param doing what segstream was doing, as a phrase ("listing topics", "reading masks")
     * @param failure what the client threw (an ExecutionException is unwrapped)
     */
    public static KafkaAccessException explain(String doing, Throwable failure, KafkaSettings kafka) {
        Throwable cause = failure instanceof ExecutionException && failure.getCause() != null
                ? failure.getCause() : failure;
        String servers = kafka.bootstrapServers();
        if (cause instanceof SslAuthenticationException) {
            String root = rootMessage(cause);
            String what = root.contains("PKIX") || root.contains("certification path") ? "certificate not trusted"
                    : "TLS failed";
            return new KafkaAccessException(KafkaAccessException.Kind.TLS, what + ": the TLS handshake with Kafka at "
                    + servers + " failed while " + doing + " ("
                    + root + "). Check ssl.truststore.location (does it hold the CA that signed the broker's "
                    + "certificate?) and ssl.endpoint.identification.algorithm", cause);
        }
        if (cause instanceof AuthenticationException) {
            return new KafkaAccessException(KafkaAccessException.Kind.AUTHENTICATION, "authentication failed: Kafka at "
                    + servers + " refused this client's credentials while " + doing + " (" + rootMessage(cause)
                    + "). Check sasl.mechanism and the user and password in sasl.jaas.config", cause);
        }
        if (cause instanceof AuthorizationException) {
            return new KafkaAccessException(KafkaAccessException.Kind.AUTHORIZATION, "not authorised: Kafka at "
                    + servers + " did not allow " + doing + " (" + rootMessage(cause) + "). Ask for the ACLs this "
                    + "user needs (README, \"Security\")", cause);
        }
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException
                || cause instanceof java.util.concurrent.TimeoutException) {
            return unreachable(doing, kafka, cause);
        }
        return new KafkaAccessException(KafkaAccessException.Kind.FAILED, "Kafka at " + servers + " failed while "
                + doing + ": " + rootMessage(cause), cause);
    }

    /** No broker answered while {@code doing}, within the bound. */
    public static KafkaAccessException unreachable(String doing, KafkaSettings kafka, Throwable cause) {
        return new KafkaAccessException(KafkaAccessException.Kind.UNREACHABLE, "no answer from Kafka at "
                + kafka.bootstrapServers() + " within " + kafka.brokerTimeout().toSeconds() + " s while " + doing
                + " (security.protocol " + kafka.securityProtocol() + "). Check that the brokers run and listen there "
                + "(-b/bootstrap.servers), and that security.protocol and sasl.mechanism match their listener; "
                + SegstreamConfig.BROKER_TIMEOUT_MS + " sets how long to wait", cause);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return root == t || t.getMessage() == null ? message : t.getMessage() + " (" + message + ")";
    }
}

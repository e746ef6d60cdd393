package io.segstream.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.apache.kafka.common.errors.AuthenticationException;
import org.slf4j.Marker;

/**
 * Keeps the Kafka client's own reports of a refused login or TLS handshake (a line from
 * NetworkClient, a stack trace from the admin client's metadata thread) out of the output, because
 * segstream turns the same failure into one line that names the cause and the settings to check
 * (logback.xml installs it). With the library log level at DEBUG they pass, as everything does.
 */
public final class KafkaRefusalFilter extends TurboFilter {
    private static final String KAFKA = "org.apache.kafka.";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == null || !level.isGreaterOrEqual(Level.WARN) || !logger.getName().startsWith(KAFKA)
                || logger.isDebugEnabled()) {
            return FilterReply.NEUTRAL;
        }
        boolean refused = format != null && format.contains("failed authentication due to");
        for (Throwable c = t; c != null && !refused; c = c.getCause() == c ? null : c.getCause()) {
            refused = c instanceof AuthenticationException;
        }
        return refused ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}

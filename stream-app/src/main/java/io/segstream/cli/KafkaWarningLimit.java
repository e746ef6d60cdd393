package io.segstream.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Rate-limits the Kafka client's connection warnings (logback.xml installs it). While a broker is
 * out of reach, NetworkClient warns on every reconnect attempt, about once a second per client;
 * here the first {@value #BURST} pass, then one per {@value #PERIOD_S} s with a count of the ones
 * held back, so that the one line that explains the failure is not buried. A quiet spell of
 * {@value #PERIOD_S} s starts a new burst.
 */
public final class KafkaWarningLimit extends TurboFilter {
    static final int BURST = 3;
    static final long PERIOD_S = 30;
    private static final String NETWORK_CLIENT = "org.apache.kafka.clients.NetworkClient";

    private final AtomicInteger passed = new AtomicInteger();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicLong nextAt = new AtomicLong();
    private final AtomicLong lastSeen = new AtomicLong(System.nanoTime() - TimeUnit.DAYS.toNanos(1));

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level != Level.WARN || !NETWORK_CLIENT.equals(logger.getName())) {
            return FilterReply.NEUTRAL;
        }
        long now = System.nanoTime();
        if (now - lastSeen.getAndSet(now) > TimeUnit.SECONDS.toNanos(PERIOD_S)) {
            passed.set(0); // a new outage: its first warnings pass again
        }
        if (passed.incrementAndGet() <= BURST) {
            nextAt.set(System.nanoTime() + TimeUnit.SECONDS.toNanos(PERIOD_S));
            return FilterReply.NEUTRAL;
        }
        long due = nextAt.get();
        if (now - due >= 0 && nextAt.compareAndSet(due, now + TimeUnit.SECONDS.toNanos(PERIOD_S))) {
            int count = held.getAndSet(0);
            if (count > 0) {
                LoggerFactory.getLogger(KafkaWarningLimit.class).warn(
                        "{} more Kafka connection warnings in the last {} s were held back", count, PERIOD_S);
            }
            return FilterReply.NEUTRAL;
        }
        held.incrementAndGet();
        return FilterReply.DENY;
    }
}

package io.segstream.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The state of one camera's source as {@code segstream ingest} sees it: frames sent, whether the
 * stream is up, for how long it has been down, drops survived and reconnection attempts made. A
 * camera that stays away shows as {@code segstream_ingest_stream_up 0} with a growing
 * {@code segstream_ingest_stream_down_seconds} and attempts that grow at the backoff's bounded
 * rate, so an alert needs no log parsing. Thread-safe; read at any time.
 */
public final class IngestMetrics {
    private final String camera;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong drops = new AtomicLong();
    private final AtomicLong attempts = new AtomicLong();
    /** System.nanoTime() when the stream went away; 0 while it is up. */
    private final AtomicLong downSince = new AtomicLong();

    public IngestMetrics(String camera) {
        this.camera = camera;
    }

    /** The total frames produced so far. */
    public void sent(long total) {
        sent.set(total);
    }

    /** The stream went away. */
    public void lost() {
        drops.incrementAndGet();
        downSince.set(Math.max(1, System.nanoTime()));
    }

    /** One attempt to open the lost stream again. */
    public void attempt() {
        attempts.incrementAndGet();
    }

    /** The stream is back. */
    public void back() {
        downSince.set(0);
    }

    public boolean up() {
        return downSince.get() == 0;
    }

    /** Seconds since the stream went away, 0 while it is up. */
    public double downSeconds() {
        long since = downSince.get();
        return since == 0 ? 0 : (System.nanoTime() - since) / 1e9;
    }

    public String camera() { return camera; }

    /** Publishes these under segstream_ingest_* names, tagged with the camera. */
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("segstream.ingest.frames", sent, AtomicLong::get).tag("camera", camera)
                .description("Frames produced to the frames topic").register(registry);
        Gauge.builder("segstream.ingest.stream.up", this, m -> m.up() ? 1 : 0).tag("camera", camera)
                .description("1 while the camera's source delivers, 0 while ingest is reconnecting").register(registry);
        Gauge.builder("segstream.ingest.stream.down.seconds", this, IngestMetrics::downSeconds).tag("camera", camera)
                .description("How long the camera's source has been away (0 while it is up)").register(registry);
        FunctionCounter.builder("segstream.ingest.stream.drops", drops, AtomicLong::get).tag("camera", camera)
                .description("Times the source ended or failed and ingest began reconnecting").register(registry);
        FunctionCounter.builder("segstream.ingest.reconnect.attempts", attempts, AtomicLong::get).tag("camera", camera)
                .description("Attempts to open a lost source again (at most one per ingest.reconnect.backoff.max.ms "
                        + "once the backoff has grown)").register(registry);
    }
}

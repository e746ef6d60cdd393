package io.segstream.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.segstream.codec.MaskLabels;
import io.segstream.config.SegstreamConfig;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.MaskStatus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor's series per camera, labelled {@code camera}: frames read, masks written, frames
 * skipped (by {@code reason}), dead letters whose key named the camera, end-to-end latency (a
 * histogram with a few fixed buckets, so that a camera costs a bounded number of lines per scrape)
 * and the age of the camera's last mask.
 *
 * <p>The number of camera label values is bounded ({@code metrics.max.cameras}): the first
 * {@code maxCameras} ids seen get series of their own, every later id is counted under
 * {@code camera="other"}, and the first such id is logged as a warning. A flood of camera ids (bad
 * keys, a misconfigured ingest) so costs at most {@code maxCameras + 1} cameras' meters in memory
 * and in every scrape. Series stay until the process ends: a camera that moves to another processor
 * keeps its (then constant) counters here, and its last-mask age grows; rules aggregate by camera.
 *
 * <p>Thread-safe and lock-free on the per-record path once a camera is known.
 */
public final class CameraMetrics {
    /** The bound's default, as the setting metrics.max.cameras declares it (config may not name metrics). */
    public static final int DEFAULT_MAX_CAMERAS = SegstreamConfig.DEFAULT_METRICS_MAX_CAMERAS;
    /** The label value of every camera beyond the bound. */
    public static final String OTHER = "other";
    /** The end-to-end latency histogram's bucket bounds; alerts' thresholds should be among them. */
    static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10)};
    private static final Logger LOG = LoggerFactory.getLogger(CameraMetrics.class);

    private final Map<String, Camera> cameras = new ConcurrentHashMap<>();
    private final LongAdder overflowRecords = new LongAdder();
    private volatile int maxCameras;
    private volatile MeterRegistry registry;
    private volatile Camera other;

    /** @param maxCameras the most camera label values, {@link #OTHER} not counted */
    public CameraMetrics(final int maxCameras) {
        limit(maxCameras);
    }

    /** Sets the bound; meant for start-up, before the first record (ids seen before keep their series). */
    public void limit(final int max) {
        if (max < 1) {
            throw new IllegalArgumentException("metrics.max.cameras must be at least 1, not " + max);
        }
        this.maxCameras = max;
    }

    /** A record was read from the frames topic with {@code camera} as its key (null: unknown, not counted). */
    public void frame(final String camera) {
        if (camera != null) {
            camera(camera).frames.increment();
        }
    }

    /** A record keyed {@code camera} went to the dead-letter topic (null key: unknown, not counted). */
    public void deadLetter(final String camera) {
        if (camera != null) {
            camera(camera).deadLetters.increment();
        }
    }

    /** A mask was handed to the producer: counted, its latency recorded, the camera's last-mask time reset. */
    public void mask(final Mask mask) {
        Camera c = camera(mask.getCameraId());
        c.masks.increment();
        c.lastMaskNanos.set(System.nanoTime());
        String reason = MaskLabels.skipReason(mask.getStatus());
        if (reason != null) {
            c.skipped(reason).increment();
        } else if (mask.getStatus() == MaskStatus.MASK_STATUS_OK) {
            Timer latency = c.latency;
            if (latency != null) {
                latency.record(mask.getTimings().getEndToEndUs(), TimeUnit.MICROSECONDS);
            }
        }
    }

    /** Publishes every camera's series to {@code registry}, those seen so far and those to come. */
    public synchronized void bindTo(final MeterRegistry target) {
        this.registry = target;
        FunctionCounter.builder("segstream.camera.labels.overflow", overflowRecords, LongAdder::sum)
                .description("Records counted under camera=\"other\" because metrics.max.cameras camera ids had "
                        + "series already").register(target);
        for (Camera c : cameras.values()) {
            c.register(target);
        }
        if (other != null) {
            other.register(target);
        }
    }

    /** The camera label values that have series, {@link #OTHER} included once used. */
    public int labelValues() {
        return cameras.size() + (other == null ? 0 : 1);
    }

    /** Frames read for {@code label} (a camera id or {@link #OTHER}); 0 for a label without series. */
    public long frames(final String label) {
        Camera c = OTHER.equals(label) ? other : cameras.get(label);
        return c == null ? 0 : c.frames.sum();
    }

    /** Masks written for {@code label} (a camera id or {@link #OTHER}); 0 for a label without series. */
    public long masks(final String label) {
        Camera c = OTHER.equals(label) ? other : cameras.get(label);
        return c == null ? 0 : c.masks.sum();
    }

    private Camera camera(final String id) {
        Camera c = cameras.get(id);
        if (c != null) {
            return c;
        }
        synchronized (this) {
            c = cameras.get(id);
            if (c != null) {
                return c;
            }
            if (cameras.size() >= maxCameras) {
                return overflow(id);
            }
            c = new Camera(id);
            if (registry != null) {
                c.register(registry);
            }
            cameras.put(id, c);
            return c;
        }
    }

    /** Called holding the lock: the shared {@link #OTHER} camera, made and announced on first use. */
    private Camera overflow(final String id) {
        overflowRecords.increment();
        if (other == null) {
            LOG.warn("metrics: camera '{}' and every camera after it are counted as camera=\"{}\": {} cameras have "
                    + "series already (metrics.max.cameras); raise it if these are real cameras", id, OTHER,
                    maxCameras);
            Camera made = new Camera(OTHER);
            if (registry != null) {
                made.register(registry);
            }
            other = made;
        }
        return other;
    }

    private static final String[] SKIP_REASONS = {"stale", "superseded", "rate"};

    /** One label value's counters; meters registered once a registry is bound. */
    private static final class Camera {
        final String label;
        final LongAdder frames = new LongAdder();
        final LongAdder masks = new LongAdder();
        final LongAdder skippedStale = new LongAdder();
        final LongAdder skippedSuperseded = new LongAdder();
        final LongAdder skippedRate = new LongAdder();
        final LongAdder deadLetters = new LongAdder();
        /** System.nanoTime() of the last mask, or of the camera's first record before any mask. */
        final AtomicLong lastMaskNanos = new AtomicLong(System.nanoTime());
        volatile Timer latency;

        Camera(final String label) {
            this.label = label;
        }

        LongAdder skipped(final String reason) {
            switch (reason) {
                case "superseded":
                    return skippedSuperseded;
                case "rate":
                    return skippedRate;
                default:
                    return skippedStale;
            }
        }

        double lastMaskAgeSeconds() {
            return (System.nanoTime() - lastMaskNanos.get()) / 1e9;
        }

        void register(final MeterRegistry registry) {
            FunctionCounter.builder("segstream.camera.frames", frames, LongAdder::sum).tag("camera", label)
                    .description("Records read from the frames topic, by key (camera id)").register(registry);
            FunctionCounter.builder("segstream.camera.masks", masks, LongAdder::sum).tag("camera", label)
                    .description("Masks written, skipped ones included").register(registry);
            for (String reason : SKIP_REASONS) {
                FunctionCounter.builder("segstream.camera.frames.skipped", skipped(reason), LongAdder::sum)
                        .tag("camera", label).tag("reason", reason)
                        .description("Frames answered by a SKIPPED mask in live mode, by reason (stale: older than "
                                + "max.frame.age.ms on arrival; superseded: a newer frame of the camera was waiting; "
                                + "rate: over max.fps)").register(registry);
            }
            FunctionCounter.builder("segstream.camera.dead.letters", deadLetters, LongAdder::sum).tag("camera", label)
                    .description("Records sent to the dead-letter topic, by key (camera id)").register(registry);
            Gauge.builder("segstream.camera.last.mask.age.seconds", this, Camera::lastMaskAgeSeconds)
                    .tag("camera", label)
                    .description("Seconds since this processor wrote the camera's last mask (before any: since its "
                            + "first record)").register(registry);
            latency = Timer.builder("segstream.camera.latency.end.to.end").tag("camera", label)
                    .description("Capture time to mask, segmented masks only").serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry);
        }
    }
}

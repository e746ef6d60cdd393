package io.segstream.ingest;

import io.segstream.codec.VideoException;
import io.segstream.codec.VideoSource;
import io.segstream.config.SegstreamConfig;
import io.segstream.metrics.IngestMetrics;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A camera's stream through its drops: when a live source ends or fails, it is opened again with
 * exponential backoff ({@code ingest.reconnect.backoff.ms} doubling up to
 * {@code ingest.reconnect.backoff.max.ms}), as long as it takes, and the frames go on under the same
 * camera with sequence numbers that skip what the outage cost (at least one), so that the
 * processor sees a gap and starts that camera's CRF cold. A drop is logged once when it happens,
 * then every {@value #REPORT_EVERY_MIN} minutes while it lasts, and once when the stream is back.
 * A file at its end is not a drop ({@code ingest.reconnect=auto}). {@link IngestMetrics} carries
 * the same state for a scraper: up or down, for how long, drops and attempts.
 */
public final class ReconnectingIngest {
    private static final Logger LOG = LoggerFactory.getLogger(ReconnectingIngest.class);
    static final long REPORT_EVERY_MIN = 5;
    private static final Pattern STREAM = Pattern.compile("(?i)^(rtsps?|rtmps?|https?|udp|tcp|srt|rtp)://.*|^webcam:.*");

    /** What happened: frames sent, drops survived, the last sequence number used. */
    public record Outcome(long sent, int drops, long lastSequence, long bytes) {}

    private final FrameIngestor ingestor;
    private final SegstreamConfig config;
    private final IngestMetrics metrics;

    /** {@code metrics} is kept told of frames, drops, attempts and returns. */
    public ReconnectingIngest(FrameIngestor ingestor, SegstreamConfig config, IngestMetrics metrics) {
        this.ingestor = ingestor;
        this.config = config;
        this.metrics = metrics;
    }

    /** True for a source that reconnects under {@code ingest.reconnect=auto}: a stream of unknown length. */
    public static boolean isStream(String source, VideoSource opened) {
        return STREAM.matcher(source).matches() && opened.lengthInFrames() <= 0;
    }

    /**
     * Ingests from {@code first} (already open), reopening {@code opener} after each drop when the
     * settings say so, until {@code options.maxFrames()} frames were sent, {@code stop} says so, or
     * a source that does not reconnect ends. {@code progress} is told the total sent.
     */
    public Outcome ingest(VideoSource first, Supplier<VideoSource> opener, FrameIngestor.Options options,
            LongConsumer progress, BooleanSupplier stop) throws InterruptedException {
        String mode = config.ingestReconnect();
        boolean reconnect = mode.equals("on") || (mode.equals("auto") && isStream(options.source(), first));
        String camera = options.cameraId();
        String shown = VideoSource.redact(options.source());
        long sent = 0;
        long next = options.firstSequence();
        long bytesBefore = 0;
        AtomicLong bytesHere = new AtomicLong();
        int drops = 0;
        VideoSource video = first;
        while (true) {
            double fps = video.frameRate();
            long base = sent;
            AtomicLong here = new AtomicLong();
            AtomicLong following = new AtomicLong(next);
            String why;
            try (VideoSource v = video) {
                long n = ingestor.ingest(v, new FrameIngestor.Options(options.source(), camera, options.format(),
                        options.realtime(), options.maxFrames() - sent, next, options.fps(), options.loop()), (count, seq, bytes) -> {
                            here.set(count);
                            following.set(seq);
                            bytesHere.set(bytes);
                            metrics.sent(base + count);
                            progress.accept(base + count);
                        }, stop);
                here.set(n);
                why = "it ended";
            } catch (VideoException e) {
                if (!reconnect) {
                    throw e;
                }
                why = e.getMessage();
            }
            sent += here.get();
            next = following.get(); // decoded frames count, sent or decimated
            bytesBefore += bytesHere.getAndSet(0);
            if (!reconnect || stop.getAsBoolean() || sent >= options.maxFrames()) {
                return new Outcome(sent, drops, next - 1, bytesBefore);
            }
            drops++;
            metrics.lost();
            long lostAt = System.nanoTime();
            LOG.warn("camera '{}': stream {} lost after sequence {} ({}); reconnecting (every {} s at most; {})",
                    camera, shown, next - 1, why, config.ingestReconnectBackoffMax().toMillis() / 1000.0,
                    SegstreamConfig.INGEST_RECONNECT_BACKOFF_MAX_MS);
            video = reopen(opener, camera, shown, lostAt, stop);
            if (video == null) {
                return new Outcome(sent, drops, next - 1, bytesBefore); // stopped while the stream was down
            }
            metrics.back();
            double outage = (System.nanoTime() - lostAt) / 1e9;
            long missed = Math.max(1, Math.round(outage * (fps > 0 ? fps : 1)));
            LOG.info(String.format(Locale.ROOT, "camera '%s': stream back after %.1f s; sequence %d follows %d "
                    + "(%d frames missed, so the processor starts this camera cold)", camera, outage,
                    next + missed, next - 1, missed));
            next += missed;
        }
    }

    /** Opens the stream again with backoff; null when {@code stop} came first. */
    private VideoSource reopen(Supplier<VideoSource> opener, String camera, String shown, long lostAt,
            BooleanSupplier stop) throws InterruptedException {
        long backoff = config.ingestReconnectBackoff().toMillis();
        long max = config.ingestReconnectBackoffMax().toMillis();
        long nextReport = lostAt + TimeUnit.MINUTES.toNanos(REPORT_EVERY_MIN);
        int attempts = 0;
        while (true) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
            while (System.nanoTime() < until) {
                if (stop.getAsBoolean()) {
                    return null;
                }
                Thread.sleep(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
            }
            attempts++;
            metrics.attempt();
            try {
                return opener.get();
            } catch (VideoException e) {
                backoff = Math.min(max, backoff * 2);
                if (System.nanoTime() >= nextReport) {
                    nextReport += TimeUnit.MINUTES.toNanos(REPORT_EVERY_MIN);
                    LOG.warn("camera '{}': stream {} still down after {} min ({} attempts; last: {})", camera, shown,
                            Duration.ofNanos(System.nanoTime() - lostAt).toMinutes(), attempts,
                            e.getMessage().lines().findFirst().orElse(""));
                }
            }
        }
    }
}

package io.segstream.topology;

import io.segstream.schemas.v1.Frame;
import io.segstream.schemas.v1.MaskStatus;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which frames of a task's cameras live mode segments (DESIGN.md, "Live mode"). A camera's frames
 * reach the processor in order; while one is segmented the next ones wait in Kafka. Live mode
 * segments the newest frame of each camera and answers every frame it passes over with a skip
 * status and its reason:
 *
 * <ul>
 *   <li>{@code SKIPPED_STALE}: older than {@code max.frame.age.ms} on arrival;
 *   <li>{@code SKIPPED_SUPERSEDED}: the camera's next frame had been captured long enough before
 *       this one's turn to be waiting behind it. A frame counts as superseded when its age exceeds
 *       the least age of the camera's arrivals (its transit: how long capture to processor takes
 *       when nothing waits, through ingest, the broker and any clock offset between hosts) by more
 *       than the camera's frame interval (learnt from capture times, so decimated sources count
 *       right), the transit taken as at most {@value #MAX_TRANSIT_US} microseconds so that a
 *       backlog is never mistaken for it. The least age is kept for as long as the source runs: a camera that is always
 *       behind never shows its transit again, so a window would let the estimate creep up. Should
 *       the transit grow (a clock stepped, a slower network), every frame looks as if it waited: a
 *       camera whose frames have all been superseded for the maximum age has its next frame
 *       segmented whatever it waited and its transit learnt anew from it, so no estimate can starve
 *       a camera. Only superseded frames count towards that, and only while they do not arrive
 *       younger than the first of their run by more than a frame interval: a camera that went
 *       without a segmented frame because one took long (the first after start-up, a GC pause),
 *       because its frames were stale, or because working through the frames that waited takes
 *       longer than the maximum age (fetches slowed by a busy host) is behind, and learning its
 *       backlog as the transit would keep it behind for good;
 *   <li>{@code SKIPPED_RATE}: within {@code 1 / max.fps} of the camera's last segmented frame.
 * </ul>
 *
 * Skips cost microseconds, so a camera whose frames waited during a long segmentation catches up
 * to its newest frame at once, and cameras sharing a thread take turns in capture-time order (the
 * order Kafka Streams picks records across partitions): none starves another. Batch mode
 * ({@code max.frame.age.ms} 0) segments every frame. One instance per task (one thread at a time).
 */
final class LiveSchedule {
    /**
     * A frame is superseded when it waited more than this many frame intervals beyond the transit
     * time: its successor was then captured more than a transit time ago, so it is waiting too.
     */
    static final double SUPERSEDED_INTERVALS = 1.0;
    /**
     * The most a frame's transit (capture to processor, nothing waiting) is taken to be. The least
     * age a processor sees is the transit only if it ever caught up with its camera; one that
     * started behind (a restart, a rebalance, the model loading while frames kept coming) would
     * otherwise take its backlog for the transit and never skip it, and so would a processor
     * that is never idle: every frame it sees waited behind a segmentation, so the least age
     * overstates the transit and frames older than the newest are segmented first. Ingest to a
     * broker and on to a consumer took 61 ms at the median for 1280x720 frames on a 2-core
     * machine running all three (benchmarks/RESULTS.md, "Live HD cameras"); capture times and the
     * processor's clock are taken to agree (NTP), as max.frame.age.ms already assumes. A camera
     * that starves anyway (a slow link, a clock stepped) lifts its own bound to what it sees.
     */
    static final long MAX_TRANSIT_US = 100_000;

    /**
     * How long a transit that a starving camera lifted above {@link #MAX_TRANSIT_US} is kept before
     * the bound is tried again. A camera whose transit really grew (a clock stepped, a far link)
     * then starves for one maximum age and learns it anew (at the usual 1 s, about a tenth of its
     * frames superseded that would have been segmented); one that learnt a backlog (frames late at start-up, so that it segments them that late
     * and never sees a younger one) catches up.
     */
    static final long RELEARN_TRANSIT_US = 10_000_000;

    /**
     * @param maxAgeUs the maximum frame age, or 0 for batch mode (every frame segmented)
     * @param maxFps the most frames per second segmented per camera, or 0 for no limit
     */
    record Settings(long maxAgeUs, double maxFps) {
        static final Settings BATCH = new Settings(0, 0);

        boolean live() {
            return maxAgeUs > 0;
        }
    }

    /** What to do with one frame: segment it ({@link #SEGMENT}) or answer it with a skip status. */
    record Decision(MaskStatus status, String detail) {
        static final Decision SEGMENT = new Decision(MaskStatus.MASK_STATUS_OK, "");

        boolean segment() {
            return status == MaskStatus.MASK_STATUS_OK;
        }
    }

    private final Settings settings;
    private final Map<String, Camera> cameras = new HashMap<>();

    LiveSchedule(Settings settings) {
        this.settings = settings;
    }

    /** Decides for {@code frame}, which reached the processor at {@code arrivalUs}. */
    Decision decide(Frame frame, long arrivalUs) {
        if (!settings.live()) {
            return Decision.SEGMENT;
        }
        long ageUs = arrivalUs - frame.getCaptureTimeUs();
        Camera camera = cameras.computeIfAbsent(frame.getCameraId(), id -> new Camera());
        camera.arrived(frame.getCaptureTimeUs(), ageUs);
        if (ageUs > settings.maxAgeUs()) {
            return new Decision(MaskStatus.MASK_STATUS_SKIPPED_STALE, "frame was " + ageUs / 1000
                    + " ms old on arrival, max.frame.age.ms is " + settings.maxAgeUs() / 1000);
        }
        double intervalUs = camera.intervalUs;
        long waitedUs = ageUs - camera.transitUs();
        boolean starving = camera.supersededSinceUs != Long.MIN_VALUE
                && arrivalUs - camera.supersededSinceUs > settings.maxAgeUs();
        if (starving && ageUs < camera.supersededSinceAgeUs - intervalUs) {
            // Frames arrive younger than the run's first: the thread is working through a backlog, behind but
            // catching up, not starved by a grown transit. Watch anew from here rather than learn the backlog.
            camera.supersededSinceUs = arrivalUs;
            camera.supersededSinceAgeUs = ageUs;
            starving = false;
        }
        if (starving) {
            camera.transitUs = ageUs;
            camera.transitCapUs = Math.max(camera.transitCapUs, ageUs);
            camera.transitLearntUs = arrivalUs;
        } else if (camera.transitCapUs > MAX_TRANSIT_US && arrivalUs - camera.transitLearntUs > RELEARN_TRANSIT_US) {
            camera.transitCapUs = MAX_TRANSIT_US; // try the bound again
            camera.transitUs = Math.min(camera.transitUs, ageUs);
        }
        if (intervalUs > 0 && waitedUs > SUPERSEDED_INTERVALS * intervalUs && !starving) {
            if (camera.supersededSinceUs == Long.MIN_VALUE) {
                camera.supersededSinceUs = arrivalUs;
                camera.supersededSinceAgeUs = ageUs;
            }
            return new Decision(MaskStatus.MASK_STATUS_SKIPPED_SUPERSEDED, String.format(Locale.ROOT,
                    "a newer frame of the camera was waiting: this one waited %d ms (frames arrive %d ms after "
                            + "capture, one every %.0f ms)", waitedUs / 1000, camera.transitUs() / 1000,
                    intervalUs / 1000));
        }
        if (settings.maxFps() > 0 && camera.lastSegmentedUs != Long.MIN_VALUE) {
            double minSpacingUs = 1e6 / settings.maxFps();
            long sinceUs = frame.getCaptureTimeUs() - camera.lastSegmentedUs;
            // Half a frame interval of slack, so that 25 frames/s with max.fps 5 keeps every fifth frame.
            if (sinceUs >= 0 && sinceUs + intervalUs / 2 < minSpacingUs) {
                return new Decision(MaskStatus.MASK_STATUS_SKIPPED_RATE, String.format(Locale.ROOT,
                        "%d ms after the camera's last segmented frame, max.fps is %s", sinceUs / 1000,
                        trim(settings.maxFps())));
            }
        }
        return Decision.SEGMENT;
    }

    /** Records that {@code frame} was segmented (the rate limit counts from it). */
    void segmented(Frame frame) {
        Camera camera = cameras.get(frame.getCameraId());
        if (camera != null) {
            camera.lastSegmentedUs = frame.getCaptureTimeUs();
            camera.supersededSinceUs = Long.MIN_VALUE;
        }
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** What the schedule knows of one camera. */
    private static final class Camera {
        long lastCaptureUs = Long.MIN_VALUE;
        /** Mean spacing of capture times between consecutive arrivals (exponentially weighted); 0 unknown. */
        double intervalUs;
        /** The least age of the source's arrivals: capture to processor with nothing waiting. */
        long transitUs = Long.MAX_VALUE;
        long transitCapUs = MAX_TRANSIT_US;
        /** Arrival of the frame from which a starving camera last learnt its transit. */
        long transitLearntUs;
        long lastSegmentedUs = Long.MIN_VALUE;
        /** Arrival of the first frame superseded since the camera's last segmented frame; MIN_VALUE when none. */
        long supersededSinceUs = Long.MIN_VALUE;
        /** That frame's age on arrival. */
        long supersededSinceAgeUs;

        void arrived(long captureUs, long ageUs) {
            if (lastCaptureUs != Long.MIN_VALUE && captureUs > lastCaptureUs) {
                double spacing = captureUs - lastCaptureUs;
                intervalUs = intervalUs == 0 ? spacing : 0.8 * intervalUs + 0.2 * spacing;
            } else if (lastCaptureUs != Long.MIN_VALUE && captureUs < lastCaptureUs) {
                intervalUs = 0; // the source restarted: learn its spacing and transit anew
                transitUs = Long.MAX_VALUE;
                transitCapUs = MAX_TRANSIT_US;
            }
            lastCaptureUs = captureUs;
            transitUs = Math.min(transitUs, ageUs);
        }

        long transitUs() {
            return Math.min(transitUs, transitCapUs);
        }
    }
}

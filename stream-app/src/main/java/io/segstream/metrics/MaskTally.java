package io.segstream.metrics;

import io.segstream.codec.MaskLabels;
import io.segstream.schemas.v1.ClassArea;
import io.segstream.schemas.v1.CrfStats;
import io.segstream.schemas.v1.Mask;
import io.segstream.segmentation.CrfTally;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a reader of the masks topic sees, per camera: how many masks, whether sequences arrived in
 * order, how many were skipped, the end-to-end latency distribution, batch sizes, per-class pixel
 * totals, and the share of masks in which each class appears. Thread-safe.
 */
public final class MaskTally {
    private final Map<String, Camera> cameras = new TreeMap<>();
    private long[] latenciesUs = new long[1024];
    private long[] capturesUs = new long[1024];
    private int latencyCount;
    private long firstCaptureUs = Long.MAX_VALUE;
    private final long[] timingSumsUs = new long[5];
    private final CrfTally crf = new CrfTally();
    private final Map<String, Long> skippedByReason = new TreeMap<>();
    private final Map<String, String> lastSkipDetail = new TreeMap<>();

    /** Per-camera figures. */
    public static final class Camera {
        private long masks;
        private long skipped;
        private long outOfOrder;
        private long lastSequence = -1;
        private final long[] classPixels = new long[256];
        private final long[] masksWithClass = new long[256];

        public long masks() { return masks; }
        public long skipped() { return skipped; }
        public long outOfOrder() { return outOfOrder; }
        public long[] classPixels() { return classPixels.clone(); }

        /** Share (0..1) of segmented masks in which {@code classIndex} covers at least one pixel. */
        public double shareOfMasksWith(int classIndex) {
            long segmented = masks - skipped;
            return segmented == 0 ? 0 : (double) masksWithClass[classIndex] / segmented;
        }
    }

    /**
     * Reads {@code topic} from its beginning into a new tally until it holds {@code expected} masks.
     *
     * @throws IllegalStateException if they do not arrive within {@code timeout}, or a record is not a Mask
     */
    public static MaskTally collect(java.util.Map<String, Object> consumerSettings, String topic, long expected,
            java.time.Duration timeout) {
        MaskTally tally = new MaskTally();
        boolean complete = io.segstream.broker.TopicReader.follow(consumerSettings, topic, record -> {
            try {
                tally.add(Mask.parseFrom(record.value()));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException(topic + " holds a record that is not a Mask", e);
            }
        }, () -> tally.masks() >= expected, timeout);
        if (!complete) {
            throw new IllegalStateException("only " + tally.masks() + " of " + expected + " masks arrived in " + topic
                    + " within " + timeout.toSeconds() + " s");
        }
        return tally;
    }

    public synchronized void add(Mask mask) {
        Camera camera = cameras.computeIfAbsent(mask.getCameraId(), id -> new Camera());
        camera.masks++;
        long sequence = mask.getSequence();
        if (sequence <= camera.lastSequence) {
            camera.outOfOrder++;
        }
        camera.lastSequence = sequence;
        firstCaptureUs = Math.min(firstCaptureUs, mask.getCaptureTimeUs());
        if (MaskLabels.skipped(mask.getStatus())) {
            camera.skipped++;
            skippedByReason.merge(MaskLabels.skipReason(mask.getStatus()), 1L, Long::sum);
            lastSkipDetail.put(MaskLabels.skipReason(mask.getStatus()), mask.getStatusDetail());
            return;
        }
        for (ClassArea area : mask.getClassAreasList()) {
            int c = Math.min(area.getClassIndex(), 255);
            camera.classPixels[c] += area.getPixels();
            camera.masksWithClass[c]++;
        }
        if (latencyCount == latenciesUs.length) {
            latenciesUs = Arrays.copyOf(latenciesUs, latencyCount * 2);
            capturesUs = Arrays.copyOf(capturesUs, latencyCount * 2);
        }
        capturesUs[latencyCount] = mask.getCaptureTimeUs();
        latenciesUs[latencyCount++] = mask.getTimings().getEndToEndUs();
        timingSumsUs[0] += mask.getTimings().getPreprocessUs();
        timingSumsUs[1] += mask.getTimings().getQueueUs();
        timingSumsUs[2] += mask.getTimings().getInferenceUs();
        timingSumsUs[3] += mask.getTimings().getCrfUs();
        timingSumsUs[4] += mask.getTimings().getPostprocessUs();
        CrfStats stats = mask.getCrf();
        if (stats.getApplied()) {
            crf.add(stats.getIterations(), stats.getWarmStart(), stats.getChangedShare(), stats.getColdStartReason());
        }
    }

    /** Masks the CRF refined. */
    public synchronized long crfFrames() {
        return crf.frames();
    }

    /** Share (0..1) of CRF-refined masks that started warm; 0 with none. */
    public synchronized double crfWarmShare() {
        return crf.warmShare();
    }

    /** Mean mean-field iterations per CRF-refined mask; 0 with none. */
    public synchronized double crfMeanIterations() {
        return crf.meanIterations();
    }

    /** Mean share of a refined frame's pixels whose label the CRF changed from the network's own. */
    public synchronized double crfMeanChangedShare() {
        return crf.meanChangedShare();
    }

    /**
     * Mean per segmented frame, in milliseconds, of preprocess (pixels to model inputs), queue (waiting
     * for a batch), inference (the engine calls that carried the frame), CRF and postprocess.
     */
    public synchronized double[] meanStageMillis() {
        double[] out = new double[timingSumsUs.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = latencyCount == 0 ? 0 : timingSumsUs[i] / 1e3 / latencyCount;
        }
        return out;
    }

    public synchronized long masks() {
        return cameras.values().stream().mapToLong(c -> c.masks).sum();
    }

    /** Skipped masks by reason ("stale", "superseded", "rate"), reasons seen only. */
    public synchronized Map<String, Long> skippedByReason() {
        return new TreeMap<>(skippedByReason);
    }

    /** The status detail of the last mask skipped for each reason. */
    public synchronized Map<String, String> lastSkipDetail() {
        return new TreeMap<>(lastSkipDetail);
    }

    /**
     * Segmented masks per second of capture time among the frames captured at least {@code after}
     * after the earliest frame answered (from the first such segmented frame to the last); 0 when
     * fewer than two.
     */
    public synchronized double segmentedPerCaptureSecond(Duration after) {
        long from = firstCaptureUs + after.toNanos() / 1000;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        int n = 0;
        for (int i = 0; i < latencyCount; i++) {
            if (capturesUs[i] >= from) {
                n++;
                first = Math.min(first, capturesUs[i]);
                last = Math.max(last, capturesUs[i]);
            }
        }
        return n < 2 || last == first ? 0 : (n - 1) / ((last - first) / 1e6);
    }

    public synchronized long skipped() {
        return cameras.values().stream().mapToLong(c -> c.skipped).sum();
    }

    public synchronized Map<String, Camera> cameras() {
        return new TreeMap<>(cameras);
    }

    /** End-to-end latency percentile (0..100) of segmented masks, in microseconds; 0 with none. */
    public synchronized long latencyPercentileUs(double percentile) {
        return latencyPercentileUs(percentile, Duration.ZERO);
    }

    /**
     * The same for the segmented masks of frames captured at least {@code after} after the earliest
     * frame answered (segmented or skipped), leaving out a start-up; 0 with none.
     */
    public synchronized long latencyPercentileUs(double percentile, Duration after) {
        long[] sorted = new long[latencyCount];
        int n = 0;
        for (int i = 0; i < latencyCount; i++) {
            if (capturesUs[i] >= firstCaptureUs + after.toNanos() / 1000) {
                sorted[n++] = latenciesUs[i];
            }
        }
        if (n == 0) {
            return 0;
        }
        sorted = Arrays.copyOf(sorted, n);
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

}

package io.segstream.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.segstream.crf.CrfRefiner;
import io.segstream.segmentation.CrfTally;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one processor: frames in, masks out, frames skipped as stale, records
 * dead-lettered, and how many inference batches ran at each size. Lock-free; read at any time.
 * {@link #bindTo} also publishes them, with latency distributions, to a Micrometer registry, and
 * with them the same figures per camera ({@link CameraMetrics}, bounded by {@link #limitCameras}).
 */
public final class PipelineMetrics {
    private final LongAdder framesIn = new LongAdder();
    private final LongAdder masksOut = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final CrfTally crf = new CrfTally();
    private final LongAdder crfNanos = new LongAdder();
    private final AtomicLongArray batchesBySize;
    private volatile String engine = "";
    private volatile String engineDescription = "";
    private final CameraMetrics cameras = new CameraMetrics(CameraMetrics.DEFAULT_MAX_CAMERAS);

    public PipelineMetrics(int maxBatch) {
        this.batchesBySize = new AtomicLongArray(maxBatch + 1);
    }

    /** The most camera label values ({@code metrics.max.cameras}); before the first record. */
    public void limitCameras(final int maxCameras) {
        cameras.limit(maxCameras);
    }

    /** The per-camera series. */
    public CameraMetrics cameras() {
        return cameras;
    }

    /** The engine the processor runs on ({@code cpu}, {@code cuda}, {@code tensorrt}), for its gauge; before binding. */
    public void engine(String choice, String description) {
        this.engine = choice;
        this.engineDescription = description;
    }

    /** A record read from the frames topic, keyed {@code camera} (null: counted in the total only). */
    public void frameIn(final String camera) {
        framesIn.increment();
        cameras.frame(camera);
    }

    public void maskOut() { masksOut.increment(); }

    /** Counts a mask and records its latencies (capture to mask, inference, CRF). */
    public void maskOut(io.segstream.schemas.v1.Mask mask) {
        masksOut.increment();
        cameras.mask(mask);
        Meters m = meters;
        if (m != null && mask.getStatus() == io.segstream.schemas.v1.MaskStatus.MASK_STATUS_OK) {
            m.endToEnd.record(mask.getTimings().getEndToEndUs(), TimeUnit.MICROSECONDS);
            m.inference.record(mask.getTimings().getInferenceUs(), TimeUnit.MICROSECONDS);
            if (mask.getCrf().getApplied()) {
                m.crf.record(mask.getTimings().getCrfUs(), TimeUnit.MICROSECONDS);
                m.crfIterations.record(mask.getCrf().getIterations());
            }
        }
    }

    private volatile Meters meters;

    /** The registry-side meters, present once bound. */
    private record Meters(Timer endToEnd, Timer inference, Timer crf, DistributionSummary crfIterations,
            DistributionSummary batchSizes, Timer batchInference) {}

    /** Publishes these counters to {@code registry} under segstream_* names. */
    public void bindTo(MeterRegistry registry) {
        if (!engine.isEmpty()) {
            io.micrometer.core.instrument.Gauge.builder("segstream.engine.info", () -> 1)
                    .description("The inference engine in use (always 1; the labels say which)")
                    .tag("engine", engine).tag("description", engineDescription).register(registry);
        }
        FunctionCounter.builder("segstream.frames", framesIn, LongAdder::sum)
                .description("Records read from the frames topic").register(registry);
        FunctionCounter.builder("segstream.masks", masksOut, LongAdder::sum)
                .description("Masks written, skipped ones included").register(registry);
        FunctionCounter.builder("segstream.frames.skipped", skipped, LongAdder::sum)
                .description("Frames answered by a SKIPPED mask in live mode (stale, superseded or over max.fps)").register(registry);
        FunctionCounter.builder("segstream.dead.letters", deadLettered, LongAdder::sum)
                .description("Records sent to the dead-letter topic").register(registry);
        FunctionCounter.builder("segstream.crf.frames", crf, CrfTally::frames)
                .description("Frames refined by the CRF").register(registry);
        FunctionCounter.builder("segstream.crf.warm.starts", crf, CrfTally::warmFrames)
                .description("Frames whose CRF started from the camera's previous marginals (warm-start rate: "
                        + "this over segstream_crf_frames_total)").register(registry);
        meters = new Meters(
                Timer.builder("segstream.latency.end.to.end").description("Capture time to mask")
                        .publishPercentileHistogram().register(registry),
                Timer.builder("segstream.latency.inference").description("Engine time of a frame's inputs")
                        .publishPercentileHistogram().register(registry),
                Timer.builder("segstream.latency.crf").description("CRF time per frame")
                        .publishPercentileHistogram().register(registry),
                DistributionSummary.builder("segstream.crf.iterations").description("Mean-field iterations per frame")
                        .register(registry),
                DistributionSummary.builder("segstream.batch.size").description("Model inputs per engine call")
                        .register(registry),
                Timer.builder("segstream.batch.inference").description("Engine time per batch")
                        .register(registry));
        cameras.bindTo(registry);
    }
    public void skipped() { skipped.increment(); }

    /** A record keyed {@code camera} sent to the dead-letter topic (null: counted in the total only). */
    public void deadLettered(final String camera) {
        deadLettered.increment();
        cameras.deadLetter(camera);
    }

    /** Called by the batcher for every engine call. */
    public void batchRun(int size, long nanos) {
        batchesBySize.incrementAndGet(Math.min(size, batchesBySize.length() - 1));
        Meters m = meters;
        if (m != null) {
            m.batchSizes.record(size);
            m.batchInference.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Called once per frame the CRF refined, with what it did and how long it took. */
    public void crfRun(final CrfRefiner.Outcome outcome, final long nanos) {
        crf.add(outcome);
        crfNanos.add(nanos);
    }

    /** Mean CRF iterations per refined frame, or 0 before the first. */
    public double meanCrfIterations() {
        return crf.meanIterations();
    }

    /** Share of refined frames that started warm, or 0 before the first. */
    public double crfWarmStartRate() {
        return crf.warmShare();
    }

    public long framesIn() { return framesIn.sum(); }
    public long masksOut() { return masksOut.sum(); }
    public long skippedFrames() { return skipped.sum(); }
    public long deadLetteredRecords() { return deadLettered.sum(); }

    /** Batches run per size; index = batch size. */
    public long[] batchSizeCounts() {
        long[] out = new long[batchesBySize.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = batchesBySize.get(i);
        }
        return out;
    }

    /** Mean inputs per engine call, or 0 before the first. */
    public double meanBatchSize() {
        long batches = 0;
        long inputs = 0;
        for (int i = 0; i < batchesBySize.length(); i++) {
            long n = batchesBySize.get(i);
            batches += n;
            inputs += n * i;
        }
        return batches == 0 ? 0 : (double) inputs / batches;
    }
}

package io.segstream.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one processor: frames in, masks out, frames skipped as stale, records
 * dead-lettered, and how many inference batches ran at each size. Lock-free; read at any time.
 */
public final class PipelineMetrics {
    private final LongAdder framesIn = new LongAdder();
    private final LongAdder masksOut = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder inferenceNanos = new LongAdder();
    private final LongAdder crfFrames = new LongAdder();
    private final LongAdder crfIterations = new LongAdder();
    private final LongAdder crfNanos = new LongAdder();
    private final AtomicLongArray batchesBySize;

    public PipelineMetrics(int maxBatch) {
        this.batchesBySize = new AtomicLongArray(maxBatch + 1);
    }

    public void frameIn() { framesIn.increment(); }
    public void maskOut() { masksOut.increment(); }
    public void skipped() { skipped.increment(); }
    public void deadLettered() { deadLettered.increment(); }

    /** Called by the batcher for every engine call. */
    public void batchRun(int size, long nanos) {
        batchesBySize.incrementAndGet(Math.min(size, batchesBySize.length() - 1));
        inferenceNanos.add(nanos);
    }

    /** Called once per frame the CRF refined. */
    public void crfRun(int iterations, long nanos) {
        crfFrames.increment();
        crfIterations.add(iterations);
        crfNanos.add(nanos);
    }

    /** Mean CRF iterations per refined frame, or 0 before the first. */
    public double meanCrfIterations() {
        long n = crfFrames.sum();
        return n == 0 ? 0 : (double) crfIterations.sum() / n;
    }

    public long framesIn() { return framesIn.sum(); }
    public long masksOut() { return masksOut.sum(); }
    public long skippedFrames() { return skipped.sum(); }
    public long deadLetteredRecords() { return deadLettered.sum(); }
    public long inferenceNanos() { return inferenceNanos.sum(); }

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

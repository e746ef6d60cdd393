package io.segstream.segmentation;

import io.segstream.crf.CrfRefiner;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the CRF did over many frames, as every report of it counts: frames refined, the share
 * that started warm (from the camera's carried state), mean mean-field iterations, the mean share
 * of a frame's pixels whose label the CRF changed, and how often each cold-start reason came up.
 * {@code segment}, {@code eval}, the processor's metrics and a reader of the masks topic
 * ({@code MaskTally}) all fold their outcomes in here. Lock-free: stream threads add while others
 * read; a figure read during adds may miss the frames in flight.
 */
public final class CrfTally {
    private final LongAdder frames = new LongAdder();
    private final LongAdder warmFrames = new LongAdder();
    private final LongAdder iterations = new LongAdder();
    private final DoubleAdder changedShares = new DoubleAdder();
    private final Map<String, LongAdder> coldStartReasons = new ConcurrentHashMap<>();

    /** Adds one refined frame's outcome. */
    public void add(final CrfRefiner.Outcome outcome) {
        add(outcome.iterations(), outcome.warm(), outcome.changedShare(), outcome.coldStartReason());
    }

    /**
     * Adds one refined frame, as a Mask's CRF statistics carry it.
     *
     * @param coldStartReason why it started cold ("" or null when warm or unknown)
     */
    public void add(final int iterations, final boolean warm, final float changedShare,
            final String coldStartReason) {
        frames.increment();
        if (warm) {
            warmFrames.increment();
        } else if (coldStartReason != null && !coldStartReason.isEmpty()) {
            coldStartReasons.computeIfAbsent(coldStartReason, reason -> new LongAdder()).increment();
        }
        this.iterations.add(iterations);
        changedShares.add(changedShare);
    }

    /** Frames refined. */
    public long frames() {
        return frames.sum();
    }

    /** Frames that started warm. */
    public long warmFrames() {
        return warmFrames.sum();
    }

    /** Share (0..1) of refined frames that started warm; 0 with none. */
    public double warmShare() {
        final long n = frames.sum();
        return n == 0 ? 0 : (double) warmFrames.sum() / n;
    }

    /** Mean mean-field iterations per refined frame; 0 with none. */
    public double meanIterations() {
        final long n = frames.sum();
        return n == 0 ? 0 : (double) iterations.sum() / n;
    }

    /** Mean share (0..1) of a refined frame's pixels whose label the CRF changed from the network's; 0 with none. */
    public double meanChangedShare() {
        final long n = frames.sum();
        return n == 0 ? 0 : changedShares.sum() / n;
    }

    /** Cold starts per reason given, by reason. */
    public Map<String, Long> coldStartReasons() {
        final Map<String, Long> out = new TreeMap<>();
        coldStartReasons.forEach((reason, count) -> out.put(reason, count.sum()));
        return out;
    }
}

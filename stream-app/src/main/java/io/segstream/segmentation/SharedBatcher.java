package io.segstream.segmentation;

import io.segstream.crf.CrfSetup;
import io.segstream.inference.DynamicBatcher;
import io.segstream.inference.Fit;
import io.segstream.inference.FrameTranslator;
import io.segstream.inference.InferenceEngine;
import io.segstream.model.ModelCard;

/**
 * The processor's side of a {@link Segmenter}: its engine behind one {@link DynamicBatcher} that
 * the paths of every stream thread share, so that frames of different cameras meet in one batch.
 * Made by {@link Segmenter#shareBatcher}; each stream thread takes a path of its own from
 * {@link #newPath()}. Closed before its segmenter: {@link #close()} stops the batcher's worker.
 */
public final class SharedBatcher implements AutoCloseable {
    private final ModelCard card;
    private final Fit fit;
    private final CrfSetup crf;
    private final WorkingSize working;
    private final DynamicBatcher batcher;

    SharedBatcher(final ModelCard card, final Fit fit, final CrfSetup crf, final WorkingSize working,
            final InferenceEngine engine,
            final int maxBatch, final long maxDelayNanos, final DynamicBatcher.BatchListener listener) {
        this.card = card;
        this.fit = fit;
        this.crf = crf;
        this.working = working;
        final FrameTranslator shape = new FrameTranslator(card, fit);
        this.batcher = new DynamicBatcher(engine, shape.slotSize(), shape.outputSize(), maxBatch, maxDelayNanos,
                listener);
    }

    /**
     * A path for the calling stream thread: the segmenter's fit and working size, inference through the shared
     * batcher, and a CRF of its own on this thread alone (null settings: no CRF). The caller closes it.
     */
    public SegmentationPath newPath() {
        return new SegmentationPath(card, fit, batcher, crf == null ? null : crf.newRefiner(1), working);
    }

    /** Stops the batcher: callers still waiting are failed. */
    @Override
    public void close() {
        batcher.close();
    }
}

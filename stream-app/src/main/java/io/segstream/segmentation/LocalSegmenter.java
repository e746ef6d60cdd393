package io.segstream.segmentation;

import io.segstream.crf.CrfSetup;
import io.segstream.inference.DirectRunner;
import io.segstream.inference.EngineChoice;
import io.segstream.inference.EngineRequest;
import io.segstream.inference.Engines;
import io.segstream.inference.Fit;
import io.segstream.inference.InferenceEngine;
import io.segstream.model.ModelCard;

/**
 * The segmentation path with an engine of its own, for work outside Kafka ({@code segment},
 * {@code eval}, benchmarks): the engine is opened for the model, called directly in batches of at
 * most {@code maxBatch} model inputs, and closed with this.
 */
public final class LocalSegmenter implements AutoCloseable {
    private final InferenceEngine engine;
    private final SegmentationPath path;

    /**
     * @param crf the CRF's settings, or null for none
     * @param crfThreads threads the CRF uses
     */
    public LocalSegmenter(ModelCard card, EngineChoice choice, EngineRequest request, Fit fit, int maxBatch,
            CrfSetup crf, int crfThreads) {
        this.engine = Engines.open(choice, request);
        try {
            this.path = new SegmentationPath(card, fit, DirectRunner.of(engine, card, maxBatch),
                    crf == null ? null : crf.newRefiner(crfThreads));
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    public SegmentationPath path() {
        return path;
    }

    public String engineDescription() {
        return engine.description();
    }

    @Override
    public void close() {
        path.close();
        engine.close();
    }
}

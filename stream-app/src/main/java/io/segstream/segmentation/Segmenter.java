package io.segstream.segmentation;

import io.segstream.crf.CrfRefiner;
import io.segstream.crf.CrfSetup;
import io.segstream.inference.DirectRunner;
import io.segstream.inference.DynamicBatcher;
import io.segstream.inference.EngineChoice;
import io.segstream.inference.EngineRequest;
import io.segstream.inference.Engines;
import io.segstream.inference.InferenceEngine;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import io.segstream.schemas.v1.ModelInfo;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An imported model opened for segmenting: its card, the engine it runs on and its CRF's settings
 * (the card's parameters under the {@code crf.*} settings). The one way segstream opens them
 * (STYLE.md, "One way to open a thing"): {@code run} and {@code demo} put the engine behind their
 * dynamic batcher; {@code segment}, {@code eval}, the import checks and the benchmarks take the
 * segmenter's own {@link #path()}, which calls the engine directly.
 *
 * <p>{@link #open} reads the card, opens the engine, then settles the CRF; when a step fails, what
 * the earlier ones opened is closed before the failure is thrown (DJL's
 * {@code Criteria.loadModel()} does the same). {@link #close()} closes the own path (its CRF
 * threads), then the engine. Paths from {@link #newPath} are their caller's to close, before this.
 */
public final class Segmenter implements AutoCloseable {
    /** Opens an engine for a request: {@link Engines#open} outside tests. */
    @FunctionalInterface
    interface EngineOpener {
        InferenceEngine open(EngineChoice choice, EngineRequest request);
    }

    private final SegmenterOptions options;
    private final ModelCard card;
    private final InferenceEngine engine;
    private final CrfSetup crf;
    private SegmentationPath path; // made on first use: the processor never needs it

    private Segmenter(final SegmenterOptions options, final ModelCard card, final InferenceEngine engine,
            final CrfSetup crf) {
        this.options = options;
        this.card = card;
        this.engine = engine;
        this.crf = crf;
    }

    /**
     * Opens the model in {@code options.modelDir()} on the engine the options name, with their CRF.
     *
     * @throws io.segstream.model.ModelException when the card cannot be read or its crf block is invalid
     * @throws io.segstream.inference.EngineUnavailableException when the engine cannot run here
     */
    public static Segmenter open(final SegmenterOptions options) {
        return open(options, Engines::open);
    }

    /** {@link #open(SegmenterOptions)} with the engine opened by {@code engines}. */
    static Segmenter open(final SegmenterOptions options, final EngineOpener engines) {
        final ModelCard card = ModelCard.read(options.modelDir().resolve(ModelImporter.CARD_FILE));
        final InferenceEngine engine = engines.open(options.engine(), EngineRequest.forModel(options.modelDir(), card,
                options.threads(), 1, options.tensorRtFp16(), options.engineCache()));
        try {
            final CrfSetup crf = options.crf().forModel(ModelCrf.params(card));
            return new Segmenter(options, card, engine, crf);
        } catch (RuntimeException | Error e) {
            closeAfter(e, engine);
            throw e;
        }
    }

    /**
     * Reads the card of the model in {@code modelDir}, so that a bad model directory is named before
     * anything else is asked (the processor checks it before Kafka).
     *
     * @throws io.segstream.model.ModelException when the card cannot be read
     */
    public static void checkModel(final Path modelDir) {
        ModelCard.read(modelDir.resolve(ModelImporter.CARD_FILE));
    }

    /** Closes {@code opened} after {@code failure}, which carries whatever closing throws. */
    private static void closeAfter(final Throwable failure, final AutoCloseable opened) {
        try {
            opened.close();
        } catch (Exception | Error e) {
            failure.addSuppressed(e);
        }
    }

    public ModelCard card() {
        return card;
    }

    /** The engine, for a batcher of the caller's or raw calls; closed with this segmenter. */
    public InferenceEngine engine() {
        return engine;
    }

    /** The CRF's settings (a refiner per thread comes from {@link CrfSetup#newRefiner}), or null when it is off. */
    public CrfSetup crf() {
        return crf;
    }

    public SegmenterOptions options() {
        return options;
    }

    /**
     * The segmenter's own path: the options' fit, the engine called directly in batches of at most
     * {@code maxBatch} inputs, the CRF on {@code threads} threads. Made on the first call, closed
     * with this; one thread at a time may segment on it.
     */
    public synchronized SegmentationPath path() {
        if (path == null) {
            path = newPath(card);
        }
        return path;
    }

    /**
     * A path of the same kind as {@link #path()} for {@code variant}, this model's card or one
     * differing only in how the logits are upsampled (the import check compares alignments); the
     * caller closes it before this segmenter.
     *
     * @throws IllegalArgumentException when {@code variant}'s input or output shape is not the model's
     */
    public SegmentationPath newPath(final ModelCard variant) {
        if (!Arrays.equals(variant.input().itemShape(), card.input().itemShape())
                || variant.output().classes() != card.output().classes()
                || variant.output().width() != card.output().width()
                || variant.output().height() != card.output().height()) {
            throw new IllegalArgumentException("card " + variant.id() + " does not describe the shapes of "
                    + card.id() + "'s engine");
        }
        final DirectRunner runner = DirectRunner.of(engine, variant, options.maxBatch());
        final CrfRefiner refiner = crf == null ? null : crf.newRefiner(options.threads());
        try {
            return new SegmentationPath(variant, options.fit(), runner, refiner, options.working());
        } catch (RuntimeException | Error e) {
            if (refiner != null) {
                closeAfter(e, refiner);
            }
            throw e;
        }
    }

    /** Engine, version and device, for start-up lines. */
    public String engineDescription() {
        return engine.description();
    }

    /** The engine's {@code --engine} name ({@code cpu}, {@code cuda}, {@code tensorrt}), for metrics and Masks. */
    public String engineLabel() {
        return engine.choice().label();
    }

    /** The model's id, for start-up lines. */
    public String modelId() {
        return card.id();
    }

    /** The fit's name ({@code zoom}, {@code tile}, ...), for start-up lines. */
    public String fitLabel() {
        return options.fit().label();
    }

    /** Whose CRF parameters are the base of the CRF's: "the model card's" or "DeepLab v2's". */
    public String crfSource() {
        return ModelCrf.source(card);
    }

    /**
     * The model as each Mask names it: id, class table, palette and background class, and the engine
     * ({@code "cpu: "} and its description).
     */
    public ModelInfo modelInfo() {
        final ModelInfo.Builder info = ModelInfo.newBuilder().setModelId(card.id()).addAllClassNames(card.classes())
                .setEngine(engineLabel() + ": " + engineDescription());
        if (card.background() != null) {
            info.setBackgroundClass(card.background());
        }
        for (int c = 0; c < card.classCount(); c++) {
            info.addPalette(card.rgb(c));
        }
        return info.build();
    }

    /**
     * The engine behind one dynamic batcher of at most {@code maxBatch} model inputs, each waiting at
     * most {@code maxDelayNanos} for others, for paths on many threads (the processor's); the caller
     * closes it before this segmenter.
     */
    public SharedBatcher shareBatcher(final int maxBatch, final long maxDelayNanos,
            final DynamicBatcher.BatchListener listener) {
        return new SharedBatcher(card, options.fit(), crf, options.working(), engine, maxBatch, maxDelayNanos,
                listener);
    }

    /** Closes the own path (its CRF threads), then the engine, even when the first close fails. */
    @Override
    public void close() {
        final SegmentationPath own;
        synchronized (this) {
            own = path;
            path = null;
        }
        // try-with-resources closes in reverse order and keeps a second failure as suppressed
        try (InferenceEngine closingEngine = engine; SegmentationPath closingPath = own) {
            // nothing more to do: the resources are the work
        }
    }
}

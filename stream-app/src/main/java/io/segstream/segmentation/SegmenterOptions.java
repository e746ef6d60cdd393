package io.segstream.segmentation;

import io.segstream.crf.CrfParams;
import io.segstream.crf.CrfSetup;
import io.segstream.inference.EngineChoice;
import io.segstream.inference.Fit;
import io.segstream.inference.FitMode;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link Segmenter#open} opens: an imported model, the engine it runs on, and the CRF's
 * settings. Start from {@link #forModel} (its defaults below) and change what differs with the
 * {@code with} methods; every verb that segments ({@code run}, {@code demo}, {@code segment},
 * {@code eval}, the import checks) describes what it wants this way.
 *
 * @param modelDir a directory made by {@code segstream model import} (model.onnx and model.json)
 * @param engine the engine to run on; default {@link EngineChoice#AUTO}
 * @param threads CPU threads for inference, and for the CRF of the segmenter's own path; default all cores
 * @param tensorRtFp16 TensorRT may use half precision for float layers; default false
 * @param engineCache where TensorRT keeps built engines, or null for none; default null
 * @param fit how frames meet the model input on the segmenter's own paths; default zoom
 * @param maxBatch most model inputs per engine call on the segmenter's own paths; default 1
 * @param crf the CRF's settings for the model's own parameters; default {@link CrfSettings#OFF}
 * @param working the size the segmenter's own paths work at; default {@link WorkingSize#SOURCE}
 */
public record SegmenterOptions(Path modelDir, EngineChoice engine, int threads, boolean tensorRtFp16,
        Path engineCache, Fit fit, int maxBatch, CrfSettings crf, WorkingSize working) {

    /**
     * The CRF's settings as a function of the model's own parameters (its card's crf block, else
     * DeepLab v2's): {@code SegstreamConfig::crfSetup}, which lays the {@code crf.*} settings over
     * them, or {@link #OFF}.
     */
    @FunctionalInterface
    public interface CrfSettings {
        /** No CRF: labels are the argmax of the upsampled logits. */
        CrfSettings OFF = model -> null;

        /**
         * The CRF for a model whose own parameters are {@code model}, or null for none.
         *
         * @throws RuntimeException naming the setting when a setting is invalid
         */
        CrfSetup forModel(CrfParams model);
    }

    public SegmenterOptions {
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(fit, "fit");
        Objects.requireNonNull(crf, "crf");
        Objects.requireNonNull(working, "working");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        }
    }

    /** The defaults for the model in {@code modelDir}: auto engine, all cores, zoom, batches of 1, no CRF. */
    public static SegmenterOptions forModel(final Path modelDir) {
        return new SegmenterOptions(modelDir, EngineChoice.AUTO, Runtime.getRuntime().availableProcessors(), false,
                null, Fit.of(FitMode.ZOOM), 1, CrfSettings.OFF,
                WorkingSize.SOURCE);
    }

    public SegmenterOptions withEngine(final EngineChoice value) {
        return new SegmenterOptions(modelDir, value, threads, tensorRtFp16, engineCache, fit, maxBatch, crf, working);
    }

    public SegmenterOptions withThreads(final int value) {
        return new SegmenterOptions(modelDir, engine, value, tensorRtFp16, engineCache, fit, maxBatch, crf, working);
    }

    public SegmenterOptions withTensorRtFp16(final boolean value) {
        return new SegmenterOptions(modelDir, engine, threads, value, engineCache, fit, maxBatch, crf, working);
    }

    public SegmenterOptions withEngineCache(final Path value) {
        return new SegmenterOptions(modelDir, engine, threads, tensorRtFp16, value, fit, maxBatch, crf, working);
    }

    public SegmenterOptions withFit(final Fit value) {
        return new SegmenterOptions(modelDir, engine, threads, tensorRtFp16, engineCache, value, maxBatch, crf, working);
    }

    public SegmenterOptions withMaxBatch(final int value) {
        return new SegmenterOptions(modelDir, engine, threads, tensorRtFp16, engineCache, fit, value, crf, working);
    }

    public SegmenterOptions withWorking(final WorkingSize value) {
        return new SegmenterOptions(modelDir, engine, threads, tensorRtFp16, engineCache, fit, maxBatch, crf, value);
    }

    public SegmenterOptions withCrf(final CrfSettings value) {
        return new SegmenterOptions(modelDir, engine, threads, tensorRtFp16, engineCache, fit, maxBatch, value, working);
    }
}

package io.segstream.cli;

import io.segstream.config.ConfigLoader;
import io.segstream.config.SegstreamConfig;
import io.segstream.data.AssetResolver;
import io.segstream.model.ModelLocator;
import io.segstream.segmentation.Segmenter;
import io.segstream.segmentation.WorkingSize;
import io.segstream.topology.SegstreamProcessor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The settings of the verbs that segment outside Kafka ({@code segment}, {@code eval}): the same
 * declared settings and sources as {@code run} (a properties file, environment, {@code -X}, flags),
 * so that a model, a fit and CRF parameters tried here behave the same in the processor.
 */
final class LocalOptions {
    @Option(names = "--model", paramLabel = "DIR|NAME",
            description = "A directory made by 'segstream model import', or a model name (segstream model list; "
                    + "default: the model setting).")
    String model;

    @Option(names = "--fit", paramLabel = "MODE",
            description = "How frames meet the model input: tile, zoom, squash or letterbox (default: the fit "
                    + "setting).")
    String fit;

    @Option(names = "--engine", paramLabel = "ENGINE", completionCandidates = EngineNames.class,
            description = "${COMPLETION-CANDIDATES}: auto takes the first that can run here (default: the engine "
                    + "setting, ${bundle:default.engine}).")
    String engine;

    @Option(names = "--crf", paramLabel = "on|off",
            description = "Refine with the dense CRF (default: the crf setting, ${bundle:default.crf}); crf.* settings "
                    + "tune it.")
    String crf;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads for inference (default: all cores).")
    Integer threads;

    @Option(names = "--config", paramLabel = "FILE", description = "A properties file of segstream settings.")
    Path configFile;

    @Option(names = "-X", paramLabel = "KEY=VALUE",
            description = "One segstream setting (crf.w1=3, fit=zoom, ...), as in the properties file; repeatable.")
    List<String> settings = List.of();

    /** The declared settings from every source, this command's flags winning. */
    SegstreamConfig load() {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String pair : settings) {
            Map.Entry<String, String> e = ConfigLoader.parsePair(pair);
            overrides.put(e.getKey(), e.getValue());
        }
        KafkaOptions.flag(overrides, SegstreamConfig.MODEL, model);
        KafkaOptions.flag(overrides, SegstreamConfig.FIT, fit);
        KafkaOptions.flag(overrides, SegstreamConfig.ENGINE, engine);
        KafkaOptions.flag(overrides, SegstreamConfig.CRF, crf);
        KafkaOptions.flag(overrides, SegstreamConfig.INFERENCE_THREADS, threads);
        SegstreamConfig config = ConfigLoader.load(configFile, System.getenv(), overrides).segstream();
        config.crfSetup(); // a bad CRF value fails now, naming the setting
        return config;
    }

    /** The model the settings name, imported (once) and opened on the chosen engine with the CRF. */
    static Segmenter open(final SegstreamConfig config, final AssetResolver assets, final int maxBatch)
            throws IOException {
        final Path modelDir = ModelLocator.locate(config.model(), assets);
        // segment and eval write and score labels at the image's own size: the CRF works at the working size
        return Segmenter.open(SegstreamProcessor.segmenterOptions(config, modelDir, assets.cacheDir())
                .withWorking(new WorkingSize(config.workingMaxSide(), true))
                .withMaxBatch(maxBatch));
    }
}

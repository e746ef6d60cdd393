package io.segstream.cli;

import io.segstream.broker.KafkaErrors;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.data.AssetResolver;
import io.segstream.metrics.PipelineMetrics;
import io.segstream.model.ModelLocator;
import io.segstream.topology.SegstreamProcessor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Run the processor: a Kafka Streams application that reads Frame records, segments them with DeepLab "
                + "and writes Mask records, until stopped (Ctrl-C or SIGTERM).",
            "Records that are not valid frames go to the dead-letter topic with the reason in a 'segstream.error' "
                + "header. Frames from all stream threads share one dynamic batcher. Exactly-once by default "
                + "(processing.guarantee=exactly_once_v2; -X processing.guarantee=at_least_once to relax). Start more "
                + "processes with the same --application-id to scale out.",
            "",
            "Examples:",
            "  segstream run -b kafka:9092",
            "  segstream run -b kafka:9092 --max-frame-age-ms 500 --config client.properties"})
final class RunCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--application-id", defaultValue = "segstream", paramLabel = "ID",
            description = "Kafka Streams application.id: processes with the same id share the cameras "
                    + "(default: ${DEFAULT-VALUE}).")
    String applicationId;

    @Mixin
    PipelineOptions pipeline;

    @Mixin
    DataOptions data;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Prometheus endpoint port, http://host:PORT/metrics (default: "
                    + SegstreamConfig.RUN_METRICS_PORT + "; -1 turns it off).")
    Integer metricsPort;

    @Option(names = "--report-every", defaultValue = "10s", paramLabel = "DURATION",
            description = "How often to log progress (ISO-8601 or like 10s, 1m; default: ${DEFAULT-VALUE}).")
    String reportEvery;

    @Option(names = "--print-config",
            description = "Print every setting in force (file, environment, -X and options merged; secrets shown as "
                    + "[hidden]) and exit without connecting.")
    boolean printConfig;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = pipeline.flags();
        KafkaOptions.flag(flags, SegstreamConfig.METRICS_PORT, metricsPort);
        ConfigLoader.Loaded loaded = kafka.load(Map.of(SegstreamConfig.METRICS_PORT,
                String.valueOf(SegstreamConfig.RUN_METRICS_PORT)), flags);
        if (printConfig) {
            System.out.print(loaded.describe());
            System.out.println("# --application-id\napplication.id=" + loaded.kafka().getOrDefault("application.id",
                    applicationId));
            return 0;
        }
        SegstreamConfig config = loaded.segstream();
        KafkaSettings settings = new KafkaSettings(config, loaded.kafka());
        settings.validatedStreams(applicationId); // a bad Kafka setting fails now, before the model loads
        config.crfParams(); // and so do CRF settings the ConfigDef cannot check alone
        config.crfSetup();
        Path modelDir = ModelLocator.locate(config.model(), data.resolver());
        Duration every = Durations.parse(reportEvery, "--report-every");
        // SIGTERM/Ctrl-C while connecting ends the wait at once; once the processor runs, the loop below sees
        // the request and closes it (its last transaction committed or aborted, within CLOSE_TIMEOUT).
        try (Shutdown shutdown = Shutdown.install(SegstreamProcessor.CLOSE_TIMEOUT.plusSeconds(10))) {
            SegstreamProcessor processor = SegstreamProcessor.start(config, settings, modelDir, AssetResolver.defaultCacheDir(), applicationId);
            shutdown.protect();
            try (processor) {
                System.err.println("segstream run: " + processor.description());
                long lastMasks = 0;
                long lastAt = System.nanoTime();
                long nextReport = System.nanoTime() + every.toNanos();
                while (!shutdown.await(Duration.ofMillis(250))) {
                    if (processor.refusal() != null) { // a credential or an ACL withdrawn while running
                        throw KafkaErrors.explain("processing", processor.refusal(), settings);
                    }
                    long now = System.nanoTime();
                    if (now < nextReport) {
                        continue;
                    }
                    nextReport = now + every.toNanos();
                    PipelineMetrics m = processor.metrics();
                    double rate = (m.masksOut() - lastMasks) / ((now - lastAt) / 1e9);
                    lastMasks = m.masksOut();
                    lastAt = now;
                    System.err.printf(Locale.ROOT, "%s: frames in %d, masks out %d (%.1f/s), skipped %d, "
                                    + "dead-lettered %d, mean batch %.2f, mean CRF iterations %.2f (%.0f%% warm)%n",
                            processor.state(), m.framesIn(), m.masksOut(), rate, m.skippedFrames(),
                            m.deadLetteredRecords(), m.meanBatchSize(), m.meanCrfIterations(),
                            100 * m.crfWarmStartRate());
                }
                System.err.println("segstream run: stopping (" + processor.state() + ")");
            }
        }
        return 0;
    }

    /** Options of the processing pipeline itself, shared by run and demo. */
    static final class PipelineOptions {
        @Option(names = "--model", paramLabel = "DIR|NAME",
                description = "A directory made by 'segstream model import', or a known model name "
                        + "(default: ${bundle:default.model}; 'segstream model list' shows them all).")
        String model;

        @Option(names = "--engine", paramLabel = "ENGINE", completionCandidates = EngineNames.class,
                description = "${COMPLETION-CANDIDATES}: auto takes the first that can run here, 'segstream "
                        + "engines' says which can and why not (default: ${bundle:default.engine}).")
        String engine;

        @Option(names = "--fit", paramLabel = "MODE",
                description = "zoom (tiles of model input / fit.zoom frame pixels, enlarged; small people survive), "
                        + "tile (native-resolution tiles), squash (one resize, fastest) or letterbox (default: "
                        + "${bundle:default.fit}).")
        String fit;

        @Option(names = "--batch-max-size", paramLabel = "N",
                description = "Largest inference batch in model inputs, across all stream threads (default: "
                        + "${bundle:default.batch.max.size}).")
        Integer batchMaxSize;

        @Option(names = "--batch-max-delay-ms", paramLabel = "MS",
                description = "Longest a frame waits for others to fill its batch (default: "
                        + "${bundle:default.batch.max.delay.ms}).")
        Integer batchMaxDelayMs;

        @Option(names = "--max-frame-age-ms", paramLabel = "MS",
                description = "Live mode: skip frames older than this on arrival, answering each with a "
                        + "SKIPPED_STALE mask (default: ${bundle:default.max.frame.age.ms}; 0 is batch mode: segment "
                        + "everything).")
        Long maxFrameAgeMs;

        @Option(names = "--crf", paramLabel = "on|off",
                description = "Refine masks with the fully connected CRF (default: ${bundle:default.crf}; its cost per "
                        + "frame: benchmarks/RESULTS.md; off takes the network's labels; the model card's parameters, "
                        + "crf.* settings override them). Each camera's frame starts from its previous frame's "
                        + "marginals unless crf.warm.start=false.")
        String crf;

        @Option(names = "--stream-threads", paramLabel = "N",
                description = "Kafka Streams threads (num.stream.threads; default: " + KafkaSettings.STREAM_THREADS
                        + "). Each has one frame in flight.")
        Integer streamThreads;

        @Option(names = "--inference-threads", paramLabel = "N",
                description = "CPU threads ONNX Runtime uses per batch (default: all cores).")
        Integer inferenceThreads;

        Map<String, String> flags() {
            Map<String, String> flags = new LinkedHashMap<>();
            KafkaOptions.flag(flags, SegstreamConfig.MODEL, model);
            KafkaOptions.flag(flags, SegstreamConfig.ENGINE, engine);
            KafkaOptions.flag(flags, SegstreamConfig.FIT, fit);
            KafkaOptions.flag(flags, SegstreamConfig.BATCH_MAX_SIZE, batchMaxSize);
            KafkaOptions.flag(flags, SegstreamConfig.BATCH_MAX_DELAY_MS, batchMaxDelayMs);
            KafkaOptions.flag(flags, SegstreamConfig.MAX_FRAME_AGE_MS, maxFrameAgeMs);
            KafkaOptions.flag(flags, SegstreamConfig.INFERENCE_THREADS, inferenceThreads);
            KafkaOptions.flag(flags, SegstreamConfig.CRF, crf);
            KafkaOptions.flag(flags, "num.stream.threads", streamThreads);
            return flags;
        }
    }
}

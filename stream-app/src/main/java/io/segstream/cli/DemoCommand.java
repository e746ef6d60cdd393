package io.segstream.cli;

import io.segstream.data.AssetResolver;
import io.segstream.broker.EmbeddedKafka;
import io.segstream.broker.TopicAdmin;
import io.segstream.broker.TopicReader;
import io.segstream.codec.VideoSource;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.export.OverlayExporter;
import io.segstream.ingest.FrameIngestor;
import io.segstream.metrics.MaskTally;
import io.segstream.metrics.PipelineMetrics;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import io.segstream.model.ModelLocator;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.PixelFormat;
import io.segstream.topology.SegstreamProcessor;
import io.segstream.view.LiveView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Everything in one command: start a Kafka broker inside this process, ingest clips as cameras, run the "
                + "processor on them, export an overlay video per camera and print a summary (frames in, masks out, "
                + "skipped, dead-lettered, frames/s, end-to-end latency, top classes per camera).",
            "With no --input it uses the sample clip sample:vtest (found in --data-dir, else downloaded once and "
                + "checksummed).",
            "",
            "Examples:",
            "  segstream demo",
            "  segstream demo --input sample:vtest --input sample:car-traffic --frames 300",
            "  segstream demo --view",
            "  segstream demo --cameras 4 --frames 200 --fit squash"})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--input", paramLabel = "FILE|URL|sample:NAME",
            description = "A clip to ingest as a camera; repeatable (default: sample:vtest).")
    List<String> inputs = new ArrayList<>(List.of("sample:vtest"));

    @Option(names = "--cameras", paramLabel = "N",
            description = "Number of cameras; the inputs are reused in turn when N exceeds them (default: one per input).")
    Integer cameras;

    @Option(names = "--frames", defaultValue = "200", paramLabel = "N",
            description = "Frames per camera (default: ${DEFAULT-VALUE}); a clip shorter than that is replayed from its "
                    + "start, as a camera that goes on (sequence numbers and presentation times continue).")
    long frames;

    @Option(names = "--out", defaultValue = "segstream-demo", paramLabel = "DIR",
            description = "Where the overlay videos go, one CAMERA.mp4 each (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--realtime", description = "Ingest at each clip's frame rate, like live cameras.")
    boolean realtime;

    @Option(names = "--fps", paramLabel = "N",
            description = "Ingest at most N frames per second of each clip, as 'segstream ingest --fps' (default: every "
                    + "frame).")
    Double fps;

    @Option(names = "--max-side", paramLabel = "PIXELS",
            description = "Ingest frames scaled down to this long side, as 'segstream ingest --max-side' (default: as "
                    + "decoded).")
    Integer maxSide;

    @Option(names = "--prefill",
            description = "Ingest every frame before the processor starts, so frames/s measures the processor alone.")
    boolean prefill;

    @Option(names = "--export", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Write an overlay video per camera (default: on; --no-export skips it).")
    boolean export;

    @Option(names = "--view",
            description = "Serve the live view (as 'segstream view' does) while the demo runs, and keep the broker, the "
                    + "processor and the view up after the clip until Ctrl-C.")
    boolean view;

    @Option(names = "--view-port", paramLabel = "PORT",
            description = "Port of the view (default: view.port, ${bundle:default.view.port}; 0: any free one).")
    Integer viewPort;

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT,...",
            description = "Run on this Kafka cluster instead of a broker inside the process. The demo's topics and "
                    + "application id then get a name of their own per run (segstream-demo-TIME-frames, ...), unless "
                    + "frames.topic and the others are set.")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A properties file of segstream and Kafka settings (for a cluster given with -b: "
                    + "security.protocol, sasl.*, ssl.*).")
    Path configFile;

    @Option(names = "-X", paramLabel = "KEY=VALUE", description = "Any segstream, Kafka client or Streams setting.")
    List<String> settings = List.of();

    @Mixin
    RunCommand.PipelineOptions pipeline;

    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws Exception {
        if (frames < 1) {
            throw new IllegalArgumentException("--frames must be at least 1, was " + frames);
        }
        double ingestFps = IngestCommand.checkFps(fps);
        int ingestMaxSide = IngestCommand.checkMaxSide(maxSide);
        int cameraCount = cameras != null ? cameras : inputs.size();
        if (cameraCount < 1) {
            throw new IllegalArgumentException("--cameras must be at least 1, was " + cameraCount);
        }
        AssetResolver assets = data.resolver();
        KafkaOptions options = new KafkaOptions();
        options.settings = settings;
        options.configFile = configFile;
        boolean external = bootstrapServers != null;
        Map<String, String> defaults = external ? runNames() : Map.of();
        options.bootstrapServers = external ? bootstrapServers : "127.0.0.1:1"; // the embedded broker's, below
        Map<String, String> flags = pipeline.flags();
        KafkaOptions.flag(flags, SegstreamConfig.VIEW_PORT, viewPort);
        ConfigLoader.Loaded probe = options.load(defaults, flags);
        Inputs.prefetch(assets, inputs, probe.segstream().model());
        List<String> sources = new ArrayList<>();
        for (String input : inputs) {
            sources.add(Inputs.resolveVideo("--input", input, assets));
        }
        Path modelDir = ModelLocator.locate(probe.segstream().model(), assets);
        ModelCard card = ModelCard.read(modelDir.resolve(ModelImporter.CARD_FILE));
        List<String> cameraIds = new ArrayList<>();
        for (int i = 0; i < cameraCount; i++) {
            cameraIds.add(cameraId(inputs.get(i % inputs.size()), i));
        }

        if (!external) {
            System.err.println("demo: starting an embedded Kafka broker");
        }
        // SIGTERM/Ctrl-C at any point: the wait in hand ends, the processor and the broker close, within the grace.
        try (Shutdown shutdown = Shutdown.install(SegstreamProcessor.CLOSE_TIMEOUT.plusSeconds(15));
                EmbeddedKafka broker = external ? null : EmbeddedKafka.start(
                        new KafkaSettings(probe.segstream(), probe.kafka()).maxRecordBytes())) {
            if (broker != null) {
                options.bootstrapServers = broker.bootstrapServers();
            }
            ConfigLoader.Loaded loaded = options.load(defaults, flags);
            SegstreamConfig config = loaded.segstream();
            KafkaSettings kafka = new KafkaSettings(config, loaded.kafka());
            TopicAdmin.ensureAll(config, kafka);
            String applicationId = String.valueOf(loaded.kafka().getOrDefault(APPLICATION_ID, "segstream-demo"));
            if (external) {
                System.err.printf("demo: on %s, topics %s, %s, %s, application id %s%n", kafka.bootstrapServers(),
                        config.framesTopic(), config.masksTopic(), config.deadLetterTopic(), applicationId);
            }

            LiveView live = view ? new LiveView(config, kafka.consumer()).start() : null;
            if (live != null) {
                System.err.println("demo: live view at " + live.url());
            }
            AtomicLong expected = new AtomicLong(-1);
            MaskTally tally = new MaskTally();
            PipelineMetrics metrics;
            String description;
            long runNanos;
            ExecutorService pool = Executors.newFixedThreadPool(cameraCount + 1);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                    new ByteArraySerializer())) {
                List<Future<Long>> jobs = new ArrayList<>();
                Runnable startIngest = () -> {
                    for (int i = 0; i < cameraCount; i++) {
                        String source = sources.get(i % sources.size());
                        String camera = cameraIds.get(i);
                        jobs.add(pool.submit(() -> {
                            try (VideoSource video = VideoSource.open(source, PixelFormat.PIXEL_FORMAT_I420,
                                    ingestMaxSide)) {
                                return new FrameIngestor(config, producer).ingest(video, new FrameIngestor.Options(
                                        source, camera, PixelFormat.PIXEL_FORMAT_I420, realtime, frames, 0, ingestFps, true),
                                        n -> { });
                            }
                        }));
                    }
                    pool.submit(() -> {
                        try {
                            expected.set(sum(jobs));
                        } catch (Exception e) {
                            expected.set(-2);
                            System.err.println("demo: ingest failed: " + e.getMessage());
                        }
                    });
                };
                // Cameras served live are streaming before and after a processor starts: with --realtime the clip
                // starts once the processor runs, so the run measures serving a camera, not catching up with the
                // frames that came while the model loaded.
                boolean ingestFirst = !realtime || prefill;
                if (ingestFirst) {
                    startIngest.run();
                }
                if (prefill) {
                    expected.set(sum(jobs));
                    System.err.printf("demo: %d frames ingested before the processor starts (--prefill)%n",
                            expected.get());
                }
                try (SegstreamProcessor processor = SegstreamProcessor.start(config, kafka, modelDir, AssetResolver.defaultCacheDir(), applicationId)) {
                    processor.awaitRunning(Duration.ofMinutes(2));
                    if (!ingestFirst) {
                        startIngest.run();
                    }
                    long runStart = System.nanoTime();
                    System.err.println("demo: processing " + processor.description());
                    metrics = processor.metrics();
                    description = processor.description();
                    boolean complete;
                    try (ProgressBar bar = new ProgressBarBuilder().setTaskName("masks")
                            .setInitialMax((long) cameraCount * frames).setStyle(ProgressBarStyle.ASCII)
                            .setUnit(" masks", 1).showSpeed().build()) {
                        complete = TopicReader.follow(kafka.consumer(), config.masksTopic(), record -> {
                            tally.add(parseMask(record.value()));
                            bar.stepTo(tally.masks());
                            if (expected.get() >= 0) {
                                bar.maxHint(expected.get());
                            }
                        }, () -> expected.get() == -2
                                || (expected.get() >= 0 && tally.masks() + metrics.deadLetteredRecords() >= expected.get()),
                                Duration.ofHours(6));
                    }
                    runNanos = System.nanoTime() - runStart;
                    if (expected.get() == -2) {
                        throw new IllegalStateException("ingest failed; see above");
                    }
                    if (!complete) {
                        throw new IllegalStateException("masks did not arrive within the time limit");
                    }
                    if (live != null) {
                        printSummary(tally, metrics, expected.get(), runNanos, card, cameraIds, description, realtime);
                        System.err.println("demo: the clip is done; the broker, the processor and the view at "
                                + live.url() + " stay up until Ctrl-C");
                        shutdown.protect();
                        shutdown.await(Duration.ofDays(365_000));
                        return 0;
                    }
                }
            } finally {
                pool.shutdownNow();
                if (live != null) {
                    live.close();
                }
            }
            printSummary(tally, metrics, expected.get(), runNanos, card, cameraIds, description, realtime);
            if (export) {
                Files.createDirectories(out);
                OverlayExporter exporter = new OverlayExporter(kafka.consumer(), config.framesTopic(),
                        config.masksTopic());
                for (String camera : cameraIds) {
                    Path file = out.resolve(camera + ".mp4");
                    OverlayExporter.Result r = exporter.export(camera, file, 0.55f, 0);
                    System.out.printf("overlay of %s: %s (%d frames, %d with a mask, %d of them the camera's latest "
                            + "earlier one)%n", camera, file, r.frames(), r.overlaid(), r.held());
                }
            }
        }
        return 0;
    }

    private static final String APPLICATION_ID = "application.id";

    /** The start of a live run that its steady-state figures leave out (as the capacity harness does). */
    private static final Duration STARTUP = Duration.ofSeconds(10);

    /** Topic names and an application id of this run's own, for a demo on a shared cluster. */
    private static Map<String, String> runNames() {
        String run = "segstream-demo-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .format(java.time.LocalDateTime.now());
        return Map.of(SegstreamConfig.FRAMES_TOPIC, run + "-frames", SegstreamConfig.MASKS_TOPIC, run + "-masks",
                SegstreamConfig.DEAD_LETTER_TOPIC, run + "-dead-letters", APPLICATION_ID, run);
    }

    private static long sum(List<Future<Long>> jobs) throws Exception {
        long total = 0;
        for (Future<Long> job : jobs) {
            try {
                total += job.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
        }
        return total;
    }

    private static Mask parseMask(byte[] value) {
        try {
            return Mask.parseFrom(value);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("the masks topic holds a record that is not a Mask", e);
        }
    }

    static String cameraId(String input, int index) {
        String base = input.startsWith("sample:") ? input.substring("sample:".length())
                : Path.of(input.replaceAll("[?#].*$", "")).getFileName().toString().replaceAll("\\.[^.]*$", "");
        return base.replaceAll("[^A-Za-z0-9_-]", "_") + "-" + (index + 1);
    }

    private static void printSummary(MaskTally tally, PipelineMetrics metrics, long framesIn, long runNanos,
            ModelCard card, List<String> cameraIds, String description, boolean realtime) {
        double seconds = runNanos / 1e9;
        long segmented = tally.masks() - tally.skipped();
        System.out.println();
        System.out.println("segstream demo summary");
        System.out.println("  pipeline:      " + description);
        System.out.printf(Locale.ROOT, "  frames in:     %d%n", framesIn);
        StringBuilder reasons = new StringBuilder();
        tally.skippedByReason().forEach((reason, n) -> reasons.append(reasons.length() == 0 ? ": " : ", ")
                .append(n).append(' ').append(reason));
        System.out.printf(Locale.ROOT, "  masks out:     %d (%d segmented, %d skipped%s)%n", tally.masks(),
                segmented, tally.skipped(), reasons);
        tally.lastSkipDetail().forEach((reason, detail) -> System.out.printf(Locale.ROOT,
                "  last %s:%s %s%n", reason, " ".repeat(Math.max(0, 10 - reason.length())), detail));
        System.out.printf(Locale.ROOT, "  dead-lettered: %d%n", metrics.deadLetteredRecords());
        System.out.printf(Locale.ROOT, "  throughput:    %.2f frames/s answered, %.2f segmented, over %.1f s (processor "
                + "start to last mask)%n", tally.masks() / seconds, segmented / seconds, seconds);
        System.out.printf(Locale.ROOT, "  latency:       p50 %.0f ms, p99 %.0f ms (capture to mask)%n",
                tally.latencyPercentileUs(50) / 1e3, tally.latencyPercentileUs(99) / 1e3);
        if (realtime && seconds > 2 * STARTUP.toSeconds()) {
            // a camera served for hours sees these, not the first seconds' JIT compilation of Kafka's and our code
            System.out.printf(Locale.ROOT, "  after %d s:    %.2f segmented frames/s, p50 %.0f ms, p99 %.0f ms (frames "
                    + "captured from %d s after the first on; before that the JVM is still compiling)%n",
                    STARTUP.toSeconds(), tally.segmentedPerCaptureSecond(STARTUP),
                    tally.latencyPercentileUs(50, STARTUP) / 1e3, tally.latencyPercentileUs(99, STARTUP) / 1e3,
                    STARTUP.toSeconds());
        }
        System.out.printf(Locale.ROOT, "  batches:       mean %.2f model inputs per engine call%n",
                metrics.meanBatchSize());
        double[] stages = tally.meanStageMillis();
        System.out.printf(Locale.ROOT, "  per frame:     preprocess %.1f ms, queue %.1f ms, inference %.1f ms, "
                + "CRF %.1f ms, postprocess %.1f ms (means)%n", stages[0], stages[1], stages[2], stages[3], stages[4]);
        if (tally.crfFrames() > 0) {
            System.out.printf(Locale.ROOT, "  CRF:           %d masks refined, %.0f%% warm-started, mean %.2f iterations, "
                    + "%.1f ms per frame, %.2f%% of pixels changed from the network's labels%n", tally.crfFrames(),
                    100 * tally.crfWarmShare(), tally.crfMeanIterations(), stages[3],
                    100 * tally.crfMeanChangedShare());
        }
        for (String camera : cameraIds) {
            MaskTally.Camera c = tally.cameras().get(camera);
            if (c == null) {
                System.out.printf("  %-14s no masks%n", camera + ":");
                continue;
            }
            System.out.printf(Locale.ROOT, "  %-14s %d masks%s; %s%n", camera + ":", c.masks(),
                    c.outOfOrder() == 0 ? ", in order" : ", " + c.outOfOrder() + " OUT OF ORDER",
                    Summary.topClasses(c.classPixels(), card, 4));
        }
    }
}

package io.segstream.topology;

import io.segstream.broker.TopicAdmin;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.crf.CrfSetup;
import io.segstream.metrics.PipelineMetrics;
import io.segstream.metrics.PrometheusEndpoint;
import io.segstream.segmentation.Segmenter;
import io.segstream.segmentation.SegmenterOptions;
import io.segstream.segmentation.WarmUp;
import io.segstream.segmentation.WorkingSize;
import io.segstream.segmentation.SharedBatcher;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running {@code segstream run}: the model on its engine, the shared dynamic batcher
 * ({@link SharedBatcher}), and the
 * Kafka Streams application executing {@link SegstreamTopology}. Scale-out is Kafka's: start more
 * of these with the same application id.
 */
public final class SegstreamProcessor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SegstreamProcessor.class);
    /**
     * The longest {@link #close()} waits for the stream threads. A RUNNING processor closes in about a
     * second; one still rebalancing (a stream thread inside a group join) would hold the close for
     * the whole rebalance, so it is cut off here: its open transaction, if any, is aborted by the
     * broker and its frames are processed again by whoever takes the partitions.
     */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Segmenter segmenter;
    private final SegmentationStage stage;
    private final SharedBatcher batcher;
    private final PipelineMetrics metrics;
    private final KafkaStreams streams;
    private final String description;
    private final PrometheusEndpoint endpoint;
    private final AtomicReference<Throwable> refusal;

    private SegstreamProcessor(Segmenter segmenter, SegmentationStage stage, SharedBatcher batcher,
            PipelineMetrics metrics,
            KafkaStreams streams, String description, PrometheusEndpoint endpoint, AtomicReference<Throwable> refusal) {
        this.endpoint = endpoint;
        this.refusal = refusal;
        this.segmenter = segmenter;
        this.stage = stage;
        this.batcher = batcher;
        this.metrics = metrics;
        this.streams = streams;
        this.description = description;
    }

    /**
     * Loads the model, creates missing topics and starts the Streams application. When a step
     * fails, what the earlier steps opened (engine, batcher, CRF, Streams client, endpoint) is
     * closed before the failure is thrown.
     *
     * @param modelDir a directory made by {@code segstream model import}
     * @param cacheDir where TensorRT keeps built engines unless {@code tensorrt.cache.dir} says
     *     otherwise: under {@code cacheDir/tensorrt} (the verbs pass the asset cache)
     */
    public static SegstreamProcessor start(final SegstreamConfig config, final KafkaSettings kafka,
            final Path modelDir, final Path cacheDir, final String applicationId) {
        final Properties props = kafka.streams(applicationId);
        final StreamsConfig streamsConfig = kafka.validatedStreams(applicationId); // names a bad setting before any work
        // A bad model directory is named before Kafka is asked; the segmenter reads the card again as it opens.
        Segmenter.checkModel(modelDir);
        // A missing ACL is named before anything is created or loaded; topics not there yet are created next.
        TopicAdmin.awaitCluster(kafka);
        TopicAdmin.requireAccess(kafka, List.of(Map.entry(config.framesTopic(), AclOperation.READ),
                Map.entry(config.masksTopic(), AclOperation.WRITE),
                Map.entry(config.deadLetterTopic(), AclOperation.WRITE)));
        TopicAdmin.ensureAll(config, kafka);
        final Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            final Segmenter segmenter = Segmenter.open(segmenterOptions(config, modelDir, cacheDir));
            opened.push(segmenter);
            return start(config, props, streamsConfig, segmenter, opened);
        } catch (RuntimeException | Error e) {
            closeAll(opened, e);
            throw e;
        }
    }

    /**
     * The segmenter options the settings describe, for {@code modelDir}: engine, threads, TensorRT's
     * precision and cache (under {@code cacheDir} unless set), fit, and the CRF (the model's own
     * parameters under the {@code crf.*} settings). {@code segment} and {@code eval} open theirs from
     * here too, so a setting tried there behaves the same in the processor.
     */
    public static SegmenterOptions segmenterOptions(final SegstreamConfig config, final Path modelDir,
            final Path cacheDir) {
        return SegmenterOptions.forModel(modelDir)
                .withEngine(config.engine())
                .withThreads(config.inferenceThreads())
                .withTensorRtFp16(config.tensorRtFp16())
                .withEngineCache(config.tensorRtCacheDir(cacheDir))
                .withFit(config.fit())
                .withCrf(config::crfSetup)
                .withWorking(workingSize(config));
    }

    /** The working size the settings describe ({@code working.max.side}, {@code mask.size}). */
    public static WorkingSize workingSize(final SegstreamConfig config) {
        return new WorkingSize(config.workingMaxSide(), config.masksAtSource());
    }

    /** The rest of {@link #start}, after the segmenter; whatever it opens goes on {@code opened}. */
    private static SegstreamProcessor start(final SegstreamConfig config, final Properties props,
            final StreamsConfig streamsConfig, final Segmenter segmenter, final Deque<AutoCloseable> opened) {
        final PipelineMetrics metrics = new PipelineMetrics(config.batchMaxSize());
        metrics.engine(segmenter.engineLabel(), segmenter.engineDescription());
        final SharedBatcher batcher = segmenter.shareBatcher(config.batchMaxSize(),
                TimeUnit.MILLISECONDS.toNanos(config.batchMaxDelayMs()), metrics::batchRun);
        opened.push(batcher);
        final Clock clock = Clock.systemUTC();
        final CrfSetup crf = segmenter.crf();
        final SegmentationStage stage = new SegmentationStage(batcher::newPath, segmenter.modelInfo(),
                config.cocoRle(), metrics, clock);
        opened.push(stage);
        final KafkaStreams streams = new KafkaStreams(SegstreamTopology.build(config, stage, metrics, clock), props);
        opened.push(streams);
        final AtomicReference<Throwable> refusal = new AtomicReference<>();
        streams.setUncaughtExceptionHandler(e -> onStreamThreadFailure(e, refusal));
        String description = String.format("%s -> %s (dead letters: %s), model %s, %s, fit %s, batch <= %d inputs "
                        + "within %d ms, CRF %s, working size %s, %d stream threads, %s, %s",
                config.framesTopic(), config.masksTopic(), config.deadLetterTopic(), segmenter.modelId(),
                segmenter.engineDescription(), segmenter.fitLabel(), config.batchMaxSize(), config.batchMaxDelayMs(),
                crfDescription(crf, segmenter.crfSource()), workingSize(config).describe(),
                streamsConfig.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG),
                streamsConfig.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                config.liveMode() ? "live mode (each camera's newest frame, max frame age " + config.maxFrameAgeMs()
                        + " ms" + (config.maxFps() > 0 ? ", at most " + config.maxFps() + " frames/s per camera" : "")
                        + ")" : "batch mode");
        PrometheusEndpoint endpoint = null;
        if (config.metricsPort() >= 0) {
            endpoint = PrometheusEndpoint.start(config.metricsBind(), config.metricsPort(), metrics, streams,
                    segmenter.engineLabel());
            opened.push(endpoint);
            description += ", metrics on http://" + config.metricsBind() + ":" + endpoint.port() + "/metrics"
                    + " (probes: /healthz, /readyz)";
        }
        if (config.warmupFrames() > 0) {
            description += ", warmed up with " + warmUp(segmenter, config.warmupFrames());
        }
        streams.start();
        LOG.info("processing {}", description);
        return new SegstreamProcessor(segmenter, stage, batcher, metrics, streams, description, endpoint, refusal);
    }

    /** {@link WarmUp} before the stream threads start: the model and the CRF run once before any camera is taken. */
    private static String warmUp(final Segmenter segmenter, final int frames) {
        LOG.info("warming up: {} synthetic frames of {}x{}", frames, WarmUp.WIDTH, WarmUp.HEIGHT);
        try {
            return WarmUp.run(segmenter, frames).describe();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while warming up", e);
        }
    }

    /** Closes {@code opened} from the last opened to the first, keeping what closing throws on {@code failure}. */
    private static void closeAll(final Deque<AutoCloseable> opened, final Throwable failure) {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception | Error e) {
                failure.addSuppressed(e);
            }
        }
    }

    /** What a stream thread's failure does: a refusal by Kafka stops the client; anything else replaces the thread. */
    private static StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onStreamThreadFailure(
            final Throwable e, final AtomicReference<Throwable> refusal) {
        final Throwable refused = securityCause(e);
        if (refused != null) {
            // A new thread would be refused the same way: stop, and let the command line say why.
            refusal.compareAndSet(null, refused);
            LOG.error("Kafka refused the processor ({}); stopping", refused.getMessage());
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        LOG.error("a stream thread failed; replacing it (its uncommitted records are processed again)", e);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** Waits until the application has joined its group and is processing, or fails. */
    public void awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("the processor stopped while starting: " + streams.state());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the processor did not reach RUNNING within " + timeout.toSeconds()
                        + " s (state " + streams.state() + ")");
            }
            Thread.sleep(50);
        }
    }

    /**
     * What Kafka refused while processing (authentication, TLS, a missing ACL), which stopped the
     * processor; null while nothing was refused.
     */
    public Throwable refusal() {
        return refusal.get();
    }

    /** The authentication or authorisation failure in {@code e}'s causes, or null. */
    private static Throwable securityCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return t;
            }
        }
        return null;
    }

    public PipelineMetrics metrics() {
        return metrics;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public String description() {
        return description;
    }

    /** The Prometheus endpoint's port, or -1 when it is off. */
    public int metricsPort() {
        return endpoint == null ? -1 : endpoint.port();
    }

    @Override
    public void close() {
        if (!streams.close(CLOSE_TIMEOUT)) {
            LOG.warn("the processor did not close within {} s (state {}); exiting anyway: its uncommitted frames "
                    + "are processed again by the next owner of their partitions", CLOSE_TIMEOUT.toSeconds(),
                    streams.state());
        }
        if (endpoint != null) {
            endpoint.close();
        }
        stage.close();
        batcher.close();
        segmenter.close();
    }

    /** What the start-up line says of the CRF: off, or on with its kernels, whose they are and how it starts. */
    private static String crfDescription(CrfSetup crf, String source) {
        return crf == null ? "off" : "on (" + crf.description() + "; parameters: " + source + " under crf.*)";
    }
}

package io.segstream.topology;

import io.segstream.broker.TopicAdmin;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.crf.CrfSetup;
import io.segstream.inference.DynamicBatcher;
import io.segstream.inference.EngineRequest;
import io.segstream.inference.Engines;
import io.segstream.inference.FrameTranslator;
import io.segstream.inference.InferenceEngine;
import io.segstream.metrics.PipelineMetrics;
import io.segstream.metrics.PrometheusEndpoint;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import io.segstream.segmentation.ModelCrf;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
 * A running {@code segstream run}: the model on its engine, the shared dynamic batcher, and the
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

    private final InferenceEngine engine;
    private final SegmentationStage stage;
    private final DynamicBatcher batcher;
    private final PipelineMetrics metrics;
    private final KafkaStreams streams;
    private final String description;
    private final PrometheusEndpoint endpoint;
    private final AtomicReference<Throwable> refusal;

    private SegstreamProcessor(InferenceEngine engine, SegmentationStage stage, DynamicBatcher batcher,
            PipelineMetrics metrics,
            KafkaStreams streams, String description, PrometheusEndpoint endpoint, AtomicReference<Throwable> refusal) {
        this.endpoint = endpoint;
        this.refusal = refusal;
        this.engine = engine;
        this.stage = stage;
        this.batcher = batcher;
        this.metrics = metrics;
        this.streams = streams;
        this.description = description;
    }

    /**
     * Loads the model, creates missing topics and starts the Streams application.
     *
     * @param modelDir a directory made by {@code segstream model import}
     */
    public static SegstreamProcessor start(SegstreamConfig config, KafkaSettings kafka, Path modelDir,
            String applicationId) {
        Properties props = kafka.streams(applicationId);
        StreamsConfig streamsConfig = kafka.validatedStreams(applicationId); // names a bad setting before any work
        ModelCard card = ModelCard.read(modelDir.resolve(ModelImporter.CARD_FILE));
        FrameTranslator shape = new FrameTranslator(card, config.fit());
        // A missing ACL is named before anything is created or loaded; topics not there yet are created next.
        TopicAdmin.awaitCluster(kafka);
        TopicAdmin.requireAccess(kafka, List.of(Map.entry(config.framesTopic(), AclOperation.READ),
                Map.entry(config.masksTopic(), AclOperation.WRITE),
                Map.entry(config.deadLetterTopic(), AclOperation.WRITE)));
        TopicAdmin.ensureAll(config, kafka);
        InferenceEngine engine = Engines.open(config.engine(), EngineRequest.forModel(modelDir, card,
                config.inferenceThreads(), 1, config.tensorRtFp16(),
                config.tensorRtCacheDir(io.segstream.data.AssetResolver.defaultCacheDir())));
        PipelineMetrics metrics = new PipelineMetrics(config.batchMaxSize());
        metrics.engine(engine.choice().label(), engine.description());
        DynamicBatcher batcher = new DynamicBatcher(engine, shape.slotSize(), shape.outputSize(),
                config.batchMaxSize(), TimeUnit.MILLISECONDS.toNanos(config.batchMaxDelayMs()), metrics::batchRun);
        Clock clock = Clock.systemUTC();
        CrfSetup crf = config.crfSetup(ModelCrf.params(card)); // the card's parameters under the crf.* settings
        SegmentationStage stage = new SegmentationStage(batcher, engine.choice().label() + ": " + engine.description(),
                card, config.fit(), config.maxFrameAgeMs(),
                config.cocoRle(), crf, metrics, clock);
        KafkaStreams streams = new KafkaStreams(SegstreamTopology.build(config, stage, metrics, clock), props);
        AtomicReference<Throwable> refusal = new AtomicReference<>();
        streams.setUncaughtExceptionHandler(e -> {
            Throwable refused = securityCause(e);
            if (refused != null) {
                // A new thread would be refused the same way: stop, and let the command line say why.
                refusal.compareAndSet(null, refused);
                LOG.error("Kafka refused the processor ({}); stopping", refused.getMessage());
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            LOG.error("a stream thread failed; replacing it (its uncommitted records are processed again)", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        String description = String.format("%s -> %s (dead letters: %s), model %s, %s, fit %s, batch <= %d inputs "
                        + "within %d ms, CRF %s, %d stream threads, %s, %s",
                config.framesTopic(), config.masksTopic(), config.deadLetterTopic(), card.id(), engine.description(),
                config.fit().label(), config.batchMaxSize(), config.batchMaxDelayMs(),
                crfDescription(crf, ModelCrf.source(card)),
                streamsConfig.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG),
                streamsConfig.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                config.liveMode() ? "live mode (max frame age " + config.maxFrameAgeMs() + " ms)" : "batch mode");
        PrometheusEndpoint endpoint = null;
        if (config.metricsPort() >= 0) {
            try {
                endpoint = PrometheusEndpoint.start(config.metricsBind(), config.metricsPort(), metrics, streams,
                        engine.choice().label());
            } catch (RuntimeException e) {
                streams.close();
                stage.close();
                batcher.close();
                engine.close();
                throw e;
            }
            description += ", metrics on http://" + config.metricsBind() + ":" + endpoint.port() + "/metrics"
                    + " (probes: /healthz, /readyz)";
        }
        streams.start();
        LOG.info("processing {}", description);
        return new SegstreamProcessor(engine, stage, batcher, metrics, streams, description, endpoint, refusal);
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
        engine.close();
    }

    /** What the start-up line says of the CRF: off, or on with its kernels, whose they are and how it starts. */
    private static String crfDescription(CrfSetup crf, String source) {
        return crf == null ? "off" : "on (" + crf.description() + "; parameters: " + source + " under crf.*)";
    }
}

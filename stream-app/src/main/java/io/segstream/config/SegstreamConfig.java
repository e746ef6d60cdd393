package io.segstream.config;

import io.segstream.crf.CrfOptions;
import io.segstream.crf.CrfParams;
import io.segstream.crf.CrfSetup;
import io.segstream.crf.WarmStartSettings;
import io.segstream.inference.EngineChoice;
import io.segstream.inference.Fit;
import io.segstream.inference.FitMode;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Segstream's own settings, declared once (name, type, default, validator, documentation) in
 * Kafka's {@link ConfigDef}, as StreamsConfig declares its own. The properties file, environment
 * variables, {@code -X key=value} and command-line flags all feed this one declaration
 * ({@link ConfigLoader}); everything that is not declared here is a Kafka client or Streams
 * setting and passes through to Kafka.
 */
public final class SegstreamConfig extends AbstractConfig {
    public static final String FRAMES_TOPIC = "frames.topic";
    public static final String MASKS_TOPIC = "masks.topic";
    public static final String DEAD_LETTER_TOPIC = "dead.letter.topic";
    public static final String TOPIC_PARTITIONS = "topic.partitions";
    public static final String TOPIC_REPLICATION_FACTOR = "topic.replication.factor";
    public static final String FRAMES_RETENTION_MS = "frames.retention.ms";
    public static final String MAX_FRAME_BYTES = "max.frame.bytes";
    public static final String INGEST_RECONNECT = "ingest.reconnect";
    public static final String INGEST_RECONNECT_BACKOFF_MS = "ingest.reconnect.backoff.ms";
    public static final String INGEST_RECONNECT_BACKOFF_MAX_MS = "ingest.reconnect.backoff.max.ms";
    public static final String MODEL = "model";
    public static final String ENGINE = "engine";
    public static final String FIT = "fit";
    public static final String FIT_ZOOM = "fit.zoom";
    /** The default model (benchmarks/RESULTS.md, "Models and fits"). */
    public static final String DEFAULT_MODEL = "deeplabv3-mnv2-voc-513";
    public static final String INFERENCE_THREADS = "inference.threads";
    public static final String BATCH_MAX_SIZE = "batch.max.size";
    public static final String BATCH_MAX_DELAY_MS = "batch.max.delay.ms";
    public static final String MAX_FRAME_AGE_MS = "max.frame.age.ms";
    public static final String MASK_COCO_RLE = "mask.coco.rle";
    public static final String MASK_SIZE = "mask.size";
    public static final String WORKING_MAX_SIDE = "working.max.side";
    /** The default working long side (segmentation.WorkingSize; benchmarks/RESULTS.md, "Live HD cameras"). */
    public static final int DEFAULT_WORKING_MAX_SIDE = 640;
    /** The smallest working long side accepted (below it the CRF's kernels cover too few pixels). */
    public static final int MIN_WORKING_MAX_SIDE = 64;
    public static final String MAX_FPS = "max.fps";
    public static final String WARMUP_FRAMES = "warmup.frames";
    public static final String CRF_WARM_MAX_GAP = "crf.warm.max.gap";
    public static final String METRICS_PORT = "metrics.port";
    /** {@value}: {@link #METRICS_PORT} for 'segstream run' where no setting gives one (elsewhere off, -1). */
    public static final int RUN_METRICS_PORT = 9464;
    public static final String METRICS_BIND = "metrics.bind";
    public static final String METRICS_MAX_CAMERAS = "metrics.max.cameras";
    /** {@value}: the default of {@link #METRICS_MAX_CAMERAS}, also what metrics uses where no setting reaches it. */
    public static final int DEFAULT_METRICS_MAX_CAMERAS = 256;
    public static final String BROKER_TIMEOUT_MS = "broker.timeout.ms";
    public static final String TENSORRT_FP16 = "tensorrt.fp16";
    public static final String TENSORRT_CACHE_DIR = "tensorrt.cache.dir";
    public static final String VIEW_PORT = "view.port";
    public static final String VIEW_BIND = "view.bind";
    public static final String VIEW_STALE_MS = "view.stale.ms";
    public static final String VIEW_MAX_FPS = "view.max.fps";
    public static final String VIEW_MAX_CAMERAS = "view.max.cameras";
    public static final String VIEW_USER = "view.user";
    public static final String VIEW_PASSWORD = "view.password";
    public static final String CRF = "crf";
    public static final String CRF_ITERATIONS = "crf.iterations";
    public static final String CRF_W1 = "crf.w1";
    public static final String CRF_THETA_ALPHA = "crf.theta.alpha";
    public static final String CRF_THETA_BETA = "crf.theta.beta";
    public static final String CRF_W2 = "crf.w2";
    public static final String CRF_THETA_GAMMA = "crf.theta.gamma";
    public static final String CRF_PRUNE_PROBABILITY = "crf.prune.probability";
    public static final String CRF_WARM_START = "crf.warm.start";
    public static final String CRF_WARM_WEIGHT = "crf.warm.weight";
    public static final String CRF_WARM_LIMIT = "crf.warm.limit";
    public static final String CRF_STOP_SHARE = "crf.stop.share";
    public static final String CRF_SCENE_CUT = "crf.scene.cut";
    public static final String CRF_LATTICE_REUSE = "crf.lattice.reuse";
    public static final String CRF_WARM_MOTION = "crf.warm.motion";
    public static final String CRF_LATTICE_TOLERANCE = "crf.lattice.tolerance";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(FRAMES_TOPIC, Type.STRING, "frames", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Topic of Frame records, keyed by camera id.")
            .define(MASKS_TOPIC, Type.STRING, "masks", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Topic the processor writes Mask records to, keyed by camera id.")
            .define(DEAD_LETTER_TOPIC, Type.STRING, "dead-letters", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Topic for records that are not valid frames: the original key and value, the reason in the "
                            + "'segstream.error' header.")
            .define(TOPIC_PARTITIONS, Type.INT, 8, Range.between(1, 10_000), Importance.MEDIUM,
                    "Partitions of topics segstream creates. One camera lives on one partition; more partitions "
                            + "let more processor threads and instances share the cameras.")
            .define(TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) -1, Range.between(-1, 32), Importance.MEDIUM,
                    "Replication factor of topics segstream creates; -1 takes the broker's default.")
            .define(FRAMES_RETENTION_MS, Type.LONG, 3_600_000L, Range.atLeast(60_000), Importance.MEDIUM,
                    "Retention of the frames topic when segstream creates it. Raw frames are large (640x360 I420 at "
                            + "25 frames/s is 8.6 MB/s per camera): keep them only as long as replays need them.")
            .define(INGEST_RECONNECT, Type.STRING, "auto", ConfigDef.ValidString.in("auto", "on", "off"),
                    Importance.MEDIUM,
                    "What ingest does when its source ends or fails: reconnect (on), finish (off), or auto: "
                            + "reconnect a stream (rtsp://, http://, udp://, ..., webcam:N) of unknown length, finish "
                            + "a file. Sequence numbers stay monotonic and skip the frames the outage cost, so the "
                            + "processor sees the gap.")
            .define(INGEST_RECONNECT_BACKOFF_MS, Type.LONG, 500L, Range.between(10, 600_000), Importance.LOW,
                    "First wait before reconnecting a lost stream; doubled after each failed attempt.")
            .define(INGEST_RECONNECT_BACKOFF_MAX_MS, Type.LONG, 10_000L, Range.between(10, 3_600_000),
                    Importance.LOW,
                    "Longest wait between reconnection attempts: a camera that never comes back is tried at "
                            + "this rate, and reported every 5 minutes.")
            .define(MAX_FRAME_BYTES, Type.INT, 16 * 1024 * 1024, Range.between(1024, 256 * 1024 * 1024),
                    Importance.MEDIUM, "Largest frame record: the frames topic's max.message.bytes and the "
                            + "producer's max.request.size. 16 MiB holds a 4K I420 frame.")
            .define(MODEL, Type.STRING, DEFAULT_MODEL, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "A directory made by 'segstream model import', or a model name ('segstream model list'; "
                            + "NAME:float or NAME:int8 picks an 8-bit model's precision). The default, the full-width "
                            + "MobileNetV2 DeepLab v3 for PASCAL VOC at 513 in int8, was chosen by measurement "
                            + "(benchmarks/RESULTS.md, 'Models and fits').")
            .define(ENGINE, Type.STRING, "auto", engineValidator(), Importance.HIGH,
                    "Inference engine: auto (the first engine that can run here, each refusal logged with its "
                            + "reason) or any engine 'segstream engines' lists, with what this machine can run (in "
                            + "this build ONNX Runtime's execution providers: cpu, cuda with onnxruntime_gpu, CUDA 12 "
                            + "and cuDNN 9, and tensorrt with TensorRT 10 as well).")
            .define(TENSORRT_FP16, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Let TensorRT run float layers in half precision (faster on NVIDIA GPUs; an int8 model's 8-bit "
                            + "layers stay int8 either way).")
            .define(TENSORRT_CACHE_DIR, Type.STRING, "", Importance.LOW,
                    "Where TensorRT keeps the engines it builds, one folder per model, GPU and TensorRT version, so a "
                            + "restart does not rebuild them (minutes for a large model). Empty: the cache directory's "
                            + "tensorrt/ ($SEGSTREAM_CACHE_DIR, else ~/.cache/segstream).")
            .define(FIT, Type.STRING, "zoom", enumValidator(FitMode.values()), Importance.MEDIUM,
                    "How frames are fitted to the model input: tile (native-resolution tiles; small, distant people "
                            + "survive), zoom (tiles of model input / fit.zoom frame pixels, enlarged: for people a few "
                            + "dozen pixels tall, and frames smaller than the model input), squash (one resize, fastest) "
                            + "or letterbox (one resize keeping the aspect ratio).")
            .define(FIT_ZOOM, Type.DOUBLE, Fit.DEFAULT_ZOOM, Range.between(1, Fit.MAX_ZOOM), Importance.LOW,
                    "For fit=zoom: how much each tile is enlarged (1.35, the default: a 513 model sees 380x380 frame "
                            + "pixels per tile, so a 480x360 frame is 2 tiles).")
            .define(INFERENCE_THREADS, Type.INT, Runtime.getRuntime().availableProcessors(), Range.between(1, 1024),
                    Importance.MEDIUM, "CPU threads ONNX Runtime uses for one batch (default: all cores).")
            .define(BATCH_MAX_SIZE, Type.INT, 8, Range.between(1, 256), Importance.MEDIUM,
                    "Largest inference batch, in model inputs (a tiled frame is several), gathered across all "
                            + "stream threads.")
            .define(BATCH_MAX_DELAY_MS, Type.INT, 5, Range.between(0, 10_000), Importance.MEDIUM,
                    "Longest a frame waits for others to fill its batch before the batch runs anyway.")
            .define(MAX_FRAME_AGE_MS, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
                    "Live mode: each camera's newest frame is segmented; frames older than this (capture time to "
                            + "arrival at the processor) are answered by a Mask with status SKIPPED_STALE, and frames "
                            + "a newer frame of the same camera was already waiting behind by SKIPPED_SUPERSEDED. "
                            + "0 (default) is batch mode: every frame is segmented.")
            .define(MAX_FPS, Type.DOUBLE, 0.0, Range.atLeast(0), Importance.MEDIUM,
                    "Live mode: most frames per second segmented per camera; frames sooner than 1/max.fps after "
                            + "the camera's last segmented one are answered SKIPPED_RATE. 0 (default): no limit.")
            .define(WARMUP_FRAMES, Type.INT, 3, Range.between(0, 100), Importance.LOW,
                    "Synthetic 1280x720 frames the processor segments (model and CRF) before it takes camera "
                            + "frames, so that a model or engine that cannot run fails before the group gives it "
                            + "cameras; a live camera's frames that come meanwhile are answered as usual (stale ones "
                            + "SKIPPED_STALE). It does not make the first seconds of traffic faster. 0: off.")
            .define(WORKING_MAX_SIDE, Type.INT, DEFAULT_WORKING_MAX_SIDE, workingSide(), Importance.MEDIUM,
                    "Long side, in pixels, of the size the CRF, the labels and the masks work at: larger frames "
                            + "are worked at this long side with their aspect ratio (the network still sees their "
                            + "own pixels), so the cost outside inference does not grow with the camera's "
                            + "resolution. 0: every frame at its own size.")
            .define(MASK_SIZE, Type.STRING, "working", enumValidator(MaskSize.values()), Importance.MEDIUM,
                    "Size of the label map in each Mask: working (the working size; Mask.source_width/height say "
                            + "the frame's) or source (enlarged to the frame's size, nearest neighbour, for "
                            + "consumers that need it; costs Kafka bytes and encoding time).")
            .define(METRICS_PORT, Type.INT, -1, Range.between(-1, 65535), Importance.MEDIUM,
                    "Port of the Prometheus endpoint (http://host:port/metrics): frames in and out, skipped, "
                            + "dead-lettered, batch sizes, latencies, CRF iterations, Kafka Streams' own metrics (lag "
                            + "included) and the JVM's. -1: off; 0: any free port. 'segstream run' defaults to "
                            + RUN_METRICS_PORT + "; 'segstream ingest' serves its camera's stream state "
                            + "(segstream_ingest_*) there only when set.")
            .define(BROKER_TIMEOUT_MS, Type.LONG, 30_000L, Range.between(1_000, 3_600_000), Importance.HIGH,
                    "How long a command waits for the Kafka cluster to answer (connecting, authenticating, creating "
                            + "topics, the first metadata) before it gives up with one line naming the servers and exit "
                            + "code 3. Also bounds how long a producer blocks when the brokers are gone.")
            .define(METRICS_BIND, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Address the Prometheus endpoint listens on. The default, loopback, keeps it on this machine; "
                            + "0.0.0.0 serves every interface, as a container's scraper or probe needs (the process "
                            + "warns at start).")
            .define(METRICS_MAX_CAMERAS, Type.INT, DEFAULT_METRICS_MAX_CAMERAS,
                    Range.between(1, 100_000), Importance.LOW,
                    "Most camera ids the processor's per-camera series (segstream_camera_*) are labelled with; "
                            + "records of further ids are counted under camera=\"other\" and the first is logged as a "
                            + "warning, so that a flood of ids cannot exhaust the processor's memory or the scraper. "
                            + "Set it above the number of cameras a processor may serve.")
            .define(VIEW_PORT, Type.INT, 8080, Range.between(0, 65535), Importance.MEDIUM,
                    "Port of 'segstream view' and 'demo --view' (0: any free port).")
            .define(VIEW_BIND, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Address the view listens on. The default, loopback, keeps the cameras' pictures on this "
                            + "machine; 0.0.0.0 serves every interface (set view.password, and serve it through a "
                            + "TLS reverse proxy: README, \"Security\").")
            .define(VIEW_USER, Type.STRING, "viewer", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "User name the view asks for when view.password is set.")
            .define(VIEW_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
                    "When set, the view's page, WebSocket and API need HTTP basic authentication as view.user with "
                            + "this password. Basic sends it readable over plain HTTP: beyond this machine, serve the "
                            + "view through a TLS reverse proxy.")
            .define(VIEW_STALE_MS, Type.LONG, 5_000L, Range.between(500, 3_600_000), Importance.LOW,
                    "A camera with no new mask for this long is shown as stopped, greyed, with the age of its last "
                            + "frame.")
            .define(VIEW_MAX_FPS, Type.INT, 10, Range.between(1, 60), Importance.LOW,
                    "Most pictures per second the view sends a browser per camera; newer masks replace older ones "
                            + "that were not sent yet, so a slow browser sees fewer frames, never older ones.")
            .define(VIEW_MAX_CAMERAS, Type.INT, 64, Range.between(1, 4096), Importance.LOW,
                    "Most cameras the view follows (each keeps its latest picture and a few frames in memory); "
                            + "cameras beyond it are counted and logged, not shown.")
            .define(CRF, Type.STRING, "on", enumValidator(OnOff.values()), Importance.HIGH,
                    "Refine each mask with the fully connected CRF, warm-started from the camera's previous frame "
                            + "(on, the default; its cost per frame is measured in benchmarks/RESULTS.md) or take the "
                            + "argmax of the upsampled logits (off). Its parameters are the model card's "
                            + "(measured per model), else DeepLab v2's.")
            .define(CRF_ITERATIONS, Type.INT, CrfParams.DEEPLAB.iterations(), Range.between(0, CrfParams.MAX_ITERATIONS),
                    Importance.MEDIUM,
                    "Most mean-field iterations per frame; fewer run once the labels stop changing "
                            + "(crf.stop.share). Default: the model card's, else DeepLab v2's 5.")
            .define(CRF_W1, Type.DOUBLE, (double) CrfParams.DEEPLAB.w1(), positive(), Importance.LOW,
                    "Weight of the appearance kernel. Default: the model card's (its crf block, measured per model), "
                            + "else DeepLab v2's 4; so for each crf.w*/crf.theta.* setting.")
            .define(CRF_THETA_ALPHA, Type.DOUBLE, (double) CrfParams.DEEPLAB.thetaAlpha(), positive(), Importance.LOW,
                    "Spatial width of the appearance kernel, pixels (DeepLab v2: 121).")
            .define(CRF_THETA_BETA, Type.DOUBLE, (double) CrfParams.DEEPLAB.thetaBeta(), positive(), Importance.LOW,
                    "Colour width of the appearance kernel, 0..255 levels (DeepLab v2: 5).")
            .define(CRF_W2, Type.DOUBLE, (double) CrfParams.DEEPLAB.w2(), positive(), Importance.LOW,
                    "Weight of the smoothness kernel (DeepLab v2: 3).")
            .define(CRF_THETA_GAMMA, Type.DOUBLE, (double) CrfParams.DEEPLAB.thetaGamma(), positive(), Importance.LOW,
                    "Spatial width of the smoothness kernel, pixels (DeepLab v2: 3).")
            .define(CRF_PRUNE_PROBABILITY, Type.DOUBLE, 0.05, Range.between(0, CrfOptions.MAX_PRUNE_PROBABILITY),
                    Importance.LOW,
                    "Labels below this probability on all but a handful of pixels take no part in the CRF (0 keeps "
                            + "all). 0.05 keeps 4-8 of DeepLab's 21 labels on the sample clips and changes at most "
                            + "1 pixel in 100,000 against the full CRF.")
            .define(CRF_WARM_START, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Start each frame's mean field from the same camera's previous marginals blended with the new "
                            + "unaries (kept per camera in the task's state store). A camera's first frame, a gap in "
                            + "its sequence, a size change and a scene cut start cold; losing the state (restart, "
                            + "rebalance) costs one cold frame.")
            .define(CRF_WARM_WEIGHT, Type.DOUBLE, (double) WarmStartSettings.DEFAULT.weight(),
                    Range.between(WarmStartSettings.MIN_WEIGHT, WarmStartSettings.MAX_WEIGHT), Importance.LOW,
                    "Exponent a of the carried marginals in the warm start normalise(Q_prev^a * softmax(logits)).")
            .define(CRF_WARM_LIMIT, Type.DOUBLE, (double) WarmStartSettings.DEFAULT.limit(),
                    Range.between(WarmStartSettings.MIN_LIMIT, WarmStartSettings.MAX_LIMIT), Importance.LOW,
                    "The most, in nats, that the carried marginals may count against a label at a pixel: new "
                            + "evidence stronger than e^limit to 1 overrides the past at once, so an object moving onto "
                            + "a pixel is not held back (uncapped, a converged CRF's past counts up to 8 nats).")
            .define(CRF_WARM_MOTION, Type.INT, WarmStartSettings.DEFAULT.motion(),
                    Range.between(-1, WarmStartSettings.MAX_MOTION), Importance.LOW,
                    "Pixels whose colour changed by more than this many levels (0-255, in any channel) since the "
                            + "camera's previous frame start cold, from the new frame's evidence alone: what the past "
                            + "says of a pixel that now shows something else is stale. -1: every pixel starts warm.")
            .define(CRF_STOP_SHARE, Type.DOUBLE, (double) WarmStartSettings.DEFAULT.flipShare(),
                    Range.between(0, WarmStartSettings.MAX_STOP_SHARE), Importance.LOW,
                    "Mean field stops once an iteration changes the label of at most this share of the pixels "
                            + "(crf.iterations caps it; at least one iteration runs).")
            .define(CRF_SCENE_CUT, Type.DOUBLE, (double) WarmStartSettings.DEFAULT.sceneCut(),
                    Range.between(WarmStartSettings.MIN_SCENE_CUT, WarmStartSettings.MAX_SCENE_CUT),
                    Importance.LOW,
                    "A frame whose own most likely labels differ from the camera's carried labels on more than "
                            + "this share of pixels is a scene cut and starts cold.")
            .define(CRF_WARM_MAX_GAP, Type.INT, WarmStartSettings.DEFAULT.maxGap(), Range.between(1, WarmStartSettings.MAX_GAP),
                    Importance.LOW,
                    "Most frames (by sequence number) between a camera's segmented frames that still warm-start: "
                            + "frames skipped in live mode or dropped by ingest --fps leave such gaps, and the motion "
                            + "gate (crf.warm.motion) decides per pixel what moved. A longer gap (an outage, a "
                            + "restart) starts cold. 1: only consecutive frames warm-start.")
            .define(CRF_LATTICE_REUSE, Type.BOOLEAN, true, Importance.LOW,
                    "Update the CRF's appearance lattice from the camera's previous frame of the same size, "
                            + "re-embedding only pixels whose colour changed, instead of building it anew (each stream "
                            + "thread keeps the lattices of its 4 most recent cameras, about 50 bytes per pixel each).")
            .define(CRF_LATTICE_TOLERANCE, Type.INT, WarmStartSettings.DEFAULT.latticeTolerance(),
                    Range.between(0, WarmStartSettings.MAX_LATTICE_TOLERANCE), Importance.LOW,
                    "With crf.lattice.reuse, pixels whose colour stays within this many levels (0-255, in every "
                            + "channel) of the colour the camera's lattice holds for them are not embedded again; "
                            + "0 re-embeds every pixel that changed at all, exactly what a full build gives.")
            .define(MASK_COCO_RLE, Type.BOOLEAN, true, Importance.LOW,
                    "Add COCO's compressed RLE of each class present to every Mask (what pycocotools.mask.decode "
                            + "reads), beside the label-map RLE. Off saves about a millisecond per 480x360 frame.");

    public SegstreamConfig(Map<?, ?> values) {
        super(CONFIG, values, false);
    }

    /**
     * True for keys in segstream's own namespace: declared here, or sharing a declared key's first
     * word ({@code crf.}, {@code batch.}, ...) without being a Kafka client or Streams setting
     * ({@code batch.size} is the producer's). Derived from the declaration alone, so a new key needs
     * no second list; an undeclared key in the namespace is a misspelling, not Kafka's.
     */
    static boolean isOwn(String key) {
        if (CONFIG.names().contains(key)) {
            return true;
        }
        String first = key.contains(".") ? key.substring(0, key.indexOf('.')) : key;
        return OWN_FIRST_WORDS.contains(first) && !KafkaNames.isKafkaSetting(key);
    }

    private static final java.util.Set<String> OWN_FIRST_WORDS = CONFIG.names().stream()
            .map(k -> k.contains(".") ? k.substring(0, k.indexOf('.')) : k)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    public String framesTopic() { return getString(FRAMES_TOPIC); }
    public String masksTopic() { return getString(MASKS_TOPIC); }
    public String deadLetterTopic() { return getString(DEAD_LETTER_TOPIC); }
    public int topicPartitions() { return getInt(TOPIC_PARTITIONS); }
    public short topicReplicationFactor() { return getShort(TOPIC_REPLICATION_FACTOR); }
    public long framesRetentionMs() { return getLong(FRAMES_RETENTION_MS); }
    public int maxFrameBytes() { return getInt(MAX_FRAME_BYTES); }
    public String ingestReconnect() { return getString(INGEST_RECONNECT); }
    public java.time.Duration ingestReconnectBackoff() {
        return java.time.Duration.ofMillis(getLong(INGEST_RECONNECT_BACKOFF_MS));
    }
    public java.time.Duration ingestReconnectBackoffMax() {
        return java.time.Duration.ofMillis(Math.max(getLong(INGEST_RECONNECT_BACKOFF_MS),
                getLong(INGEST_RECONNECT_BACKOFF_MAX_MS)));
    }
    public String model() { return getString(MODEL); }
    public EngineChoice engine() { return EngineChoice.parse(getString(ENGINE)); }
    public boolean tensorRtFp16() { return getBoolean(TENSORRT_FP16); }

    /** Where TensorRT engines are cached: the setting, else {@code cacheDir/tensorrt}. */
    public java.nio.file.Path tensorRtCacheDir(java.nio.file.Path cacheDir) {
        String dir = getString(TENSORRT_CACHE_DIR);
        return dir.isBlank() ? cacheDir.resolve("tensorrt") : java.nio.file.Path.of(dir);
    }
    public Fit fit() { return new Fit(FitMode.valueOf(getString(FIT).toUpperCase(Locale.ROOT)), getDouble(FIT_ZOOM)); }
    public int inferenceThreads() { return getInt(INFERENCE_THREADS); }
    public int batchMaxSize() { return getInt(BATCH_MAX_SIZE); }
    public int batchMaxDelayMs() { return getInt(BATCH_MAX_DELAY_MS); }
    public long maxFrameAgeMs() { return getLong(MAX_FRAME_AGE_MS); }

    public int warmupFrames() { return getInt(WARMUP_FRAMES); }
    public boolean cocoRle() { return getBoolean(MASK_COCO_RLE); }
    public double maxFps() { return getDouble(MAX_FPS); }
    public int workingMaxSide() { return getInt(WORKING_MAX_SIDE); }
    public boolean masksAtSource() { return MaskSize.valueOf(getString(MASK_SIZE).toUpperCase(Locale.ROOT)) == MaskSize.SOURCE; }
    public int metricsPort() { return getInt(METRICS_PORT); }
    public String metricsBind() { return getString(METRICS_BIND); }
    public int metricsMaxCameras() { return getInt(METRICS_MAX_CAMERAS); }
    public java.time.Duration brokerTimeout() { return java.time.Duration.ofMillis(getLong(BROKER_TIMEOUT_MS)); }
    public int viewPort() { return getInt(VIEW_PORT); }
    public String viewBind() { return getString(VIEW_BIND); }
    public java.time.Duration viewStale() { return java.time.Duration.ofMillis(getLong(VIEW_STALE_MS)); }
    public int viewMaxFps() { return getInt(VIEW_MAX_FPS); }
    public int viewMaxCameras() { return getInt(VIEW_MAX_CAMERAS); }
    public String viewUser() { return getString(VIEW_USER); }
    /** The view's password, or null when the page needs no login. */
    public String viewPassword() {
        org.apache.kafka.common.config.types.Password p = getPassword(VIEW_PASSWORD);
        return p == null ? null : p.value();
    }
    public boolean crfEnabled() { return "on".equalsIgnoreCase(getString(CRF)); }
    public float crfPruneProbability() { return getDouble(CRF_PRUNE_PROBABILITY).floatValue(); }

    /** The CRF's parameters with DeepLab v2's where nothing is set (validated: widths and weights positive). */
    public CrfParams crfParams() {
        return crfParams(CrfParams.DEEPLAB);
    }

    /**
     * The CRF's parameters: each crf.* setting that was given, else the model's own value
     * ({@code model}: from its card, or DeepLab v2's for a model without one).
     */
    public CrfParams crfParams(CrfParams model) {
        return new CrfParams(given(CRF_W1, model.w1()), given(CRF_THETA_ALPHA, model.thetaAlpha()),
                given(CRF_THETA_BETA, model.thetaBeta()), given(CRF_W2, model.w2()),
                given(CRF_THETA_GAMMA, model.thetaGamma()),
                originals().containsKey(CRF_ITERATIONS) ? getInt(CRF_ITERATIONS) : model.iterations());
    }

    private float given(String key, float fallback) {
        return originals().containsKey(key) ? getDouble(key).floatValue() : fallback;
    }

    /** The stream CRF's settings with DeepLab v2's parameters where none are set, or null when the CRF is off. */
    public CrfSetup crfSetup() {
        return crfSetup(CrfParams.DEEPLAB);
    }

    /** The stream CRF's settings over the model's parameters ({@link #crfParams(CrfParams)}), or null when off. */
    public CrfSetup crfSetup(CrfParams model) {
        if (!crfEnabled()) {
            return null;
        }
        return new CrfSetup(crfParams(model), crfPruneProbability(), new WarmStartSettings(getBoolean(CRF_WARM_START),
                getDouble(CRF_WARM_WEIGHT).floatValue(), getDouble(CRF_WARM_LIMIT).floatValue(),
                getDouble(CRF_STOP_SHARE).floatValue(),
                getDouble(CRF_SCENE_CUT).floatValue(), getBoolean(CRF_LATTICE_REUSE), getInt(CRF_WARM_MOTION),
                getInt(CRF_LATTICE_TOLERANCE), getInt(CRF_WARM_MAX_GAP)));
    }

    /** Values of {@value #MASK_SIZE}. */
    public enum MaskSize { WORKING, SOURCE }

    private static ConfigDef.Validator workingSide() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                int v = (Integer) value;
                if (v != 0 && v < MIN_WORKING_MAX_SIDE) {
                    throw new ConfigException(name, value, "must be 0 (each frame at its own size) or at least "
                            + MIN_WORKING_MAX_SIDE + " pixels");
                }
            }

            @Override
            public String toString() {
                return "0 or >= " + MIN_WORKING_MAX_SIDE;
            }
        };
    }

    /** Values of the on/off switches. */
    public enum OnOff { ON, OFF }

    private static ConfigDef.Validator positive() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                double v = ((Number) value).doubleValue();
                if (!(v > 0) || Double.isInfinite(v)) {
                    throw new ConfigException(name, value, "must be a positive number");
                }
            }

            @Override
            public String toString() {
                return "> 0";
            }
        };
    }
    public boolean liveMode() { return maxFrameAgeMs() > 0; }

    private static ConfigDef.Validator engineValidator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                try {
                    EngineChoice.parse(String.valueOf(value));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, value, "must be one of " + toString()
                            + " (auto, or an engine that 'segstream engines' lists)");
                }
            }

            /** The names found at run time, not a list of ours: a new engine is a provider, nothing else. */
            @Override
            public String toString() {
                return String.join(", ", EngineChoice.names());
            }
        };
    }

    private static ConfigDef.Validator enumValidator(Enum<?>[] values) {
        String[] names = Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                String v = String.valueOf(value).toLowerCase(Locale.ROOT);
                if (Arrays.stream(names).noneMatch(v::equals)) {
                    throw new ConfigException(name, value, "must be one of " + String.join(", ", names));
                }
            }

            @Override
            public String toString() {
                return String.join(", ", names);
            }
        };
    }
}

package io.segstream.cli;

import io.segstream.broker.TopicAdmin;
import io.segstream.codec.VideoSource;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.ingest.FrameIngestor;
import io.segstream.ingest.ReconnectingIngest;
import io.segstream.metrics.IngestMetrics;
import io.segstream.metrics.PrometheusEndpoint;
import io.segstream.schemas.v1.PixelFormat;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AclOperation;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ingest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Decode a video (file, RTSP/HTTP stream or webcam) with FFmpeg and produce its frames to Kafka as Frame "
                + "records keyed by camera id, with sequence numbers and capture times.",
            "The frames topic is created if missing, sized for frames (max.frame.bytes, retention frames.retention.ms). "
                + "A frame over the limit stops ingest with an error; nothing is dropped silently.",
            "A stream (rtsp://, http://, udp://, webcam:N: a source of unknown length) that ends or fails is opened "
                + "again with backoff (ingest.reconnect.backoff.ms, doubling up to ingest.reconnect.backoff.max.ms) for "
                + "as long as it takes; its sequence numbers skip what the outage cost, so the processor sees the gap. "
                + "A file ends ingest at its end (ingest.reconnect=on|off|auto).",
            "",
            "Examples:",
            "  segstream ingest -b kafka:9092 --source sample:vtest --camera lobby",
            "  segstream ingest -b kafka:9092 --source rtsp://user:pass@10.0.0.7/stream1 --camera gate --realtime",
            "  segstream ingest -b kafka:9092 --source rtsp://10.0.0.7/stream1 --camera gate --fps 5 --max-side 960"})
final class IngestCommand implements Callable<Integer> {
    /** The longest the producer may take to deliver what it holds when ingest ends. */
    static final java.time.Duration PRODUCER_CLOSE = java.time.Duration.ofSeconds(10);

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--source", required = true, paramLabel = "FILE|URL|webcam:N|sample:NAME",
            description = "What to decode: a video file, an rtsp:// or http:// URL, webcam:N (/dev/videoN), or a sample "
                    + "clip (sample:vtest, sample:car-traffic, sample:megamind).")
    String source;

    @Option(names = "--camera", required = true, paramLabel = "ID", description = "Camera id: the record key.")
    String camera;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Frames topic (default: frames.topic, "
            + "'${bundle:default.frames.topic}').")
    String topic;

    @Option(names = "--realtime", description = "Pace frames at the source's frame timing (files replay like a camera).")
    boolean realtime;

    @Option(names = "--max-frames", paramLabel = "N", description = "Stop after N frames.")
    Long maxFrames;

    @Option(names = "--loop", description = "Replay a file from its start each time it ends, as a camera that goes on "
            + "(sequence numbers and presentation times continue), until --max-frames or Ctrl-C. Files only: a "
            + "stream reconnects instead (ingest.reconnect).")
    boolean loop;

    @Option(names = "--fps", paramLabel = "N",
            description = "Send at most N frames per second of the source's time, the others decoded and passed over "
                    + "(default: every frame). Sequence numbers and capture times stay the source's, so the processor "
                    + "sees the frames passed over as gaps; a live camera needs no more than the processor segments "
                    + "(its masks/s per camera). Above the source's own rate, every frame is sent.")
    Double fps;

    @Option(names = "--max-side", paramLabel = "PIXELS",
            description = "Scale frames down with FFmpeg's scaler so that their long side is at most PIXELS (default: "
                    + "as decoded). Kafka then carries less, and the network looks less finely: small people far "
                    + "from the camera are found less often (benchmarks/RESULTS.md, \"Live HD cameras\").")
    Integer maxSide;

    @Option(names = "--pixel-format", defaultValue = "I420", paramLabel = "FORMAT",
            description = "I420 (default), NV12, RGB24, BGR24 or GRAY8.")
    String pixelFormat;

    @Option(names = "--first-sequence", defaultValue = "0", paramLabel = "N",
            description = "Sequence number of the first frame (default: ${DEFAULT-VALUE}).")
    long firstSequence;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve the camera's stream state on http://host:PORT/metrics (segstream_ingest_*: up, "
                    + "seconds away, drops, reconnect attempts, frames) and /readyz (503 while the stream is away); "
                    + "default: metrics.port, off unless set.")
    Integer metricsPort;

    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws Exception {
        if (camera.isBlank()) {
            throw new IllegalArgumentException("--camera must not be empty");
        }
        PixelFormat format = parseFormat(pixelFormat);
        Map<String, String> flags = new java.util.HashMap<>();
        KafkaOptions.flag(flags, "frames.topic", topic);
        KafkaOptions.flag(flags, SegstreamConfig.METRICS_PORT, metricsPort);
        ConfigLoader.Loaded loaded = kafka.load(flags);
        KafkaSettings settings = new KafkaSettings(loaded.segstream(), loaded.kafka());
        String input = Inputs.resolveVideo("--source", source, data.resolver());
        long limit = maxFrames != null ? maxFrames : Long.MAX_VALUE;
        if (limit < 1) {
            throw new IllegalArgumentException("--max-frames must be at least 1, was " + limit);
        }
        double rate = checkFps(fps);
        int side = checkMaxSide(maxSide);
        long start = System.nanoTime();
        long sent;
        long bytes = 0;
        long decoded = 0;
        double sourceRate = 0;
        int drops = 0;
        boolean stopped;
        IngestMetrics metrics = new IngestMetrics(camera);
        int port = loaded.segstream().metricsPort();
        try (Shutdown shutdown = Shutdown.install(PRODUCER_CLOSE.plusSeconds(5));
                PrometheusEndpoint endpoint = port < 0 ? null
                        : PrometheusEndpoint.start(loaded.segstream().metricsBind(), port, metrics)) {
            if (endpoint != null) {
                System.err.printf(Locale.ROOT, "ingest: metrics on http://%s:%d/metrics%n",
                        loaded.segstream().metricsBind(), endpoint.port());
            }
            TopicAdmin.awaitCluster(settings); // SIGTERM here ends the wait at once
            TopicAdmin.requireAccess(settings, List.of(Map.entry(loaded.segstream().framesTopic(),
                    AclOperation.WRITE)));
            TopicAdmin.ensureFramesTopic(loaded.segstream(), settings);
            shutdown.protect(); // from here on the loop stops after its frame, and what was sent is flushed
            KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producer(), new StringSerializer(),
                    new ByteArraySerializer());
            try {
                VideoSource video = VideoSource.open(input, format, side);
                boolean stream = ReconnectingIngest.isStream(input, video);
                if (loop && stream) {
                    video.close();
                    throw new IllegalArgumentException("--loop replays a file from its start; " + video.description()
                            + " is a stream, which reconnects when it drops instead (ingest.reconnect)");
                }
                long total = video.lengthInFrames() > 0 && !loop ? Math.min(sentOf(video.lengthInFrames(), rate,
                        video.frameRate()), limit) : (maxFrames != null ? limit : -1);
                String reconnect = loaded.segstream().ingestReconnect();
                System.err.printf(Locale.ROOT, "ingest: %s, %s at %.2f frames/s%s, camera '%s' -> %s on %s%s%n",
                        video.description(), sizes(video), video.frameRate(), sending(rate, video.frameRate()), camera,
                        loaded.segstream().framesTopic(), settings.bootstrapServers(),
                        reconnect.equals("on") || (reconnect.equals("auto") && stream)
                                ? " (a stream: reconnects when it drops)" : "");
                sourceRate = video.frameRate();
                FrameIngestor.Options options = new FrameIngestor.Options(input, camera, format, realtime, limit,
                        firstSequence, rate, loop);
                ReconnectingIngest ingestor = new ReconnectingIngest(new FrameIngestor(loaded.segstream(), producer),
                        loaded.segstream(), metrics);
                try (ProgressBar bar = new ProgressBarBuilder().setTaskName("ingest " + camera).setInitialMax(total)
                        .setStyle(ProgressBarStyle.ASCII).setUnit(" frames", 1).showSpeed().build()) {
                    ReconnectingIngest.Outcome outcome = ingestor.ingest(video, () -> VideoSource.open(input, format, side),
                            options, bar::stepTo, shutdown::requested);
                    sent = outcome.sent();
                    drops = outcome.drops();
                    bytes = outcome.bytes();
                    decoded = outcome.lastSequence() - firstSequence + 1;
                }
            } finally {
                producer.close(PRODUCER_CLOSE); // bounded: a broker that went away cannot hold the exit
            }
            stopped = shutdown.requested();
        }
        if (stopped) {
            System.err.printf(Locale.ROOT, "ingest: stopped by a signal after %d frames of camera '%s'%n", sent, camera);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // Source seconds covered (decoded frames over the source's rate), else wall seconds: Kafka's load per camera.
        double cameraSeconds = sourceRate > 0 && decoded > 0 ? decoded / sourceRate : seconds;
        System.out.printf(Locale.ROOT, "ingested %d frames of camera '%s' in %.1f s (%.1f frames/s; %.2f MB per "
                + "camera-second to Kafka)%s%n", sent, camera, seconds, sent / seconds,
                bytes / 1e6 / Math.max(cameraSeconds, 1e-9), drops == 0 ? "" : ", through " + drops + " drop"
                        + (drops == 1 ? "" : "s") + " of the stream");
        return 0;
    }

    /** About how many of a source's {@code frames} a rate of {@code fps} sends (for the progress bar). */
    static long sentOf(long frames, double fps, double sourceFps) {
        return fps > 0 && sourceFps > fps ? (long) Math.ceil(frames * fps / sourceFps) : frames;
    }

    /** {@code --fps} checked: 0 when absent (every frame). */
    static double checkFps(Double fps) {
        if (fps == null) {
            return 0;
        }
        if (!(fps > 0) || fps.isInfinite()) {
            throw new IllegalArgumentException("--fps must be above 0 (frames per second to send), was " + fps);
        }
        return fps;
    }

    /** {@code --max-side} checked: 0 when absent (as decoded). */
    static int checkMaxSide(Integer maxSide) {
        if (maxSide == null) {
            return 0;
        }
        if (maxSide < VideoSource.MIN_SIDE) {
            throw new IllegalArgumentException("--max-side must be at least " + VideoSource.MIN_SIDE + " pixels, was "
                    + maxSide);
        }
        return maxSide;
    }

    /** The source's size, and what is sent when the size limit scales it. */
    static String sizes(VideoSource video) {
        String sent = video.width() + "x" + video.height();
        return video.sourceWidth() == video.width() && video.sourceHeight() == video.height() ? sent
                : video.sourceWidth() + "x" + video.sourceHeight() + " scaled to " + sent;
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** How many frames per second go to Kafka, when decimated; a warning when {@code --fps} is not below the source's rate. */
    static String sending(double fps, double sourceFps) {
        if (fps == 0) {
            return "";
        }
        if (sourceFps > 0 && fps >= sourceFps) {
            return String.format(Locale.ROOT, " (--fps %s is not below the source's rate: every frame is sent)",
                    number(fps));
        }
        return String.format(Locale.ROOT, ", sending %s frames/s", number(fps));
    }

    static PixelFormat parseFormat(String name) {
        try {
            return PixelFormat.valueOf("PIXEL_FORMAT_" + name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--pixel-format " + name + " is not one of I420, NV12, RGB24, BGR24, GRAY8");
        }
    }
}

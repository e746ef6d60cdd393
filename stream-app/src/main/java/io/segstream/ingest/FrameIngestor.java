package io.segstream.ingest;

import com.google.protobuf.UnsafeByteOperations;
import io.segstream.codec.DecodedFrame;
import io.segstream.codec.PixelLayout;
import io.segstream.codec.VideoException;
import io.segstream.codec.VideoSource;
import io.segstream.config.SegstreamConfig;
import io.segstream.schemas.v1.Frame;
import io.segstream.schemas.v1.PixelFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * Decodes one video source with FFmpeg and produces its frames as {@link Frame} records keyed by
 * camera id: sequence numbers from {@code firstSequence} up, capture time from the wall clock at
 * decode, the source's presentation time. With {@code realtime}, frames are paced at the source's
 * own frame timing, as a camera would deliver them; otherwise as fast as Kafka takes them.
 *
 * <p>With {@code fps} above 0 the source is decimated: of the decoded frames only those at least
 * {@code 1/fps} of presentation time after the last one sent (half a source frame of slack, so 25
 * frames/s at {@code fps} 5 keeps every fifth) are sent. Sequence numbers count decoded frames, so
 * a frame sent after four passed over is numbered four above its predecessor, as the source
 * numbered them: gaps stay visible and capture times stay true to the source.
 *
 * <p>With {@code loop}, a source that ends is replayed from its start ({@link VideoSource#rewind}),
 * as a camera that goes on: sequence numbers continue, and presentation times go on one frame
 * interval after the last frame's, so pacing and decimation run on unbroken.
 */
public final class FrameIngestor {
    /** What to ingest and how. */
    public record Options(String source, String cameraId, PixelFormat format, boolean realtime, long maxFrames,
            long firstSequence, double fps, boolean loop) {
        public Options {
            if (!(fps >= 0) || Double.isInfinite(fps)) {
                throw new IllegalArgumentException("--fps must be above 0, was " + fps);
            }
        }

        /** Played once. */
        public Options(String source, String cameraId, PixelFormat format, boolean realtime, long maxFrames,
                long firstSequence, double fps) {
            this(source, cameraId, format, realtime, maxFrames, firstSequence, fps, false);
        }

        /** Every decoded frame sent. */
        public Options(String source, String cameraId, PixelFormat format, boolean realtime, long maxFrames,
                long firstSequence) {
            this(source, cameraId, format, realtime, maxFrames, firstSequence, 0);
        }
    }

    /** Told after each frame sent: how many so far, the sequence number the next decoded frame gets, and the bytes sent. */
    public interface Progress {
        void sent(long count, long nextSequence, long bytes);
    }

    private final SegstreamConfig config;
    private final Producer<String, byte[]> producer;

    public FrameIngestor(SegstreamConfig config, Producer<String, byte[]> producer) {
        this.config = config;
        this.producer = producer;
    }

    /**
     * Ingests until the source ends or {@code maxFrames} were sent; {@code progress} is told the
     * count after each frame. Returns the number of frames produced (all acknowledged).
     *
     * @throws IngestException when a frame cannot be sent (too large for the topic, broker errors)
     */
    public long ingest(VideoSource video, Options options, LongConsumer progress) throws InterruptedException {
        return ingest(video, options, progress, () -> false);
    }

    /**
     * As {@link #ingest(VideoSource, Options, LongConsumer)}, stopping early (after the frame in hand)
     * once {@code stop} says so; what was sent is flushed either way.
     */
    public long ingest(VideoSource video, Options options, LongConsumer progress, BooleanSupplier stop)
            throws InterruptedException {
        return ingest(video, options, (count, next, bytes) -> progress.accept(count), stop);
    }

    /** As {@link #ingest(VideoSource, Options, LongConsumer, BooleanSupplier)}, telling {@code progress} more. */
    public long ingest(VideoSource video, Options options, Progress progress, BooleanSupplier stop)
            throws InterruptedException {
        AtomicReference<Exception> failure = new AtomicReference<>();
        long sent = 0;
        long decodedCount = 0;
        long bytes = 0;
        long startNanos = System.nanoTime();
        long firstPts = Long.MIN_VALUE;
        Decimation decimation = new Decimation(options.fps(), video.frameRate());
        String source = VideoSource.redact(options.source());
        Replay replay = new Replay(video.frameRate());
        while (sent < options.maxFrames() && !stop.getAsBoolean()) {
            DecodedFrame decoded;
            try {
                decoded = video.next();
            } catch (VideoException e) {
                producer.flush(); // what was sent before the source failed is delivered, or its failure said
                Exception sendFailure = failure.get();
                if (sendFailure != null) {
                    throw failed(sendFailure, options.cameraId());
                }
                throw e;
            }
            if (decoded == null) {
                if (options.loop() && replay.rewind()) {
                    video.rewind();
                    continue;
                }
                break;
            }
            decoded = replay.shifted(decoded);
            long sequence = options.firstSequence() + decodedCount++;
            if (!decimation.keep(decoded.ptsUs())) {
                continue;
            }
            if (options.realtime()) {
                if (firstPts == Long.MIN_VALUE) {
                    firstPts = decoded.ptsUs();
                }
                long dueNanos = startNanos + TimeUnit.MICROSECONDS.toNanos(decoded.ptsUs() - firstPts);
                long wait = dueNanos - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            Frame frame = toFrame(decoded, options.cameraId(), sequence, source, video.frameRate());
            checkSize(frame, options.cameraId(), sequence);
            byte[] value = frame.toByteArray();
            bytes += value.length;
            producer.send(new ProducerRecord<>(config.framesTopic(), options.cameraId(), value),
                    (metadata, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
            Exception e = failure.get();
            if (e != null) {
                throw failed(e, options.cameraId());
            }
            sent++;
            progress.sent(sent, options.firstSequence() + decodedCount, bytes);
        }
        producer.flush();
        Exception e = failure.get();
        if (e != null) {
            throw failed(e, options.cameraId());
        }
        return sent;
    }

    /**
     * The presentation times of a source replayed from its start: each pass goes on one frame
     * interval after the latest presentation time of the pass before. The interval is the last
     * forward step seen between frames, else the source's declared rate, else 40 ms: containers
     * misstate the rate (vtest_720p.avi says 50 frames/s, its frames are 40 ms apart), and a decoder's
     * last, flushed frame can come without a time (0): neither moves the next pass.
     */
    static final class Replay {
        private final long declaredUs;
        private long offsetUs;
        private long previousUs = Long.MIN_VALUE;
        private long latestUs = Long.MIN_VALUE;
        private long stepUs;
        private long thisPass;
        private boolean rewound;

        Replay(double sourceFps) {
            this.declaredUs = sourceFps > 0 && Double.isFinite(sourceFps) ? Math.round(1e6 / sourceFps) : 0;
        }

        /** True when the pass that ended had a frame: an empty source is not replayed for ever. */
        boolean rewind() {
            if (thisPass == 0) {
                return false;
            }
            thisPass = 0;
            rewound = true;
            return true;
        }

        /** {@code decoded} with its presentation time moved past the earlier passes. */
        DecodedFrame shifted(DecodedFrame decoded) {
            if (rewound) {
                rewound = false;
                long step = stepUs > 0 ? stepUs : declaredUs > 0 ? declaredUs : 40_000;
                offsetUs = latestUs + step - decoded.ptsUs();
                previousUs = Long.MIN_VALUE;
            }
            long ptsUs = decoded.ptsUs() + offsetUs;
            if (previousUs != Long.MIN_VALUE && ptsUs > previousUs) {
                stepUs = ptsUs - previousUs;
            }
            previousUs = ptsUs;
            latestUs = Math.max(latestUs, ptsUs);
            thisPass++;
            return offsetUs == 0 ? decoded : new DecodedFrame(decoded.width(), decoded.height(), decoded.format(),
                    decoded.data(), ptsUs);
        }
    }

    /**
     * Which decoded frames a decimated source sends, by presentation time: the first, then each at
     * least one output interval after the last kept, less half a source frame so that jitter in
     * the timestamps does not push a frame over to the next one.
     */
    static final class Decimation {
        private final long intervalUs;
        private final long slackUs;
        private long dueUs = Long.MIN_VALUE;
        private long lastKeptUs = Long.MIN_VALUE;

        /** @param fps frames per second to send, 0 for all; @param sourceFps the source's rate, 0 unknown */
        Decimation(double fps, double sourceFps) {
            boolean decimate = fps > 0 && !(sourceFps > 0 && fps >= sourceFps);
            this.intervalUs = decimate ? Math.round(1e6 / fps) : 0;
            this.slackUs = decimate && sourceFps > 0 ? Math.round(0.5e6 / sourceFps) : 0;
        }

        boolean keep(long ptsUs) {
            if (intervalUs == 0) {
                return true;
            }
            boolean restart = dueUs == Long.MIN_VALUE
                    || ptsUs < lastKeptUs // timestamps went back (a source that restarted them)
                    || ptsUs - dueUs > intervalUs; // a jump forward (a gap in the source)
            if (!restart && ptsUs < dueUs - slackUs) {
                return false;
            }
            dueUs = restart ? ptsUs + intervalUs : dueUs + intervalUs;
            lastKeptUs = ptsUs;
            return true;
        }
    }

    /** The Frame record of one decoded picture, captured now. */
    public static Frame toFrame(DecodedFrame decoded, String cameraId, long sequence, String source,
            double frameRate) {
        long nowUs = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
        return Frame.newBuilder()
                .setCameraId(cameraId)
                .setSequence(sequence)
                .setCaptureTimeUs(nowUs)
                .setPtsUs(decoded.ptsUs())
                .setWidth(decoded.width())
                .setHeight(decoded.height())
                .setPixelFormat(decoded.format())
                .setData(UnsafeByteOperations.unsafeWrap(decoded.data()))
                .setSource(source)
                .setFrameRate(Double.isFinite(frameRate) && frameRate > 0 ? frameRate : 0)
                .build();
    }

    private void checkSize(Frame frame, String cameraId, long sequence) {
        int bytes = frame.getData().size();
        if (bytes > config.maxFrameBytes()) {
            throw new IngestException("frame " + sequence + " of camera '" + cameraId + "' has " + bytes + " bytes ("
                    + frame.getWidth() + "x" + frame.getHeight() + " " + PixelLayout.shortName(frame.getPixelFormat())
                    + "), over " + SegstreamConfig.MAX_FRAME_BYTES + "=" + config.maxFrameBytes()
                    + "; raise it (the frames topic's max.message.bytes must allow it too) or ingest a smaller "
                    + "stream", null);
        }
    }

    private static IngestException failed(Exception e, String cameraId) {
        String hint = e instanceof RecordTooLargeException
                ? " (the frames topic or broker limit is below the frame size: raise the topic's max.message.bytes "
                        + "or the broker's message.max.bytes)"
                : "";
        return new IngestException("producing frames of camera '" + cameraId + "' failed: " + e.getMessage() + hint, e);
    }
}

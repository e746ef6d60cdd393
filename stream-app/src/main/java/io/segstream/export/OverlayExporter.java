package io.segstream.export;

import io.segstream.broker.TopicReader;
import io.segstream.codec.CodecException;
import io.segstream.codec.FrameCodec;
import io.segstream.codec.ImageFiles;
import io.segstream.codec.Overlay;
import io.segstream.codec.PixelConverter;
import io.segstream.codec.MaskLabels;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoSink;
import io.segstream.schemas.v1.Frame;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.MaskEncoding;
import io.segstream.schemas.v1.MaskStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Joins one camera's frames and masks by sequence number and writes the coloured overlay: a
 * video (any container FFmpeg writes, by the file's extension) or, for a directory, one PNG per
 * frame. Masks are read first (they are small and compressed); frames then stream through one at
 * a time. A frame without a segmented mask of its own (skipped in live mode) is drawn with the
 * camera's latest earlier mask, as a live view shows it, when that mask's frame was captured at most
 * {@link #HOLD_MASK} before; other frames (not processed yet, or after a gap) are written without an
 * overlay, so that the video keeps the camera's timing. A video keeps the size of the camera's
 * first frame; frames of another size are counted and left out (a PNG folder keeps all).
 */
public final class OverlayExporter {
    /**
     * What was written.
     *
     * @param overlaid frames drawn with a mask: their own, or the camera's latest earlier one ({@code held})
     * @param held frames drawn with an earlier frame's mask (theirs was skipped)
     */
    public record Result(long frames, long overlaid, long held, long withoutMask, long otherSize, long invalid) {}

    /** How much older than a frame the mask it is drawn with may be (capture times), when it has none of its own. */
    public static final Duration HOLD_MASK = Duration.ofSeconds(2);

    private final Map<String, Object> consumerSettings;
    private final String framesTopic;
    private final String masksTopic;

    public OverlayExporter(Map<String, Object> consumerSettings, String framesTopic, String masksTopic) {
        this.consumerSettings = consumerSettings;
        this.framesTopic = framesTopic;
        this.masksTopic = masksTopic;
    }

    /** The rate an overlay video gets when neither the caller nor the frames say one. */
    public static final double FALLBACK_FRAME_RATE = 25;

    /**
     * @param frameRate the video's frame rate, or 0 for the frames' own ({@code Frame.frame_rate} of the
     *     camera's first frame; {@value #FALLBACK_FRAME_RATE} when they do not say)
     */
    public Result export(String cameraId, Path out, float alpha, double frameRate) {
        NavigableMap<Long, Mask> masks = new TreeMap<>();
        TopicReader.readAll(consumerSettings, masksTopic, record -> {
            if (cameraId.equals(record.key())) {
                try {
                    Mask mask = Mask.parseFrom(record.value());
                    if (mask.getStatus() == MaskStatus.MASK_STATUS_OK
                            && mask.getEncoding() == MaskEncoding.MASK_ENCODING_LABEL_RLE) {
                        masks.put(mask.getSequence(), mask);
                    }
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new CodecException("a record of " + masksTopic + " is not a Mask: " + e.getMessage(), e);
                }
            }
        });
        boolean pngs = Files.isDirectory(out) || out.getFileName().toString().indexOf('.') < 0;
        Writer writer = new Writer(out, pngs, frameRate);
        try {
            TopicReader.readAll(consumerSettings, framesTopic, record -> {
                if (!cameraId.equals(record.key())) {
                    return;
                }
                FrameCodec.ValidFrame frame;
                try {
                    frame = FrameCodec.decode(record.key(), record.value(), Long.MAX_VALUE / 2);
                } catch (CodecException e) {
                    writer.invalid++; // not a valid frame (the processor dead-lettered it): nothing to draw
                    return;
                }
                Mask mask = maskFor(frame.frame(), masks);
                if (writer.write(frame, mask, alpha) && mask.getSequence() != frame.frame().getSequence()) {
                    writer.held++;
                }
            });
        } finally {
            writer.close();
        }
        return new Result(writer.frames, writer.overlaid, writer.held, writer.frames - writer.overlaid,
                writer.otherSize, writer.invalid);
    }

    /**
     * The mask {@code frame} is drawn with: its own, else the camera's latest segmented mask of an
     * earlier frame captured at most {@link #HOLD_MASK} before it, else null.
     *
     * @param masks the camera's segmented masks by sequence number
     */
    static Mask maskFor(Frame frame, NavigableMap<Long, Mask> masks) {
        Map.Entry<Long, Mask> latest = masks.floorEntry(frame.getSequence());
        if (latest == null) {
            return null;
        }
        Mask mask = latest.getValue();
        long olderUs = frame.getCaptureTimeUs() - mask.getCaptureTimeUs();
        return mask.getSequence() == frame.getSequence()
                || (olderUs >= 0 && olderUs <= HOLD_MASK.toNanos() / 1000) ? mask : null;
    }

    /** Draws and writes frames, reusing its images. */
    private static final class Writer {
        private final Path out;
        private final boolean pngs;
        private final double frameRate;
        private final RgbImage rgb = new RgbImage(1, 1);
        private final RgbImage blended = new RgbImage(1, 1);
        private byte[] pixels = new byte[0];
        private int[] palette = new int[0];
        private VideoSink sink;
        long frames;
        long overlaid;
        long otherSize;
        long invalid;
        private int videoWidth;
        private int videoHeight;

        Writer(Path out, boolean pngs, double frameRate) {
            this.out = out;
            this.pngs = pngs;
            this.frameRate = frameRate;
        }

        long held;

        /** Writes {@code frame}, overlaid with {@code mask} when it is of the frame's size; true when overlaid. */
        boolean write(FrameCodec.ValidFrame frame, Mask mask, float alpha) {
            int w = frame.layout().width();
            int h = frame.layout().height();
            int size = frame.frame().getData().size();
            if (pixels.length < size) {
                pixels = new byte[size];
            }
            frame.frame().getData().copyTo(pixels, 0);
            PixelConverter.toRgb(frame.layout(), pixels, rgb);
            RgbImage image = rgb;
            boolean drawn = false;
            if (mask != null && MaskLabels.sourceWidth(mask) == w && MaskLabels.sourceHeight(mask) == h) {
                // a mask at the working size is enlarged to its frame (nearest neighbour)
                byte[] labels = MaskLabels.decodeAt(mask, w, h);
                if (palette.length != mask.getModel().getPaletteCount()) {
                    palette = mask.getModel().getPaletteList().stream().mapToInt(Integer::intValue).toArray();
                }
                int background = MaskLabels.background(mask.getModel());
                Overlay.blend(rgb, labels, palette, background, alpha, blended);
                image = blended;
                drawn = true;
            }
            if (pngs) {
                try {
                    Files.createDirectories(out);
                    ImageFiles.writePng(image, out.resolve(String.format("%08d.png", frame.frame().getSequence())));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
                }
            } else {
                if (sink == null) {
                    double own = frame.frame().getFrameRate();
                    double rate = frameRate > 0 ? frameRate : (own > 0 ? own : FALLBACK_FRAME_RATE);
                    sink = VideoSink.open(out.toString(), w, h, rate);
                    videoWidth = w;
                    videoHeight = h;
                }
                if (w != videoWidth || h != videoHeight) {
                    otherSize++; // one video has one size; a PNG folder keeps every frame
                    return false;
                }
                sink.write(image);
            }
            frames++;
            if (drawn) {
                overlaid++;
            }
            return drawn;
        }

        void close() {
            if (sink != null) {
                sink.close();
            }
        }
    }
}

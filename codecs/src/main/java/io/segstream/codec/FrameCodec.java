package io.segstream.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import io.segstream.schemas.v1.Frame;
import io.segstream.schemas.v1.PixelFormat;
import java.util.concurrent.TimeUnit;

/**
 * Turns the untrusted bytes of a frames-topic record into a {@link Frame} whose header agrees
 * with its pixels (DESIGN.md, "Bad input"; STYLE.md, "validate at the edge"). Every check names
 * the frame and the offending value. Parsing allocates only what the record's own bytes hold;
 * nothing is sized by a declared dimension before that dimension has been checked.
 */
public final class FrameCodec {
    /** Capture times further than this ahead of the processor's clock are treated as corrupt. */
    public static final long MAX_CLOCK_SKEW_US = TimeUnit.DAYS.toMicros(1);

    private FrameCodec() {}

    /**
     * @param key the record key, which must be the frame's camera id (one camera, one partition)
     * @param value the record value
     * @param nowUs the processor's clock, epoch microseconds
     * @return the parsed frame with its layout checked against its bytes
     * @throws CodecException naming what is wrong
     */
    public static ValidFrame decode(String key, byte[] value, long nowUs) {
        if (value == null) {
            throw new CodecException("record has no value (a tombstone), expected a segstream.v1.Frame");
        }
        Frame frame;
        try {
            // The pixels alias the record's bytes instead of being copied out of them.
            com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(value);
            in.enableAliasing(true);
            frame = Frame.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new CodecException("not a segstream.v1.Frame (" + value.length + " bytes): " + e.getMessage(), e);
        } catch (java.io.IOException e) {
            // parsing from an array reads no stream; protobuf declares it anyway
            throw new CodecException("not a segstream.v1.Frame (" + value.length + " bytes): " + e.getMessage(), e);
        }
        String what = "frame " + Long.toUnsignedString(frame.getSequence()) + " of camera '" + frame.getCameraId() + "'";
        if (frame.getCameraId().isEmpty()) {
            throw new CodecException(what + ": camera_id is empty");
        }
        if (key == null || !key.equals(frame.getCameraId())) {
            throw new CodecException(what + ": record key '" + key + "' is not the camera id; frames must be keyed by "
                    + "camera so that one camera stays on one partition");
        }
        PixelFormat format = frame.getPixelFormat();
        if (format == PixelFormat.PIXEL_FORMAT_UNSPECIFIED || format == PixelFormat.UNRECOGNIZED) {
            throw new CodecException(what + ": unknown pixel format " + frame.getPixelFormatValue()
                    + " (expected I420, NV12, RGB24, BGR24 or GRAY8)");
        }
        if (frame.getCaptureTimeUs() <= 0) {
            throw new CodecException(what + ": capture_time_us " + frame.getCaptureTimeUs()
                    + " is not an epoch time in microseconds");
        }
        if (frame.getCaptureTimeUs() > nowUs + MAX_CLOCK_SKEW_US) {
            throw new CodecException(what + ": capture_time_us " + frame.getCaptureTimeUs()
                    + " is more than a day ahead of this processor's clock (" + nowUs + ")");
        }
        PixelLayout layout;
        try {
            layout = PixelLayout.of(format, frame.getWidth(), frame.getHeight(), frame.getStridesList());
        } catch (CodecException e) {
            throw new CodecException(what + ": " + e.getMessage(), e);
        }
        layout.checkLength(frame.getData().size(), what);
        return new ValidFrame(frame, layout);
    }

    /** A frame whose bytes match its declared layout. */
    public record ValidFrame(Frame frame, PixelLayout layout) {}
}

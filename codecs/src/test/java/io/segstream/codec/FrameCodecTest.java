package io.segstream.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.segstream.schemas.v1.Frame;
import io.segstream.schemas.v1.PixelFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private static final long NOW_US = 1_790_000_000_000_000L;

    private static Frame.Builder goodFrame() {
        return Frame.newBuilder().setCameraId("cam-1").setSequence(42).setCaptureTimeUs(NOW_US - 1000)
                .setWidth(64).setHeight(48).setPixelFormat(PixelFormat.PIXEL_FORMAT_I420)
                .setData(ByteString.copyFrom(new byte[64 * 48 * 3 / 2]));
    }

    private static String reject(String key, byte[] value) {
        return assertThrows(CodecException.class, () -> FrameCodec.decode(key, value, NOW_US)).getMessage();
    }

    @Test
    void acceptsAFrameWhoseBytesMatchItsHeader() {
        FrameCodec.ValidFrame valid = FrameCodec.decode("cam-1", goodFrame().build().toByteArray(), NOW_US);
        assertEquals(4608, valid.layout().totalBytes());
        assertEquals(42, valid.frame().getSequence());
    }

    @Test
    void acceptsRowStridesLongerThanTheRow() {
        Frame frame = goodFrame().setPixelFormat(PixelFormat.PIXEL_FORMAT_GRAY8).addAllStrides(List.of(80))
                .setData(ByteString.copyFrom(new byte[80 * 48])).build();
        assertEquals(80, FrameCodec.decode("cam-1", frame.toByteArray(), NOW_US).layout().stride(0));
    }

    @Test
    void rejectsRandomBytes() {
        byte[] junk = new byte[300];
        new Random(7).nextBytes(junk);
        assertTrue(reject("cam-1", junk).startsWith("not a segstream.v1.Frame (300 bytes)"));
    }

    @Test
    void rejectsBytesThatDoNotMatchTheDeclaredSize() {
        byte[] value = goodFrame().setData(ByteString.copyFrom(new byte[100])).build().toByteArray();
        assertEquals("frame 42 of camera 'cam-1': 100 bytes for 64x48 I420, expected 4608", reject("cam-1", value));
    }

    @Test
    void rejectsAnUnknownPixelFormat() {
        byte[] value = goodFrame().setPixelFormatValue(99).build().toByteArray();
        assertTrue(reject("cam-1", value).contains("unknown pixel format 99"));
    }

    @Test
    void rejectsEnormousDeclaredDimensionsBeforeSizingAnything() {
        byte[] value = goodFrame().setWidth(Integer.MAX_VALUE).setHeight(Integer.MAX_VALUE).build().toByteArray();
        assertTrue(reject("cam-1", value).contains("is out of range"));
    }

    @Test
    void rejectsAnEmptyCameraIdAndAKeyThatIsNotTheCamera() {
        assertTrue(reject("", goodFrame().setCameraId("").build().toByteArray()).contains("camera_id is empty"));
        assertTrue(reject("cam-2", goodFrame().build().toByteArray()).contains("record key 'cam-2' is not the camera id"));
    }

    @Test
    void rejectsNegativeAndFarFutureCaptureTimes() {
        assertTrue(reject("cam-1", goodFrame().setCaptureTimeUs(-5).build().toByteArray()).contains("capture_time_us -5"));
        long future = NOW_US + 2 * FrameCodec.MAX_CLOCK_SKEW_US;
        assertTrue(reject("cam-1", goodFrame().setCaptureTimeUs(future).build().toByteArray())
                .contains("more than a day ahead"));
    }

    @Test
    void rejectsATombstone() {
        assertTrue(reject("cam-1", null).contains("tombstone"));
    }

    @Test
    void serdeRoundTripsAndNamesTheTypeOnGarbage() {
        ProtobufSerde<Frame> serde = ProtobufSerde.frames();
        Frame frame = goodFrame().build();
        assertEquals(frame, serde.deserializer().deserialize("t", serde.serializer().serialize("t", frame)));
        Exception e = assertThrows(org.apache.kafka.common.errors.SerializationException.class,
                () -> serde.deserializer().deserialize("frames", new byte[] {(byte) 0xFF, 1, 2}));
        assertTrue(e.getMessage().contains("record of frames is not a segstream.v1.Frame"));
    }
}

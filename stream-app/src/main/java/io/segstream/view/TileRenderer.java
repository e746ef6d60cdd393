package io.segstream.view;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segstream.codec.CodecException;
import io.segstream.codec.FrameCodec;
import io.segstream.codec.ImageFiles;
import io.segstream.codec.LabelRle;
import io.segstream.codec.MaskLabels;
import io.segstream.codec.PixelConverter;
import io.segstream.codec.RgbImage;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.MaskEncoding;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Turns a camera's latest mask and its frame into the binary WebSocket message the page draws: a
 * 4-byte big-endian header length, a UTF-8 JSON header, the frame as JPEG, then the labels as
 * LABEL_RLE (masks in PNG or RAW are re-encoded so the page decodes one format). The page paints
 * the overlay itself, so class filters and opacity need no round trip. One renderer per thread.
 */
final class TileRenderer {
    static final float JPEG_QUALITY = 0.8f;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RgbImage rgb = new RgbImage(1, 1);
    private byte[] pixels = new byte[0];

    /** A rendered tile: the message, ready to send to any number of browsers. */
    record Tile(String camera, long sequence, ByteBuffer message) {
        /** A view of the message for one send (each send moves its own position). */
        ByteBuffer forSend() {
            return message.asReadOnlyBuffer();
        }
    }

    /**
     * @param frame the frame record's value, or null when it could not be had (the tile shows the mask alone)
     * @throws CodecException when the mask does not decode
     */
    Tile render(String camera, Mask mask, byte[] frame) {
        // The page lays the labels over the frame pixel for pixel: a mask at the working size is enlarged
        // to its frame's size (nearest neighbour) here.
        int w = MaskLabels.sourceWidth(mask);
        int h = MaskLabels.sourceHeight(mask);
        boolean asIs = mask.getEncoding() == MaskEncoding.MASK_ENCODING_LABEL_RLE && mask.getWidth() == w
                && mask.getHeight() == h;
        byte[] rle = asIs ? mask.getData().toByteArray() : LabelRle.encode(MaskLabels.decodeAt(mask, w, h), w, h);
        byte[] jpeg = frame == null ? new byte[0] : jpeg(camera, frame, w, h);
        ObjectNode header = JSON.createObjectNode();
        header.put("camera", camera);
        header.put("sequence", Long.toUnsignedString(mask.getSequence()));
        header.put("width", w);
        header.put("height", h);
        header.put("captureTimeUs", mask.getCaptureTimeUs());
        header.put("frameBytes", jpeg.length);
        header.put("maskBytes", rle.length);
        FiguresJson.model(header.putObject("model"), mask.getModel());
        byte[] head = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer message = ByteBuffer.allocate(4 + head.length + jpeg.length + rle.length);
        message.putInt(head.length).put(head).put(jpeg).put(rle).flip();
        return new Tile(camera, mask.getSequence(), message);
    }

    /** The frame as JPEG, or nothing when it is not a valid frame of the mask's size. */
    private byte[] jpeg(String camera, byte[] value, int w, int h) {
        FrameCodec.ValidFrame frame;
        try {
            frame = FrameCodec.decode(camera, value, Long.MAX_VALUE / 2);
        } catch (CodecException e) {
            return new byte[0]; // the processor dead-letters such frames; the page counts them
        }
        if (frame.layout().width() != w || frame.layout().height() != h) {
            return new byte[0];
        }
        int size = frame.frame().getData().size();
        if (pixels.length < size) {
            pixels = new byte[size];
        }
        frame.frame().getData().copyTo(pixels, 0);
        PixelConverter.toRgb(frame.layout(), pixels, rgb);
        return ImageFiles.jpeg(rgb, JPEG_QUALITY);
    }
}

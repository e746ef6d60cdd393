package io.segstream.codec;

import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.MaskStatus;
import io.segstream.schemas.v1.ModelInfo;

/**
 * A Mask record's label map, whatever its encoding; the map at its frame's size (a mask may be
 * smaller than its frame: the processor's working size); the class its overlay leaves clear; and
 * whether a status is a skip.
 */
public final class MaskLabels {
    private MaskLabels() {}

    /**
     * The mask's width x height class indices in row-major order, decoded from LABEL_RLE, PNG or RAW.
     *
     * @throws CodecException naming the encoding when the bytes do not decode to the mask's size
     */
    public static byte[] decode(Mask mask) {
        int w = mask.getWidth();
        int h = mask.getHeight();
        byte[] data = mask.getData().toByteArray();
        switch (mask.getEncoding()) {
            case MASK_ENCODING_LABEL_RLE:
                return LabelRle.decode(data, w, h);
            case MASK_ENCODING_RAW:
                if (data.length != LabelRle.checkedPixels(w, h)) {
                    throw new CodecException("RAW mask of " + data.length + " bytes for " + w + "x" + h);
                }
                return data;
            case MASK_ENCODING_PNG:
                LabelMap map = MaskPng.decode(data);
                if (map.width() != w || map.height() != h) {
                    throw new CodecException("PNG mask is " + map.width() + "x" + map.height() + ", the record says "
                            + w + "x" + h);
                }
                return map.labels();
            default:
                throw new CodecException("mask encoding " + mask.getEncoding() + " is not one segstream writes");
        }
    }

    /** Width of the frame the mask was made from: {@code source_width}, or the label map's for older masks. */
    public static int sourceWidth(Mask mask) {
        return mask.getSourceWidth() > 0 ? mask.getSourceWidth() : mask.getWidth();
    }

    /** Height of the frame the mask was made from: {@code source_height}, or the label map's for older masks. */
    public static int sourceHeight(Mask mask) {
        return mask.getSourceHeight() > 0 ? mask.getSourceHeight() : mask.getHeight();
    }

    /**
     * The label map at {@code width x height} (its frame's size, to lay it over the frame): decoded,
     * then enlarged (nearest neighbour, pixel centres to pixel centres) when the mask is smaller.
     */
    public static byte[] decodeAt(Mask mask, int width, int height) {
        byte[] labels = decode(mask);
        if (mask.getWidth() == width && mask.getHeight() == height) {
            return labels;
        }
        return Resize.nearest(new LabelMap(mask.getWidth(), mask.getHeight(), labels), width, height).labels();
    }

    /** True for the statuses that answer a frame live mode passed over (no label map). */
    public static boolean skipped(MaskStatus status) {
        return skipReason(status) != null;
    }

    /** "stale", "superseded" or "rate" for a skip status (the metrics' reason label), else null. */
    public static String skipReason(MaskStatus status) {
        switch (status) {
            case MASK_STATUS_SKIPPED_STALE:
                return "stale";
            case MASK_STATUS_SKIPPED_SUPERSEDED:
                return "superseded";
            case MASK_STATUS_SKIPPED_RATE:
                return "rate";
            default:
                return null;
        }
    }

    /** The class an overlay leaves clear: as the Mask says, else class 0 when it is called background (older masks). */
    public static int background(ModelInfo model) {
        if (model.hasBackgroundClass()) {
            return model.getBackgroundClass();
        }
        boolean named = model.getClassNamesCount() > 0;
        return !named || "background".equals(model.getClassNames(0)) ? 0 : Overlay.NO_BACKGROUND;
    }
}

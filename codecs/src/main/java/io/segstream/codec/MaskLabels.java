package io.segstream.codec;

import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.ModelInfo;

/** A Mask record's label map, whatever its encoding, and the class its overlay leaves clear. */
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

    /** The class an overlay leaves clear: as the Mask says, else class 0 when it is called background (older masks). */
    public static int background(ModelInfo model) {
        if (model.hasBackgroundClass()) {
            return model.getBackgroundClass();
        }
        boolean named = model.getClassNamesCount() > 0;
        return !named || "background".equals(model.getClassNames(0)) ? 0 : Overlay.NO_BACKGROUND;
    }
}

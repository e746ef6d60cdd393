package io.segstream.inference;

/** How a frame of any size is fitted to the model's fixed input. */
public enum FitMode {
    /** Resize the whole frame to the model input, ignoring aspect ratio. */
    SQUASH,
    /** Resize keeping the aspect ratio, pad the rest with grey, crop the padding off the logits. */
    LETTERBOX,
    /**
     * Cut the frame into overlapping model-size tiles at native resolution, infer them together and
     * average the logits where tiles overlap: small, distant objects keep their pixels. A frame no
     * larger than the model input is one tile, resized like SQUASH. The default: it measured best on
     * every labelled set here (benchmarks/RESULTS.md, "Fit modes").
     */
    TILE
}

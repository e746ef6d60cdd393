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
     * larger than the model input is one tile, resized like SQUASH. Best with the 257 models
     * (benchmarks/RESULTS.md, "Mask quality per fit mode").
     */
    TILE,
    /**
     * Tiles that each cover {@code model input / zoom} frame pixels per side, overlapping, enlarged
     * to the model input and stitched like TILE: the idea behind "slicing aided" inference, for
     * people a few dozen pixels tall, and for frames smaller than a large model's input (a 480x360
     * frame is one 513 tile under TILE). Costs one inference per tile. The default, with a zoom of
     * 1.35 (benchmarks/RESULTS.md, "Models and fits").
     */
    ZOOM
}

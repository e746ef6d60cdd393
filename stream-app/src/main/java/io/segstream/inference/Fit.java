package io.segstream.inference;

import java.util.Locale;

/**
 * How frames meet the model input: a {@link FitMode}, and for {@link FitMode#ZOOM} how much each
 * tile is enlarged (a tile covers {@code model input / zoom} frame pixels per side).
 */
public record Fit(FitMode mode, double zoom) {
    /**
     * The zoom {@link FitMode#ZOOM} uses when none is given: measured best with the default model
     * (benchmarks/RESULTS.md, "Models and fits": VOC mIoU 0.798, lucia 0.874, car-shadow 0.904, 16 of 18
     * vtest pedestrians, two 513 tiles per 480x360 frame).
     */
    public static final double DEFAULT_ZOOM = 1.35;
    public static final double MAX_ZOOM = 8.0;

    public Fit {
        if (!(zoom >= 1.0 && zoom <= MAX_ZOOM)) {
            throw new IllegalArgumentException("zoom must be in [1, " + MAX_ZOOM + "], was " + zoom);
        }
    }

    public static Fit of(FitMode mode) {
        return new Fit(mode, DEFAULT_ZOOM);
    }

    /** "tile", "zoom 2x", ... for logs. */
    public String label() {
        String name = mode.name().toLowerCase(Locale.ROOT);
        return mode == FitMode.ZOOM ? String.format(Locale.ROOT, "%s %.3gx", name, zoom) : name;
    }
}

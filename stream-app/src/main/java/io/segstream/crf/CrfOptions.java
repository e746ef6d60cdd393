package io.segstream.crf;

/**
 * How a dense CRF is built: its model ({@link CrfParams}), label pruning, threads, and the named
 * variants of its parts. Immutable and validated on construction; {@link #of(CrfParams)} gives the
 * product's choices, which the {@code with...} methods change one at a time.
 *
 * @param params the kernels, weights and iteration cap
 * @param pruneProbability labels whose softmax probability stays below this at every pixel take no
 *     part (a DeepLab frame rarely has more than 3-4 labels with a chance anywhere); 0 keeps all
 * @param threads threads that share each pass over the pixels and the lattices (the caller's plus
 *     {@code threads - 1} of the CRF's own)
 * @param smoothness where the smoothness kernel is filtered
 * @param meanField whether sure pixels are settled or every pixel runs the exact mean field
 * @param appearancePoints what a point of the appearance lattice stands for
 */
public record CrfOptions(CrfParams params, float pruneProbability, int threads, Smoothness smoothness,
        MeanField meanField, AppearancePoints appearancePoints) {

    /** The largest label-pruning probability (the {@code crf.prune.probability} setting's range too). */
    public static final float MAX_PRUNE_PROBABILITY = 0.5f;

    /**
     * The appearance kernel's width (theta_alpha, px) from which {@link AppearancePoints#AUTO} builds
     * the appearance lattice over 2x2 blocks of pixels rather than over pixels.
     */
    public static final float HALF_RESOLUTION_FROM = 16f;

    /** Where the smoothness kernel (position only) is filtered. */
    public enum Smoothness {
        /** On the grid up to {@value GridGaussian#FASTER_UP_TO} px wide, where it is the faster; else on a lattice. */
        AUTO,
        /** On the pixel grid ({@link GridGaussian}); at most {@value GridGaussian#MAX_THETA} px wide. */
        GRID,
        /** On a permutohedral lattice like the appearance kernel, as Kraehenbuehl's CRF does. */
        LATTICE
    }

    /** Which pixels run the mean-field updates. */
    public enum MeanField {
        /**
         * Pixels whose unaries alone are so sure of their label that no message can change it
         * ({@link Unaries#settleMargin}) hold it, one-hot, for the whole frame and take no part in the
         * updates' slice and softmax; the labels a pixel's unaries rule out the same way stay at 0.
         */
        SETTLED,
        /** The exact mean field at every pixel and label. */
        EXACT
    }

    /** What a point of the appearance lattice stands for. */
    public enum AppearancePoints {
        /**
         * {@link #BLOCKS} with {@link MeanField#SETTLED} and theta_alpha at least
         * {@value CrfOptions#HALF_RESOLUTION_FROM} px, else {@link #PIXELS}
         * (benchmarks/RESULTS.md, "Fifth speed round: a half-resolution appearance lattice").
         */
        AUTO,
        /** A point per pixel (the exact mean field). */
        PIXELS,
        /**
         * A point per 2x2 block of pixels, at the block's mean colour and centre, weighted by its
         * pixels, whose message each pixel of the block receives. A kernel 16 px or wider hardly
         * varies across a block except at colour edges that cut through one; the lattice's work
         * (embedding, normalisation, splat, blur, slice) shrinks about fourfold.
         */
        BLOCKS
    }

    public CrfOptions {
        java.util.Objects.requireNonNull(params, "params");
        java.util.Objects.requireNonNull(smoothness, "smoothness");
        java.util.Objects.requireNonNull(meanField, "meanField");
        java.util.Objects.requireNonNull(appearancePoints, "appearancePoints");
        if (!(pruneProbability >= 0f && pruneProbability <= MAX_PRUNE_PROBABILITY)) {
            throw new IllegalArgumentException("pruneProbability must be in [0, " + MAX_PRUNE_PROBABILITY + "], was "
                    + pruneProbability);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("CRF threads must be at least 1, was " + threads);
        }
        if (smoothness == Smoothness.GRID && params.thetaGamma() > GridGaussian.MAX_THETA) {
            throw new IllegalArgumentException("the smoothness kernel is filtered on the grid up to "
                    + GridGaussian.MAX_THETA + " px wide, theta_gamma was " + params.thetaGamma());
        }
    }

    /** The product's CRF for {@code params}: every label, one thread, each part's automatic choice. */
    public static CrfOptions of(final CrfParams params) {
        return new CrfOptions(params, 0f, 1, Smoothness.AUTO, MeanField.SETTLED, AppearancePoints.AUTO);
    }

    public CrfOptions withPruneProbability(final float probability) {
        return new CrfOptions(params, probability, threads, smoothness, meanField, appearancePoints);
    }

    public CrfOptions withThreads(final int count) {
        return new CrfOptions(params, pruneProbability, count, smoothness, meanField, appearancePoints);
    }

    public CrfOptions withSmoothness(final Smoothness choice) {
        return new CrfOptions(params, pruneProbability, threads, choice, meanField, appearancePoints);
    }

    public CrfOptions withMeanField(final MeanField choice) {
        return new CrfOptions(params, pruneProbability, threads, smoothness, choice, appearancePoints);
    }

    public CrfOptions withAppearancePoints(final AppearancePoints choice) {
        return new CrfOptions(params, pruneProbability, threads, smoothness, meanField, choice);
    }

    public CrfOptions withParams(final CrfParams model) {
        return new CrfOptions(model, pruneProbability, threads, smoothness, meanField, appearancePoints);
    }

    /** True when the smoothness kernel is filtered on the pixel grid. */
    boolean gridSmoothness() {
        return smoothness == Smoothness.GRID
                || smoothness == Smoothness.AUTO && params.thetaGamma() <= GridGaussian.FASTER_UP_TO;
    }

    /** The appearance lattice's points: blocks of this many pixels a side (1 or 2). */
    int appearanceBlock() {
        return switch (appearancePoints) {
            case PIXELS -> 1;
            case BLOCKS -> 2;
            case AUTO -> meanField == MeanField.SETTLED && params.thetaAlpha() >= HALF_RESOLUTION_FROM ? 2 : 1;
        };
    }
}

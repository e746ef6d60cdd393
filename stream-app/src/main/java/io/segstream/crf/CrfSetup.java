package io.segstream.crf;

/**
 * The one way to open a CRF: everything the pipeline needs to build a stream CRF (the model's
 * kernels, weights and iteration cap, label pruning, the temporal warm start) and the factory of
 * {@link CrfRefiner}s. The refiner it opens is the permutohedral mean field ({@link DenseCrf}) driven
 * frame by frame with a per-camera warm start; a GPU CRF would be another refiner chosen here.
 */
public record CrfSetup(CrfParams params, float pruneProbability, WarmStartSettings temporal) {
    /** A stream CRF on {@code threads} threads, for one thread of the caller's. */
    public CrfRefiner newRefiner(final int threads) {
        return refiner(CrfOptions.of(params).withPruneProbability(pruneProbability).withThreads(threads), temporal);
    }

    /** A stream CRF built as {@code options} say, starting frames as {@code warmStart} says. */
    public static CrfRefiner refiner(final CrfOptions options, final WarmStartSettings warmStart) {
        return new TemporalCrf(new DenseCrf(options), warmStart);
    }

    /** Kernels, start and iteration cap as start-up lines print them. */
    static String describe(final CrfParams p, final boolean warmStart) {
        return "w1 " + p.w1() + ", theta_alpha " + p.thetaAlpha() + ", theta_beta " + p.thetaBeta() + ", w2 " + p.w2()
                + ", theta_gamma " + p.thetaGamma() + "; " + (warmStart ? "warm start" : "cold") + ", at most "
                + p.iterations() + " iterations";
    }

    /** As start-up lines print it: kernels, start, iteration cap. */
    public String description() {
        return describe(params, temporal.warmStart());
    }
}

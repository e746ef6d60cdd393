package io.segstream.crf;

/**
 * Everything the pipeline needs to build a stream CRF: the model (kernels, weights, iteration
 * cap), label pruning, and the temporal warm start.
 */
public record CrfSetup(CrfParams params, float pruneProbability, TemporalCrf.Settings temporal) {
    /** A stream CRF on {@code threads} threads, for one thread of the caller's. */
    public CrfRefiner newRefiner(int threads) {
        return new TemporalCrf(new DenseCrf(params, pruneProbability, threads), temporal);
    }

    /** Kernels, start and iteration cap as start-up lines print them. */
    static String describe(CrfParams p, boolean warmStart) {
        return "w1 " + p.w1() + ", theta_alpha " + p.thetaAlpha() + ", theta_beta " + p.thetaBeta() + ", w2 " + p.w2()
                + ", theta_gamma " + p.thetaGamma() + "; " + (warmStart ? "warm start" : "cold") + ", at most "
                + p.iterations() + " iterations";
    }

    /** As start-up lines print it: kernels, start, iteration cap. */
    public String description() {
        return describe(params, temporal.warmStart());
    }
}

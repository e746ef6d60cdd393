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
}

package io.segstream.crf;

/**
 * Parameters of the fully connected CRF with Gaussian edge potentials (Kraehenbuehl and Koltun,
 * NIPS 2011): an appearance kernel {@code w1 exp(-|p_i-p_j|^2/2 thetaAlpha^2 - |I_i-I_j|^2/2 thetaBeta^2)}
 * and a smoothness kernel {@code w2 exp(-|p_i-p_j|^2/2 thetaGamma^2)}, Potts compatibility, and
 * the number of mean-field iterations. Positions are in pixels, colours in 0..255 levels.
 */
public record CrfParams(float w1, float thetaAlpha, float thetaBeta, float w2, float thetaGamma, int iterations) {
    /** The most mean-field iterations a frame may run (the {@code crf.iterations} setting's range too). */
    public static final int MAX_ITERATIONS = 100;

    /** DeepLab v2's published values (Chen et al., arXiv 1606.00915), 5 iterations. */
    public static final CrfParams DEEPLAB = new CrfParams(4f, 121f, 5f, 3f, 3f, 5);

    public CrfParams {
        requirePositive("w1", w1);
        requirePositive("thetaAlpha", thetaAlpha);
        requirePositive("thetaBeta", thetaBeta);
        requirePositive("w2", w2);
        requirePositive("thetaGamma", thetaGamma);
        if (iterations < 0 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("CRF iterations must be 0.." + MAX_ITERATIONS + ", was " + iterations);
        }
    }

    private static void requirePositive(String name, float value) {
        if (!(value > 0) || Float.isInfinite(value)) {
            throw new IllegalArgumentException("CRF " + name + " must be a positive number, was " + value);
        }
    }

    public CrfParams withIterations(int n) {
        return new CrfParams(w1, thetaAlpha, thetaBeta, w2, thetaGamma, n);
    }
}

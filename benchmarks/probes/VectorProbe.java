import java.util.Locale;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the Vector API would buy the CRF's two costliest kernels, before anyone builds it into the
 * product (issue 19): the mean field's exponential (the product's FastExp polynomial, scalar against
 * 8 lanes, the results compared bit for bit) and a 21-label splat (the scalar loop over the
 * channels, which the product's grouped splat is level with, against 8-lane vectors over channels
 * padded to 24). Not part of the build: the Vector API is an incubator module that must be added at
 * compile and launch time, so this runs as a single source file.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector benchmarks/probes/VectorProbe.java
 * </pre>
 * The splat's points have 6 corners each, spread over 34,000 vertices (a 640x480 frame's appearance
 * lattice with the default model's parameters has 33,798), neighbouring points sharing vertices as
 * neighbouring pixels do.
 */
public final class VectorProbe {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final float LOG2E = 1.44269504f;
    private static final float C1 = 0.693147182f;
    private static final float C2 = 0.240226507f;
    private static final float C3 = 0.0555041087f;
    private static final float C4 = 0.00961812911f;
    private static final float C5 = 0.00133335581f;
    private static final float C6 = 0.000154035304f;

    private VectorProbe() {}

    /** The product's FastExp.exp. */
    static float exp(float x) {
        if (x < -87f) {
            return 0f;
        }
        float t = x * LOG2E;
        int k = (int) (t - 0.5f);
        float f = t - k;
        float p = Math.fma(f, Math.fma(f, Math.fma(f, Math.fma(f, Math.fma(f, Math.fma(f, C6, C5), C4), C3), C2), C1), 1f);
        return Float.intBitsToFloat(Float.floatToRawIntBits(p) + (k << 23));
    }

    static void expScalar(float[] in, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = exp(in[i]);
        }
    }

    /** The same polynomial on 8 lanes; inputs below -87 are clamped to it instead of giving 0 (the softmax never sees them). */
    static void expVector(float[] in, float[] out, int n) {
        int i = 0;
        for (; i < S.loopBound(n); i += S.length()) {
            FloatVector t = FloatVector.fromArray(S, in, i).max(-87f).mul(LOG2E);
            IntVector k = (IntVector) t.sub(0.5f).convert(VectorOperators.F2I, 0);
            FloatVector f = t.sub((FloatVector) k.convert(VectorOperators.I2F, 0));
            FloatVector p = FloatVector.broadcast(S, C6).fma(f, FloatVector.broadcast(S, C5))
                    .fma(f, FloatVector.broadcast(S, C4)).fma(f, FloatVector.broadcast(S, C3))
                    .fma(f, FloatVector.broadcast(S, C2)).fma(f, FloatVector.broadcast(S, C1))
                    .fma(f, FloatVector.broadcast(S, 1f));
            p.reinterpretAsInts().add(k.lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats().intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = exp(in[i]);
        }
    }

    static void splatScalar(float[] target, float[] in, int[] corners, float[] weights, int n, int channels) {
        for (int p = 0; p < n; p++) {
            int src = p * channels;
            for (int k = 0; k < 6; k++) {
                int dst = (corners[p * 6 + k] + 1) * channels;
                float w = weights[p * 6 + k];
                for (int c = 0; c < channels; c++) {
                    target[dst + c] += w * in[src + c];
                }
            }
        }
    }

    /** {@code channels} a multiple of 8. */
    static void splatVector(float[] target, float[] in, int[] corners, float[] weights, int n, int channels) {
        for (int p = 0; p < n; p++) {
            int src = p * channels;
            for (int g = 0; g < channels; g += 8) {
                FloatVector v = FloatVector.fromArray(S, in, src + g);
                for (int k = 0; k < 6; k++) {
                    int dst = (corners[p * 6 + k] + 1) * channels + g;
                    FloatVector.fromArray(S, target, dst).add(v.mul(weights[p * 6 + k])).intoArray(target, dst);
                }
            }
        }
    }

    public static void main(String[] args) {
        System.out.println(System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        Random random = new Random(1);
        int n = 1 << 16;
        float[] in = new float[n];
        for (int i = 0; i < n; i++) {
            in[i] = -random.nextFloat() * 30f; // a softmax's arguments: at most 0
        }
        float[] scalar = new float[n];
        float[] vector = new float[n];
        for (int round = 0; round < 8; round++) { // alternating; the last 3 rounds print
            long t0 = System.nanoTime();
            for (int j = 0; j < 300; j++) {
                expScalar(in, scalar, n);
            }
            long t1 = System.nanoTime();
            for (int j = 0; j < 300; j++) {
                expVector(in, vector, n);
            }
            long t2 = System.nanoTime();
            if (round >= 5) {
                double per = 300.0 * n;
                System.out.printf(Locale.ROOT, "exp: scalar %.2f ns, vector %.2f ns per value, vector / scalar %.2f%n",
                        (t1 - t0) / per, (t2 - t1) / per, (double) (t2 - t1) / (t1 - t0));
            }
        }
        int differing = 0;
        for (int i = 0; i < n; i++) {
            differing += Float.floatToRawIntBits(scalar[i]) != Float.floatToRawIntBits(vector[i]) ? 1 : 0;
        }
        System.out.println("exp: values differing between scalar and vector: " + differing + " of " + n);

        int points = 640 * 480;
        int vertices = 34_000;
        int[] corners = new int[points * 6];
        float[] weights = new float[points * 6];
        for (int p = 0; p < points; p++) {
            for (int k = 0; k < 6; k++) {
                corners[p * 6 + k] = (p / 9 + k * 977) % vertices;
                weights[p * 6 + k] = random.nextFloat() / 3f;
            }
        }
        float[] in21 = new float[points * 21];
        float[] in24 = new float[points * 24];
        for (int p = 0; p < points; p++) {
            for (int c = 0; c < 21; c++) {
                in21[p * 21 + c] = random.nextFloat();
                in24[p * 24 + c] = in21[p * 21 + c];
            }
        }
        float[] target21 = new float[(vertices + 1) * 21];
        float[] target24 = new float[(vertices + 1) * 24];
        for (int round = 0; round < 8; round++) {
            java.util.Arrays.fill(target21, 0f);
            java.util.Arrays.fill(target24, 0f);
            long t0 = System.nanoTime();
            for (int j = 0; j < 3; j++) {
                splatScalar(target21, in21, corners, weights, points, 21);
            }
            long t1 = System.nanoTime();
            for (int j = 0; j < 3; j++) {
                splatVector(target24, in24, corners, weights, points, 24);
            }
            long t2 = System.nanoTime();
            if (round >= 5) {
                System.out.printf(Locale.ROOT, "splat, 640x480 points, 21 labels: scalar %.1f ms, vector (24 lanes) %.1f ms"
                        + " per pass, vector / scalar %.2f%n", (t1 - t0) / 3e6, (t2 - t1) / 3e6, (double) (t2 - t1) / (t1 - t0));
            }
        }
        double worst = 0;
        for (int v = 0; v <= vertices; v++) {
            for (int c = 0; c < 21; c++) {
                double a = target21[v * 21 + c];
                double b = target24[v * 24 + c];
                worst = Math.max(worst, Math.abs(a - b) / Math.max(1e-6, Math.abs(a)));
            }
        }
        System.out.printf(Locale.ROOT, "splat: largest relative difference between scalar and vector sums %.2e%n", worst);
    }
}

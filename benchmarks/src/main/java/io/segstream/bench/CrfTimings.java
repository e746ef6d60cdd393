package io.segstream.bench;

import io.segstream.crf.CrfParams;
import io.segstream.crf.DenseCrf;
import java.util.Arrays;
import java.util.Locale;

/**
 * The CRF issue's anchor measured the way the anchor was: real frame, 21 labels, DeepLab
 * parameters, median of 7 runs, at 320x240, 640x480 and 1280x720. All configurations of one size
 * run in one JVM, taking turns run by run, so that drift hits them alike: all 21 labels or label
 * pruning at 0.05, on 1 or 2 threads. Columns: lattice build per frame (appearance lattice and
 * normalisation; the smoothness lattice depends only on the frame size and is built once per size,
 * so it is not in a stream's per-frame cost), one iteration, and a frame's total (build, cold
 * start, 5 iterations, argmax). Inputs as in {@link CrfBenchmark} (frame 100 of vtest_720p.avi,
 * DeepLab's tiled logits).
 *
 * <pre>
 * java -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar io.segstream.bench.CrfTimings
 * </pre>
 */
public final class CrfTimings {
    private static final int RUNS = 7;
    private static final int WARMUP = 3;
    private static final float[] PRUNE = {0f, 0.05f};
    private static final int[] THREADS = {1, 2};
    /** Reference C++ (densecrf, -O3 -march=native, 1 thread) from the issue: build, per iteration, total. */
    private static final double[][] ANCHOR = {{28, 17, 118}, {88, 58, 407}, {424, 250, 1762}};

    private CrfTimings() {}

    public static void main(String[] args) throws Exception {
        String[] sizes = {"320x240", "640x480", "1280x720"};
        System.out.printf("%-9s %-6s %-7s %6s %9s %9s %9s %11s %11s%n", "size", "prune", "threads", "labels",
                "build ms", "iter ms", "total ms", "C++ total", "speed-up");
        for (int s = 0; s < sizes.length; s++) {
            CrfBenchmark input = new CrfBenchmark();
            input.size = sizes[s];
            input.prune = 0f;
            input.threads = 1;
            input.setUp();
            int configs = PRUNE.length * THREADS.length;
            DenseCrf[] crfs = new DenseCrf[configs];
            double[][][] times = new double[configs][3][RUNS];
            for (int c = 0; c < configs; c++) {
                crfs[c] = new DenseCrf(CrfParams.DEEPLAB, PRUNE[c / THREADS.length], THREADS[c % THREADS.length]);
            }
            byte[] out = new byte[input.width() * input.height()];
            for (int run = -WARMUP; run < RUNS; run++) {
                for (int c = 0; c < configs; c++) {
                    DenseCrf crf = crfs[c];
                    long t0 = System.nanoTime();
                    crf.prepare(input.rgb(), input.width(), input.height(), input.logits(), 21);
                    long t1 = System.nanoTime();
                    crf.initFromUnaries();
                    crf.iterate(1);
                    long t2 = System.nanoTime();
                    crf.iterate(4);
                    crf.argmax(out);
                    long t3 = System.nanoTime();
                    if (run >= 0) {
                        times[c][0][run] = (t1 - t0) / 1e6;
                        times[c][1][run] = (t2 - t1) / 1e6;
                        times[c][2][run] = (t3 - t0) / 1e6;
                    }
                }
            }
            for (int c = 0; c < configs; c++) {
                double total = median(times[c][2]);
                System.out.printf(Locale.ROOT, "%-9s %-6s %-7d %6d %9.1f %9.1f %9.1f %11.0f %10.2fx%n", sizes[s],
                        PRUNE[c / THREADS.length] == 0f ? "none" : "0.05", THREADS[c % THREADS.length],
                        crfs[c].activeLabels(), median(times[c][0]), median(times[c][1]), total, ANCHOR[s][2],
                        ANCHOR[s][2] / total);
                crfs[c].close();
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}

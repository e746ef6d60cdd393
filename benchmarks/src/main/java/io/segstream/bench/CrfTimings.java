package io.segstream.bench;

import io.segstream.crf.CrfOptions;
import io.segstream.crf.CrfParams;
import io.segstream.crf.DenseCrf;
import java.util.ArrayList;
import java.util.List;
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
 * With an argument {@code w1,theta_alpha,theta_beta,w2,theta_gamma}: that parameter set against
 * DeepLab's, taking turns in the same way, both with pruning at 0.05 on 1 and 2 threads; the last
 * column is then the set's total over DeepLab's on the same threads.
 */
public final class CrfTimings {
    private static final int RUNS = 7;
    private static final int WARMUP = 3;
    private static final float[] PRUNE = {0f, 0.05f};
    private static final int[] THREADS = {1, 2};
    /** Reference C++ (densecrf, -O3 -march=native, 1 thread) from the issue: build, per iteration, total. */
    private static final double[][] ANCHOR = {{28, 17, 118}, {88, 58, 407}, {424, 250, 1762}};

    private CrfTimings() {}

    /** One CRF to time. */
    private record Config(CrfParams params, float prune, int threads) {}

    public static void main(String[] args) throws Exception {
        CrfParams other = args.length > 0 ? parse(args[0]) : null;
        List<Config> list = new ArrayList<>();
        for (CrfParams params : other == null ? List.of(CrfParams.DEEPLAB) : List.of(CrfParams.DEEPLAB, other)) {
            for (float prune : other == null ? PRUNE : new float[] {0.05f}) {
                for (int threads : THREADS) {
                    list.add(new Config(params, prune, threads));
                }
            }
        }
        String[] sizes = {"320x240", "640x480", "1280x720"};
        System.out.printf("%-9s %-20s %-6s %-7s %6s %9s %9s %9s %11s %11s%n", "size", "params", "prune", "threads",
                "labels", "build ms", "iter ms", "total ms", "C++ total", other == null ? "speed-up" : "/ DeepLab");
        for (int s = 0; s < sizes.length; s++) {
            CrfBenchmark input = new CrfBenchmark();
            input.size = sizes[s];
            input.prune = 0f;
            input.threads = 1;
            input.setUp();
            int configs = list.size();
            DenseCrf[] crfs = new DenseCrf[configs];
            double[][][] times = new double[configs][3][RUNS];
            for (int c = 0; c < configs; c++) {
                Config config = list.get(c);
                crfs[c] = new DenseCrf(CrfOptions.of(config.params()).withPruneProbability(config.prune())
                        .withThreads(config.threads()));
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
                Config config = list.get(c);
                double total = Stats.median(times[c][2]);
                // with a second set, compare each row with DeepLab's on the same threads (the first rows)
                double ratio = other == null ? ANCHOR[s][2] / total : total / Stats.median(times[c % THREADS.length][2]);
                System.out.printf(Locale.ROOT, "%-9s %-20s %-6s %-7d %6d %9.1f %9.1f %9.1f %11.0f %10.2fx%n",
                        sizes[s], name(config.params()), config.prune() == 0f ? "none" : "0.05", config.threads(),
                        crfs[c].activeLabels(), Stats.median(times[c][0]), Stats.median(times[c][1]), total, ANCHOR[s][2], ratio);
                crfs[c].close();
            }
        }
    }

    private static CrfParams parse(String spec) {
        String[] v = spec.split(",");
        if (v.length != 5) {
            throw new IllegalArgumentException("a parameter set is w1,theta_alpha,theta_beta,w2,theta_gamma; got " + spec);
        }
        return CrfInputs.kernels(v, 5);
    }

    private static String name(CrfParams p) {
        return p.equals(CrfParams.DEEPLAB) ? "DeepLab" : CrfInputs.describe(p).replace(" ", "");
    }

}

package io.segstream.bench;

import java.util.Locale;

/**
 * The DJL path's overhead against ONNX Runtime called directly, and against the TFLite
 * interpreter, measured side by side: the three paths take turns in short blocks (10 calls each,
 * the first 2 of a block not counted) so that this machine's drift between time windows hits all
 * of them alike, while ONNX Runtime's spinning worker threads from one path do not land on the
 * first call of the next. Prints median milliseconds per call and per frame, and the ratios.
 *
 * <pre>
 * java -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar \
 *     io.segstream.bench.InferenceOverhead [rounds]
 * </pre>
 */
public final class InferenceOverhead {
    private InferenceOverhead() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 150;
        System.out.printf("%-6s %12s %12s %14s %12s %16s%n", "batch", "djl ms", "direct ms", "djl/direct",
                "tflite ms/fr", "djl/tflite per fr");
        for (int batch : new int[] {1, 4, 8}) {
            InferenceBenchmark state = new InferenceBenchmark();
            state.batch = batch;
            state.setUp();
            for (int i = 0; i < 20; i++) {
                state.djl();
                state.ortDirect();
                state.tfliteOneFrame();
            }
            double[] djl = new double[rounds];
            double[] direct = new double[rounds];
            double[] tflite = new double[rounds];
            for (int r = 0; r < rounds; r += BLOCK - SKIP) {
                int n = Math.min(BLOCK - SKIP, rounds - r);
                time(state::djl, djl, r, n);
                time(state::ortDirect, direct, r, n);
                time(state::tfliteOneFrame, tflite, r, n);
            }
            double d = Stats.median(djl);
            double o = Stats.median(direct);
            double t = Stats.median(tflite);
            System.out.printf(Locale.ROOT, "%-6d %12.2f %12.2f %14.3f %12.2f %16.3f%n", batch, d, o, d / o, t,
                    d / batch / t);
            state.tearDown();
        }
    }

    private static final int BLOCK = 10;
    private static final int SKIP = 2;

    interface Call {
        Object run() throws Exception;
    }

    private static void time(Call call, double[] out, int from, int n) throws Exception {
        for (int i = 0; i < SKIP; i++) {
            call.run();
        }
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            call.run();
            out[from + i] = (System.nanoTime() - t0) / 1e6;
        }
    }

}

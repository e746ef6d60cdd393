package io.segstream.bench;

import io.segstream.assets.Assets;
import io.segstream.codec.DecodedFrame;
import io.segstream.codec.PixelConverter;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoSource;
import io.segstream.crf.CrfSetup;
import io.segstream.crf.CrfOptions;
import io.segstream.crf.CrfParams;
import io.segstream.crf.CrfRefiner;
import io.segstream.crf.CrfState;
import io.segstream.crf.DenseCrf;
import io.segstream.crf.WarmStartSettings;
import io.segstream.data.AssetResolver;
import io.segstream.schemas.v1.PixelFormat;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The CRF issue's speed figures for the product's stream CRF as it runs in the pipeline: warm frames
 * (the product's {@code TemporalCrf} with its default settings, lattice updated from the previous
 * frame, the motion gate, the stop rule) and cold 5-iteration frames ({@link DenseCrf#infer}), at
 * 640x480 and 1280x720, on 1 and 2 threads, label pruning at 0.05, the default model's logits and
 * CRF parameters, consecutive frames of vtest_720p (101 on, resized).
 *
 * <p>It uses only what the product's CRF had before the speed work too (the three-argument
 * {@code DenseCrf} constructor, {@code WarmStartSettings.DEFAULT}), so that the same class run
 * against an older build measures the before of a before-and-after: put its classes ahead of the
 * older benchmarks jar on the class path and alternate whole runs. The frames and logits are cached
 * in the directory of {@code -Dsegstream.crf.cache} (default {@code segstream-crf-speed} in the
 * temporary directory) so that
 * both runs see the same ones and the model runs once.
 *
 * <pre>
 * java -Xmx10g -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar io.segstream.bench.CrfSpeed [label]
 * </pre>
 * Two more modes measure this build's own choices at 640x480 on the cached frames, variants taking
 * turns frame by frame: {@code smoothness THREADS} times one iteration with the smoothness kernel on
 * the pixel grid against on a lattice, for smoothness widths of 1, 1.5, 2 and 3 px; {@code tolerance
 * THREADS} times warm frames with lattice update tolerances of 0, 3 and 6 levels and reports how many
 * of each variant's labels agree with the labels of a lattice built anew for every frame (the same
 * warm chain otherwise).
 */
public final class CrfSpeed {
    private static final String[] SIZES = {"640x480", "1280x720"};
    private static final int[] FRAMES = {30, 16};
    private static final int[] THREADS = {1, 2};

    private CrfSpeed() {}

    public static void main(String[] args) throws Exception {
        Path cache = cache();
        String label = args.length > 0 ? args[0] : "this build";
        if (label.equals("smoothness") || label.equals("tolerance")) {
            int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
            List<byte[]> frames = new ArrayList<>();
            List<float[]> logits = new ArrayList<>();
            if (!Files.exists(cache.resolve("640x480.bin")) || !Files.exists(cache.resolve("params.txt"))) {
                write(cache.resolve("640x480.bin"), cache.resolve("params.txt"), 640, 480, FRAMES[0]);
            }
            CrfParams model = CrfInputs.kernels(Files.readString(cache.resolve("params.txt")).trim().split(","), 5);
            read(cache.resolve("640x480.bin"), 640, 480, FRAMES[0], frames, logits);
            if (label.equals("smoothness")) {
                smoothness(model, threads, frames, logits);
            } else {
                tolerance(model, threads, frames, logits);
            }
            return;
        }
        CrfParams params = null;
        System.out.printf("%-10s %-9s %-7s %13s %13s %9s %13s %13s%n", "build", "size", "threads", "warm mean ms",
                "warm median", "it/frame", "cold mean ms", "cold median");
        for (int s = 0; s < SIZES.length; s++) {
            String[] wh = SIZES[s].split("x");
            int w = Integer.parseInt(wh[0]);
            int h = Integer.parseInt(wh[1]);
            List<byte[]> frames = new ArrayList<>();
            List<float[]> logits = new ArrayList<>();
            Path file = cache.resolve(SIZES[s] + ".bin");
            Path paramsFile = cache.resolve("params.txt");
            if (!Files.exists(file) || !Files.exists(paramsFile)) {
                write(file, paramsFile, w, h, FRAMES[s]);
            }
            params = CrfInputs.kernels(Files.readString(paramsFile).trim().split(","), 5);
            read(file, w, h, FRAMES[s], frames, logits);
            for (int threads : THREADS) {
                measure(label, SIZES[s], params, threads, w, h, frames, logits);
            }
        }
        System.out.println("parameters " + CrfInputs.describe(params) + ", prune 0.05, product warm-start settings");
    }

    private static void measure(String label, String size, CrfParams params, int threads, int w, int h,
            List<byte[]> frames, List<float[]> logits) {
        int count = frames.size();
        double[] warmMs = new double[count - 1];
        double[] coldMs = new double[count - 1];
        long iterations = 0;
        byte[] labels = new byte[w * h];
        try (CrfRefiner warm = CrfSetup.refiner(CrfOptions.of(params).withPruneProbability(0.05f)
                .withThreads(threads), WarmStartSettings.DEFAULT);
                DenseCrf cold = new DenseCrf(CrfOptions.of(params).withPruneProbability(0.05f).withThreads(threads))) {
            for (int round = 0; round < 2; round++) { // the first round warms the JIT up
                CrfState state = null;
                iterations = 0;
                for (int i = 0; i < count; i++) {
                    long t0 = System.nanoTime();
                    CrfRefiner.Outcome o = warm.refine("vtest_720p", i, frames.get(i), w, h, logits.get(i), 21, state,
                            labels);
                    long t1 = System.nanoTime();
                    cold.infer(frames.get(i), w, h, logits.get(i), 21, labels);
                    long t2 = System.nanoTime();
                    state = o.state();
                    if (i > 0) {
                        warmMs[i - 1] = (t1 - t0) / 1e6;
                        coldMs[i - 1] = (t2 - t1) / 1e6;
                        iterations += o.iterations();
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%-10s %-9s %-7d %13.1f %13.1f %9.2f %13.1f %13.1f%n", label, size, threads,
                mean(warmMs), Stats.median(warmMs), (double) iterations / (count - 1), mean(coldMs), Stats.median(coldMs));
    }

    /** One iteration, smoothness kernel on the grid against on a lattice, per smoothness width. */
    private static void smoothness(CrfParams model, int threads, List<byte[]> frames, List<float[]> logits) {
        int w = 640;
        int h = 480;
        for (float gamma : new float[] {1f, 1.5f, 2f, 3f}) {
            CrfParams params = new CrfParams(model.w1(), model.thetaAlpha(), model.thetaBeta(), model.w2(), gamma, 5);
            double[][] ms = new double[2][frames.size()];
            try (DenseCrf grid = new DenseCrf(CrfOptions.of(params).withPruneProbability(0.05f).withThreads(threads)
                    .withSmoothness(CrfOptions.Smoothness.GRID));
                    DenseCrf lattice = new DenseCrf(CrfOptions.of(params).withPruneProbability(0.05f)
                            .withThreads(threads).withSmoothness(CrfOptions.Smoothness.LATTICE))) {
                for (int round = 0; round < 3; round++) { // the last round counts
                    for (int i = 0; i < frames.size(); i++) {
                        for (int c = 0; c < 2; c++) {
                            DenseCrf crf = c == 0 ? grid : lattice;
                            crf.prepare(frames.get(i), w, h, logits.get(i), 21);
                            crf.initFromUnaries();
                            long t0 = System.nanoTime();
                            crf.iterate(5);
                            ms[c][i] = (System.nanoTime() - t0) / 1e6 / 5;
                        }
                    }
                }
            }
            double g = Stats.median(ms[0]);
            double l = Stats.median(ms[1]);
            System.out.printf(Locale.ROOT, "640x480, %d threads, theta_gamma %.1f px: one iteration, median of %d frames: "
                    + "grid %.1f ms, lattice %.1f ms, grid / lattice %.2f%n", threads, gamma, frames.size(), g, l, g / l);
        }
    }

    /** Warm frames with lattice update tolerances 0, 3 and 6 and a lattice built anew, taking turns. */
    private static void tolerance(CrfParams params, int threads, List<byte[]> frames, List<float[]> logits) {
        int w = 640;
        int h = 480;
        int n = w * h;
        int[] tolerances = {0, 3, 6};
        int v = tolerances.length + 1; // the last: built anew
        CrfRefiner[] crfs = new CrfRefiner[v];
        for (int c = 0; c < v; c++) {
            WarmStartSettings settings = c < tolerances.length
                    ? WarmStartSettings.DEFAULT.withLatticeTolerance(tolerances[c])
                    : WarmStartSettings.DEFAULT.withReuseLattice(false);
            crfs[c] = CrfSetup.refiner(CrfOptions.of(params).withPruneProbability(0.05f)
                    .withThreads(threads), settings);
        }
        double[][] ms = new double[v][frames.size() - 1];
        long[] agree = new long[v];
        byte[][] labels = new byte[v][n];
        for (int round = 0; round < 2; round++) { // the second round counts
            CrfState[] state = new CrfState[v];
            java.util.Arrays.fill(agree, 0);
            for (int i = 0; i < frames.size(); i++) {
                for (int c = v - 1; c >= 0; c--) {
                    long t0 = System.nanoTime();
                    CrfRefiner.Outcome o = crfs[c].refine("vtest_720p", i, frames.get(i), w, h, logits.get(i), 21,
                            state[c], labels[c]);
                    if (i > 0) {
                        ms[c][i - 1] = (System.nanoTime() - t0) / 1e6;
                    }
                    state[c] = o.state();
                    for (int p = 0; p < n; p++) {
                        agree[c] += labels[c][p] == labels[v - 1][p] ? 1 : 0;
                    }
                }
            }
        }
        for (int c = 0; c < v; c++) {
            System.out.printf(Locale.ROOT, "640x480, %d threads, %s: warm frame mean %.1f ms, median %.1f ms; labels "
                    + "agree with the lattice built anew on %.3f%%%n", threads,
                    c < tolerances.length ? "tolerance " + tolerances[c] : "lattice built anew", mean(ms[c]),
                    Stats.median(ms[c]), 100.0 * agree[c] / ((long) n * frames.size()));
            crfs[c].close();
        }
    }

    /** Decodes, resizes and runs the model once; the frames and their logit planes go to {@code file}. */
    /** The cache of frames and logits, created: {@code -Dsegstream.crf.cache}, else in the temporary directory. */
    static Path cache() throws java.io.IOException {
        String dir = System.getProperty("segstream.crf.cache");
        Path cache = dir != null ? Path.of(dir) : Path.of(System.getProperty("java.io.tmpdir"), "segstream-crf-speed");
        return Files.createDirectories(cache);
    }

    static void write(Path file, Path paramsFile, int w, int h, int count) throws Exception {
        AssetResolver assets = AssetResolver.fromEnvironment(null);
        try (CrfInputs inputs = CrfInputs.open(assets);
                VideoSource video = VideoSource.open(assets.resolve(Assets.VTEST_720P).toString(),
                        PixelFormat.PIXEL_FORMAT_I420);
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            CrfParams p = inputs.params();
            Files.writeString(paramsFile, p.w1() + "," + p.thetaAlpha() + "," + p.thetaBeta() + "," + p.w2() + ","
                    + p.thetaGamma() + "\n");
            DecodedFrame decoded;
            for (int i = 0, kept = 0; kept < count && (decoded = video.next()) != null; i++) {
                if (i >= 101) {
                    RgbImage rgb = new RgbImage(decoded.width(), decoded.height());
                    PixelConverter.toRgb(decoded.layout(), decoded.data(), rgb);
                    RgbImage frame = rgb.width() == w && rgb.height() == h ? rgb : CrfBenchmark.resize(rgb, w, h);
                    out.write(frame.data());
                    for (float v : inputs.logits(frame)) {
                        out.writeFloat(v);
                    }
                    kept++;
                }
            }
        }
    }

    static void read(Path file, int w, int h, int count, List<byte[]> frames, List<float[]> logits)
            throws Exception {
        int n = w * h;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
            for (int i = 0; i < count; i++) {
                byte[] rgb = new byte[n * 3];
                in.readFully(rgb);
                byte[] raw = new byte[n * 21 * 4];
                in.readFully(raw);
                float[] planes = new float[n * 21];
                java.nio.ByteBuffer.wrap(raw).asFloatBuffer().get(planes);
                frames.add(rgb);
                logits.add(planes);
            }
        }
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(0);
    }
}

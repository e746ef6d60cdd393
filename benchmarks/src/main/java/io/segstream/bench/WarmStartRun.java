package io.segstream.bench;

import io.segstream.data.Asset;
import io.segstream.data.AssetResolver;
import io.segstream.assets.Assets;
import io.segstream.codec.DecodedFrame;
import io.segstream.codec.ImageFiles;
import io.segstream.codec.LabelMap;
import io.segstream.codec.MaskPng;
import io.segstream.codec.PixelConverter;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoSource;
import io.segstream.crf.CrfSetup;
import io.segstream.crf.CrfOptions;
import io.segstream.crf.CrfRefiner;
import io.segstream.crf.CrfState;
import io.segstream.crf.DenseCrf;
import io.segstream.crf.WarmStartSettings;
import io.segstream.schemas.v1.PixelFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The temporal warm start measured on real consecutive frames (the warm-start issue's figures):
 * per clip, each frame's DeepLab logits ({@link CrfInputs}: the default model and fit) are refined,
 * with the model's CRF parameters ({@link CrfInputs#params}: its card's, or -Dsegstream.crf),
 * <ul>
 * <li>by a converged cold CRF (20 iterations from the unaries), the reference for agreement;
 * <li>cold, 1-5 fixed iterations, and cold until the labels stop changing;
 * <li>warm (each variant carrying its own state from frame to frame, as a camera's task does),
 * for several warm-start weights and stop thresholds, with no scene-cut rule;
 * </ul>
 * all on one lattice per frame, so the variants differ only in their start and stop. A second
 * pass times full frames (lattice build, start, iterations, argmax, state) of the product's
 * {@code TemporalCrf} warm against the same CRF cold, on 2 threads, taking turns frame by frame.
 * Also printed: temporal flicker (label changes between consecutive frames among pixels whose
 * colour changed by at most {@value #STILL} levels in every channel), objects kept (of the pixels
 * the converged cold CRF labels as anything but background, the share labelled the same: what a
 * start that holds on to the past loses where objects move in) and, for the DAVIS
 * sequences, mean per-frame foreground IoU; for {@code cuts}, the per-frame disagreement that the
 * scene-cut rule thresholds, beside the frame's mean colour change.
 *
 * <pre>
 * java -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar io.segstream.bench.WarmStartRun [frames] [clip...]
 * java -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar io.segstream.bench.WarmStartRun cuts
 * java -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar io.segstream.bench.WarmStartRun timing
 * </pre>
 * With {@code -Dsegstream.warm.motion=-1,16,32}: the warm variants are the product's weight, stop and
 * limit with each motion gate listed (-1: none) instead of the grid of weights, stops and limits.
 * {@code timing}: the per-frame figure at exactly 640x480 (vtest_720p frames 100-159
 * resized), 2 threads: the product's warm CRF against a cold 5-iteration CRF, taking turns frame by
 * frame, both timed whole (lattice to labels).
 * Clips: vtest_720p, vtest, car_traffic, megamind (videos scaled down to fit 640x480 keeping their
 * aspect ratio), lucia, car-shadow (DAVIS, native 854x480); default all but megamind, 60 frames each.
 */
public final class WarmStartRun {
    private static final int STILL = 8;
    private static final int REFERENCE_ITERATIONS = 20;
    private static final int CAP = 5;
    private static final float[] WEIGHTS = {0.5f, 1f, 2f};
    private static final float[] STOPS = {0.005f, 0.002f, 0.0005f};
    /** Caps on what the past counts against a label, in nats (warm a=1 and a=2, stop at the first STOPS). */
    private static final float[] LIMITS = {1f, 2f, 3f};
    /** The product's defaults (the pipeline's CrfRefiner settings). */
    static final WarmStartSettings PRODUCT = WarmStartSettings.DEFAULT;

    private final CrfInputs inputs;
    private final Path data;
    private final AssetResolver assets;

    private WarmStartRun(CrfInputs inputs, Path data, AssetResolver assets) {
        this.inputs = inputs;
        this.data = data;
        this.assets = assets;
    }

    public static void main(String[] args) throws Exception {
        AssetResolver assets = AssetResolver.fromEnvironment(null);
        try (CrfInputs inputs = CrfInputs.open(assets)) {
            WarmStartRun run = new WarmStartRun(inputs, CrfInputs.dataDir(), assets);
            if (args.length > 0 && args[0].equals("cuts")) {
                run.cuts();
                return;
            }
            if (args.length > 0 && args[0].equals("timing")) {
                run.timing();
                return;
            }
            int frames = args.length > 0 ? Integer.parseInt(args[0]) : 60;
            List<String> clips = args.length > 1 ? List.of(args).subList(1, args.length)
                    : List.of("vtest_720p", "vtest", "car_traffic", "lucia", "car-shadow");
            for (String clip : clips) {
                run.measure(clip, frames);
            }
        }
    }

    /** One frame of a clip, with its ground truth where the clip has one. */
    private record Sample(RgbImage image, byte[] truth) {}

    private Iterator<Sample> open(String clip, int limit) throws Exception {
        List<Sample> samples = new ArrayList<>();
        switch (clip) {
            case "lucia", "car-shadow" -> {
                Path dir = data.resolve("davis2016-sample/JPEGImages/480p/" + clip);
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.sorted().limit(limit).toList()) {
                        LabelMap truth = MaskPng.decode(Files.readAllBytes(data.resolve("davis2016-sample/Annotations/480p/"
                                + clip + "/" + file.getFileName().toString().replace(".jpg", ".png"))));
                        samples.add(new Sample(ImageFiles.read(file), truth.labels()));
                    }
                }
            }
            default -> {
                Asset asset = switch (clip) {
                    case "vtest_720p" -> Assets.VTEST_720P;
                    case "vtest" -> Assets.VTEST;
                    case "car_traffic" -> Assets.CAR_TRAFFIC;
                    case "megamind" -> Assets.MEGAMIND;
                    default -> throw new IllegalArgumentException("unknown clip " + clip);
                };
                try (VideoSource video = VideoSource.open(assets.resolve(asset).toString(), PixelFormat.PIXEL_FORMAT_I420)) {
                    DecodedFrame decoded;
                    while (samples.size() < limit && (decoded = video.next()) != null) {
                        RgbImage rgb = new RgbImage(decoded.width(), decoded.height());
                        PixelConverter.toRgb(decoded.layout(), decoded.data(), rgb);
                        samples.add(new Sample(fitWithin640x480(rgb), null));
                    }
                }
            }
        }
        return samples.iterator();
    }

    /** Larger frames scaled down to fit 640x480, keeping their aspect ratio; smaller ones as they are. */
    private static RgbImage fitWithin640x480(RgbImage rgb) {
        double scale = Math.min(1.0, Math.min(640.0 / rgb.width(), 480.0 / rgb.height()));
        return scale == 1.0 ? rgb : CrfBenchmark.resize(rgb, (int) Math.round(rgb.width() * scale),
                (int) Math.round(rgb.height() * scale));
    }

    private float[] logits(RgbImage image) {
        return inputs.logits(image);
    }

    /** A warm variant's carried state and running totals. */
    private static final class Chain {
        final float weight;
        final float stop;
        final float limit;
        final int motion; // the motion gate, levels; negative: off
        CrfState state;
        byte[] previous;
        long iterations;
        double agreeAtZero;
        double agree;
        double flicker;
        double iou;
        long objectPixels; // pixels the reference labels as an object (not background)
        long objectsKept;  // of those, pixels this chain gives the same label
        int frames;

        Chain(float weight, float stop) {
            // 8 nats, the most crf.warm.limit allows: no cap for a <= 1 (the carried state's floor is
            // 8 a nats), half the floor for a = 2
            this(weight, stop, 8f);
        }

        Chain(float weight, float stop, float limit) {
            this(weight, stop, limit, -1);
        }

        Chain(float weight, float stop, float limit, int motion) {
            this.weight = weight;
            this.stop = stop;
            this.limit = limit;
            this.motion = motion;
        }
    }

    private void measure(String clip, int limit) throws Exception {
        int truthClass = clip.equals("lucia") ? 15 : clip.equals("car-shadow") ? 7 : -1;
        DenseCrf crf = new DenseCrf(CrfOptions.of(inputs.params().withIterations(REFERENCE_ITERATIONS))
                .withPruneProbability(0.05f).withThreads(2));
        List<Chain> warm = new ArrayList<>();
        String gates = System.getProperty("segstream.warm.motion");
        if (gates != null) { // only the product's weight, stop and limit, with each motion gate given
            for (String m : gates.split(",")) {
                warm.add(new Chain(PRODUCT.weight(), PRODUCT.flipShare(), PRODUCT.limit(), Integer.parseInt(m)));
            }
        } else {
            for (float w : WEIGHTS) {
                for (float s : STOPS) {
                    warm.add(new Chain(w, s));
                }
            }
            for (float w : new float[] {1f, 2f}) {
                for (float cap : LIMITS) {
                    warm.add(new Chain(w, STOPS[0], cap));
                }
            }
        }
        double[] coldAgree = new double[CAP + 1];
        Chain[] coldStable = {new Chain(0f, STOPS[0]), new Chain(0f, STOPS[1])};
        Chain none = new Chain(0f, 0f);
        Chain cold5 = new Chain(0f, 0f);
        // timed: the product (warm, lattice updated), warm with a fresh lattice per frame, and cold
        CrfRefiner[] timed = {
            CrfSetup.refiner(CrfOptions.of(inputs.params()).withPruneProbability(0.05f).withThreads(2), PRODUCT),
            CrfSetup.refiner(CrfOptions.of(inputs.params()).withPruneProbability(0.05f)
                    .withThreads(2), PRODUCT.withReuseLattice(false)),
            CrfSetup.refiner(CrfOptions.of(inputs.params()).withPruneProbability(0.05f)
                    .withThreads(2), PRODUCT.withWarmStart(false).withReuseLattice(false)),
        };
        String[] timedNames = {"warm, lattice updated (product)", "warm, lattice rebuilt", "cold, lattice rebuilt"};
        CrfState[] timedState = new CrfState[timed.length];
        double[] timedMs = new double[timed.length];
        long[] timedIterations = new long[timed.length];
        long[] timedWarm = new long[timed.length];
        long[] timedReused = new long[timed.length];
        Chain product = new Chain(PRODUCT.weight(), PRODUCT.flipShare(), PRODUCT.limit());
        RgbImage previousImage = null;
        int frames = 0;
        String size = "";
        for (Iterator<Sample> it = open(clip, limit); it.hasNext(); ) {
            Sample sample = it.next();
            RgbImage image = sample.image();
            int w = image.width();
            int h = image.height();
            size = w + "x" + h;
            int n = w * h;
            float[] logits = logits(image);
            boolean[] still = previousImage == null ? null : stillPixels(previousImage, image);
            crf.prepare(image.data(), w, h, logits, 21);
            byte[] reference = new byte[n];
            crf.initFromUnaries();
            crf.iterate(REFERENCE_ITERATIONS);
            crf.argmax(reference);
            byte[] labels = new byte[n];
            // no CRF, and cold with fixed iteration counts
            inputs.argmax(labels);
            score(none, labels, reference, still, sample.truth(), truthClass);
            crf.initFromUnaries();
            crf.argmax(labels);
            coldAgree[0] += agreement(labels, reference);
            for (int i = 1; i <= CAP; i++) {
                crf.iterate(1);
                crf.argmax(labels);
                coldAgree[i] += agreement(labels, reference);
            }
            score(cold5, labels, reference, still, sample.truth(), truthClass);
            for (Chain c : coldStable) {
                crf.initFromUnaries();
                c.iterations += crf.iterateUntilStable(c.stop, CAP);
                crf.argmax(labels);
                score(c, labels, reference, still, sample.truth(), truthClass);
            }
            for (Chain c : warm) {
                boolean warmNow = c.state != null;
                if (warmNow) {
                    crf.initWarm(c.state, c.weight, c.limit, c.motion);
                } else {
                    crf.initFromUnaries();
                }
                crf.argmax(labels);
                c.agreeAtZero += agreement(labels, reference);
                c.iterations += crf.iterateUntilStable(c.stop, CAP);
                crf.argmax(labels);
                score(c, labels, reference, still, sample.truth(), truthClass);
                c.state = crf.saveState(w, h, frames, labels);
            }
            for (int t = 0; t < timed.length; t++) {
                long t0 = System.nanoTime();
                CrfRefiner.Outcome o = timed[t].refine(clip, frames, image.data(), w, h, logits, 21, timedState[t], labels);
                long t1 = System.nanoTime();
                timedState[t] = o.state();
                if (frames > 0) { // the first frame is cold for all
                    timedMs[t] += (t1 - t0) / 1e6;
                    timedIterations[t] += o.iterations();
                    timedWarm[t] += o.warm() ? 1 : 0;
                    timedReused[t] += o.latticeReused() ? 1 : 0;
                }
                if (t == 0) {
                    product.iterations += o.iterations();
                    score(product, labels, reference, still, sample.truth(), truthClass);
                }
            }
            previousImage = image;
            frames++;
        }
        crf.close();
        for (CrfRefiner t : timed) {
            t.close();
        }
        System.out.printf(Locale.ROOT, "%n== %s: %d frames at %s, agreement with a %d-iteration cold CRF%n", clip,
                frames, size, REFERENCE_ITERATIONS);
        System.out.printf(Locale.ROOT, "cold, fixed iterations 0..%d: ", CAP);
        for (int i = 0; i <= CAP; i++) {
            System.out.printf(Locale.ROOT, "%d it %.2f%%  ", i, 100 * coldAgree[i] / frames);
        }
        System.out.println();
        String iouHeader = truthClass < 0 ? "" : String.format("%9s", "mean IoU");
        System.out.printf("%-36s %8s %9s %9s %9s %9s%s%n", "start", "it/frame", "agree@0", "agree", "flicker", "objects",
                iouHeader);
        row("no CRF", none, false, truthClass);
        row("cold, 5 iterations", cold5, false, truthClass);
        for (Chain c : coldStable) {
            row(String.format(Locale.ROOT, "cold, stop at %.2f%% flips", 100 * c.stop), c, false, truthClass);
        }
        for (Chain c : warm) {
            String capped = c.limit < 8f ? String.format(Locale.ROOT, ", limit %.0f", c.limit) : "";
            String gated = c.motion >= 0 ? ", motion " + c.motion : "";
            row(String.format(Locale.ROOT, "warm a=%.1f, stop at %.2f%%%s%s", c.weight, 100 * c.stop, capped, gated),
                    c, true, truthClass);
        }
        row("product (warm, lattice updated)", product, false, truthClass);
        int counted = Math.max(1, frames - 1);
        System.out.printf("timed, 2 threads, frames 2..%d (whole CRF: lattice, start, iterations, argmax, state)%n",
                frames);
        for (int t = 0; t < timed.length; t++) {
            System.out.printf(Locale.ROOT, "  %-32s %7.1f ms/frame %5.2f it/frame, %d of %d warm, lattice updated on %d,"
                    + " cold/this %.2f%n", timedNames[t], timedMs[t] / counted, (double) timedIterations[t] / counted,
                    timedWarm[t], counted, timedReused[t], timedMs[2] / timedMs[t]);
        }
    }

    private static void row(String name, Chain c, boolean warm, int truthClass) {
        int f = Math.max(1, c.frames);
        String it = c.iterations == 0 && !warm ? "" : String.format(Locale.ROOT, "%.2f", (double) c.iterations / f);
        String zero = warm ? String.format(Locale.ROOT, "%.2f%%", 100 * c.agreeAtZero / f) : "";
        String iou = truthClass < 0 ? "" : String.format(Locale.ROOT, "%9.4f", c.iou / f);
        System.out.printf(Locale.ROOT, "%-36s %8s %9s %8.2f%% %8.3f%% %8.1f%%%s%n", name, it, zero, 100 * c.agree / f,
                100 * c.flicker / Math.max(1, f - 1), 100.0 * c.objectsKept / Math.max(1, c.objectPixels), iou);
    }

    private static void score(Chain c, byte[] labels, byte[] reference, boolean[] still, byte[] truth, int cls) {
        c.agree += agreement(labels, reference);
        for (int p = 0; p < labels.length; p++) {
            if (reference[p] != 0) {
                c.objectPixels++;
                c.objectsKept += labels[p] == reference[p] ? 1 : 0;
            }
        }
        if (still != null && c.previous != null) {
            long considered = 0;
            long changed = 0;
            for (int p = 0; p < labels.length; p++) {
                if (still[p]) {
                    considered++;
                    changed += labels[p] != c.previous[p] ? 1 : 0;
                }
            }
            c.flicker += considered == 0 ? 0 : (double) changed / considered;
        }
        if (truth != null) {
            long inter = 0;
            long union = 0;
            for (int p = 0; p < labels.length; p++) {
                boolean t = truth[p] != 0;
                boolean q = (labels[p] & 0xFF) == cls;
                inter += t && q ? 1 : 0;
                union += t || q ? 1 : 0;
            }
            c.iou += union == 0 ? 1 : (double) inter / union;
        }
        c.previous = labels.clone();
        c.frames++;
    }

    private static double agreement(byte[] a, byte[] b) {
        long same = 0;
        for (int p = 0; p < a.length; p++) {
            same += a[p] == b[p] ? 1 : 0;
        }
        return (double) same / a.length;
    }

    private static boolean[] stillPixels(RgbImage a, RgbImage b) {
        byte[] x = a.data();
        byte[] y = b.data();
        boolean[] still = new boolean[a.width() * a.height()];
        for (int p = 0; p < still.length; p++) {
            int d = 0;
            for (int c = 0; c < 3; c++) {
                d = Math.max(d, Math.abs((x[3 * p + c] & 0xFF) - (y[3 * p + c] & 0xFF)));
            }
            still[p] = d <= STILL;
        }
        return still;
    }

    /**
     * megamind.avi, every frame through the product's TemporalCrf: the scene-cut rule's
     * disagreement, the frame's mean colour change (a cut shows as a jump), and how it started.
     */
    private void cuts() throws Exception {
        CrfRefiner crf = CrfSetup.refiner(CrfOptions.of(inputs.params()).withPruneProbability(0.05f)
                .withThreads(2), PRODUCT);
        CrfState state = null;
        RgbImage previous = null;
        int frame = 0;
        System.out.printf("%6s %12s %14s %11s  %s%n", "frame", "disagree %", "colour change", "iterations", "start");
        for (Iterator<Sample> it = open("megamind", Integer.MAX_VALUE); it.hasNext(); frame++) {
            RgbImage image = it.next().image();
            byte[] labels = new byte[image.width() * image.height()];
            CrfRefiner.Outcome o = crf.refine("megamind", frame, image.data(), image.width(), image.height(), logits(image), 21, state, labels);
            state = o.state();
            double colour = previous == null ? 0 : meanColourChange(previous, image);
            System.out.printf(Locale.ROOT, "%6d %12.2f %14.2f %11d  %s%n", frame, 100 * o.disagreement(), colour,
                    o.iterations(), o.warm() ? "warm" : o.coldStartReason());
            previous = image;
        }
        crf.close();
    }

    private void timing() throws Exception {
        List<RgbImage> frames = new ArrayList<>();
        List<float[]> logits = new ArrayList<>();
        try (VideoSource video = VideoSource.open(assets.resolve(Assets.VTEST_720P).toString(),
                PixelFormat.PIXEL_FORMAT_I420)) {
            DecodedFrame decoded;
            for (int i = 0; i < 160 && (decoded = video.next()) != null; i++) {
                if (i >= 100) {
                    RgbImage rgb = new RgbImage(decoded.width(), decoded.height());
                    PixelConverter.toRgb(decoded.layout(), decoded.data(), rgb);
                    RgbImage frame = CrfBenchmark.resize(rgb, 640, 480);
                    frames.add(frame);
                    logits.add(logits(frame));
                }
            }
        }
        CrfRefiner warm = CrfSetup.refiner(CrfOptions.of(inputs.params()).withPruneProbability(0.05f)
                .withThreads(2), PRODUCT);
        DenseCrf cold = new DenseCrf(CrfOptions.of(inputs.params()).withPruneProbability(0.05f).withThreads(2));
        byte[] labels = new byte[640 * 480];
        double[] warmMs = new double[frames.size()];
        double[] coldMs = new double[frames.size()];
        long iterations = 0;
        CrfState state = null;
        for (int round = 0; round < 2; round++) { // the first round warms the JIT up
            state = null;
            iterations = 0;
            for (int i = 0; i < frames.size(); i++) {
                long t0 = System.nanoTime();
                CrfRefiner.Outcome o = warm.refine("vtest_720p", i, frames.get(i).data(), 640, 480, logits.get(i), 21, state, labels);
                long t1 = System.nanoTime();
                cold.infer(frames.get(i).data(), 640, 480, logits.get(i), 21, labels);
                long t2 = System.nanoTime();
                state = o.state();
                warmMs[i] = (t1 - t0) / 1e6;
                coldMs[i] = (t2 - t1) / 1e6;
                iterations += i > 0 ? o.iterations() : 0;
            }
        }
        double[] w = Arrays.copyOfRange(warmMs, 1, warmMs.length);
        double[] c = Arrays.copyOfRange(coldMs, 1, coldMs.length);
        System.out.printf(Locale.ROOT, "640x480, 2 threads, vtest_720p frames 101-%d: warm (product) mean %.1f ms, median "
                + "%.1f ms, %.2f it/frame; cold 5 iterations mean %.1f ms, median %.1f ms; cold/warm %.2f; reference "
                + "C++ 407 ms / warm mean = %.1fx%n", 100 + frames.size() - 1, mean(w), Stats.median(w),
                (double) iterations / w.length, mean(c), Stats.median(c), mean(c) / mean(w), 407 / mean(w));
        warm.close();
        cold.close();
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(0);
    }


    private static double meanColourChange(RgbImage a, RgbImage b) {
        byte[] x = a.data();
        byte[] y = b.data();
        long sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += Math.abs((x[i] & 0xFF) - (y[i] & 0xFF));
        }
        return (double) sum / x.length;
    }
}

package io.segstream.bench;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The CRF's speed before and after a change, both builds in one JVM taking turns frame by frame,
 * so that the drift of this machine (30-40% between runs minutes apart) hits them alike; whole
 * runs alternating, as {@link CrfSpeed} against an older jar does, gave ratios that swung by up to
 * 0.5 from one pair of runs to the next. The older build's CRF package ({@code io.segstream.crf}) is loaded from
 * the classes given, ahead of this build's, by a class loader of its own; everything else (frame
 * decoding, the model) is this build's, and both builds are driven through the same reflective
 * calls, so the difference is the CRF's alone.
 *
 * <p>Per size (640x480, 1280x720) and thread count (1, 2): the product's warm chain
 * ({@code TemporalCrf} with its default settings, label pruning at 0.05) over the consecutive frames
 * of {@link CrfSpeed}'s cache, and cold 5-iteration frames ({@code DenseCrf.infer}); the default
 * model's parameters, or DeepLab's with {@code --deeplab}, and every label with {@code --unpruned}
 * (cold frames only then; the cold start with the first iteration timed apart, as the issue's
 * anchor did, and one of the four iterations after it, the C++'s unit). It also
 * counts the pixels whose label differs between the builds, warm and cold frames together.
 *
 * <pre>
 * # the older build's CRF classes, e.g. from a commit:
 * mkdir -p /tmp/old/src /tmp/old/classes
 * for f in $(git ls-files stream-app/src/main/java/io/segstream/crf); do
 *     git show OLD:$f &gt; /tmp/old/src/$(basename $f); done
 * javac -d /tmp/old/classes /tmp/old/src/*.java
 * # -Xmx5g: a larger heap's untouched pages made a run against a copy of its own build swing 0.82-1.27
 * java -Xmx5g -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar \
 *     io.segstream.bench.CrfBeforeAfter /tmp/old/classes [--deeplab] [--unpruned]
 * </pre>
 */
public final class CrfBeforeAfter {
    private static final String[] SIZES = {"640x480", "1280x720"};
    private static final int[] FRAMES = {30, 16};
    private static final int[] THREADS = {1, 2};
    private static final int ROUNDS = 2; // the first warms the JIT up

    private CrfBeforeAfter() {}

    /** One build's CRF, reached by reflection. */
    private static final class Build implements AutoCloseable {
        private final String name;
        private final Object temporal;
        private final Object cold;
        private final Method refine;
        private final Method state;
        private final Method iterations;
        private final Method prepare;
        private final Method initFromUnaries;
        private final Method iterate;
        private final Method argmax;
        private final Method infer;
        private final Method closeTemporal;
        private final Method closeCold;

        Build(String name, ClassLoader loader, float[] p, float prune, int threads) throws Exception {
            this.name = name;
            Class<?> params = Class.forName("io.segstream.crf.CrfParams", true, loader);
            Class<?> dense = Class.forName("io.segstream.crf.DenseCrf", true, loader);
            Class<?> refiner = Class.forName("io.segstream.crf.CrfRefiner", true, loader);
            Class<?> stateClass = Class.forName("io.segstream.crf.CrfState", true, loader);
            Class<?> outcome = Class.forName("io.segstream.crf.CrfRefiner$Outcome", true, loader);
            Object crfParams = params.getConstructor(float.class, float.class, float.class, float.class, float.class,
                    int.class).newInstance(p[0], p[1], p[2], p[3], p[4], 5);
            if (hasOptions(loader)) {
                // since 32's split: a DenseCrf from CrfOptions, the stream CRF from CrfSetup's factory
                Class<?> optionsClass = Class.forName("io.segstream.crf.CrfOptions", true, loader);
                Class<?> settings = Class.forName("io.segstream.crf.WarmStartSettings", true, loader);
                Object options = optionsClass.getMethod("of", params).invoke(null, crfParams);
                options = optionsClass.getMethod("withPruneProbability", float.class).invoke(options, prune);
                options = optionsClass.getMethod("withThreads", int.class).invoke(options, threads);
                Class<?> setup = Class.forName("io.segstream.crf.CrfSetup", true, loader);
                this.temporal = setup.getMethod("refiner", optionsClass, settings)
                        .invoke(null, options, settings.getField("DEFAULT").get(null));
                this.cold = dense.getConstructor(optionsClass).newInstance(options);
            } else {
                Class<?> temporalClass = Class.forName("io.segstream.crf.TemporalCrf", true, loader);
                Class<?> settings = Class.forName("io.segstream.crf.TemporalCrf$Settings", true, loader);
                Constructor<?> make = dense.getConstructor(params, float.class, int.class);
                this.temporal = temporalClass.getConstructor(dense, settings).newInstance(
                        make.newInstance(crfParams, prune, threads), settings.getField("DEFAULT").get(null));
                this.cold = make.newInstance(crfParams, prune, threads);
            }
            this.refine = refiner.getMethod("refine", String.class, long.class, byte[].class, int.class,
                    int.class, float[].class, int.class, stateClass, byte[].class);
            this.state = outcome.getMethod("state");
            this.iterations = outcome.getMethod("iterations");
            this.prepare = dense.getMethod("prepare", byte[].class, int.class, int.class, float[].class, int.class);
            this.initFromUnaries = dense.getMethod("initFromUnaries");
            this.iterate = dense.getMethod("iterate", int.class);
            this.argmax = dense.getMethod("argmax", byte[].class);
            this.infer = dense.getMethod("infer", byte[].class, int.class, int.class, float[].class, int.class,
                    byte[].class);
            this.closeTemporal = refiner.getMethod("close");
            this.closeCold = dense.getMethod("close");
        }

        /** True for a build whose CRF is made from {@code CrfOptions} (since the split of issue 32). */
        private static boolean hasOptions(ClassLoader loader) {
            try {
                Class.forName("io.segstream.crf.CrfOptions", false, loader);
                return true;
            } catch (ClassNotFoundException e) {
                return false;
            }
        }

        @Override
        public void close() throws Exception {
            closeTemporal.invoke(temporal);
            closeCold.invoke(cold);
        }
    }

    /** Loads {@code io.segstream.crf} from {@code older} ahead of the parent; everything else from the parent. */
    private static final class OlderCrf extends URLClassLoader {
        OlderCrf(Path older) throws Exception {
            super(new URL[] {older.toUri().toURL()}, CrfBeforeAfter.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("io.segstream.crf.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = findClass(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: CrfBeforeAfter OLDER_CRF_CLASSES [--deeplab] [--unpruned]");
            System.exit(2);
        }
        Path older = Path.of(args[0]);
        if (!Files.exists(older.resolve("io/segstream/crf/DenseCrf.class")) && !Files.isRegularFile(older)) {
            throw new IllegalArgumentException(older + " holds no io/segstream/crf/DenseCrf.class (nor is it a jar)");
        }
        List<String> options = List.of(args).subList(1, args.length);
        boolean deeplab = options.contains("--deeplab");
        boolean unpruned = options.contains("--unpruned");
        ClassLoader before = new OlderCrf(older);
        ClassLoader after = CrfBeforeAfter.class.getClassLoader();
        Path cache = CrfSpeed.cache();
        System.out.printf("%-9s %-7s %-26s %13s %13s %9s %13s %13s %9s%n", "size", "threads", "builds", "warm median",
                "after/before", "it/frame", "cold median", "after/before", "differ");
        String described = null;
        for (int s = 0; s < SIZES.length; s++) {
            String[] wh = SIZES[s].split("x");
            int w = Integer.parseInt(wh[0]);
            int h = Integer.parseInt(wh[1]);
            Path file = cache.resolve(SIZES[s] + ".bin");
            Path paramsFile = cache.resolve("params.txt");
            if (!Files.exists(file) || !Files.exists(paramsFile)) {
                CrfSpeed.write(file, paramsFile, w, h, FRAMES[s]);
            }
            String[] model = Files.readString(paramsFile).trim().split(",");
            float[] p = new float[] {4f, 121f, 5f, 3f, 3f}; // DeepLab's
            if (!deeplab) {
                for (int i = 0; i < 5; i++) {
                    p[i] = Float.parseFloat(model[i]);
                }
            }
            described = String.format(Locale.ROOT, "w1 %s, theta_alpha %s, theta_beta %s, w2 %s, theta_gamma %s",
                    p[0], p[1], p[2], p[3], p[4]);
            List<byte[]> frames = new ArrayList<>();
            List<float[]> logits = new ArrayList<>();
            CrfSpeed.read(file, w, h, FRAMES[s], frames, logits);
            for (int threads : THREADS) {
                try (Build old = new Build("before", before, p, unpruned ? 0f : 0.05f, threads);
                        Build now = new Build("after", after, p, unpruned ? 0f : 0.05f, threads)) {
                    measure(SIZES[s], threads, w, h, frames, logits, new Build[] {old, now}, unpruned);
                }
            }
        }
        System.out.println("parameters " + described + (unpruned ? ", all 21 labels" : ", prune 0.05")
                + ", product warm-start settings; builds take turns frame by frame, the first of each pair"
                + " alternating");
    }

    private static void measure(String size, int threads, int w, int h, List<byte[]> frames, List<float[]> logits,
            Build[] builds, boolean unpruned) throws Exception {
        int count = frames.size();
        int n = w * h;
        double[][] warm = new double[2][count - 1];
        double[][] cold = new double[2][count];
        double[][] first = new double[2][count];
        double[][] later = new double[2][count]; // unpruned: one of the iterations after the first
        long[] iterations = new long[2];
        long differ = 0;
        long compared = 0;
        byte[][] labels = new byte[2][n];     // the warm chain's, or the unpruned cold frame's
        byte[][] coldLabels = new byte[2][n];
        for (int round = 0; round < ROUNDS; round++) {
            Object[] state = new Object[2];
            iterations[0] = 0;
            iterations[1] = 0;
            differ = 0;
            compared = 0;
            for (int i = 0; i < count; i++) {
                for (int turn = 0; turn < 2; turn++) {
                    int b = (i + turn) % 2; // who goes first alternates frame by frame
                    Build build = builds[b];
                    if (!unpruned) {
                        long t0 = System.nanoTime();
                        Object outcome = build.refine.invoke(build.temporal, "vtest_720p", (long) i, frames.get(i),
                                w, h, logits.get(i), 21, state[b], labels[b]);
                        long t1 = System.nanoTime();
                        state[b] = build.state.invoke(outcome);
                        if (i > 0) {
                            warm[b][i - 1] = (t1 - t0) / 1e6;
                            iterations[b] += (int) build.iterations.invoke(outcome);
                        }
                        t0 = System.nanoTime();
                        build.infer.invoke(build.cold, frames.get(i), w, h, logits.get(i), 21, coldLabels[b]);
                        cold[b][i] = (System.nanoTime() - t0) / 1e6;
                    } else {
                        long t0 = System.nanoTime();
                        build.prepare.invoke(build.cold, frames.get(i), w, h, logits.get(i), 21);
                        long t1 = System.nanoTime();
                        build.initFromUnaries.invoke(build.cold);
                        build.iterate.invoke(build.cold, 1);
                        long t2 = System.nanoTime();
                        build.iterate.invoke(build.cold, 4);
                        long t3 = System.nanoTime();
                        build.argmax.invoke(build.cold, labels[b]);
                        long t4 = System.nanoTime();
                        first[b][i] = (t2 - t1) / 1e6;
                        later[b][i] = (t3 - t2) / 4e6;
                        cold[b][i] = (t4 - t0) / 1e6;
                    }
                }
                for (int p = 0; p < n; p++) {
                    differ += (labels[0][p] != labels[1][p] ? 1 : 0) + (coldLabels[0][p] != coldLabels[1][p] ? 1 : 0);
                }
                compared += unpruned ? n : 2L * n;
            }
        }
        String differs = String.format(Locale.ROOT, "%.4f%%", 100.0 * differ / compared);
        if (unpruned) {
            double f0 = Stats.median(first[0]);
            double f1 = Stats.median(first[1]);
            System.out.printf(Locale.ROOT, "%-9s %-7d %-26s %13s %13s %9s %13s %13s %9s%n", size, threads,
                    "start+1 it before/after", String.format(Locale.ROOT, "%.1f/%.1f", f0, f1),
                    String.format(Locale.ROOT, "%.2f", f1 / f0), "-",
                    String.format(Locale.ROOT, "%.1f/%.1f", Stats.median(cold[0]), Stats.median(cold[1])),
                    String.format(Locale.ROOT, "%.2f", Stats.median(cold[1]) / Stats.median(cold[0])), differs);
            double l0 = Stats.median(later[0]);
            double l1 = Stats.median(later[1]);
            System.out.printf(Locale.ROOT, "%-9s %-7d %-26s %13s %13s%n", size, threads, "one later it before/after",
                    String.format(Locale.ROOT, "%.1f/%.1f", l0, l1), String.format(Locale.ROOT, "%.2f", l1 / l0));
            return;
        }
        double w0 = Stats.median(warm[0]);
        double w1 = Stats.median(warm[1]);
        double c0 = Stats.median(cold[0]);
        double c1 = Stats.median(cold[1]);
        System.out.printf(Locale.ROOT, "%-9s %-7d %-26s %13s %13.2f %9s %13s %13.2f %9s%n", size, threads,
                "before/after", String.format(Locale.ROOT, "%.1f/%.1f", w0, w1), w1 / w0,
                String.format(Locale.ROOT, "%.2f/%.2f", (double) iterations[0] / (count - 1),
                        (double) iterations[1] / (count - 1)),
                String.format(Locale.ROOT, "%.1f/%.1f", c0, c1), c1 / c0, differs);
    }
}

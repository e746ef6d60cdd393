package io.segstream.bench;

import io.segstream.data.AssetResolver;
import io.segstream.codec.ImageFiles;
import io.segstream.codec.LabelMap;
import io.segstream.codec.MaskPng;
import io.segstream.codec.RgbImage;
import io.segstream.crf.CrfOptions;
import io.segstream.crf.CrfParams;
import io.segstream.crf.DenseCrf;
import io.segstream.eval.ConfusionMatrix;
import io.segstream.model.ModelCard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Mask quality with the CRF off and on, against ground truth: mIoU on the 46 PASCAL VOC images of
 * ../shared/data/voc-sample (where the parameters are chosen) and foreground IoU on the two DAVIS
 * 2016 sequences (person in lucia, car in car-shadow; held out). Logits: as {@link CrfInputs} makes
 * them (the product's default model and fit unless -Dsegstream.model and -Dsegstream.fit say). Each parameter set is DeepLab's form (w1, theta_alpha, theta_beta, w2, theta_gamma), 5
 * iterations, label pruning at 0.05 as in the pipeline.
 *
 * <pre>
 * java -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar io.segstream.bench.CrfQuality
 * </pre>
 * With the argument {@code per-class}: VOC IoU per class, CRF off against DeepLab's parameters, and stop.
 * With {@code sweep w1,theta_alpha,theta_beta,w2,theta_gamma,iterations[,scale] ...}: VOC mIoU (and
 * the bicycle and car IoU the CRF tends to erase) for the parameter sets given instead of the
 * built-in ones, without DAVIS ({@code sweep-all}: with DAVIS, then VOC IoU per class for each set); the optional scale multiplies the logits before the CRF (a unary
 * temperature: above 1 the network's evidence weighs more against the kernels).
 */
public final class CrfQuality {
    private static final int PERSON = 15;
    private static final int CAR = 7;
    private static final int BICYCLE = 2;
    /**
     * DeepLab v2's parameters (5 and 2 iterations), the best set found inside DeepLab's own search
     * range and a weaker one (third round), and the local kernels tuned on voc-sample (fourth round).
     */
    private static final CrfParams[] SETS = {
        CrfParams.DEEPLAB,
        CrfParams.DEEPLAB.withIterations(2),
        new CrfParams(3f, 50f, 3f, 3f, 3f, 5),
        new CrfParams(2f, 20f, 3f, 3f, 3f, 5),
        new CrfParams(3f, 10f, 8f, 2f, 1f, 5),
        new CrfParams(3f, 10f, 8f, 1f, 1f, 5),
        new CrfParams(3f, 10f, 8f, 1f, 1f, 2),
        new CrfParams(5f, 7f, 10f, 1f, 1f, 5),
    };

    private CrfQuality() {}

    /** A CRF to measure: its parameters and the factor on the logits it is given. */
    private record Setting(CrfParams params, float logitScale) {}

    public static void main(String[] args) throws Exception {
        AssetResolver assets = AssetResolver.fromEnvironment(null);
        Path data = CrfInputs.dataDir();
        boolean sweep = args.length > 0 && args[0].startsWith("sweep");
        boolean vocOnly = sweep && args[0].equals("sweep");
        Setting[] sets = sweep ? parse(Arrays.copyOfRange(args, 1, args.length))
                : Arrays.stream(SETS).map(p -> new Setting(p, 1f)).toArray(Setting[]::new);
        DenseCrf[] crfs = new DenseCrf[sets.length];
        for (int i = 0; i < sets.length; i++) {
            crfs[i] = new DenseCrf(CrfOptions.of(sets[i].params()).withPruneProbability(0.05f)
                    .withThreads(Runtime.getRuntime().availableProcessors()));
        }
        try (CrfInputs inputs = CrfInputs.open(assets)) {
            ModelCard card = inputs.card();
            ConfusionMatrix[] voc = new ConfusionMatrix[sets.length + 1];
            for (int i = 0; i < voc.length; i++) {
                voc[i] = new ConfusionMatrix(21);
            }
            List<Path> images = list(data.resolve("voc-sample/JPEGImages"));
            for (Path file : images) {
                String id = file.getFileName().toString().replace(".jpg", "");
                LabelMap truth = MaskPng.decode(Files.readAllBytes(data.resolve("voc-sample/SegmentationClass/" + id
                        + ".png")));
                RgbImage image = ImageFiles.read(file);
                byte[][] results = segment(inputs, sets, crfs, image);
                for (int i = 0; i < results.length; i++) {
                    voc[i].add(truth.labels(), results[i], 255);
                }
            }
            if (args.length > 0 && args[0].equals("per-class")) {
                System.out.printf("%-14s %8s %8s %8s%n", "class", "IoU off", "IoU CRF", "pixels");
                for (int c = 0; c < 21; c++) {
                    System.out.printf(Locale.ROOT, "%-14s %8.4f %8.4f%n", card.classes().get(c), voc[0].iou(c),
                            voc[1].iou(c));
                }
                return;
            }
            if (vocOnly) {
                System.out.printf("%-44s %8s %8s %8s%n", "CRF (w1, theta_a, theta_b, w2, theta_g)", "VOC mIoU",
                        "bicycle", "car");
                for (int i = 0; i <= sets.length; i++) {
                    System.out.printf(Locale.ROOT, "%-44s %8.4f %8.4f %8.4f%n", name(sets, i), voc[i].meanIou(),
                            voc[i].iou(BICYCLE), voc[i].iou(CAR));
                }
                return;
            }
            System.out.printf("%-44s %8s %10s %12s %12s%n", "CRF (w1, theta_a, theta_b, w2, theta_g)", "VOC mIoU",
                    "VOC person", "lucia person", "car-shadow car");
            double[][] davis = new double[2][];
            davis[0] = davis(inputs, sets, crfs, data, "lucia", PERSON);
            davis[1] = davis(inputs, sets, crfs, data, "car-shadow", CAR);
            for (int i = 0; i <= sets.length; i++) {
                System.out.printf(Locale.ROOT, "%-44s %8.4f %10.4f %12.4f %12.4f%n", name(sets, i), voc[i].meanIou(),
                        voc[i].iou(PERSON), davis[0][i], davis[1][i]);
            }
            if (sweep) {
                perClass(card, voc);
            }
        }
        for (DenseCrf crf : crfs) {
            crf.close();
        }
    }

    /** VOC IoU per class: a row per class, a column for "off" (0) and each parameter set in turn. */
    private static void perClass(ModelCard card, ConfusionMatrix[] voc) {
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-14s %7s", "class", "off"));
        for (int i = 1; i < voc.length; i++) {
            head.append(String.format(Locale.ROOT, " %7s", "set " + i));
        }
        System.out.println(head);
        for (int c = 0; c < card.classCount(); c++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-14s", card.classes().get(c)));
            for (ConfusionMatrix m : voc) {
                row.append(String.format(Locale.ROOT, " %7.4f", m.iou(c)));
            }
            System.out.println(row);
        }
    }

    /** "off" for index 0, else parameter set i - 1 as DeepLab writes it. */
    private static String name(Setting[] sets, int i) {
        if (i == 0) {
            return "off";
        }
        CrfParams p = sets[i - 1].params();
        float scale = sets[i - 1].logitScale();
        return CrfInputs.describe(p) + "; " + p.iterations() + " it" + (scale == 1f ? "" : "; logits x" + scale);
    }

    /** Parameter sets written {@code w1,theta_alpha,theta_beta,w2,theta_gamma,iterations[,scale]}. */
    private static Setting[] parse(String[] specs) {
        if (specs.length == 0) {
            throw new IllegalArgumentException(
                    "sweep needs parameter sets: w1,theta_alpha,theta_beta,w2,theta_gamma,iterations[,scale] ...");
        }
        Setting[] sets = new Setting[specs.length];
        for (int i = 0; i < specs.length; i++) {
            String[] v = specs[i].split(",");
            if (v.length != 6 && v.length != 7) {
                throw new IllegalArgumentException(
                        "a parameter set is w1,theta_alpha,theta_beta,w2,theta_gamma,iterations[,scale]; got " + specs[i]);
            }
            float scale = v.length == 7 ? Float.parseFloat(v[6]) : 1f;
            sets[i] = new Setting(CrfInputs.kernels(v, Integer.parseInt(v[5])), scale);
        }
        return sets;
    }

    /** Labels without CRF (index 0) and with each parameter set. */
    private static byte[][] segment(CrfInputs inputs, Setting[] sets, DenseCrf[] crfs, RgbImage image) {
        int w = image.width();
        int h = image.height();
        float[] planes = inputs.logits(image);
        byte[][] results = new byte[crfs.length + 1][w * h];
        inputs.argmax(results[0]);
        for (int i = 0; i < crfs.length; i++) {
            crfs[i].infer(image.data(), w, h, scaled(planes, sets[i].logitScale()), 21, results[i + 1]);
        }
        return results;
    }

    private static double[] davis(CrfInputs inputs, Setting[] sets, DenseCrf[] crfs, Path data,
            String sequence, int cls) throws Exception {
        long[] inter = new long[crfs.length + 1];
        long[] union = new long[crfs.length + 1];
        for (Path file : list(data.resolve("davis2016-sample/JPEGImages/480p/" + sequence))) {
            LabelMap truth = MaskPng.decode(Files.readAllBytes(data.resolve("davis2016-sample/Annotations/480p/"
                    + sequence + "/" + file.getFileName().toString().replace(".jpg", ".png"))));
            byte[][] results = segment(inputs, sets, crfs, ImageFiles.read(file));
            for (int i = 0; i < results.length; i++) {
                for (int p = 0; p < results[i].length; p++) {
                    boolean t = truth.labels()[p] != 0;
                    boolean q = (results[i][p] & 0xFF) == cls;
                    inter[i] += t && q ? 1 : 0;
                    union[i] += t || q ? 1 : 0;
                }
            }
        }
        double[] iou = new double[inter.length];
        for (int i = 0; i < iou.length; i++) {
            iou[i] = (double) inter[i] / union[i];
        }
        return iou;
    }

    /** The logits themselves for a factor of 1, else a scaled copy. */
    private static float[] scaled(float[] logits, float factor) {
        if (factor == 1f) {
            return logits;
        }
        float[] out = new float[logits.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = logits[k] * factor;
        }
        return out;
    }

    private static List<Path> list(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}

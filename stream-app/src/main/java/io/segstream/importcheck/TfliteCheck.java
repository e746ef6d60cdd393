package io.segstream.importcheck;

import io.segstream.codec.LabelMap;
import io.segstream.codec.Resize;
import io.segstream.codec.RgbImage;
import io.segstream.inference.EngineChoice;
import io.segstream.inference.Fit;
import io.segstream.inference.FitMode;
import io.segstream.inference.TfliteModel;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import io.segstream.segmentation.CameraStates;
import io.segstream.segmentation.SegmentationPath;
import io.segstream.segmentation.Segmenter;
import io.segstream.segmentation.SegmenterOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Proves that a model imported from TFLite computes what the original file does. Each check image
 * is resized to the model's input as 8-bit RGB; the TFLite interpreter runs the original file on
 * those bytes, and the product runs the imported ONNX on the same image through its own
 * segmentation path (logits upsampled as the model card says, then argmax). Their labels must agree
 * on at least 99% of all the pixels, or on at least as many as the interpreter's own two kernel
 * sets agree with each other: its default XNNPACK delegate and its builtin reference kernels round
 * 8-bit arithmetic differently, and on some models (Cityscapes' EdgeTPU-slim on video frames) that
 * alone changes several percent of the labels. Images that come with an expected mask (Coral's test
 * masks) are also scored against it.
 */
public final class TfliteCheck {
    /** A check image, optionally with the mask its model is expected to produce. */
    public record Image(String name, RgbImage rgb, LabelMap expected) {}

    /**
     * One image's figures: agreement with the interpreter; the interpreter's default kernels with its
     * reference kernels; and with the expected mask (NaN when none).
     */
    public record ImageResult(String name, double agreement, double interpreterSelf, double expectedByUs,
            double expectedByTflite) {}

    /**
     * Agreement over the images: {@code pooled} over all their pixels (every image has the model's
     * input size), {@code min} of any one image, {@code interpreterSelf} the interpreter's two kernel
     * sets with each other, pooled.
     */
    public record Result(List<ImageResult> images, double pooled, double min, double interpreterSelf) {
        /** The bar: 99% of the pixels, or as close as the interpreter comes to itself. */
        public static final double REQUIRED = 0.99;

        public boolean passed() {
            return pooled >= REQUIRED || pooled >= interpreterSelf;
        }

        public ImageResult image(String name) {
            return images.stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
        }
    }

    private TfliteCheck() {}

    /** The images at the model's input size, as the interpreter and the product both take them. */
    static List<RgbImage> atInputSize(List<Image> images, int width, int height) {
        List<RgbImage> out = new ArrayList<>(images.size());
        for (Image image : images) {
            out.add(Resize.bilinear(image.rgb(), width, height, null));
        }
        return out;
    }

    /**
     * What the interpreter gives on the check images: with its default delegates (the reference) and
     * with its builtin kernels only; computed once per original file and image set.
     */
    public record Reference(Path original, List<Image> images, List<RgbImage> inputs, List<byte[]> labels,
            List<byte[]> builtinLabels, int width, int height) {}

    /** Runs the interpreter on the images resized to the file's input size. */
    public static Reference reference(Path original, List<Image> images, int threads) {
        int[] shape;
        try (TfliteModel tflite = new TfliteModel(original, threads)) {
            shape = tflite.inputShape();
        }
        int h = shape[1];
        int w = shape[2];
        List<RgbImage> inputs = atInputSize(images, w, h);
        return new Reference(original, List.copyOf(images), inputs, interpret(original, inputs, threads, true),
                interpret(original, inputs, threads, false), w, h);
    }

    /**
     * @param original the TFLite file
     * @param importedDir its import (model.onnx + model.json)
     */
    public static Result run(Path original, Path importedDir, List<Image> images, int threads)
            throws InterruptedException {
        return compare(reference(original, images, threads), importedDir, threads);
    }

    /** The imported model's labels against the interpreter's. */
    public static Result compare(Reference ref, Path importedDir, int threads) throws InterruptedException {
        ModelCard card = ModelCard.read(importedDir.resolve(ModelImporter.CARD_FILE));
        int w = card.input().width();
        int h = card.input().height();
        if (w != ref.width() || h != ref.height()) {
            throw new IllegalArgumentException(importedDir + " takes " + w + "x" + h + " but " + ref.original()
                    + " takes " + ref.width() + "x" + ref.height());
        }
        List<Image> images = ref.images();
        List<ImageResult> results = new ArrayList<>(images.size());
        double min = 1;
        double sum = 0;
        double self = 0;
        try (Segmenter segmenter = open(importedDir, threads)) {
            SegmentationPath path = segmenter.path();
            for (int i = 0; i < images.size(); i++) {
                byte[] labels = path.segment(SegmentationPath.Input.still(ref.inputs().get(i)), CameraStates.NONE)
                        .labels();
                double a = agreement(labels, ref.labels().get(i));
                double s = agreement(ref.builtinLabels().get(i), ref.labels().get(i));
                min = Math.min(min, a);
                sum += a;
                self += s;
                LabelMap expected = images.get(i).expected();
                double byUs = Double.NaN;
                double byTflite = Double.NaN;
                if (expected != null) {
                    byUs = agreement(Resize.nearest(new LabelMap(w, h, labels), expected.width(), expected.height())
                            .labels(), expected.labels());
                    byTflite = agreement(Resize.nearest(new LabelMap(w, h, ref.labels().get(i)), expected.width(),
                            expected.height()).labels(), expected.labels());
                }
                results.add(new ImageResult(images.get(i).name(), a, s, byUs, byTflite));
            }
        }
        return new Result(List.copyOf(results), sum / images.size(), min, self / images.size());
    }

    /**
     * The imported model as both checks run it: on the CPU engine, each input squashed to the
     * model's size (they already are), in batches of 4, without the CRF.
     */
    static Segmenter open(final Path importedDir, final int threads) {
        return Segmenter.open(SegmenterOptions.forModel(importedDir).withEngine(EngineChoice.CPU).withThreads(threads)
                .withFit(Fit.of(FitMode.SQUASH)).withMaxBatch(4));
    }

    /** The interpreter's labels for each input, with its default delegates or with its builtin kernels only. */
    private static List<byte[]> interpret(Path original, List<RgbImage> inputs, int threads, boolean delegates) {
        List<byte[]> out = new ArrayList<>(inputs.size());
        try (TfliteModel tflite = new TfliteModel(original, threads, delegates)) {
            if (!tflite.takesBytes() || !tflite.outputsLabels()) {
                throw new IllegalArgumentException(original + " does not take 8-bit pixels and output labels; "
                        + "check it against its float twin instead");
            }
            for (RgbImage input : inputs) {
                byte[] labels = new byte[input.width() * input.height()];
                tflite.runBytes(input.data(), labels);
                out.add(labels);
            }
        }
        return out;
    }

    static double agreement(byte[] a, byte[] b) {
        int same = 0;
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] == b[i]) {
                same++;
            }
        }
        return (double) same / n;
    }
}

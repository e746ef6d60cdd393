package io.segstream.importcheck;

import io.segstream.codec.Resize;
import io.segstream.codec.RgbImage;
import io.segstream.inference.Engines;
import io.segstream.inference.InferenceEngine;
import io.segstream.inference.InputView;
import io.segstream.inference.InputWriter;
import io.segstream.inference.TfliteModel;
import io.segstream.model.ModelCard;
import io.segstream.segmentation.CameraStates;
import io.segstream.segmentation.SegmentationPath;
import io.segstream.segmentation.Segmenter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Proves an imported ONNX model computes what the original ONNX did. Every check image is resized
 * to the model's input and segmented by the product's own path ({@link SegmentationPath}) with the
 * imported model. Against the original ONNX (which upsampled its logits inside the graph, with
 * ONNX's asymmetric Upsample) the path runs with the card's alignment switched to asymmetric, so
 * both upsample alike; a control with the other alignment must disagree visibly, or the check
 * could not tell a wrong import from a right one. Against a TFLite twin the path runs with the card
 * as it is (the model's own align-corners bilinear). A batch must also give the same logits as its
 * items one by one.
 */
public final class ImportCheck {
    /** Agreements are shares of pixels (0..1); tflite figures are NaN when no twin was checked. */
    public record Result(int images, double minOriginal, double meanOriginal, double minTflite, double meanTflite,
            float batchMaxAbsDiff, double meanMappingControl) {}

    private ImportCheck() {}

    public static Result run(Path original, Path importedDir, ModelCard card, Path tflite, List<RgbImage> images,
            int threads) throws InterruptedException {
        ModelCard.Input in = card.input();
        int w = in.width();
        int h = in.height();
        List<RgbImage> inputs = new ArrayList<>(images.size());
        for (RgbImage image : images) {
            inputs.add(Resize.bilinear(image, w, h, null));
        }
        ModelCard asymmetric = withAlignCorners(card, false);
        ModelCard alignCorners = withAlignCorners(card, true);
        InputWriter writer = new InputWriter(in);
        InputView identity = new InputView(0, 0, w, h, 0, 0, w, h);
        float[] slot = new float[writer.slotSize()];
        byte[] theirs = new byte[w * h];
        double minOriginal = 1;
        double sumOriginal = 0;
        double sumControl = 0;
        double minTflite = Double.NaN;
        double sumTflite = Double.NaN;
        float batchDiff;
        try (Segmenter imported = TfliteCheck.open(importedDir, threads);
                InferenceEngine reference = Engines.cpu(original, in.itemShape(), threads);
                SegmentationPath matched = imported.newPath(asymmetric);
                SegmentationPath control = imported.newPath(alignCorners);
                SegmentationPath own = imported.newPath(card)) {
            for (RgbImage image : inputs) {
                writer.write(image, identity, slot, 0);
                argmaxLastAxis(reference.infer(slot, 1), card.classCount(), theirs);
                double a = agreement(matched.segment(SegmentationPath.Input.still(image), CameraStates.NONE).labels(),
                        theirs);
                minOriginal = Math.min(minOriginal, a);
                sumOriginal += a;
                sumControl += agreement(control.segment(SegmentationPath.Input.still(image), CameraStates.NONE).labels(),
                        theirs);
            }
            if (tflite != null) {
                minTflite = 1;
                sumTflite = 0;
                float[] scores = new float[w * h * card.classCount()];
                try (TfliteModel model = new TfliteModel(tflite, threads)) {
                    for (RgbImage image : inputs) {
                        writer.write(image, identity, slot, 0);
                        model.run(slot, 0, scores);
                        argmaxLastAxis(scores, card.classCount(), theirs);
                        double a = agreement(own.segment(SegmentationPath.Input.still(image), CameraStates.NONE)
                                .labels(), theirs);
                        minTflite = Math.min(minTflite, a);
                        sumTflite += a;
                    }
                }
            }
            batchDiff = batchAgainstSingles(imported.engine(), writer, inputs, identity);
        }
        return new Result(images.size(), minOriginal, sumOriginal / images.size(), minTflite,
                sumTflite / images.size(), batchDiff, sumControl / images.size());
    }

    private static ModelCard withAlignCorners(ModelCard card, boolean align) {
        ModelCard.Output o = card.output();
        return new ModelCard(card.name(), card.id(), card.classes(), card.palette(), card.background(), card.input(),
                new ModelCard.Output(o.name(), o.classes(), o.width(), o.height(), o.stride(), align), card.source(),
                card.crf());
    }

    /** The largest difference between a batch's logits and the same inputs run one by one. */
    private static float batchAgainstSingles(InferenceEngine engine, InputWriter writer, List<RgbImage> inputs,
            InputView identity) {
        int n = Math.min(4, inputs.size());
        int slot = writer.slotSize();
        float[] batch = new float[n * slot];
        for (int i = 0; i < n; i++) {
            writer.write(inputs.get(i), identity, batch, i);
        }
        float[] together = engine.infer(batch, n);
        int outSize = together.length / n;
        float diff = 0f;
        for (int i = 0; i < n; i++) {
            float[] single = engine.infer(java.util.Arrays.copyOfRange(batch, i * slot, (i + 1) * slot), 1);
            for (int k = 0; k < outSize; k++) {
                diff = Math.max(diff, Math.abs(single[k] - together[i * outSize + k]));
            }
        }
        return diff;
    }

    /** Argmax of an NHWC output with classes last. */
    static void argmaxLastAxis(float[] out, int classes, byte[] labels) {
        for (int p = 0; p < labels.length; p++) {
            int base = p * classes;
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (out[base + c] > out[base + best]) {
                    best = c;
                }
            }
            labels[p] = (byte) best;
        }
    }

    static double agreement(byte[] a, byte[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                same++;
            }
        }
        return (double) same / a.length;
    }
}

package io.segstream.model;

import io.segstream.codec.RgbImage;
import io.segstream.inference.EngineKind;
import io.segstream.inference.Engines;
import io.segstream.inference.InferenceEngine;
import io.segstream.inference.InputView;
import io.segstream.inference.InputWriter;
import io.segstream.inference.LogitsMapping;
import io.segstream.inference.LogitsStitcher;
import io.segstream.inference.TfliteModel;
import java.nio.file.Path;
import java.util.List;

/**
 * Proves an imported model computes what the original did. On each check image (squashed to the
 * model input): the original ONNX's argmax against the imported logits upsampled the way the
 * original graph upsampled them (ONNX Upsample, asymmetric), and, when a TFLite twin is given, the
 * TFLite interpreter's argmax against the imported logits upsampled as the card says (the model's
 * own align-corners bilinear). Also checks that a batch gives the same logits as items one by one.
 */
public final class ImportCheck {
    /** Agreements are shares of pixels (0..1); tflite figures are NaN when no twin was checked. */
    public record Result(int images, double minOriginal, double meanOriginal, double minTflite, double meanTflite,
            float batchMaxAbsDiff, double meanMappingControl) {}

    private ImportCheck() {}

    public static Result run(Path original, Path importedDir, ModelCard card, Path tflite, List<RgbImage> images,
            int threads) {
        ModelCard.Input in = card.input();
        int w = in.width();
        int h = in.height();
        int classes = card.classCount();
        int lw = card.output().width();
        int lh = card.output().height();
        long[] itemShape = in.itemShape();
        InputWriter writer = new InputWriter(in);
        int slot = writer.slotSize();
        float[] inputs = new float[images.size() * slot];
        for (int i = 0; i < images.size(); i++) {
            RgbImage image = images.get(i);
            writer.write(image, new InputView(0, 0, image.width(), image.height(), 0, 0, w, h), inputs, i);
        }
        int outSize = classes * lw * lh;
        float[] imported = new float[images.size() * outSize];
        float batchDiff = 0f;
        try (InferenceEngine engine = Engines.open(EngineKind.ONNXRUNTIME, importedDir.resolve(ModelImporter.MODEL_FILE),
                itemShape, threads, 1)) {
            for (int start = 0; start < images.size(); start += 4) {
                int n = Math.min(4, images.size() - start);
                float[] out = engine.infer(java.util.Arrays.copyOfRange(inputs, start * slot, (start + n) * slot), n);
                System.arraycopy(out, 0, imported, start * outSize, n * outSize);
            }
            for (int i = 0; i < images.size(); i++) {
                float[] single = engine.infer(java.util.Arrays.copyOfRange(inputs, i * slot, (i + 1) * slot), 1);
                for (int k = 0; k < outSize; k++) {
                    batchDiff = Math.max(batchDiff, Math.abs(single[k] - imported[i * outSize + k]));
                }
            }
        }
        InputView identity = new InputView(0, 0, w, h, 0, 0, w, h);
        LogitsStitcher stitcher = new LogitsStitcher();
        byte[] ours = new byte[w * h];
        byte[] theirs = new byte[w * h];
        double minOriginal = 1;
        double sumOriginal = 0;
        double sumControl = 0;
        byte[] control = new byte[w * h];
        try (InferenceEngine engine = Engines.open(EngineKind.ONNXRUNTIME, original, itemShape, threads, 1)) {
            for (int i = 0; i < images.size(); i++) {
                float[] out = engine.infer(java.util.Arrays.copyOfRange(inputs, i * slot, (i + 1) * slot), 1);
                argmaxLastAxis(out, classes, theirs);
                upsampledArgmax(stitcher, imported, i * outSize, card, identity, LogitsMapping.ASYMMETRIC, ours);
                double a = agreement(ours, theirs);
                minOriginal = Math.min(minOriginal, a);
                sumOriginal += a;
                // Control: the same logits upsampled with the other alignment. It must disagree visibly,
                // or this check could not tell a wrong import from a right one.
                upsampledArgmax(stitcher, imported, i * outSize, card, identity, LogitsMapping.ALIGN_CORNERS, control);
                sumControl += agreement(control, theirs);
            }
        }
        double minTflite = Double.NaN;
        double sumTflite = Double.NaN;
        if (tflite != null) {
            minTflite = 1;
            sumTflite = 0;
            float[] out = new float[w * h * classes];
            LogitsMapping mapping = card.output().alignCorners() ? LogitsMapping.ALIGN_CORNERS : LogitsMapping.ASYMMETRIC;
            try (TfliteModel model = new TfliteModel(tflite, threads, slot, out.length)) {
                for (int i = 0; i < images.size(); i++) {
                    model.run(inputs, i * slot, out);
                    argmaxLastAxis(out, classes, theirs);
                    upsampledArgmax(stitcher, imported, i * outSize, card, identity, mapping, ours);
                    double a = agreement(ours, theirs);
                    minTflite = Math.min(minTflite, a);
                    sumTflite += a;
                }
            }
        }
        return new Result(images.size(), minOriginal, sumOriginal / images.size(), minTflite,
                sumTflite / images.size(), batchDiff, sumControl / images.size());
    }

    private static void upsampledArgmax(LogitsStitcher stitcher, float[] logits, int offset, ModelCard card,
            InputView identity, LogitsMapping mapping, byte[] labels) {
        int w = card.input().width();
        int h = card.input().height();
        stitcher.reset(w, h, card.classCount());
        stitcher.add(logits, offset, card.output().width(), card.output().height(), w, h, identity, mapping);
        stitcher.finish();
        stitcher.argmax(labels);
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

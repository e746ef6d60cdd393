package io.segstream.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What `model import` knows by itself: the class tables of the datasets the known models were
 * trained on, and presets for the float files whose normalisation the file itself does not state,
 * recognised by the SHA-256 of the original file. An 8-bit TFLite file states its own
 * normalisation (the input's scale and zero point) and, through its class count, its dataset.
 */
public final class KnownModels {
    private KnownModels() {}

    public static final List<String> VOC_CLASSES = List.of("background", "aeroplane", "bicycle", "bird", "boat",
            "bottle", "bus", "car", "cat", "chair", "cow", "dining table", "dog", "horse", "motorbike", "person",
            "potted plant", "sheep", "sofa", "train", "tv");

    /** What a preset fixes; the importer reads the rest (input name and size, output) from the graph. */
    public record Preset(String name, List<String> classes, String channelOrder, float[] mean, float[] std,
            String logitsTensor, int stride, boolean alignCorners) {}

    /**
     * Google's DeepLab v3 MobileNetV2 (depth multiplier 0.5) PASCAL VOC at 257 (TF Hub
     * lite-model/deeplabv3/1/default/1), as converted to ONNX by tf2onnx 1.10.1: NHWC RGB input in
     * [-1, 1], TensorFlow's align-corners bilinear.
     */
    public static final Preset DEEPLABV3_MNV2_VOC = new Preset("deeplabv3-mnv2-dm05-voc-257", VOC_CLASSES, "RGB",
            new float[] {127.5f, 127.5f, 127.5f}, new float[] {127.5f, 127.5f, 127.5f},
            "logits/semantic/BiasAdd", 8, true);

    public static final String DEEPLABV3_MNV2_VOC_SHA256 =
            "48a46b346ca7e2e96760b8a10a302046a3b5a9ce55e59d4c659c36d9cbd44118";

    /** The same network as the TFLite file it was converted from (float, input in [-1, 1]). */
    public static final String DEEPLABV3_MNV2_VOC_TFLITE_SHA256 =
            "9711334db2b01d5894feb8ed0f5cb3e97d125b8d229f8d8692f625801818f5ef";

    public static Optional<Preset> bySha256(String sha256) {
        return DEEPLABV3_MNV2_VOC_SHA256.equals(sha256) || DEEPLABV3_MNV2_VOC_TFLITE_SHA256.equals(sha256)
                ? Optional.of(DEEPLABV3_MNV2_VOC) : Optional.empty();
    }

    /**
     * The dense CRF's parameters measured for a known model file (by the SHA-256 of the original),
     * written into its card at import; other models get DeepLab v2's. How each was chosen:
     * benchmarks/RESULTS.md, "Dense CRF quality against ground truth" and "CRF parameters per model".
     */
    public static Optional<ModelCard.Crf> crfBySha256(String sha256) {
        return Optional.ofNullable(CRF.get(sha256));
    }

    /** Half-width MobileNetV2 at 257 (ONNX and its TFLite twin), tiled: the local kernel of the fourth round. */
    private static final ModelCard.Crf CRF_DM05_257 = new ModelCard.Crf(3f, 10f, 8f, 2f, 1f, 5,
            "tuned on voc-sample with fit tile: VOC mIoU +0.47, DAVIS lucia person +2.7, car-shadow car +1.2 "
                    + "(benchmarks/RESULTS.md, issue 4)");

    /** Coral's full-width MobileNetV2 VOC at 513, 8-bit (the default model). */
    public static final String DEEPLABV3_MNV2_VOC_513_SHA256 =
            "350af47fd346ea6d74b58833a351f583ba860e9806ec5bd292ff8d8f1f249398";

    /**
     * The default model (full-width MobileNetV2 at 513, int8, fit zoom 1.35): of 13 sets measured, the
     * one whose smallest margin over the CRF issue's three goals is largest (benchmarks/RESULTS.md,
     * "CRF parameters per model").
     */
    private static final ModelCard.Crf CRF_MNV2_513 = new ModelCard.Crf(3f, 20f, 13f, 2f, 1f, 5,
            "tuned on voc-sample with fit zoom 1.35: VOC mIoU +0.36, DAVIS lucia person +3.9, car-shadow car +1.3 "
                    + "(benchmarks/RESULTS.md, issue 19)");

    private static final Map<String, ModelCard.Crf> CRF = Map.of(
            DEEPLABV3_MNV2_VOC_SHA256, CRF_DM05_257,
            DEEPLABV3_MNV2_VOC_TFLITE_SHA256, CRF_DM05_257,
            DEEPLABV3_MNV2_VOC_513_SHA256, CRF_MNV2_513);

    /** The class table a DeepLab with {@code count} output channels was trained on: VOC (21) or Cityscapes (19). */
    public static Optional<List<String>> classesFor(int count) {
        if (count == VOC_CLASSES.size()) {
            return Optional.of(VOC_CLASSES);
        }
        if (count == Palettes.CITYSCAPES_CLASSES.size()) {
            return Optional.of(Palettes.CITYSCAPES_CLASSES);
        }
        return Optional.empty();
    }

    /** Display colours for a class table: VOC's (person made vivid), Cityscapes' own, or VOC's bit map. */
    public static List<String> paletteFor(List<String> classes) {
        if (classes.equals(Palettes.CITYSCAPES_CLASSES)) {
            return Palettes.cityscapes();
        }
        return Palettes.pascalVocForDisplay(classes.size());
    }

    /** The index of the "nothing here" class, or null when every class is something (Cityscapes). */
    public static Integer backgroundOf(List<String> classes) {
        int index = classes.indexOf("background");
        return index < 0 ? null : index;
    }
}

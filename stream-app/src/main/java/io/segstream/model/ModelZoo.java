package io.segstream.model;

import io.segstream.assets.Assets;
import io.segstream.data.Asset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The named models: each a public file at a fixed commit and SHA-256 (the asset catalogue), with
 * what a user needs to choose one. {@code --model NAME} resolves through {@link ModelLocator}, which
 * imports the file once into the cache; {@code NAME:float} or {@code NAME:int8} picks the precision
 * of an 8-bit file (default: {@link #DEFAULT_PRECISION}).
 */
public final class ModelZoo {
    private ModelZoo() {}

    /**
     * A named model.
     *
     * @param network backbone and width ("MobileNetV2 x0.5")
     * @param reported what the model's authors report for it, or "" when nothing
     */
    public record Entry(String name, List<String> aliases, Asset file, String dataset, int classes, int inputSize,
            int outputStride, String network, String format, String source, String licence, String reported) {
        public boolean named(String candidate) {
            return name.equals(candidate) || aliases.contains(candidate);
        }

        /** True for 8-bit files, which can be imported as int8 or float. */
        public boolean quantised() {
            return format.startsWith("TFLite 8-bit");
        }
    }

    /** What an 8-bit model becomes when the name does not say (chosen by measurement: benchmarks/RESULTS.md). */
    public static final ModelImporter.Precision DEFAULT_PRECISION = ModelImporter.Precision.INT8;

    private static final String CORAL = "google-coral/test_data (Apache-2.0)";
    private static final String NNAPI = "freedomtan/deeplabv3_tflite_for_nnapi_delegate (BSD-3-Clause)";

    public static final List<Entry> ALL = List.of(
            new Entry("deeplabv3-mnv2-dm05-voc-257", List.of("deeplabv3-mnv2-voc"), Assets.DEEPLAB_ONNX, "PASCAL VOC",
                    21, 257, 8, "MobileNetV2 x0.5", "ONNX float",
                    "Kazuhito00/Image-Processing-Node-Editor (tf2onnx of TF Hub deeplabv3/1)", "Apache-2.0",
                    "70.19% VOC val mIoU (x0.5 at 513, os16)"),
            new Entry("deeplabv3-mnv2-dm05-voc-513", List.of(),
                    Assets.file("models/coral-deeplab-tflite/deeplabv3_mnv2_dm05_pascal_quant.tflite"), "PASCAL VOC", 21,
                    513, 16, "MobileNetV2 x0.5", "TFLite 8-bit", CORAL, "Apache-2.0", "69.65% VOC val mIoU (8-bit)"),
            new Entry("deeplabv3-mnv2-voc-513", List.of(),
                    Assets.file("models/coral-deeplab-tflite/deeplabv3_mnv2_pascal_quant.tflite"), "PASCAL VOC", 21,
                    513, 16, "MobileNetV2 x1.0", "TFLite 8-bit", CORAL, "Apache-2.0",
                    "74.26% VOC val mIoU (float, os16)"),
            new Entry("deeplabv3-mnv2-voc-257-os8", List.of(),
                    Assets.file("models/nnapi-deeplab-voc-tflite/deeplabv3_mnv2_pascal_257_os8_quant.tflite"),
                    "PASCAL VOC", 21, 257, 8, "MobileNetV2 x1.0", "TFLite 8-bit", NNAPI, "BSD-3-Clause", ""),
            new Entry("deeplabv3-mnv2-voc-257-os16", List.of(),
                    Assets.file("models/nnapi-deeplab-voc-tflite/deeplabv3_mnv2_pascal_257_os16_quant.tflite"),
                    "PASCAL VOC", 21, 257, 16, "MobileNetV2 x1.0", "TFLite 8-bit", NNAPI, "BSD-3-Clause", ""),
            new Entry("deeplabv3-mnv2-voc-513-os8", List.of(),
                    Assets.file("models/nnapi-deeplab-voc-tflite/deeplabv3_mnv2_pascal_513_os8_quant.tflite"),
                    "PASCAL VOC", 21, 513, 8, "MobileNetV2 x1.0", "TFLite 8-bit", NNAPI, "BSD-3-Clause", ""),
            new Entry("deeplabv3-mnv2-voc-513-os16", List.of(),
                    Assets.file("models/nnapi-deeplab-voc-tflite/deeplabv3_mnv2_pascal_513_os16_quant.tflite"),
                    "PASCAL VOC", 21, 513, 16, "MobileNetV2 x1.0", "TFLite 8-bit", NNAPI, "BSD-3-Clause", ""),
            new Entry("deeplabv3-edgetpu-slim-cityscapes-513", List.of(),
                    Assets.file("models/coral-deeplab-tflite/deeplab_mobilenet_edgetpu_slim_cityscapes_quant.tflite"),
                    "Cityscapes", 19, 513, 16, "MobileNet-EdgeTPU slim", "TFLite 8-bit", CORAL, "Apache-2.0",
                    "73.2% Cityscapes val mIoU (float)"));

    /** A name as given to {@code --model}: the zoo entry and the precision asked for (null: default). */
    public record Named(Entry entry, ModelImporter.Precision precision) {
        /** The precision this import gets. */
        public ModelImporter.Precision effectivePrecision() {
            if (!entry.quantised()) {
                return ModelImporter.Precision.FLOAT;
            }
            return precision != null ? precision : DEFAULT_PRECISION;
        }
    }

    /** Parses {@code NAME} or {@code NAME:int8|float}; empty when the name is not in the zoo. */
    public static Optional<Named> lookup(String model) {
        int colon = model.lastIndexOf(':');
        String name = colon > 0 ? model.substring(0, colon) : model;
        ModelImporter.Precision precision = null;
        if (colon > 0) {
            String p = model.substring(colon + 1).toLowerCase(Locale.ROOT);
            switch (p) {
                case "int8" -> precision = ModelImporter.Precision.INT8;
                case "float", "float32" -> precision = ModelImporter.Precision.FLOAT;
                default -> {
                    return Optional.empty();
                }
            }
        }
        ModelImporter.Precision asked = precision;
        return ALL.stream().filter(e -> e.named(name)).findFirst().map(e -> {
            if (asked == ModelImporter.Precision.INT8 && !e.quantised()) {
                throw new ModelException("--model " + model + ": " + e.name() + " is a float model; it has no int8 "
                        + "form");
            }
            return new Named(e, asked);
        });
    }

    public static List<String> names() {
        return ALL.stream().map(Entry::name).toList();
    }
}

package io.segstream.cli;

import io.segstream.assets.Assets;
import io.segstream.assets.CheckImages;
import io.segstream.codec.RgbImage;
import io.segstream.data.AssetException;
import io.segstream.data.AssetResolver;
import io.segstream.importcheck.ImportCheck;
import io.segstream.importcheck.TfliteCheck;
import io.segstream.model.KnownModels;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import io.segstream.model.ModelZoo;
import io.segstream.model.Palettes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Prepare a segmentation model for the pipeline and write DIR/model.onnx and DIR/model.json (the model card).",
            "An ONNX file gets a symbolic batch dimension and the network's own logits (before any in-graph "
                + "upsampling) as its output. A TFLite DeepLab, float or 8-bit, is converted into such an ONNX graph: "
                + "for an 8-bit file either int8 (QuantizeLinear/DequantizeLinear around the file's own 8-bit weights "
                + "and activations, the default) or float (weights dequantised); its card comes from the file (input "
                + "size, normalisation from the input's scale and zero point, output stride, the final resize's "
                + "alignment, and the class table: VOC for 21 classes, Cityscapes for 19).",
            "Then it checks the result: its labels must agree with the original's (the TFLite interpreter for a TFLite "
                + "file, ONNX Runtime for an ONNX file) on at least --min-agreement of the pixels of Coral's test "
                + "images, the golden image and 20 real video frames; a check whose reference cannot be had here is "
                + "skipped, and said so.",
            "",
            "Examples:",
            "  segstream model import deeplabv3-mnv2-voc-513 --out models/voc513",
            "  segstream model import deeplabv3_mnv2_pascal_quant.tflite --precision float --out models/voc513-float",
            "  segstream model import my-model.onnx --classes background,person --channel-order RGB "
                + "--mean 127.5,127.5,127.5 --std 127.5,127.5,127.5 --out models/mine"})
final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE|NAME",
            description = "An ONNX or TFLite file, or a model name (segstream model list; NAME:int8 or NAME:float "
                    + "picks the precision).")
    String model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write model.onnx and model.json.")
    Path out;

    @Option(names = "--precision", paramLabel = "int8|float",
            description = "For an 8-bit TFLite file: int8 (QDQ, the default) or float (dequantised weights).")
    String precision;

    @Option(names = "--name", description = "Model name for the card (default: the zoo's, else the file name).")
    String name;

    @Option(names = "--classes", split = ",", paramLabel = "NAME", description = "Class names in index order, comma-separated.")
    List<String> classes;

    @Option(names = "--channel-order", paramLabel = "RGB|BGR", description = "Channel order the model expects.")
    String channelOrder;

    @Option(names = "--mean", split = ",", paramLabel = "R,G,B", description = "Per-channel mean subtracted from 0..255 samples.")
    float[] mean;

    @Option(names = "--std", split = ",", paramLabel = "R,G,B", description = "Per-channel divisor after the mean.")
    float[] std;

    @Option(names = "--logits-tensor", paramLabel = "TENSOR",
            description = "ONNX: name of the logits tensor (default: found by walking back from the output through "
                    + "Transpose/Resize/Upsample/ArgMax).")
    String logitsTensor;

    @Option(names = "--stride", description = "Output stride of the logits (default: read from the model).")
    Integer stride;

    @Option(names = "--align-corners", arity = "1", paramLabel = "true|false",
            description = "Whether the logits are upsampled corner to corner (TensorFlow DeepLab: true; default: read "
                    + "from a TFLite file's final resize).")
    Boolean alignCorners;

    @Option(names = "--tflite", paramLabel = "FILE",
            description = "ONNX import: a TFLite twin to check against (default for the known model: its TFLite file).")
    Path tflite;

    @Option(names = "--no-check", description = "Skip the agreement check.")
    boolean noCheck;

    @Option(names = "--min-agreement", paramLabel = "SHARE",
            description = "Least label agreement for the check to pass. Default for a TFLite file: 0.99 of all the "
                    + "pixels, or as close as the interpreter's own XNNPACK and builtin kernels come to each other; "
                    + "for ONNX: 0.999 on every image.")
    Double minAgreement;

    @Option(names = "--threads", defaultValue = "2", description = "Threads for the check (default: ${DEFAULT-VALUE}).")
    int threads;

    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws Exception {
        AssetResolver assets = data.resolver();
        Optional<ModelZoo.Named> zoo = ModelZoo.lookup(model);
        Path file = zoo.map(z -> assets.resolve(z.entry().file())).orElse(Path.of(model));
        ModelImporter.Precision asked = precision == null ? zoo.map(ModelZoo.Named::precision).orElse(null)
                : parsePrecision(precision);
        String cardName = name != null ? name : zoo.map(z -> z.entry().name()).orElse(null);
        ModelCard card = ModelImporter.importModel(file, out, new ModelImporter.Options(cardName, classes,
                channelOrder, mean, std, logitsTensor, stride, alignCorners, asked));
        System.out.printf(Locale.ROOT, "imported %s -> %s (id %s, %s): input %s %dx%d %s, logits %s [batch, %d, %d, %d], "
                        + "stride %d, align corners %s%n", file, out, card.id(), card.source().precision(),
                card.input().name(), card.input().width(), card.input().height(), card.input().layout(),
                card.output().name(), card.output().classes(), card.output().height(), card.output().width(),
                card.output().stride(), card.output().alignCorners());
        if (noCheck) {
            System.out.println("check skipped (--no-check)");
            return ExitCodes.OK;
        }
        boolean fromTflite = ModelImporter.isTflite(file);
        double min = minAgreement != null ? minAgreement : (fromTflite ? 0.99 : 0.999);
        boolean pass = fromTflite ? checkTflite(file, card, assets, min) : checkOnnx(file, card, assets, min);
        if (!pass) {
            System.err.println("segstream: the imported model does not compute what the original does (see above); "
                    + "nothing was kept in " + out);
            ModelImporter.remove(out);
            return ExitCodes.ERROR;
        }
        System.out.println("check passed");
        return ExitCodes.OK;
    }

    private boolean checkTflite(Path file, ModelCard card, AssetResolver assets, double min) throws Exception {
        CheckImages.Coral coral = card.classes().equals(Palettes.CITYSCAPES_CLASSES) ? CheckImages.Coral.CITYSCAPES
                : (card.classes().equals(KnownModels.VOC_CLASSES) ? CheckImages.Coral.VOC : CheckImages.Coral.NONE);
        List<TfliteCheck.Image> images = CheckImages.load(assets, coral,
                why -> System.out.println("check image skipped: " + why));
        if (images.isEmpty()) {
            System.out.println("check skipped: none of its images can be had here (see above)");
            return true;
        }
        TfliteCheck.Result result = TfliteCheck.run(file, out, images, threads);
        System.out.printf(Locale.ROOT, "check on %d images against the TFLite interpreter running %s: labels agree on "
                        + "%.3f%% of the pixels (least on one image %.3f%%); the interpreter's XNNPACK and builtin kernels "
                        + "agree with each other on %.3f%%%n", images.size(), file.getFileName(), 100 * result.pooled(),
                100 * result.min(), 100 * result.interpreterSelf());
        for (TfliteCheck.ImageResult r : result.images()) {
            if (!Double.isNaN(r.expectedByUs())) {
                System.out.printf(Locale.ROOT, "  %s: agreement with Coral's expected mask %.2f%% (the interpreter's "
                        + "%.2f%%)%n", r.name(), 100 * r.expectedByUs(), 100 * r.expectedByTflite());
            }
        }
        return minAgreement != null ? result.pooled() >= minAgreement : result.passed();
    }

    private boolean checkOnnx(Path file, ModelCard card, AssetResolver assets, double min) throws Exception {
        Path twin = tflite;
        if (twin == null && card.source().sha256().equals(KnownModels.DEEPLABV3_MNV2_VOC_SHA256)) {
            try {
                twin = assets.resolve(Assets.DEEPLAB_TFLITE);
            } catch (AssetException e) {
                System.out.println("check against the TFLite twin skipped: " + e.reason());
            }
        }
        List<RgbImage> images = new ArrayList<>();
        for (TfliteCheck.Image image : CheckImages.load(assets, CheckImages.Coral.NONE,
                why -> System.out.println("check image skipped: " + why))) {
            images.add(image.rgb());
        }
        if (images.isEmpty()) {
            System.out.println("check skipped: none of its images can be had here (see above)");
            return true;
        }
        ImportCheck.Result result = ImportCheck.run(file, out, card, twin, images, threads);
        System.out.printf(Locale.ROOT, "check on %d images: argmax agreement with the original min %.4f%% (mean "
                + "%.4f%%)%n", result.images(), 100 * result.minOriginal(), 100 * result.meanOriginal());
        if (twin != null) {
            System.out.printf(Locale.ROOT, "                   with the TFLite twin %s min %.4f%% (mean %.4f%%)%n",
                    twin.getFileName(), 100 * result.minTflite(), 100 * result.meanTflite());
        }
        System.out.printf(Locale.ROOT, "                   batch of 4 vs one by one: max |difference| %.3g%n",
                result.batchMaxAbsDiff());
        return result.minOriginal() >= min && (twin == null || result.minTflite() >= min)
                && result.batchMaxAbsDiff() < 1e-3;
    }

    static ModelImporter.Precision parsePrecision(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "int8" -> ModelImporter.Precision.INT8;
            case "float", "float32" -> ModelImporter.Precision.FLOAT;
            default -> throw new IllegalArgumentException("--precision " + value + " is not int8 or float");
        };
    }
}

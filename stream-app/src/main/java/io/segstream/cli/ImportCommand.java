package io.segstream.cli;

import io.segstream.assets.Asset;
import io.segstream.assets.AssetResolver;
import io.segstream.assets.Assets;
import io.segstream.codec.ImageFiles;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoFrames;
import io.segstream.model.ImportCheck;
import io.segstream.model.KnownModels;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Prepare an ONNX segmentation model: make its batch dimension symbolic, expose the network's own logits "
                + "(before any in-graph upsampling) as the output, and write DIR/model.onnx and DIR/model.json.",
            "Then check it: on the golden image and 20 real video frames its argmax must agree with the original "
                + "model's (and with the TFLite twin's, when there is one) on at least --min-agreement of the pixels, "
                + "and a batch must give the same logits as its items one by one.",
            "",
            "The known model (deeplabv3-mnv2-voc) needs no other option; for any other model give --classes, "
                + "--channel-order, --mean and --std."})
final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE|NAME",
            description = "An ONNX file, or the name of a known model (deeplabv3-mnv2-voc).")
    String model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write model.onnx and model.json.")
    Path out;

    @Option(names = "--name", description = "Model name for the card (default: the preset's, else the file name).")
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
            description = "Name of the logits tensor (default: the preset's, else found by walking back from the "
                    + "output through Transpose/Resize/Upsample/ArgMax).")
    String logitsTensor;

    @Option(names = "--stride", description = "Output stride of the logits (default: 8).")
    Integer stride;

    @Option(names = "--align-corners", arity = "1", paramLabel = "true|false",
            description = "Whether the model was trained with align-corners bilinear upsampling (TensorFlow DeepLab: true).")
    Boolean alignCorners;

    @Option(names = "--tflite", paramLabel = "FILE",
            description = "A TFLite twin of the model to check against (default for the known model: its TFLite file).")
    Path tflite;

    @Option(names = "--no-check", description = "Skip the agreement check.")
    boolean noCheck;

    @Option(names = "--min-agreement", defaultValue = "0.999",
            description = "Least argmax agreement per image for the check to pass (default: ${DEFAULT-VALUE}).")
    double minAgreement;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime threads for the check (default: ${DEFAULT-VALUE}).")
    int threads;

    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws Exception {
        AssetResolver assets = data.resolver();
        Path file = Assets.byName(model).map(assets::resolve).orElse(Path.of(model));
        ModelCard card = ModelImporter.importModel(file, out,
                new ModelImporter.Options(name, classes, channelOrder, mean, std, logitsTensor, stride, alignCorners));
        System.out.printf("imported %s -> %s (id %s): input %s %dx%d %s, logits %s [batch, %d, %d, %d]%n", file,
                out, card.id(), card.input().name(), card.input().width(), card.input().height(), card.input().layout(),
                card.output().name(), card.output().classes(), card.output().height(), card.output().width());
        if (noCheck) {
            return 0;
        }
        Path twin = tflite;
        if (twin == null && card.source().sha256().equals(KnownModels.DEEPLABV3_MNV2_VOC_SHA256)) {
            twin = assets.resolve(Assets.DEEPLAB_TFLITE);
        }
        List<RgbImage> images = checkImages(assets);
        ImportCheck.Result result = ImportCheck.run(file, out, card, twin, images, threads);
        System.out.printf("check on %d images: argmax agreement with the original min %.4f%% (mean %.4f%%)%n",
                result.images(), 100 * result.minOriginal(), 100 * result.meanOriginal());
        if (twin != null) {
            System.out.printf("                   with the TFLite twin %s min %.4f%% (mean %.4f%%)%n",
                    twin.getFileName(), 100 * result.minTflite(), 100 * result.meanTflite());
        }
        System.out.printf("                   batch of 4 vs one by one: max |difference| %.3g%n", result.batchMaxAbsDiff());
        boolean pass = result.minOriginal() >= minAgreement && (twin == null || result.minTflite() >= minAgreement)
                && result.batchMaxAbsDiff() < 1e-3;
        if (!pass) {
            System.err.println("segstream: the imported model does not compute what the original does (see above); "
                    + "check --logits-tensor, --stride and --align-corners");
            Files.deleteIfExists(out.resolve(ModelImporter.MODEL_FILE));
            Files.deleteIfExists(out.resolve(ModelImporter.CARD_FILE));
            return 1;
        }
        System.out.println("check passed");
        return 0;
    }

    /** The golden image and 20 real video frames (10 of each sample clip). */
    static List<RgbImage> checkImages(AssetResolver assets) throws java.io.IOException {
        List<RgbImage> images = new ArrayList<>();
        images.add(ImageFiles.read(assets.resolve(Assets.GOLDEN_IMAGE)));
        for (Asset clip : List.of(Assets.VTEST, Assets.CAR_TRAFFIC)) {
            images.addAll(VideoFrames.sample(assets.resolve(clip), 30, 10, 60));
        }
        return images;
    }

}

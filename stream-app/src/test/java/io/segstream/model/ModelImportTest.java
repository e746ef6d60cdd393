package io.segstream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.codec.ImageFiles;
import io.segstream.codec.RgbImage;
import io.segstream.importcheck.ImportCheck;
import io.segstream.model.onnx.ModelProto;
import io.segstream.model.onnx.TensorShapeProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelImportTest {
    @TempDir
    static Path out;
    static ModelCard card;

    @BeforeAll
    static void importDefaultModel() throws Exception {
        card = ModelImporter.importModel(SharedData.path(Assets.DEEPLAB_ONNX), out, ModelImporter.Options.none());
    }

    @Test
    void writesCardWithLogitsAtStrideEightAndSymbolicBatch() throws Exception {
        ModelCard read = ModelCard.read(out.resolve("model.json"));
        assertEquals("deeplabv3-mnv2-dm05-voc-257", read.name());
        assertEquals(21, read.classCount());
        assertEquals("person", read.classes().get(15));
        assertEquals("#DC143C", read.palette().get(15), "person is drawn vivid, not VOC's pale #C08080");
        assertEquals("#800000", read.palette().get(1), "the other classes keep VOC's colour map");
        assertEquals(0, read.background());
        assertEquals(new ModelCard.Output("logits/semantic/BiasAdd", 21, 33, 33, 8, true), read.output());
        assertEquals(257, read.input().width());
        assertEquals(ModelCard.Layout.NHWC, read.input().layout());
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(out.resolve("model.onnx")));
        TensorShapeProto.Dimension batch = model.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0);
        assertEquals("batch", batch.getDimParam());
        assertEquals(1, model.getGraph().getOutputCount());
        assertTrue(model.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("Transpose")
                && n.getOutput(0).equals("ResizeBilinear_3")), "the output transpose is pruned");
    }

    @Test
    void importedModelAgreesWithOriginalAndTfliteOnGoldenImageAndTwentyVideoFrames() throws Exception {
        List<RgbImage> images = new ArrayList<>();
        images.add(ImageFiles.read(SharedData.path(Assets.GOLDEN_IMAGE)));
        images.addAll(SharedData.frames(SharedData.path(Assets.VTEST), 50, 10, 60));
        images.addAll(SharedData.frames(SharedData.path(Assets.CAR_TRAFFIC), 30, 10, 80));
        assertEquals(21, images.size());
        ImportCheck.Result result = ImportCheck.run(SharedData.path(Assets.DEEPLAB_ONNX), out, card,
                SharedData.path(Assets.DEEPLAB_TFLITE), images, 2);
        System.out.printf("import check: %d images, vs original min %.5f mean %.5f, vs TFLite min %.5f mean %.5f,"
                + " batch-vs-single max |diff| %.2e, control (other alignment vs original) %.5f%n", result.images(),
                result.minOriginal(), result.meanOriginal(), result.minTflite(), result.meanTflite(),
                result.batchMaxAbsDiff(), result.meanMappingControl());
        assertTrue(result.meanMappingControl() < 0.995, "the check is blind to upsampling errors: "
                + result.meanMappingControl());
        assertTrue(result.minOriginal() >= 0.999, "agreement with the original ONNX " + result.minOriginal());
        assertTrue(result.minTflite() >= 0.999, "agreement with TFLite " + result.minTflite());
        assertTrue(result.batchMaxAbsDiff() < 1e-3f, "batch of 4 vs one by one " + result.batchMaxAbsDiff());
    }

    @Test
    void rejectsMissingFilesNonModelsAndWrongInputShapes(@TempDir Path tmp) throws Exception {
        ModelException missing = assertThrows(ModelException.class,
                () -> ModelImporter.importModel(tmp.resolve("nope.onnx"), tmp.resolve("a"), ModelImporter.Options.none()));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

        Path jpeg = SharedData.path(Assets.GOLDEN_IMAGE);
        ModelException notModel = assertThrows(ModelException.class,
                () -> ModelImporter.importModel(jpeg, tmp.resolve("b"), ModelImporter.Options.none()));
        assertTrue(notModel.getMessage().contains("is neither an ONNX model nor a TFLite model"), notModel.getMessage());

        ModelProto original = ModelProto.parseFrom(Files.readAllBytes(SharedData.path(Assets.DEEPLAB_ONNX)));
        ModelProto.Builder wrong = original.toBuilder();
        wrong.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                .removeDim(3);
        Path wrongFile = tmp.resolve("wrong.onnx");
        Files.write(wrongFile, wrong.build().toByteArray());
        ModelException shape = assertThrows(ModelException.class,
                () -> ModelImporter.importModel(wrongFile, tmp.resolve("c"), ModelImporter.Options.none()));
        assertTrue(shape.getMessage().contains("has shape [1, 257, 257]"), shape.getMessage());
    }
}

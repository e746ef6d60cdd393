package io.segstream.model;

import com.google.protobuf.InvalidProtocolBufferException;
import io.segstream.assets.Sha256;
import io.segstream.model.ModelCard.Layout;
import io.segstream.model.onnx.GraphProto;
import io.segstream.model.onnx.ModelProto;
import io.segstream.model.onnx.TensorShapeProto;
import io.segstream.model.onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares an ONNX segmentation model for the pipeline (DESIGN.md, "Inference"): a symbolic batch
 * dimension so the batcher can send any batch, and the network's own stride-8 logits as the output
 * (the pipeline upsamples to the frame size itself and the CRF needs logits). Writes
 * {@code model.onnx} and {@code model.json}; {@link ImportCheck} then proves it computes the same.
 */
public final class ModelImporter {
    private static final Logger LOG = LoggerFactory.getLogger(ModelImporter.class);
    public static final String MODEL_FILE = "model.onnx";
    public static final String CARD_FILE = "model.json";

    /** What the user may say about a model that is not a known preset (null: take the preset's or the graph's). */
    public record Options(String name, List<String> classes, String channelOrder, float[] mean, float[] std,
            String logitsTensor, Integer stride, Boolean alignCorners) {
        public static Options none() {
            return new Options(null, null, null, null, null, null, null, null);
        }
    }

    private ModelImporter() {}

    public static ModelCard importModel(Path onnxFile, Path outDir, Options options) throws IOException {
        if (!Files.isRegularFile(onnxFile)) {
            throw new ModelException("model file " + onnxFile + " does not exist");
        }
        byte[] bytes = Files.readAllBytes(onnxFile);
        String sha256 = Sha256.hex(bytes);
        ModelProto model = parse(onnxFile, bytes);
        GraphProto graph = model.getGraph();
        Optional<KnownModels.Preset> preset = KnownModels.bySha256(sha256);
        preset.ifPresent(p -> LOG.info("{} is the known model {}", onnxFile.getFileName(), p.name()));

        List<ValueInfoProto> inputs = OnnxGraphEditor.realInputs(graph);
        if (inputs.size() != 1) {
            throw new ModelException(onnxFile + " has " + inputs.size() + " inputs; a segmentation model takes one image");
        }
        ValueInfoProto input = inputs.get(0);
        ModelCard.Input inputSpec = inputSpec(onnxFile, input, preset, options);

        String logits = first(options.logitsTensor(), preset.map(KnownModels.Preset::logitsTensor).orElse(null));
        if (logits == null || !OnnxGraphEditor.hasTensor(graph, logits)) {
            if (options.logitsTensor() != null) {
                throw new ModelException("--logits-tensor " + options.logitsTensor() + " is not a tensor of " + onnxFile);
            }
            logits = OnnxGraphEditor.findLogits(graph).orElseThrow(() -> new ModelException(
                    "cannot find the logits of " + onnxFile + "; name them with --logits-tensor"));
        }
        List<String> classes = first(options.classes(), preset.map(KnownModels.Preset::classes).orElse(null));
        if (classes == null) {
            throw new ModelException(onnxFile + " is not a known model: give its class names with --classes");
        }
        int convClasses = OnnxGraphEditor.convOutputChannels(graph, logits).orElse(classes.size());
        if (convClasses != classes.size()) {
            throw new ModelException("the logits " + logits + " of " + onnxFile + " have " + convClasses
                    + " channels but " + classes.size() + " class names were given");
        }
        int stride = first(options.stride(), preset.map(KnownModels.Preset::stride).orElse(8));
        boolean alignCorners = first(options.alignCorners(),
                preset.map(KnownModels.Preset::alignCorners).orElse(Boolean.FALSE));
        int logitsH = (inputSpec.height() + stride - 1) / stride;
        int logitsW = (inputSpec.width() + stride - 1) / stride;

        ModelProto rewritten = OnnxGraphEditor.rewrite(model, input.getName(), logits, classes.size(), logitsH, logitsW);
        Files.createDirectories(outDir);
        byte[] outBytes = rewritten.toByteArray();
        Files.write(outDir.resolve(MODEL_FILE), outBytes);

        String name = first(options.name(), preset.map(KnownModels.Preset::name).orElse(stripExtension(onnxFile)));
        ModelCard card = new ModelCard(
                name,
                name + "@" + Sha256.hex(outBytes).substring(0, 8),
                classes,
                Palettes.pascalVoc(classes.size()),
                inputSpec,
                new ModelCard.Output(logits, classes.size(), logitsW, logitsH, stride, alignCorners),
                new ModelCard.Source(onnxFile.getFileName().toString(), sha256, "segstream model import"));
        card.write(outDir.resolve(CARD_FILE));
        LOG.info("wrote {} ({} of {} nodes kept; output {} [batch, {}, {}, {}], input {} [batch, ...])",
                outDir.resolve(MODEL_FILE), rewritten.getGraph().getNodeCount(), graph.getNodeCount(), logits,
                classes.size(), logitsH, logitsW, input.getName());
        return card;
    }

    private static ModelProto parse(Path file, byte[] bytes) {
        try {
            ModelProto model = ModelProto.parseFrom(bytes);
            if (!model.hasGraph() || model.getGraph().getNodeCount() == 0 || model.getIrVersion() <= 0) {
                throw new ModelException(file + " is not an ONNX model (no graph; " + bytes.length + " bytes)");
            }
            return model;
        } catch (InvalidProtocolBufferException e) {
            throw new ModelException(file + " is not an ONNX model: " + e.getMessage(), e);
        }
    }

    private static ModelCard.Input inputSpec(Path file, ValueInfoProto input, Optional<KnownModels.Preset> preset,
            Options options) {
        if (input.getType().getTensorType().getElemType() != OnnxGraphEditor.FLOAT) {
            throw new ModelException("input " + input.getName() + " of " + file + " is not float32");
        }
        List<TensorShapeProto.Dimension> dims = input.getType().getTensorType().getShape().getDimList();
        long[] shape = dims.stream().mapToLong(d -> d.hasDimValue() ? d.getDimValue() : -1).toArray();
        String shown = java.util.Arrays.toString(shape).replace("-1", "?");
        Layout layout;
        int height;
        int width;
        if (shape.length == 4 && shape[3] == 3 && shape[1] > 0 && shape[2] > 0) {
            layout = Layout.NHWC;
            height = (int) shape[1];
            width = (int) shape[2];
        } else if (shape.length == 4 && shape[1] == 3 && shape[2] > 0 && shape[3] > 0) {
            layout = Layout.NCHW;
            height = (int) shape[2];
            width = (int) shape[3];
        } else {
            throw new ModelException("input " + input.getName() + " of " + file + " has shape " + shown
                    + "; expected one 3-channel image, [N, H, W, 3] or [N, 3, H, W] with a fixed H and W");
        }
        String order = first(options.channelOrder(), preset.map(KnownModels.Preset::channelOrder).orElse(null));
        float[] mean = first(options.mean(), preset.map(KnownModels.Preset::mean).orElse(null));
        float[] std = first(options.std(), preset.map(KnownModels.Preset::std).orElse(null));
        if (order == null || mean == null || std == null) {
            throw new ModelException(file + " is not a known model: give its normalisation with --channel-order, "
                    + "--mean and --std");
        }
        return new ModelCard.Input(input.getName(), width, height, layout, order.toUpperCase(java.util.Locale.ROOT),
                mean, std);
    }

    private static <T> T first(T a, T b) {
        return a != null ? a : b;
    }

    private static String stripExtension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}

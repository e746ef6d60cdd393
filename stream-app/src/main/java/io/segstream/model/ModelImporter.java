package io.segstream.model;

import com.google.protobuf.InvalidProtocolBufferException;
import io.segstream.data.Sha256;
import io.segstream.model.ModelCard.Layout;
import io.segstream.model.onnx.GraphProto;
import io.segstream.model.onnx.ModelProto;
import io.segstream.model.onnx.TensorShapeProto;
import io.segstream.model.onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares a segmentation model for the pipeline (DESIGN.md, "Contracts"): an ONNX file gets a
 * symbolic batch dimension and the network's own logits as its output (the pipeline upsamples to
 * the frame size itself and the CRF needs logits); a TFLite file, float or 8-bit, is converted into
 * such an ONNX graph ({@link TfliteToOnnx}). Writes {@code model.onnx} and {@code model.json}
 * together or not at all; the import check (io.segstream.importcheck) then proves the result computes what the original did.
 */
public final class ModelImporter {
    private static final Logger LOG = LoggerFactory.getLogger(ModelImporter.class);
    public static final String MODEL_FILE = "model.onnx";
    public static final String CARD_FILE = "model.json";

    /** How an 8-bit TFLite file becomes ONNX. */
    public enum Precision {
        /** QuantizeLinear/DequantizeLinear around 8-bit weights and activations (ONNX Runtime's int8 kernels). */
        INT8,
        /** Weights dequantised to float, activations in float (clamped to their 8-bit ranges). */
        FLOAT;

        String cardName() {
            return this == INT8 ? "int8" : "float32";
        }
    }

    /**
     * What the user may say about a model that is not a known preset (null: take the preset's, the
     * file's or the default). {@code precision}: for an 8-bit TFLite file (default INT8).
     */
    public record Options(String name, List<String> classes, String channelOrder, float[] mean, float[] std,
            String logitsTensor, Integer stride, Boolean alignCorners, Precision precision) {
        public static Options none() {
            return new Options(null, null, null, null, null, null, null, null, null);
        }

        public Options withName(String n) {
            return new Options(n, classes, channelOrder, mean, std, logitsTensor, stride, alignCorners, precision);
        }

        public Options withPrecision(Precision p) {
            return new Options(name, classes, channelOrder, mean, std, logitsTensor, stride, alignCorners, p);
        }
    }

    private ModelImporter() {}

    /** True when {@code file} is a TFLite flatbuffer (rather than ONNX). */
    public static boolean isTflite(Path file) throws IOException {
        byte[] head = new byte[8];
        try (var in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, 8) == 8 && TfliteFile.isTflite(head);
        }
    }

    public static ModelCard importModel(Path file, Path outDir, Options options) throws IOException {
        return importModel(file, outDir, options, TfliteToOnnx.Controls.NONE);
    }

    /** Deliberate mistakes a TFLite import can be told to make, so a check can show that it catches them. */
    public enum Mistake {
        /** Normalise pixels as if the input's zero point were 0. */
        INPUT_ZERO_POINT_IGNORED,
        /** Leave out the clamp each 8-bit activation's range implies, honouring only fused activations. */
        OUTPUT_RANGES_IGNORED
    }

    /** As {@link #importModel(Path, Path, Options)}, making {@code mistake} on purpose (a control for a check). */
    public static ModelCard importWithMistake(Path file, Path outDir, Options options, Mistake mistake)
            throws IOException {
        return importModel(file, outDir, options, new TfliteToOnnx.Controls(mistake == Mistake.INPUT_ZERO_POINT_IGNORED,
                mistake == Mistake.OUTPUT_RANGES_IGNORED));
    }

    private static ModelCard importModel(Path file, Path outDir, Options options, TfliteToOnnx.Controls controls)
            throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ModelException("model file " + file + " does not exist");
        }
        byte[] bytes = Files.readAllBytes(file);
        if (TfliteFile.isTflite(bytes)) {
            return importTflite(file, bytes, outDir, options, controls);
        }
        return importOnnx(file, bytes, outDir, options);
    }

    private static ModelCard importTflite(Path file, byte[] bytes, Path outDir, Options options,
            TfliteToOnnx.Controls controls) throws IOException {
        String sha256 = Sha256.hex(bytes);
        Optional<KnownModels.Preset> preset = KnownModels.bySha256(sha256);
        TfliteFile tflite = TfliteFile.read(file, bytes);
        boolean quantised = tflite.tensor(tflite.inputs()[0]).quantized();
        Precision precision = quantised ? (options.precision() != null ? options.precision() : Precision.INT8)
                : Precision.FLOAT;
        TfliteToOnnx.Form form = precision == Precision.INT8 ? TfliteToOnnx.Form.QDQ : TfliteToOnnx.Form.FLOAT;
        TfliteToOnnx.Result r = TfliteToOnnx.convert(tflite, form, controls,
                first(options.mean(), preset.map(KnownModels.Preset::mean).orElse(null)),
                first(options.std(), preset.map(KnownModels.Preset::std).orElse(null)));
        List<String> classes = first(options.classes(), preset.map(KnownModels.Preset::classes).orElse(null));
        if (classes == null) {
            classes = KnownModels.classesFor(r.classes()).orElseThrow(() -> new ModelException(file + " has "
                    + r.classes() + " classes, neither PASCAL VOC's 21 nor Cityscapes' 19: give their names with "
                    + "--classes"));
        }
        if (classes.size() != r.classes()) {
            throw new ModelException("the logits " + r.logitsTensor() + " of " + file + " have " + r.classes()
                    + " channels but " + classes.size() + " class names were given");
        }
        Boolean align = first(options.alignCorners(), r.alignCorners());
        if (align == null) {
            align = preset.map(KnownModels.Preset::alignCorners).orElse(Boolean.TRUE);
            LOG.warn("{} outputs its logits without upsampling them, so it does not say how they were aligned; "
                    + "assuming align_corners={} (set --align-corners)", file.getFileName(), align);
        }
        String order = first(options.channelOrder(), "RGB").toUpperCase(Locale.ROOT);
        ModelCard.Input input = new ModelCard.Input(TfliteToOnnx.INPUT, r.inputWidth(), r.inputHeight(), Layout.NCHW,
                order, r.mean(), r.std());
        ModelCard.Output output = new ModelCard.Output(TfliteToOnnx.OUTPUT, r.classes(), r.logitsWidth(),
                r.logitsHeight(), first(options.stride(), r.stride()), align);
        byte[] onnx = r.model().toByteArray();
        String name = first(options.name(), preset.map(KnownModels.Preset::name).orElse(stripExtension(file)));
        ModelCard card = new ModelCard(name, name + "@" + Sha256.hex(onnx).substring(0, 8), classes,
                KnownModels.paletteFor(classes), KnownModels.backgroundOf(classes), input, output,
                new ModelCard.Source(file.getFileName().toString(), sha256, "segstream model import", "tflite",
                        precision.cardName()), KnownModels.crfBySha256(sha256).orElse(null));
        write(outDir, onnx, card);
        LOG.info("converted {} ({}, {} input, {} of {} operators up to the logits {}) into {} {} ONNX: input {} "
                        + "[batch, 3, {}, {}], output {} [batch, {}, {}, {}], stride {}", file.getFileName(),
                tflite.description(), r.inputType(), r.opsConverted(), r.opsTotal(), r.logitsTensor(),
                outDir.resolve(MODEL_FILE), precision.cardName(), TfliteToOnnx.INPUT, r.inputHeight(), r.inputWidth(),
                TfliteToOnnx.OUTPUT, r.classes(), r.logitsHeight(), r.logitsWidth(), output.stride());
        return card;
    }

    private static ModelCard importOnnx(Path onnxFile, byte[] bytes, Path outDir, Options options) throws IOException {
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
        byte[] outBytes = rewritten.toByteArray();
        String name = first(options.name(), preset.map(KnownModels.Preset::name).orElse(stripExtension(onnxFile)));
        ModelCard card = new ModelCard(
                name,
                name + "@" + Sha256.hex(outBytes).substring(0, 8),
                classes,
                KnownModels.paletteFor(classes),
                KnownModels.backgroundOf(classes),
                inputSpec,
                new ModelCard.Output(logits, classes.size(), logitsW, logitsH, stride, alignCorners),
                new ModelCard.Source(onnxFile.getFileName().toString(), sha256, "segstream model import", "onnx",
                        "float32"),
                KnownModels.crfBySha256(sha256).orElse(null));
        write(outDir, outBytes, card);
        LOG.info("wrote {} ({} of {} nodes kept; output {} [batch, {}, {}, {}], input {} [batch, ...])",
                outDir.resolve(MODEL_FILE), rewritten.getGraph().getNodeCount(), graph.getNodeCount(), logits,
                classes.size(), logitsH, logitsW, input.getName());
        return card;
    }

    /**
     * Writes model.onnx and model.json into {@code outDir} as a pair: each goes to a temporary file
     * first and is moved into place only when both are written, so a failure leaves no half-written
     * model (and no directory that was not there before).
     */
    private static void write(Path outDir, byte[] onnx, ModelCard card) throws IOException {
        boolean created = !Files.exists(outDir);
        Files.createDirectories(outDir);
        Map<Path, Path> moves = new LinkedHashMap<>();
        try {
            Path model = Files.createTempFile(outDir, ".model-", ".onnx.tmp");
            moves.put(model, outDir.resolve(MODEL_FILE));
            Files.write(model, onnx);
            Path json = Files.createTempFile(outDir, ".model-", ".json.tmp");
            moves.put(json, outDir.resolve(CARD_FILE));
            card.write(json);
            for (Map.Entry<Path, Path> m : moves.entrySet()) {
                Files.move(m.getKey(), m.getValue(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            moves.clear();
        } finally {
            for (Path tmp : moves.keySet()) {
                Files.deleteIfExists(tmp);
            }
            if (created && !moves.isEmpty()) {
                try (var left = Files.list(outDir)) {
                    if (left.findAny().isEmpty()) {
                        Files.deleteIfExists(outDir);
                    }
                }
            }
        }
    }

    /** Removes an imported model (after a failed check), and its directory when nothing else is in it. */
    public static void remove(Path outDir) throws IOException {
        Files.deleteIfExists(outDir.resolve(MODEL_FILE));
        Files.deleteIfExists(outDir.resolve(CARD_FILE));
        if (Files.isDirectory(outDir)) {
            try (var left = Files.list(outDir)) {
                if (left.findAny().isEmpty()) {
                    Files.deleteIfExists(outDir);
                }
            }
        }
    }

    private static ModelProto parse(Path file, byte[] bytes) {
        try {
            ModelProto model = ModelProto.parseFrom(bytes);
            if (!model.hasGraph() || model.getGraph().getNodeCount() == 0 || model.getIrVersion() <= 0) {
                throw new ModelException(file + " is neither an ONNX model nor a TFLite model (no graph; "
                        + bytes.length + " bytes)");
            }
            return model;
        } catch (InvalidProtocolBufferException e) {
            throw new ModelException(file + " is neither an ONNX model nor a TFLite model: " + e.getMessage(), e);
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
        return new ModelCard.Input(input.getName(), width, height, layout, order.toUpperCase(Locale.ROOT), mean, std);
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

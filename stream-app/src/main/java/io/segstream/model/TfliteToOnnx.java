package io.segstream.model;

import io.segstream.model.TfliteFile.Op;
import io.segstream.model.TfliteFile.Tensor;
import io.segstream.model.onnx.ModelProto;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.ConcatenationOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.DepthwiseConv2DOptions;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.Pool2DOptions;
import org.tensorflow.lite.schema.ResizeBilinearOptions;
import org.tensorflow.lite.schema.TensorType;

/**
 * Converts a TFLite DeepLab (float or 8-bit quantised) into an ONNX graph whose output is the
 * network's own logits, NCHW {@code [batch, classes, h, w]} before the final upsampling and ArgMax,
 * and whose input is one float NCHW image {@code [batch, 3, H, W]} holding the values the TFLite
 * input stands for (for a quantised input, {@code scale * (q - zero_point)}).
 *
 * <p>Two forms of a quantised file:
 * <ul>
 *   <li>{@link Form#FLOAT}: weights and biases dequantised to float; every activation then runs in
 *       float, clamped to the range its 8-bit tensor can hold. That clamp is part of the quantised
 *       model's arithmetic (a "Relu" tensor whose zero point is 0 is clamped at 0 by the 8-bit
 *       range alone, with no fused activation), so it must be kept.
 *   <li>{@link Form#QDQ}: QuantizeLinear/DequantizeLinear around every activation and
 *       DequantizeLinear on 8-bit weights and 32-bit biases, with the file's scales and zero
 *       points: what ONNX Runtime's int8 kernels (QLinearConv and friends) and TensorRT's int8
 *       consume. Weights and activations keep the file's own 8-bit types, bytes and zero points.
 * </ul>
 * Operators: CONV_2D, DEPTHWISE_CONV_2D, ADD, AVERAGE_POOL_2D, RESIZE_BILINEAR, CONCATENATION,
 * TILE, QUANTIZE, DEQUANTIZE with fused NONE/RELU/RELU6/RELU_N1_TO_1; ARG_MAX and the resizes after
 * the logits are cut off.
 */
final class TfliteToOnnx {
    /** How a quantised file becomes ONNX. */
    enum Form {
        FLOAT, QDQ;

        String label() {
            return this == FLOAT ? "float" : "int8";
        }
    }

    /**
     * Deliberate mistakes, for the import check's controls (each must make the check fail).
     *
     * @param ignoreInputZeroPoint normalise pixels as {@code scale * q}, forgetting the input's zero
     *     point (the model card's mean becomes 0)
     * @param ignoreOutputRanges leave out the clamp that each 8-bit output range implies (the
     *     mistake a converter makes when it honours only the fused activations)
     */
    record Controls(boolean ignoreInputZeroPoint, boolean ignoreOutputRanges) {
        static final Controls NONE = new Controls(false, false);
    }

    /** The converted graph and what its model card needs. */
    record Result(ModelProto model, int inputWidth, int inputHeight, float[] mean, float[] std, String inputType,
            int classes, int logitsWidth, int logitsHeight, int stride, Boolean alignCorners, String logitsTensor,
            int opsConverted, int opsTotal) {}

    static final String INPUT = "image";
    static final String OUTPUT = "logits";
    static final List<String> SUPPORTED = List.of("CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "AVERAGE_POOL_2D",
            "RESIZE_BILINEAR", "CONCATENATION", "TILE", "QUANTIZE", "DEQUANTIZE");
    /** Operators that only turn logits into labels: walked back over to find the logits. */
    private static final Set<String> AFTER_LOGITS = Set.of("ARG_MAX", "RESIZE_BILINEAR", "QUANTIZE", "DEQUANTIZE",
            "SOFTMAX");

    private final TfliteFile file;
    private final Form form;
    private final Controls controls;
    private final OnnxBuilder onnx;

    private TfliteToOnnx(TfliteFile file, Form form, Controls controls) {
        this.file = file;
        this.form = form;
        this.controls = controls;
        this.onnx = new OnnxBuilder(file.file().getFileName().toString());
    }

    /**
     * @param mean, std the input normalisation for a float input (null: the file must be quantised)
     * @throws ModelException naming the operator or tensor that cannot be converted
     */
    static Result convert(TfliteFile file, Form form, Controls controls, float[] floatMean, float[] floatStd) {
        return new TfliteToOnnx(file, form, controls).convert(floatMean, floatStd);
    }

    private Result convert(float[] floatMean, float[] floatStd) {
        int[] inputs = file.inputs();
        if (inputs.length != 1) {
            throw new ModelException(file.file() + " has " + inputs.length + " inputs; a segmentation model takes one "
                    + "image");
        }
        Tensor input = file.tensor(inputs[0]);
        int[] s = input.shape();
        if (s.length != 4 || s[0] != 1 || s[3] != 3) {
            throw new ModelException("input " + input.name() + " of " + file.file() + " has shape "
                    + java.util.Arrays.toString(s) + "; expected one RGB image [1, H, W, 3]");
        }
        float[] mean;
        float[] std;
        if (input.quantized()) {
            long z = controls.ignoreInputZeroPoint() ? 0 : input.zeroPoint();
            float offset = input.type() == TensorType.INT8 ? 128 : 0; // an int8 input takes pixel - 128
            mean = new float[] {z + offset, z + offset, z + offset};
            float d = 1f / input.scale();
            std = new float[] {d, d, d};
        } else if (input.type() == TensorType.FLOAT32) {
            if (floatMean == null || floatStd == null) {
                throw new ModelException("input " + input.name() + " of " + file.file() + " is float32 and the file "
                        + "does not say how pixels are normalised: give --mean and --std");
            }
            mean = floatMean;
            std = floatStd;
        } else {
            throw new ModelException("input " + input.name() + " of " + file.file() + " is " + input.typeName()
                    + "; expected an 8-bit quantised or float32 image");
        }
        Logits logits = findLogits();
        Set<Integer> needed = opsFor(logits.tensor());
        onnx.input(INPUT, 3, s[1], s[2]);
        emitInput(input, mean);
        int converted = 0;
        for (Op op : file.ops()) {
            if (needed.contains(op.index())) {
                emit(op);
                converted++;
            }
        }
        Tensor l = file.tensor(logits.tensor());
        int lh = l.shape()[1];
        int lw = l.shape()[2];
        int classes = l.shape()[3];
        onnx.node("Identity", new String[] {name(logits.tensor())}, OUTPUT);
        onnx.output(OUTPUT, classes, lh, lw);
        int stride = lh > 1 ? Math.round((float) (s[1] - 1) / (lh - 1)) : s[1];
        ModelProto model = onnx.build("segstream model import (TFLite " + form.label() + ")");
        return new Result(model, s[2], s[1], mean, std, input.typeName(), classes, lw, lh, stride,
                logits.alignCorners(), l.name(), converted, file.ops().size());
    }

    /** The logits tensor and the alignment of the resize that upsampled it to the input size, if any. */
    private record Logits(int tensor, Boolean alignCorners) {}

    private Logits findLogits() {
        int[] outputs = file.outputs();
        if (outputs.length != 1) {
            throw new ModelException(file.file() + " has " + outputs.length + " outputs; expected one (labels or "
                    + "logits)");
        }
        int tensor = outputs[0];
        Boolean align = null;
        int largest = 0;
        Op op = file.producer(tensor);
        while (op != null && AFTER_LOGITS.contains(op.code())) {
            if (op.code().equals("RESIZE_BILINEAR")) {
                Tensor out = file.tensor(op.outputs()[0]);
                int size = out.shape()[1] * out.shape()[2];
                if (size > largest) {
                    largest = size;
                    ResizeBilinearOptions o = (ResizeBilinearOptions) op.raw().builtinOptions(new ResizeBilinearOptions());
                    align = o != null && o.alignCorners();
                }
            }
            tensor = op.inputs()[0];
            op = file.producer(tensor);
        }
        Tensor t = file.tensor(tensor);
        if (op == null || !op.code().equals("CONV_2D") || t.shape().length != 4 || t.shape()[3] < 2) {
            throw new ModelException(file.file() + " has no logits to cut at: walking back from its output through "
                    + AFTER_LOGITS + " ends at " + (op == null ? "the graph input" : op.code() + " (op " + op.index()
                    + ")") + " producing " + t.name() + " " + java.util.Arrays.toString(t.shape())
                    + "; expected the classifier's CONV_2D with one channel per class");
        }
        return new Logits(tensor, align);
    }

    /** Indices of the ops that the logits depend on. */
    private Set<Integer> opsFor(int logits) {
        Set<Integer> ops = new HashSet<>();
        Set<Integer> seen = new HashSet<>();
        Deque<Integer> pending = new ArrayDeque<>(List.of(logits));
        while (!pending.isEmpty()) {
            int tensor = pending.pop();
            if (!seen.add(tensor)) {
                continue;
            }
            Op op = file.producer(tensor);
            if (op != null && ops.add(op.index())) {
                if (!SUPPORTED.contains(op.code())) {
                    throw new ModelException(file.file() + " uses operator " + op.code() + " (op " + op.index()
                            + ", producing " + file.tensor(op.outputs()[0]).name() + "), which segstream model import "
                            + "cannot convert; supported: " + String.join(", ", SUPPORTED));
                }
                for (int in : op.inputs()) {
                    if (in >= 0) {
                        pending.push(in);
                    }
                }
            }
        }
        return ops;
    }

    private static String name(int tensor) {
        return "t" + tensor;
    }

    private void emitInput(Tensor input, float[] mean) {
        if (form == Form.QDQ && input.quantized()) {
            // The float image holds scale * (q - z); quantising it back gives the TFLite input's bytes.
            quantizeDequantize(INPUT, input, name(input.index()));
        } else {
            onnx.node("Identity", new String[] {INPUT}, name(input.index()));
        }
    }

    private void emit(Op op) {
        Tensor out = file.tensor(op.outputs()[0]);
        String pre = name(out.index()) + "_f";
        byte activation = ActivationFunctionType.NONE;
        switch (op.code()) {
            case "CONV_2D" -> {
                Conv2DOptions o = (Conv2DOptions) op.raw().builtinOptions(new Conv2DOptions());
                conv(op, pre, 1, o.strideH(), o.strideW(), o.dilationHFactor(), o.dilationWFactor(), o.padding());
                activation = o.fusedActivationFunction();
            }
            case "DEPTHWISE_CONV_2D" -> {
                DepthwiseConv2DOptions o = (DepthwiseConv2DOptions) op.raw().builtinOptions(new DepthwiseConv2DOptions());
                int channels = file.tensor(op.inputs()[0]).shape()[3];
                conv(op, pre, channels, o.strideH(), o.strideW(), o.dilationHFactor(), o.dilationWFactor(),
                        o.padding());
                activation = o.fusedActivationFunction();
            }
            case "ADD" -> {
                org.tensorflow.lite.schema.AddOptions o =
                        (org.tensorflow.lite.schema.AddOptions) op.raw().builtinOptions(new org.tensorflow.lite.schema.AddOptions());
                onnx.node("Add", new String[] {activation(op.inputs()[0]), activation(op.inputs()[1])}, pre);
                activation = o == null ? ActivationFunctionType.NONE : o.fusedActivationFunction();
            }
            case "AVERAGE_POOL_2D" -> {
                Pool2DOptions o = (Pool2DOptions) op.raw().builtinOptions(new Pool2DOptions());
                Tensor in = file.tensor(op.inputs()[0]);
                long[] pads = pads(o.padding(), in.shape()[1], in.shape()[2], o.filterHeight(), o.filterWidth(),
                        o.strideH(), o.strideW(), 1, 1);
                onnx.node("AveragePool", new String[] {activation(in.index())}, pre,
                        OnnxBuilder.ints("kernel_shape", o.filterHeight(), o.filterWidth()),
                        OnnxBuilder.ints("strides", o.strideH(), o.strideW()), OnnxBuilder.ints("pads", pads),
                        OnnxBuilder.integer("count_include_pad", 0));
                activation = o.fusedActivationFunction();
            }
            case "RESIZE_BILINEAR" -> {
                ResizeBilinearOptions o = (ResizeBilinearOptions) op.raw().builtinOptions(new ResizeBilinearOptions());
                Tensor in = file.tensor(op.inputs()[0]);
                String mode = o != null && o.alignCorners() ? "align_corners"
                        : (o != null && o.halfPixelCenters() ? "half_pixel" : "asymmetric");
                float[] scales = {1f, 1f, scale(in.shape()[1], out.shape()[1]), scale(in.shape()[2], out.shape()[2])};
                String scalesName = onnx.floats(pre + "_scales", scales, 4);
                onnx.node("Resize", new String[] {activation(in.index()), "", scalesName}, pre,
                        OnnxBuilder.string("mode", "linear"), OnnxBuilder.string("coordinate_transformation_mode", mode));
            }
            case "CONCATENATION" -> {
                ConcatenationOptions o = (ConcatenationOptions) op.raw().builtinOptions(new ConcatenationOptions());
                String[] ins = new String[op.inputs().length];
                for (int i = 0; i < ins.length; i++) {
                    ins[i] = activation(op.inputs()[i]);
                }
                int rank = out.shape().length;
                int axis = o.axis() < 0 ? o.axis() + rank : o.axis();
                onnx.node("Concat", ins, pre, OnnxBuilder.integer("axis", nchwAxis(axis)));
                activation = o.fusedActivationFunction();
            }
            case "TILE" -> {
                Tensor multiples = file.tensor(op.inputs()[1]);
                int[] m = intData(multiples);
                String repeats = onnx.int64s(pre + "_repeats", new long[] {m[0], m[3], m[1], m[2]}, 4);
                onnx.node("Tile", new String[] {activation(op.inputs()[0]), repeats}, pre);
            }
            case "QUANTIZE", "DEQUANTIZE" -> onnx.node("Identity", new String[] {activation(op.inputs()[0])}, pre);
            default -> throw new IllegalStateException("unchecked operator " + op.code());
        }
        finish(pre, out, activation);
    }

    /** An activation input: the float tensor computed for it (constants are not activations here). */
    private String activation(int tensor) {
        Tensor t = file.tensor(tensor);
        if (t.constant()) {
            throw new ModelException("tensor " + t.name() + " of " + file.file() + " is a constant where an activation "
                    + "was expected; this graph shape is not supported");
        }
        return name(tensor);
    }

    /**
     * The op's float result {@code pre} becomes tensor {@code out}: clamped to the fused activation
     * and to the 8-bit output range (float form), or quantised to the output's scale and zero point
     * and back (QDQ form), with the fused activation kept where the range does not imply it.
     */
    private void finish(String pre, Tensor out, byte activation) {
        float lo = Float.NEGATIVE_INFINITY;
        float hi = Float.POSITIVE_INFINITY;
        switch (activation) {
            case ActivationFunctionType.NONE -> { }
            case ActivationFunctionType.RELU -> lo = 0;
            case ActivationFunctionType.RELU6 -> { lo = 0; hi = 6; }
            case ActivationFunctionType.RELU_N1_TO_1 -> { lo = -1; hi = 1; }
            default -> throw new ModelException(file.file() + ": tensor " + out.name() + " has the fused activation "
                    + ActivationFunctionType.name(activation) + ", which is not supported");
        }
        String result = name(out.index());
        if (!out.quantized()) {
            clamp(pre, lo, hi, result);
            return;
        }
        float qlo = out.scale() * (qmin(out) - out.zeroPoint());
        float qhi = out.scale() * (qmax(out) - out.zeroPoint());
        float tolerance = out.scale() * 1e-3f;
        if (form == Form.FLOAT) {
            if (controls.ignoreOutputRanges()) {
                clamp(pre, lo, hi, result);
            } else {
                clamp(pre, Math.max(lo, qlo), Math.min(hi, qhi), result);
            }
            return;
        }
        String clamped = pre;
        boolean narrower = lo > qlo + tolerance || hi < qhi - tolerance;
        if (narrower) {
            clamped = pre + "_act";
            clamp(pre, Math.max(lo, qlo), Math.min(hi, qhi), clamped);
        }
        quantizeDequantize(clamped, out, result);
    }

    private void clamp(String in, float lo, float hi, String out) {
        if (lo == Float.NEGATIVE_INFINITY && hi == Float.POSITIVE_INFINITY) {
            onnx.node("Identity", new String[] {in}, out);
        } else if (lo == 0f && hi == Float.POSITIVE_INFINITY) {
            onnx.node("Relu", new String[] {in}, out);
        } else {
            String min = lo == Float.NEGATIVE_INFINITY ? "" : onnx.floats(out + "_min", new float[] {lo});
            String max = hi == Float.POSITIVE_INFINITY ? "" : onnx.floats(out + "_max", new float[] {hi});
            onnx.node("Clip", new String[] {in, min, max}, out);
        }
    }

    /** {@code out = DequantizeLinear(QuantizeLinear(in))} at tensor {@code t}'s scale and zero point. */
    private void quantizeDequantize(String in, Tensor t, String out) {
        if (t.scales().length != 1) {
            throw new ModelException("activation " + t.name() + " of " + file.file() + " is quantised per axis; "
                    + "activations must be quantised per tensor");
        }
        int type = onnxType(t);
        long z = t.zeroPoint();
        String scale = onnx.floats(out + "_scale", new float[] {t.scale()});
        String zero = onnx.bytes(out + "_zero", type, new byte[] {(byte) z});
        String q = onnx.node("QuantizeLinear", new String[] {in, scale, zero}, out + "_q");
        onnx.node("DequantizeLinear", new String[] {q, scale, zero}, out);
    }

    /** CONV_2D ({@code group} 1) or DEPTHWISE_CONV_2D ({@code group} = input channels). */
    private void conv(Op op, String pre, int group, int strideH, int strideW, int dilationH, int dilationW,
            byte padding) {
        Tensor in = file.tensor(op.inputs()[0]);
        Tensor w = file.tensor(op.inputs()[1]);
        int[] ws = w.shape(); // CONV_2D [O, KH, KW, I]; DEPTHWISE_CONV_2D [1, KH, KW, O]
        boolean depthwise = group > 1 || op.code().equals("DEPTHWISE_CONV_2D");
        int outChannels = depthwise ? ws[3] : ws[0];
        int kh = ws[1];
        int kw = ws[2];
        int inPerGroup = depthwise ? 1 : ws[3];
        long[] pads = pads(padding, in.shape()[1], in.shape()[2], kh, kw, strideH, strideW, dilationH, dilationW);
        String weights = weights(w, pre + "_w", outChannels, kh, kw, inPerGroup, depthwise);
        String bias = op.inputs().length > 2 && op.inputs()[2] >= 0 ? bias(file.tensor(op.inputs()[2]), pre + "_b",
                outChannels) : null;
        String[] inputs = bias == null ? new String[] {activation(in.index()), weights}
                : new String[] {activation(in.index()), weights, bias};
        onnx.node("Conv", inputs, pre,
                OnnxBuilder.ints("kernel_shape", kh, kw), OnnxBuilder.ints("strides", strideH, strideW),
                OnnxBuilder.ints("dilations", dilationH, dilationW), OnnxBuilder.ints("pads", pads),
                OnnxBuilder.integer("group", depthwise ? (in.shape()[3]) : 1));
    }

    /** The weights as ONNX wants them, {@code [O, I/group, KH, KW]}: float, or int8 behind a DequantizeLinear. */
    private String weights(Tensor w, String name, int o, int kh, int kw, int ipg, boolean depthwise) {
        if (w.data() == null) {
            throw new ModelException("weights " + w.name() + " of " + file.file() + " are not constant");
        }
        int n = o * ipg * kh * kw;
        // index in the TFLite layout of ONNX element (oc, ic, y, x)
        int[] from = new int[n];
        int k = 0;
        for (int oc = 0; oc < o; oc++) {
            for (int ic = 0; ic < ipg; ic++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        from[k++] = depthwise ? (y * kw + x) * o + oc : ((oc * kh + y) * kw + x) * ipg + ic;
                    }
                }
            }
        }
        int axisOfOutput = depthwise ? 3 : 0;
        if (w.type() == TensorType.FLOAT32) {
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                values[i] = w.data().getFloat(from[i] * 4);
            }
            return onnx.floats(name, values, o, ipg, kh, kw);
        }
        if (!w.quantized() || (w.type() != TensorType.UINT8 && w.type() != TensorType.INT8)) {
            throw new ModelException("weights " + w.name() + " of " + file.file() + " are " + w.typeName()
                    + "; expected float32 or 8-bit quantised");
        }
        boolean perChannel = w.scales().length > 1;
        if (perChannel && w.axis() != axisOfOutput) {
            throw new ModelException("weights " + w.name() + " of " + file.file() + " are quantised along axis "
                    + w.axis() + "; only per-output-channel quantisation is supported");
        }
        boolean unsigned = w.type() == TensorType.UINT8;
        ByteBuffer data = w.data();
        if (form == Form.FLOAT) {
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                int oc = i / (ipg * kh * kw);
                int c = perChannel ? oc : 0;
                int q = unsigned ? data.get(from[i]) & 0xFF : data.get(from[i]);
                values[i] = w.scales()[c] * (q - w.zeroPoints()[c]);
            }
            return onnx.floats(name, values, o, ipg, kh, kw);
        }
        // The file's own bytes and zero points, unchanged. (Shifting uint8 weights to int8, q - 128, gives
        // the same values and is the pairing ONNX Runtime's x86 kernels prefer, but its AVX2 u8 x s8 kernel
        // sums pairs of products in 16 bits and saturates on such full-range weights: the first layer of
        // the full-width VOC model then differs from TFLite by up to 171 levels on 5% of its outputs.)
        byte[] q = new byte[n];
        for (int i = 0; i < n; i++) {
            q[i] = data.get(from[i]);
        }
        int channels = w.scales().length;
        byte[] zeros = new byte[channels];
        for (int c = 0; c < channels; c++) {
            zeros[c] = (byte) w.zeroPoints()[c];
        }
        int type = unsigned ? OnnxBuilder.UINT8 : OnnxBuilder.INT8;
        String qName = onnx.bytes(name + "_q", type, q, o, ipg, kh, kw);
        String scale = perChannel ? onnx.floats(name + "_scale", w.scales(), channels)
                : onnx.floats(name + "_scale", new float[] {w.scale()});
        String zero = perChannel ? onnx.bytes(name + "_zero", type, zeros, channels)
                : onnx.bytes(name + "_zero", type, zeros);
        return perChannel ? onnx.node("DequantizeLinear", new String[] {qName, scale, zero}, name,
                OnnxBuilder.integer("axis", 0)) : onnx.node("DequantizeLinear", new String[] {qName, scale, zero}, name);
    }

    private String bias(Tensor b, String name, int o) {
        if (b.data() == null || b.elements() != o) {
            throw new ModelException("bias " + b.name() + " of " + file.file() + " is not a constant of " + o
                    + " values");
        }
        if (b.type() == TensorType.FLOAT32) {
            float[] values = new float[o];
            for (int i = 0; i < o; i++) {
                values[i] = b.data().getFloat(i * 4);
            }
            return onnx.floats(name, values, o);
        }
        if (b.type() != TensorType.INT32 || !b.quantized()) {
            throw new ModelException("bias " + b.name() + " of " + file.file() + " is " + b.typeName()
                    + "; expected float32 or quantised int32");
        }
        int[] q = intData(b);
        boolean perChannel = b.scales().length > 1;
        if (form == Form.FLOAT) {
            float[] values = new float[o];
            for (int i = 0; i < o; i++) {
                values[i] = b.scales()[perChannel ? i : 0] * (q[i] - b.zeroPoints()[perChannel ? i : 0]);
            }
            return onnx.floats(name, values, o);
        }
        String qName = onnx.int32s(name + "_q", q, o);
        String scale = perChannel ? onnx.floats(name + "_scale", b.scales(), o)
                : onnx.floats(name + "_scale", new float[] {b.scale()});
        String zero = perChannel ? onnx.int32s(name + "_zero", new int[o], o) : onnx.int32s(name + "_zero", new int[1]);
        return perChannel ? onnx.node("DequantizeLinear", new String[] {qName, scale, zero}, name,
                OnnxBuilder.integer("axis", 0)) : onnx.node("DequantizeLinear", new String[] {qName, scale, zero}, name);
    }

    /** TensorFlow's SAME padding (extra at the end) or none; ONNX order [top, left, bottom, right]. */
    static long[] pads(byte padding, int h, int w, int kh, int kw, int sh, int sw, int dh, int dw) {
        if (padding != Padding.SAME) {
            return new long[] {0, 0, 0, 0};
        }
        long ph = samePad(h, kh, sh, dh);
        long pw = samePad(w, kw, sw, dw);
        return new long[] {ph / 2, pw / 2, ph - ph / 2, pw - pw / 2};
    }

    private static long samePad(int in, int k, int s, int d) {
        int out = (in + s - 1) / s;
        int effective = (k - 1) * d + 1;
        return Math.max((long) (out - 1) * s + effective - in, 0);
    }

    /** A float scale whose product with {@code in}, floored as ONNX Resize does, is exactly {@code out}. */
    static float scale(int in, int out) {
        float s = (float) out / in;
        while ((int) Math.floor(in * s) < out) {
            s = Math.nextUp(s);
        }
        return s;
    }

    private static int nchwAxis(int nhwc) {
        return switch (nhwc) {
            case 0 -> 0;
            case 1 -> 2;
            case 2 -> 3;
            case 3 -> 1;
            default -> throw new ModelException("axis " + nhwc + " of a 4-d tensor");
        };
    }

    private int[] intData(Tensor t) {
        if (t.data() == null || t.type() != TensorType.INT32) {
            throw new ModelException("tensor " + t.name() + " of " + file.file() + " is not a constant int32 tensor");
        }
        int[] out = new int[t.elements()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.data().getInt(i * 4);
        }
        return out;
    }

    private static int qmin(Tensor t) {
        return t.type() == TensorType.INT8 ? -128 : 0;
    }

    private static int qmax(Tensor t) {
        return t.type() == TensorType.INT8 ? 127 : 255;
    }

    private static int onnxType(Tensor t) {
        if (t.type() == TensorType.UINT8) {
            return OnnxBuilder.UINT8;
        }
        if (t.type() == TensorType.INT8) {
            return OnnxBuilder.INT8;
        }
        throw new ModelException("tensor " + t.name() + " is quantised as " + t.typeName() + "; expected 8 bits");
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "TfliteToOnnx[%s, %s]", file.file().getFileName(), form);
    }
}

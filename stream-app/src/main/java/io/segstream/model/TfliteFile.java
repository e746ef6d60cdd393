package io.segstream.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.TensorType;

/**
 * A TensorFlow Lite model file read through TFLite's own flatbuffer schema (the classes Google
 * generates from schema.fbs and publishes as org.tensorflow:tensorflow-lite-metadata, read with
 * flatbuffers-java): its one subgraph's tensors (shape, type, quantisation, constant data) and
 * operators (builtin code, inputs, outputs, options), as {@link TfliteToOnnx} needs them. The
 * interpreter cannot report operator options (strides, padding, fused activations) through its
 * Java binding, which is why the file is read here rather than through the interpreter.
 */
final class TfliteFile {
    /** TFLite's file identifier, bytes 4..7 of every model file. */
    private static final String IDENTIFIER = "TFL3";

    /** One tensor: NHWC shape for activations, quantisation per tensor or per axis. */
    record Tensor(int index, String name, byte type, int[] shape, float[] scales, long[] zeroPoints, int axis,
            ByteBuffer data) {
        boolean quantized() {
            return scales.length > 0;
        }

        boolean constant() {
            return data != null;
        }

        float scale() {
            return scales[0];
        }

        long zeroPoint() {
            return zeroPoints[0];
        }

        String typeName() {
            return TensorType.name(type);
        }

        int elements() {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /** One operator: its builtin code's name (CONV_2D, ...), tensor indices (-1: absent optional input). */
    record Op(int index, String code, int[] inputs, int[] outputs, Operator raw) {}

    private final Path file;
    private final List<Tensor> tensors;
    private final List<Op> ops;
    private final int[] inputs;
    private final int[] outputs;
    private final String description;

    private TfliteFile(Path file, List<Tensor> tensors, List<Op> ops, int[] inputs, int[] outputs, String description) {
        this.file = file;
        this.tensors = tensors;
        this.ops = ops;
        this.inputs = inputs;
        this.outputs = outputs;
        this.description = description;
    }

    /** True when {@code bytes} carry TFLite's file identifier. */
    static boolean isTflite(byte[] bytes) {
        return bytes.length >= 8 && bytes[4] == 'T' && bytes[5] == 'F' && bytes[6] == 'L' && bytes[7] == '3';
    }

    /**
     * @throws ModelException when the bytes are not a TFLite model, are truncated, or hold other than
     *     one subgraph
     */
    static TfliteFile read(Path file, byte[] bytes) {
        if (!isTflite(bytes)) {
            throw new ModelException(file + " is not a TFLite model (no " + IDENTIFIER + " identifier)");
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            Model model = Model.getRootAsModel(buffer);
            if (model.subgraphsLength() != 1) {
                throw new ModelException(file + " has " + model.subgraphsLength() + " subgraphs; a segmentation "
                        + "model has one");
            }
            SubGraph graph = model.subgraphs(0);
            List<Tensor> tensors = new ArrayList<>(graph.tensorsLength());
            for (int i = 0; i < graph.tensorsLength(); i++) {
                tensors.add(tensor(model, graph.tensors(i), i));
            }
            List<Op> ops = new ArrayList<>(graph.operatorsLength());
            for (int i = 0; i < graph.operatorsLength(); i++) {
                Operator op = graph.operators(i);
                OperatorCode code = model.operatorCodes((int) op.opcodeIndex());
                int builtin = Math.max(code.builtinCode(), code.deprecatedBuiltinCode());
                String name = builtin == BuiltinOperator.CUSTOM ? "CUSTOM:" + code.customCode()
                        : BuiltinOperator.name(builtin);
                ops.add(new Op(i, name, ints(op.inputsLength(), op::inputs), ints(op.outputsLength(), op::outputs), op));
            }
            return new TfliteFile(file, List.copyOf(tensors), List.copyOf(ops),
                    ints(graph.inputsLength(), graph::inputs), ints(graph.outputsLength(), graph::outputs),
                    model.description());
        } catch (IndexOutOfBoundsException | IllegalArgumentException | java.nio.BufferUnderflowException e) {
            throw new ModelException(file + " is truncated or corrupt (" + bytes.length + " bytes; the flatbuffer "
                    + "points outside the file: " + e.getMessage() + ")", e);
        }
    }

    private static Tensor tensor(Model model, org.tensorflow.lite.schema.Tensor t, int index) {
        int[] shape = ints(t.shapeLength(), t::shape);
        QuantizationParameters q = t.quantization();
        float[] scales = new float[q == null ? 0 : q.scaleLength()];
        long[] zeroPoints = new long[scales.length];
        for (int k = 0; k < scales.length; k++) {
            scales[k] = q.scale(k);
            zeroPoints[k] = k < q.zeroPointLength() ? q.zeroPoint(k) : 0;
        }
        ByteBuffer data = null;
        long bufferIndex = t.buffer();
        if (bufferIndex > 0 && bufferIndex < model.buffersLength()) {
            org.tensorflow.lite.schema.Buffer b = model.buffers((int) bufferIndex);
            if (b.dataLength() > 0) {
                data = b.dataAsByteBuffer().slice().order(ByteOrder.LITTLE_ENDIAN);
            }
        }
        return new Tensor(index, t.name(), t.type(), shape, scales, zeroPoints, q == null ? 0 : q.quantizedDimension(),
                data);
    }

    private interface IntAt {
        int at(int i);
    }

    private static int[] ints(int length, IntAt at) {
        int[] out = new int[length];
        for (int i = 0; i < length; i++) {
            out[i] = at.at(i);
        }
        return out;
    }

    Path file() {
        return file;
    }

    Tensor tensor(int index) {
        return tensors.get(index);
    }

    List<Op> ops() {
        return ops;
    }

    int[] inputs() {
        return inputs.clone();
    }

    int[] outputs() {
        return outputs.clone();
    }

    /** The converter's description ("TOCO Converted.", "MLIR Converted."). */
    String description() {
        return description;
    }

    /** The op whose outputs include {@code tensor}, or null for a graph input or a constant. */
    Op producer(int tensor) {
        for (Op op : ops) {
            for (int out : op.outputs()) {
                if (out == tensor) {
                    return op;
                }
            }
        }
        return null;
    }
}

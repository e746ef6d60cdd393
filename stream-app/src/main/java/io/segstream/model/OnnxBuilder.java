package io.segstream.model;

import com.google.protobuf.ByteString;
import io.segstream.model.onnx.AttributeProto;
import io.segstream.model.onnx.GraphProto;
import io.segstream.model.onnx.ModelProto;
import io.segstream.model.onnx.NodeProto;
import io.segstream.model.onnx.OperatorSetIdProto;
import io.segstream.model.onnx.TensorProto;
import io.segstream.model.onnx.TensorShapeProto;
import io.segstream.model.onnx.TypeProto;
import io.segstream.model.onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds an ONNX graph node by node (opset {@value #OPSET}): initializers, nodes with attributes,
 * one image input and one output with a symbolic batch dimension. Tensor names are the caller's.
 */
final class OnnxBuilder {
    static final int OPSET = 13;
    /** ONNX IR version 7 goes with opset 13. */
    static final int IR_VERSION = 7;
    static final int FLOAT = 1;
    static final int UINT8 = 2;
    static final int INT8 = 3;
    static final int INT32 = 6;
    static final int INT64 = 7;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private int nodes;

    OnnxBuilder(String name) {
        graph.setName(name);
    }

    /** A float input {@code [batch, c, h, w]}. */
    void input(String name, int c, int h, int w) {
        graph.addInput(valueInfo(name, FLOAT, c, h, w));
    }

    /** A float output {@code [batch, c, h, w]}. */
    void output(String name, int c, int h, int w) {
        graph.addOutput(valueInfo(name, FLOAT, c, h, w));
    }

    /** Adds a node; returns its first output's name. */
    String node(String op, String[] inputs, String output, AttributeProto... attributes) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(op + "_" + nodes++).addOutput(output);
        for (String input : inputs) {
            node.addInput(input);
        }
        for (AttributeProto a : attributes) {
            node.addAttribute(a);
        }
        graph.addNode(node);
        return output;
    }

    /** A float constant of the given dims. */
    String floats(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return initializer(name, FLOAT, raw.array(), dims);
    }

    /** An 8-bit (UINT8 or INT8) constant of the given dims. */
    String bytes(String name, int type, byte[] values, long... dims) {
        return initializer(name, type, values, dims);
    }

    /** An INT32 constant of the given dims. */
    String int32s(String name, int[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asIntBuffer().put(values);
        return initializer(name, INT32, raw.array(), dims);
    }

    /** An INT64 constant of the given dims. */
    String int64s(String name, long[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        return initializer(name, INT64, raw.array(), dims);
    }

    private String initializer(String name, int type, byte[] raw, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto string(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    int nodeCount() {
        return nodes;
    }

    ModelProto build(String producer) {
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(producer)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build();
    }

    private static ValueInfoProto valueInfo(String name, int type, int c, int h, int w) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(OnnxGraphEditor.BATCH))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(c))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(h))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(w))
                .build();
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type)
                        .setShape(shape)))
                .build();
    }
}

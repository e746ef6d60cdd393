package io.segstream.model;

import io.segstream.model.onnx.GraphProto;
import io.segstream.model.onnx.ModelProto;
import io.segstream.model.onnx.NodeProto;
import io.segstream.model.onnx.TensorProto;
import io.segstream.model.onnx.TensorShapeProto;
import io.segstream.model.onnx.TypeProto;
import io.segstream.model.onnx.ValueInfoProto;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The two graph edits `model import` makes: the image input's batch dimension becomes symbolic,
 * and an inner tensor (the network's own logits) becomes the only output, with everything that
 * only served the old output (in-graph upsampling, transposes) pruned.
 */
final class OnnxGraphEditor {
    static final int FLOAT = 1;
    static final String BATCH = "batch";
    /** Ops that only reshape, resample or re-lay-out logits after the classifier. */
    private static final Set<String> POST_LOGITS_OPS = Set.of("Transpose", "Upsample", "Resize", "Identity",
            "Softmax", "ArgMax", "Cast", "Squeeze", "Unsqueeze");

    private OnnxGraphEditor() {}

    /** The graph inputs that are not initializers (the real inputs). */
    static List<ValueInfoProto> realInputs(GraphProto graph) {
        Set<String> initializers = new HashSet<>();
        for (TensorProto t : graph.getInitializerList()) {
            initializers.add(t.getName());
        }
        return graph.getInputList().stream().filter(v -> !initializers.contains(v.getName())).toList();
    }

    /** The producer node of each tensor. */
    private static Map<String, NodeProto> producers(GraphProto graph) {
        Map<String, NodeProto> producers = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            for (String output : node.getOutputList()) {
                producers.put(output, node);
            }
        }
        return producers;
    }

    static boolean hasTensor(GraphProto graph, String name) {
        return producers(graph).containsKey(name);
    }

    /**
     * Walks back from the graph's single output through post-processing ops to the tensor the
     * classifier produced.
     */
    static Optional<String> findLogits(GraphProto graph) {
        if (graph.getOutputCount() != 1) {
            return Optional.empty();
        }
        Map<String, NodeProto> producers = producers(graph);
        String tensor = graph.getOutput(0).getName();
        NodeProto node = producers.get(tensor);
        while (node != null && POST_LOGITS_OPS.contains(node.getOpType())) {
            tensor = node.getInput(0);
            node = producers.get(tensor);
        }
        return node == null ? Optional.empty() : Optional.of(tensor);
    }

    /** Output channels of the Conv that produces {@code tensor}, read from its weight's first dimension. */
    static Optional<Integer> convOutputChannels(GraphProto graph, String tensor) {
        NodeProto node = producers(graph).get(tensor);
        if (node == null || !"Conv".equals(node.getOpType()) || node.getInputCount() < 2) {
            return Optional.empty();
        }
        String weight = node.getInput(1);
        for (TensorProto t : graph.getInitializerList()) {
            if (t.getName().equals(weight) && t.getDimsCount() == 4) {
                return Optional.of((int) t.getDims(0));
            }
        }
        return Optional.empty();
    }

    /**
     * A copy of {@code model} whose only output is {@code logits} (float, [batch, classes, h, w])
     * and whose image input has a symbolic batch dimension; unreachable nodes, initializers and
     * stale value_info (shapes inferred for batch 1) are dropped.
     */
    static ModelProto rewrite(ModelProto model, String imageInput, String logits, int classes, int logitsHeight,
            int logitsWidth) {
        GraphProto graph = model.getGraph();
        Map<String, NodeProto> producers = producers(graph);
        Set<NodeProto> keep = new HashSet<>();
        Set<String> usedTensors = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>();
        pending.push(logits);
        while (!pending.isEmpty()) {
            String tensor = pending.pop();
            if (!usedTensors.add(tensor)) {
                continue;
            }
            NodeProto node = producers.get(tensor);
            if (node != null && keep.add(node)) {
                for (String input : node.getInputList()) {
                    if (!input.isEmpty()) {
                        pending.push(input);
                    }
                }
            }
        }
        GraphProto.Builder out = graph.toBuilder()
                .clearNode()
                .clearInitializer()
                .clearInput()
                .clearOutput()
                .clearValueInfo();
        for (NodeProto node : graph.getNodeList()) {
            if (keep.contains(node)) {
                out.addNode(node); // topological order is preserved
            }
        }
        for (TensorProto t : graph.getInitializerList()) {
            if (usedTensors.contains(t.getName())) {
                out.addInitializer(t);
            }
        }
        for (ValueInfoProto input : graph.getInputList()) {
            if (input.getName().equals(imageInput)) {
                out.addInput(withSymbolicBatch(input));
            } else if (usedTensors.contains(input.getName())) {
                out.addInput(input);
            }
        }
        out.addOutput(floatTensor(logits, classes, logitsHeight, logitsWidth));
        return model.toBuilder().setGraph(out).build();
    }

    private static ValueInfoProto withSymbolicBatch(ValueInfoProto input) {
        TypeProto.Tensor.Builder tensor = input.getType().getTensorType().toBuilder();
        TensorShapeProto.Builder shape = tensor.getShape().toBuilder();
        shape.setDim(0, TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
        tensor.setShape(shape);
        return input.toBuilder().setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    private static ValueInfoProto floatTensor(String name, int classes, int height, int width) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(classes))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(height))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width))
                .build();
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(FLOAT).setShape(shape)))
                .build();
    }
}

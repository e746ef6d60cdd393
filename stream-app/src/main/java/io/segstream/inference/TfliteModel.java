package io.segstream.inference;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorflowlite.BuiltinOpResolver;
import org.bytedeco.tensorflowlite.BuiltinOpResolverWithoutDefaultDelegates;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.InterpreterBuilder;
import org.bytedeco.tensorflowlite.TfLiteIntArray;
import org.bytedeco.tensorflowlite.TfLiteTensor;
import org.bytedeco.tensorflowlite.global.tensorflowlite;

/**
 * A TFLite model run by the TensorFlow Lite interpreter (its default delegates, XNNPACK included),
 * batch 1. Not an engine of the pipeline: it runs an original TFLite file as the reference that
 * `model import` checks its ONNX against, and as a speed reference in the benchmarks. Takes a
 * float or 8-bit image input; gives float scores per pixel (classes last) or an ArgMax label map.
 */
public final class TfliteModel implements AutoCloseable {
    private final FlatBufferModel model;
    private final BuiltinOpResolver resolver;
    private final Interpreter interpreter;
    private final int inputType;
    private final int outputType;
    private final int[] inputShape;
    private final int[] outputShape;

    public TfliteModel(Path file, int threads) {
        this(file, threads, true);
    }

    /**
     * @param delegates false: only TFLite's own builtin kernels, without the XNNPACK delegate it applies
     *     by default (the two do not round 8-bit arithmetic alike)
     */
    public TfliteModel(Path file, int threads, boolean delegates) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("TFLite model " + file + " does not exist");
        }
        this.model = FlatBufferModel.BuildFromFile(file.toString());
        if (model == null || model.isNull()) {
            throw new IllegalArgumentException(file + " is not a TFLite model");
        }
        this.resolver = delegates ? new BuiltinOpResolver() : new BuiltinOpResolverWithoutDefaultDelegates();
        this.interpreter = new Interpreter();
        InterpreterBuilder builder = new InterpreterBuilder(model, resolver);
        check(builder.apply(interpreter), "build the interpreter for " + file);
        builder.close();
        check(interpreter.SetNumThreads(threads), "set " + threads + " threads");
        check(interpreter.AllocateTensors(), "allocate tensors");
        TfLiteTensor in = interpreter.input_tensor(0);
        TfLiteTensor out = interpreter.output_tensor(0);
        this.inputType = in.type();
        this.outputType = out.type();
        this.inputShape = dims(in.dims());
        this.outputShape = dims(out.dims());
    }

    private static int[] dims(TfLiteIntArray array) {
        int[] d = new int[array.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = array.data(i);
        }
        return d;
    }

    /** True when the model takes 8-bit pixels (a quantised model) rather than normalised floats. */
    public boolean takesBytes() {
        return inputType == tensorflowlite.kTfLiteUInt8 || inputType == tensorflowlite.kTfLiteInt8;
    }

    /** True when the model outputs a label map (it ends in ARG_MAX) rather than class scores. */
    public boolean outputsLabels() {
        return outputType == tensorflowlite.kTfLiteInt32 || outputType == tensorflowlite.kTfLiteInt64;
    }

    /** The input's shape, {@code [1, H, W, 3]}. */
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** Runs one normalised float input of {@code H*W*3} floats (NHWC) from {@code input[offset]}; scores into {@code output}. */
    public void run(float[] input, int offset, float[] output) {
        interpreter.typed_input_tensor_float(0).put(input, offset, elements(inputShape));
        check(interpreter.Invoke(), "invoke");
        interpreter.typed_output_tensor_float(0).get(output, 0, elements(outputShape));
    }

    /**
     * Runs one image of interleaved RGB bytes at the model's input size (an int8 input gets
     * {@code pixel - 128}) and writes the model's output as labels: its ArgMax output, or the argmax
     * of its scores.
     */
    public void runBytes(byte[] rgb, byte[] labels) {
        int n = elements(inputShape);
        BytePointer in = interpreter.input_tensor(0).data().raw();
        if (inputType == tensorflowlite.kTfLiteInt8) {
            byte[] shifted = new byte[n];
            for (int i = 0; i < n; i++) {
                shifted[i] = (byte) ((rgb[i] & 0xFF) - 128);
            }
            in.put(shifted, 0, n);
        } else if (inputType == tensorflowlite.kTfLiteUInt8) {
            in.put(rgb, 0, n);
        } else {
            throw new IllegalStateException("the model takes float input; use run(float[], ...)");
        }
        check(interpreter.Invoke(), "invoke");
        int pixels = labels.length;
        if (outputType == tensorflowlite.kTfLiteInt64) {
            var out = interpreter.typed_output_tensor_long(0);
            for (int p = 0; p < pixels; p++) {
                labels[p] = (byte) out.get(p);
            }
        } else if (outputType == tensorflowlite.kTfLiteInt32) {
            var out = interpreter.typed_output_tensor_int(0);
            for (int p = 0; p < pixels; p++) {
                labels[p] = (byte) out.get(p);
            }
        } else {
            throw new IllegalStateException("the model outputs scores, not labels (type " + outputType + ")");
        }
    }

    /** Runs the last input again (for timing). */
    public void invoke() {
        check(interpreter.Invoke(), "invoke");
    }

    private static int elements(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static void check(int status, String what) {
        if (status != 0) {
            throw new IllegalStateException("TFLite could not " + what + " (status " + status + ")");
        }
    }

    @Override
    public void close() {
        interpreter.close();
        resolver.close();
        model.close();
    }
}

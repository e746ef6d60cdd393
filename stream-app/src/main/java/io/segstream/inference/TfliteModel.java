package io.segstream.inference;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.tensorflowlite.BuiltinOpResolver;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.InterpreterBuilder;

/**
 * A TFLite model run by the TensorFlow Lite interpreter (XNNPACK delegate by default), batch 1.
 * Not an engine of the pipeline: it runs the TFLite twin of a model as an independent check of
 * `model import` and as a speed reference in the benchmarks.
 */
public final class TfliteModel implements AutoCloseable {
    private final FlatBufferModel model;
    private final BuiltinOpResolver resolver;
    private final Interpreter interpreter;
    private final int inputSize;
    private final int outputSize;

    public TfliteModel(Path file, int threads, int inputSize, int outputSize) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("TFLite model " + file + " does not exist");
        }
        this.model = FlatBufferModel.BuildFromFile(file.toString());
        if (model == null || model.isNull()) {
            throw new IllegalArgumentException(file + " is not a TFLite model");
        }
        this.resolver = new BuiltinOpResolver();
        this.interpreter = new Interpreter();
        InterpreterBuilder builder = new InterpreterBuilder(model, resolver);
        check(builder.apply(interpreter), "build the interpreter for " + file);
        builder.close();
        check(interpreter.SetNumThreads(threads), "set " + threads + " threads");
        check(interpreter.AllocateTensors(), "allocate tensors");
        this.inputSize = inputSize;
        this.outputSize = outputSize;
    }

    /** Runs one input of {@code inputSize} floats from {@code input[offset]}; writes the output to {@code output}. */
    public void run(float[] input, int offset, float[] output) {
        FloatPointer in = interpreter.typed_input_tensor_float(0);
        in.put(input, offset, inputSize);
        check(interpreter.Invoke(), "invoke");
        FloatPointer out = interpreter.typed_output_tensor_float(0);
        out.get(output, 0, outputSize);
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

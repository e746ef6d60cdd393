package io.segstream.inference.onnx;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.OrtSession;
import io.segstream.inference.EngineChoice;
import io.segstream.inference.EngineUnavailableException;
import io.segstream.inference.InferenceEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A model loaded through DJL's OnnxRuntime engine with session options built here
 * ({@link SessionConfig}: threads, graph optimisation, and the TensorRT and CUDA execution
 * providers for the GPU engines), handed to DJL as {@code sessionOptions}. The model is loaded on
 * DJL's CPU device so that DJL adds no provider of its own; ONNX Runtime moves tensors to the GPU.
 * DJL predictors are not thread-safe, so each concurrent caller borrows one from a small pool.
 */
final class OrtEngine implements InferenceEngine {
    static {
        // DJL must never reach the network: no model zoo, no native-library downloads.
        System.setProperty("ai.djl.offline", "true");
        // Every tensor operation the pipeline needs is inside the model: DJL's OnnxRuntime engine must
        // not look for an "alternative engine" for NDArray operations.
        System.setProperty("ai.djl.onnx.disable_alternative", "true");
    }

    private final Model model;
    private final BlockingQueue<Predictor<ModelBatch, float[]>> predictors;
    private final long[] itemShape;
    private final long itemSize;
    private final String description;
    private final EngineChoice choice;

    OrtEngine(EngineChoice choice, Path onnxFile, long[] itemShape, OrtSession.SessionOptions options,
            int predictorCount, String description) {
        this.choice = choice;
        Model loaded = Model.newInstance(onnxFile.getFileName().toString(), Device.cpu(), "OnnxRuntime");
        try {
            loaded.load(onnxFile, onnxFile.getFileName().toString(), Map.of("sessionOptions", options));
        } catch (MalformedModelException | IOException | RuntimeException e) {
            loaded.close();
            throw new EngineUnavailableException("ONNX Runtime cannot load " + onnxFile + " (" + description + "): "
                    + rootMessage(e), e);
        }
        this.model = loaded;
        this.predictors = new ArrayBlockingQueue<>(predictorCount);
        for (int i = 0; i < predictorCount; i++) {
            predictors.add(model.newPredictor(new BatchTranslator()));
        }
        this.itemShape = itemShape.clone();
        this.itemSize = Arrays.stream(itemShape).reduce(1, (a, b) -> a * b);
        this.description = "ONNX Runtime " + model.getNDManager().getEngine().getVersion() + ", " + description;
    }

    @Override
    public float[] infer(float[] input, int batch) {
        long[] shape = new long[itemShape.length + 1];
        shape[0] = batch;
        System.arraycopy(itemShape, 0, shape, 1, itemShape.length);
        long expected = batch * itemSize;
        float[] data = input.length == expected ? input : Arrays.copyOf(input, (int) expected);
        Predictor<ModelBatch, float[]> predictor;
        try {
            predictor = predictors.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a predictor", e);
        }
        try {
            return predictor.predict(new ModelBatch(data, shape));
        } catch (TranslateException e) {
            throw new IllegalStateException("inference on a batch of " + batch + " failed: " + e.getMessage(), e);
        } finally {
            predictors.add(predictor);
        }
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public EngineChoice choice() {
        return choice;
    }

    @Override
    public void close() {
        predictors.forEach(Predictor::close);
        model.close();
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
}

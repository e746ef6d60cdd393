package io.segstream.inference;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A model loaded through DJL (Criteria + Predictor + {@link BatchTranslator}) on one engine.
 * DJL predictors are not thread-safe, so each concurrent caller borrows one from a small pool.
 */
final class DjlEngine implements InferenceEngine {
    private final ZooModel<ModelBatch, float[]> model;
    private final BlockingQueue<Predictor<ModelBatch, float[]>> predictors;
    private final long[] itemShape;
    private final String description;

    DjlEngine(String engineName, Path onnxFile, long[] itemShape, Device device, int threads, int predictorCount) {
        Criteria.Builder<ModelBatch, float[]> criteria = Criteria.builder()
                .setTypes(ModelBatch.class, float[].class)
                .optModelPath(onnxFile)
                .optEngine(engineName)
                .optDevice(device)
                .optTranslator(new BatchTranslator());
        if ("OnnxRuntime".equals(engineName)) {
            criteria.optOption("intraOpNumThreads", Integer.toString(threads))
                    .optOption("interOpNumThreads", "1")
                    .optOption("optLevel", "ALL_OPT");
        }
        try {
            this.model = criteria.build().loadModel();
        } catch (ModelNotFoundException | MalformedModelException | IOException e) {
            throw new EngineUnavailableException(engineName + " cannot load " + onnxFile + ": " + e.getMessage(), e);
        }
        this.predictors = new ArrayBlockingQueue<>(predictorCount);
        for (int i = 0; i < predictorCount; i++) {
            predictors.add(model.newPredictor());
        }
        this.itemShape = itemShape.clone();
        this.description = engineName + " " + model.getNDManager().getEngine().getVersion() + " on " + device
                + (device.isGpu() ? "" : ", " + threads + " threads");
    }

    @Override
    public float[] infer(float[] input, int batch) {
        long[] shape = new long[itemShape.length + 1];
        shape[0] = batch;
        System.arraycopy(itemShape, 0, shape, 1, itemShape.length);
        long expected = batch * Arrays.stream(itemShape).reduce(1, (a, b) -> a * b);
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
    public void close() {
        predictors.forEach(Predictor::close);
        model.close();
    }
}

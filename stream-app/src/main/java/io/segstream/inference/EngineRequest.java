package io.segstream.inference;

import java.nio.file.Path;

/**
 * What an engine is asked to load: the model (its ONNX file, id and precision), one input's shape,
 * CPU threads, how many callers may infer at once, and the GPU engines' options.
 *
 * @param modelId the model card's id (keys the TensorRT engine cache)
 * @param int8 the model is 8-bit QDQ (TensorRT then builds int8 kernels)
 * @param fp16 TensorRT may use half precision for float layers
 * @param engineCache where TensorRT keeps built engines, or null for no cache
 */
public record EngineRequest(Path onnxFile, String modelId, boolean int8, long[] itemShape, int threads,
        int concurrentCallers, boolean fp16, Path engineCache) {
    public EngineRequest {
        if (threads < 1 || concurrentCallers < 1) {
            throw new IllegalArgumentException("threads and callers must be at least 1, were " + threads + " and "
                    + concurrentCallers);
        }
        itemShape = itemShape.clone();
    }

    /**
     * The request for an imported model: its card says its id and precision.
     *
     * @param modelDir a directory made by {@code segstream model import}
     */
    public static EngineRequest forModel(Path modelDir, io.segstream.model.ModelCard card, int threads, int callers,
            boolean fp16, Path engineCache) {
        boolean int8 = card.source() != null && "int8".equals(card.source().precision());
        return new EngineRequest(modelDir.resolve(io.segstream.model.ModelImporter.MODEL_FILE), card.id(), int8,
                card.input().itemShape(), threads, callers, fp16, engineCache);
    }

    /** A CPU request for a float model with no GPU options. */
    public static EngineRequest cpu(Path onnxFile, long[] itemShape, int threads) {
        return new EngineRequest(onnxFile, onnxFile.getFileName().toString(), false, itemShape, threads, 1, false,
                null);
    }
}

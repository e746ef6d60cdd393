package io.segstream.inference;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens an {@link InferenceEngine} for an {@link EngineKind}, explaining the choice and any absence. */
public final class Engines {
    private static final Logger LOG = LoggerFactory.getLogger(Engines.class);

    static {
        // DJL must never reach the network: no model zoo, no native-library downloads.
        System.setProperty("ai.djl.offline", "true");
        // DJL's default engine is the highest-ranked one it finds (TensorRT) and ONNX Runtime asks for it
        // as an "alternative engine" when it creates its first NDManager; where TensorRT's libraries are
        // absent that load fails. The pipeline needs no alternative engine: every tensor op it does is
        // inside the model.
        System.setProperty("ai.djl.default_engine", "OnnxRuntime");
        System.setProperty("ai.djl.onnx.disable_alternative", "true");
        System.setProperty("ai.djl.tensorrt.disable_alternative", "true");
    }

    private Engines() {}

    /**
     * @param onnxFile the model
     * @param itemShape one input's shape without the batch dimension
     * @param threads CPU threads for ONNX Runtime
     * @param concurrentCallers how many threads may call {@code infer} at once
     */
    public static InferenceEngine open(EngineKind kind, Path onnxFile, long[] itemShape, int threads,
            int concurrentCallers) {
        switch (kind) {
            case ONNXRUNTIME:
                return new DjlEngine("OnnxRuntime", onnxFile, itemShape, Device.cpu(), threads, concurrentCallers);
            case TENSORRT:
                requireTensorRt();
                return new DjlEngine("TensorRT", onnxFile, itemShape, Device.gpu(), threads, concurrentCallers);
            case AUTO:
            default:
                String reason = tensorRtAbsence();
                if (reason == null) {
                    LOG.info("--engine auto picked TensorRT: {} GPU(s), CUDA {}", CudaUtils.getGpuCount(),
                            CudaUtils.getCudaVersionString());
                    return new DjlEngine("TensorRT", onnxFile, itemShape, Device.gpu(), threads, concurrentCallers);
                }
                LOG.info("--engine auto picked ONNX Runtime on the CPU ({})", reason);
                return new DjlEngine("OnnxRuntime", onnxFile, itemShape, Device.cpu(), threads, concurrentCallers);
        }
    }

    private static void requireTensorRt() {
        String reason = tensorRtAbsence();
        if (reason != null) {
            throw new EngineUnavailableException("--engine tensorrt cannot run here: " + reason
                    + ". Use --engine onnxruntime (or auto) on this machine.", null);
        }
    }

    /** Why TensorRT cannot run here, or null when it can. */
    static String tensorRtAbsence() {
        if (!CudaUtils.hasCuda() || CudaUtils.getGpuCount() == 0) {
            return "no NVIDIA GPU with a CUDA driver was found";
        }
        try {
            Engine.getEngine("TensorRT");
            return null;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            return "TensorRT 8.4 (the version DJL 0.33's TensorRT engine links against) is not installed: "
                    + root.getMessage();
        }
    }
}

package io.segstream.inference.onnx;

import ai.djl.util.cuda.CudaUtils;
import io.segstream.inference.EngineChoice;
import io.segstream.inference.EngineProvider;
import io.segstream.inference.EngineRequest;
import io.segstream.inference.EngineUnavailableException;
import io.segstream.inference.InferenceEngine;

/**
 * ONNX Runtime's TensorRT provider through DJL (onnxruntime_gpu with TensorRT 10), on GPU 0, CUDA
 * after it for what TensorRT does not take: fp16 on request, int8 for QDQ models, serialized engines
 * cached per model, GPU and TensorRT version.
 */
public final class TensorRtProvider implements EngineProvider {
    /** {@code --engine tensorrt}. */
    static final EngineChoice CHOICE = new EngineChoice("tensorrt");

    @Override
    public EngineChoice choice() {
        return CHOICE;
    }

    @Override
    public int rank() {
        return 20;
    }

    @Override
    public Availability availability() {
        return GpuRequirements.tensorRt();
    }

    @Override
    public InferenceEngine open(EngineRequest request) {
        Availability a = availability();
        if (!a.available()) {
            throw new EngineUnavailableException("--engine tensorrt cannot run here: " + a.reason(), null);
        }
        String gpu = gpuName();
        String version = GpuRequirements.tensorRtVersion();
        String precision = request.int8() ? "int8" : (request.fp16() ? "fp16" : "fp32");
        return new OrtEngine(CHOICE, request.onnxFile(), request.itemShape(), SessionConfig.tensorRt(request, gpu, version),
                request.concurrentCallers(), "TensorRT " + version + " (" + precision + ") on GPU 0 (" + gpu + ")"
                        + (request.engineCache() == null ? "" : ", engines cached in "
                                + SessionConfig.engineCacheDir(request, gpu, version)));
    }

    /** The GPU's architecture, which a serialized engine is tied to ("sm90"). */
    static String gpuName() {
        try {
            return "sm" + CudaUtils.getComputeCapability(0);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return "gpu0";
        }
    }
}

package io.segstream.inference.onnx;

import io.segstream.inference.EngineChoice;
import io.segstream.inference.EngineProvider;
import io.segstream.inference.EngineRequest;
import io.segstream.inference.EngineUnavailableException;
import io.segstream.inference.InferenceEngine;

/** ONNX Runtime's CUDA provider through DJL (onnxruntime_gpu: CUDA 12, cuDNN 9), on GPU 0. */
public final class CudaProvider implements EngineProvider {
    /** {@code --engine cuda}. */
    static final EngineChoice CHOICE = new EngineChoice("cuda");

    @Override
    public EngineChoice choice() {
        return CHOICE;
    }

    @Override
    public int rank() {
        return 10;
    }

    @Override
    public Availability availability() {
        return GpuRequirements.cuda();
    }

    @Override
    public InferenceEngine open(EngineRequest request) {
        Availability a = availability();
        if (!a.available()) {
            throw new EngineUnavailableException("--engine cuda cannot run here: " + a.reason(), null);
        }
        return new OrtEngine(CHOICE, request.onnxFile(), request.itemShape(), SessionConfig.cuda(request),
                request.concurrentCallers(), "CUDA on GPU 0");
    }
}

package io.segstream.inference.onnx;

import io.segstream.inference.EngineChoice;
import io.segstream.inference.EngineProvider;
import io.segstream.inference.EngineRequest;
import io.segstream.inference.InferenceEngine;

/** ONNX Runtime's CPU provider through DJL: runs everywhere this build runs. */
public final class CpuProvider implements EngineProvider {
    @Override
    public EngineChoice choice() {
        return EngineChoice.CPU;
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public Availability availability() {
        return Availability.yes(Runtime.getRuntime().availableProcessors() + " CPU cores");
    }

    @Override
    public InferenceEngine open(EngineRequest request) {
        return new OrtEngine(EngineChoice.CPU, request.onnxFile(), request.itemShape(), SessionConfig.cpu(request),
                request.concurrentCallers(), "CPU, " + request.threads() + " threads");
    }
}

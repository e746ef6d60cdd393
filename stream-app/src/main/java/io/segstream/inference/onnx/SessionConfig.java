package io.segstream.inference.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import io.segstream.inference.EngineRequest;
import io.segstream.inference.EngineUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ONNX Runtime session options of each engine: CPU threads that sleep rather than spin between
 * operators, and full graph optimisation, for all; the CUDA execution provider for {@code cuda}; the TensorRT provider (with CUDA after it for
 * what TensorRT does not take) for {@code tensorrt}, with fp16 on request, int8 for QDQ models and
 * an engine cache so that a restart does not rebuild engines.
 */
final class SessionConfig {
    private SessionConfig() {}

    /**
     * ONNX Runtime's key for whether its intra-op threads spin while they wait for the next
     * operator's work. They spin by default, which pays on a host that runs nothing else; a
     * processor shares its cores with its own CRF and Kafka threads, and often with ingest and a
     * broker. With spinning off, inference took 8-18% fewer core-ms per frame and a live 720p camera
     * got 6-16% more segmented frames/s, while batch mode kept its rate (benchmarks/RESULTS.md,
     * "ONNX Runtime's threads sleep instead of spinning").
     */
    static final String ALLOW_SPINNING = "session.intra_op.allow_spinning";

    /** Options for the CPU provider alone. */
    static OrtSession.SessionOptions cpu(EngineRequest request) {
        try {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(request.threads());
            options.setInterOpNumThreads(1);
            options.addConfigEntry(ALLOW_SPINNING, "0");
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return options;
        } catch (OrtException e) {
            throw new EngineUnavailableException("ONNX Runtime refused its CPU session options: " + e.getMessage(), e);
        }
    }

    /** Options for the CUDA provider on GPU 0, CPU for the rest. */
    static OrtSession.SessionOptions cuda(EngineRequest request) {
        OrtSession.SessionOptions options = cpu(request);
        try {
            options.addCUDA(0);
            return options;
        } catch (OrtException e) {
            options.close();
            throw new EngineUnavailableException("ONNX Runtime's CUDA provider cannot start here: " + e.getMessage(), e);
        }
    }

    /** Options for the TensorRT provider on GPU 0, then CUDA, then CPU. */
    static OrtSession.SessionOptions tensorRt(EngineRequest request, String gpu, String trtVersion) {
        OrtSession.SessionOptions options = cpu(request);
        try {
            options.addTensorrt(tensorRtOptions(request, gpu, trtVersion));
            options.addCUDA(0);
            return options;
        } catch (OrtException e) {
            options.close();
            throw new EngineUnavailableException("ONNX Runtime's TensorRT provider cannot start here: "
                    + e.getMessage(), e);
        }
    }

    /** The TensorRT provider's options object, as handed to ONNX Runtime. */
    static OrtTensorRTProviderOptions tensorRtOptions(EngineRequest request, String gpu, String trtVersion)
            throws OrtException {
        OrtTensorRTProviderOptions trt = new OrtTensorRTProviderOptions(0);
        for (Map.Entry<String, String> e : tensorRtSettings(request, gpu, trtVersion).entrySet()) {
            trt.add(e.getKey(), e.getValue());
        }
        return trt;
    }

    /**
     * The TensorRT provider's settings (ONNX Runtime's key names): precision, and the engine and
     * timing caches in a directory per model, GPU and TensorRT version.
     */
    static Map<String, String> tensorRtSettings(EngineRequest request, String gpu, String trtVersion) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("device_id", "0");
        s.put("trt_fp16_enable", request.fp16() ? "1" : "0");
        s.put("trt_int8_enable", request.int8() ? "1" : "0");
        if (request.engineCache() != null) {
            Path dir = engineCacheDir(request, gpu, trtVersion);
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new EngineUnavailableException("cannot create the TensorRT engine cache " + dir + ": "
                        + e.getMessage(), e);
            }
            s.put("trt_engine_cache_enable", "1");
            s.put("trt_engine_cache_path", dir.toString());
            s.put("trt_timing_cache_enable", "1");
            s.put("trt_timing_cache_path", dir.toString());
        } else {
            s.put("trt_engine_cache_enable", "0");
        }
        return s;
    }

    /** {@code CACHE/MODEL-ID/GPU-trtVERSION}: engines built for one model on one GPU with one TensorRT. */
    static Path engineCacheDir(EngineRequest request, String gpu, String trtVersion) {
        String model = request.modelId().replaceAll("[^A-Za-z0-9._@-]", "_");
        return request.engineCache().resolve(model).resolve(gpu.replaceAll("[^A-Za-z0-9._-]", "_") + "-trt"
                + trtVersion);
    }
}

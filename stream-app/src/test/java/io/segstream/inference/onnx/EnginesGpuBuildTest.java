package io.segstream.inference.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.inference.EngineChoice;
import io.segstream.inference.EngineProvider;
import io.segstream.inference.EngineRequest;
import io.segstream.inference.EngineUnavailableException;
import io.segstream.inference.Engines;
import io.segstream.inference.InferenceEngine;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU build's engines (onnxruntime_gpu on the class path; the build runs this class in a
 * surefire execution of its own) on a machine that has no NVIDIA driver, as CI's has none: the GPU
 * providers are compiled in, refuse to start naming the missing library, {@code auto} falls back to
 * the CPU, and the TensorRT options handed to ONNX Runtime carry what was configured.
 */
class EnginesGpuBuildTest {
    @TempDir
    static Path work;
    static ModelCard card;

    @BeforeAll
    static void importModel() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("segstream.gpu.build"),
                "skipped: runs in the build's gpu-build test execution, with onnxruntime_gpu on the class path");
        card = ModelImporter.importModel(SharedData.path(Assets.DEEPLAB_ONNX), work.resolve("model"),
                ModelImporter.Options.none());
    }

    static boolean hasNvidiaDriver() {
        return NativeLibraries.find(GpuRequirements.DRIVER).isPresent();
    }

    @Test
    void thisOnnxRuntimeCarriesTheCudaAndTensorRtProviders() {
        assertTrue(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                OrtEnvironment.getAvailableProviders().toString());
        assertTrue(OrtEnvironment.getAvailableProviders().contains(OrtProvider.TENSOR_RT),
                OrtEnvironment.getAvailableProviders().toString());
    }

    @Test
    void cudaAndTensorRtRefuseToStartNamingTheMissingLibrary() {
        if (hasNvidiaDriver()) {
            System.out.println("skipped: this machine has an NVIDIA driver; the refusals are checked on machines "
                    + "without one");
            return;
        }
        for (EngineChoice choice : new EngineChoice[] {CudaProvider.CHOICE, TensorRtProvider.CHOICE}) {
            EngineUnavailableException e = assertThrows(EngineUnavailableException.class, () -> Engines.open(choice,
                    EngineRequest.forModel(work.resolve("model"), card, 1, 1, false, null)));
            assertTrue(e.getMessage().contains("--engine " + choice.label() + " cannot run here: no NVIDIA driver: "
                    + "libcuda.so.1 was not found"), e.getMessage());
        }
    }

    @Test
    void autoFallsBackToTheCpu() throws Exception {
        try (InferenceEngine engine = Engines.open(EngineChoice.AUTO,
                EngineRequest.forModel(work.resolve("model"), card, 2, 1, false, null))) {
            if (!hasNvidiaDriver()) {
                assertTrue(engine.description().contains("CPU"), engine.description());
            }
            assertEquals(21 * 33 * 33, engine.infer(new float[257 * 257 * 3], 1).length);
        }
    }

    @Test
    void theTensorRtOptionsCarryPrecisionAndTheEngineCache() throws Exception {
        Path cache = work.resolve("trt-cache");
        EngineRequest request = new EngineRequest(work.resolve("model/model.onnx"), "voc513@abcd1234", true,
                new long[] {3, 513, 513}, 2, 1, true, cache);
        Path expectedDir = cache.resolve("voc513@abcd1234").resolve("sm90-trt10.3.0");
        try (OrtTensorRTProviderOptions options = SessionConfig.tensorRtOptions(request, "sm90", "10.3.0")) {
            String given = options.getOptionsString();
            assertTrue(given.contains("trt_fp16_enable=1"), given);
            assertTrue(given.contains("trt_int8_enable=1"), given);
            assertTrue(given.contains("trt_engine_cache_enable=1"), given);
            assertTrue(given.contains("trt_engine_cache_path=" + expectedDir), given);
            assertTrue(given.contains("trt_timing_cache_path=" + expectedDir), given);
            // ONNX Runtime itself takes these options (it validates every key when they are applied); on a
            // machine without TensorRT the provider then fails to load its libraries, which is all that is left.
            try (OrtSession.SessionOptions session = new OrtSession.SessionOptions()) {
                if (!hasNvidiaDriver()) {
                    Exception e = assertThrows(Exception.class, () -> session.addTensorrt(options));
                    assertFalse(e.getMessage().contains("Unknown") || e.getMessage().contains("unknown"),
                            "an option key was refused: " + e.getMessage());
                    System.out.println("TensorRT provider on this machine: " + e.getMessage());
                }
            }
        }
        EngineRequest plain = new EngineRequest(work.resolve("model/model.onnx"), "m", false, new long[] {3, 4, 4}, 1,
                1, false, null);
        String off = SessionConfig.tensorRtOptions(plain, "sm90", "10").getOptionsString();
        assertTrue(off.contains("trt_fp16_enable=0") && off.contains("trt_int8_enable=0")
                && off.contains("trt_engine_cache_enable=0"), off);
    }

    @Test
    void enginesListsEachWithItsReason() {
        for (EngineProvider p : Engines.providers()) {
            EngineProvider.Availability a = p.availability();
            System.out.printf("%s: %s, %s%n", p.choice().label(), a.available() ? "can run" : "cannot run", a.reason());
            assertFalse(a.reason().isBlank());
        }
    }
}

package io.segstream.inference.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.segstream.inference.EngineProvider.Availability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What ONNX Runtime's GPU providers need on a host, checked in order, each failure naming what is
 * missing: a build of segstream with onnxruntime_gpu ({@code -Pgpu}), an NVIDIA driver with a GPU,
 * the CUDA 12 and cuDNN 9 libraries, and for TensorRT the TensorRT 10 libraries.
 */
final class GpuRequirements {
    /** The NVIDIA driver's user-space library. */
    static final String DRIVER = "libcuda.so.1";
    /** What onnxruntime_gpu 1.21's CUDA provider links against (CUDA 12, cuDNN 9). */
    static final List<String> CUDA_12 = List.of("libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12",
            "libcufft.so.11", "libcurand.so.10", "libcudnn.so.9");
    /** What its TensorRT provider links against (TensorRT 10). */
    static final List<String> TENSORRT_10 = List.of("libnvinfer.so.10", "libnvinfer_plugin.so.10",
            "libnvonnxparser.so.10");

    private GpuRequirements() {}

    /** Whether the CUDA provider can run here. */
    static Availability cuda() {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            return Availability.no("this build of segstream carries ONNX Runtime for CPUs only "
                    + "(com.microsoft.onnxruntime:onnxruntime); build it with -Pgpu for onnxruntime_gpu");
        }
        if (NativeLibraries.find(DRIVER).isEmpty()) {
            return Availability.no("no NVIDIA driver: " + DRIVER + " was not found (LD_LIBRARY_PATH, ldconfig -p, "
                    + "/usr/lib/x86_64-linux-gnu)");
        }
        if (!Files.exists(Path.of("/dev/nvidiactl")) && !Files.exists(Path.of("/proc/driver/nvidia/version"))) {
            return Availability.no("the NVIDIA driver is installed but no GPU is visible (/dev/nvidiactl is absent; in "
                    + "a container, pass the GPU with --gpus or the NVIDIA device plugin)");
        }
        List<String> missing = NativeLibraries.missing(CUDA_12);
        if (!missing.isEmpty()) {
            return Availability.no("CUDA 12 / cuDNN 9 libraries not found: " + String.join(", ", missing));
        }
        return Availability.yes("NVIDIA driver and CUDA 12 with cuDNN 9 found");
    }

    /** Whether the TensorRT provider can run here (it needs the CUDA provider's libraries too). */
    static Availability tensorRt() {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.TENSOR_RT)) {
            return Availability.no("this build of segstream carries ONNX Runtime for CPUs only "
                    + "(com.microsoft.onnxruntime:onnxruntime); build it with -Pgpu for onnxruntime_gpu");
        }
        Availability cuda = cuda();
        if (!cuda.available()) {
            return cuda;
        }
        List<String> missing = NativeLibraries.missing(TENSORRT_10);
        if (!missing.isEmpty()) {
            return Availability.no("TensorRT 10 libraries not found: " + String.join(", ", missing));
        }
        return Availability.yes("TensorRT " + tensorRtVersion() + " found");
    }

    /** TensorRT's version from its library's file name, "10" when only the soname is known. */
    static String tensorRtVersion() {
        Optional<Path> lib = NativeLibraries.find(TENSORRT_10.get(0));
        return lib.map(p -> NativeLibraries.version(p, TENSORRT_10.get(0))).orElse("10");
    }
}

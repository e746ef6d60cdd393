package io.segstream.cli;

import io.segstream.inference.EngineProvider;
import io.segstream.inference.Engines;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "engines", mixinStandardHelpOptions = true,
        description = {"List the inference engines this build carries and whether each can run on this machine; when "
                + "one cannot, why (the missing library or driver, by name). --engine auto takes the first that can, "
                + "top down.",
            "A GPU host needs the GPU build (-Pgpu: onnxruntime_gpu), an NVIDIA driver, CUDA 12 and cuDNN 9 for cuda, "
                + "and TensorRT 10 as well for tensorrt."})
final class EnginesCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        for (EngineProvider provider : Engines.providers()) {
            EngineProvider.Availability a = provider.availability();
            System.out.printf("%-9s %s: %s%n", provider.choice().label(), a.available() ? "can run" : "cannot run",
                    a.reason());
        }
        return ExitCodes.OK;
    }
}

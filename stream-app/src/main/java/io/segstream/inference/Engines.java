package io.segstream.inference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens an {@link InferenceEngine} for an {@link EngineChoice} from the {@link EngineProvider}s on
 * the class path. {@code auto} tries them from the highest rank down (in this build TensorRT, CUDA,
 * CPU) and logs each refusal with its reason; a named choice that cannot run here fails with that
 * reason.
 */
public final class Engines {
    private static final Logger LOG = LoggerFactory.getLogger(Engines.class);

    private Engines() {}

    /** Every provider on the class path, highest rank first. */
    public static List<EngineProvider> providers() {
        List<EngineProvider> providers = new ArrayList<>();
        ServiceLoader.load(EngineProvider.class, Engines.class.getClassLoader()).forEach(providers::add);
        providers.sort(Comparator.comparingInt(EngineProvider::rank).reversed());
        return providers;
    }

    /** The names of the providers on the class path ({@link EngineProvider#choice()}), highest rank first. */
    public static List<String> names() {
        return providers().stream().map(p -> p.choice().label()).toList();
    }

    /** The engine for {@code choice}. */
    public static InferenceEngine open(EngineChoice choice, EngineRequest request) {
        List<EngineProvider> providers = providers();
        if (!choice.equals(EngineChoice.AUTO)) {
            EngineProvider provider = providers.stream().filter(p -> p.choice().equals(choice)).findFirst()
                    .orElseThrow(() -> new EngineUnavailableException("--engine " + choice.label()
                            + " is not in this build of segstream", null));
            EngineProvider.Availability a = provider.availability();
            if (!a.available()) {
                throw new EngineUnavailableException("--engine " + choice.label() + " cannot run here: " + a.reason(),
                        null);
            }
            return provider.open(request);
        }
        List<String> refused = new ArrayList<>();
        for (EngineProvider provider : providers) {
            EngineProvider.Availability a = provider.availability();
            if (!a.available()) {
                LOG.info("--engine auto: {} cannot run here: {}", provider.choice().label(), a.reason());
                refused.add(provider.choice().label() + ": " + a.reason());
                continue;
            }
            try {
                InferenceEngine engine = provider.open(request);
                LOG.info("--engine auto picked {}: {}", provider.choice().label(), engine.description());
                return engine;
            } catch (EngineUnavailableException e) {
                LOG.warn("--engine auto: {} failed to load the model: {}", provider.choice().label(), e.getMessage());
                refused.add(provider.choice().label() + ": " + e.getMessage());
            }
        }
        throw new EngineUnavailableException("no engine can run here: " + String.join("; ", refused), null);
    }

    /** The CPU engine: always available (what checks, tests and benchmarks use). */
    public static InferenceEngine cpu(EngineRequest request) {
        return open(EngineChoice.CPU, request);
    }

    /** The CPU engine for a float model file with one input of {@code itemShape}. */
    public static InferenceEngine cpu(java.nio.file.Path onnxFile, long[] itemShape, int threads) {
        return cpu(EngineRequest.cpu(onnxFile, itemShape, threads));
    }
}

package io.segstream.inference;

import java.util.ServiceLoader;

/**
 * One inference engine segstream can run a model on, found at run time through
 * {@link ServiceLoader} ({@code META-INF/services/io.segstream.inference.EngineProvider}), as DJL
 * finds its engines. Each says whether it can run on this machine and, when not, why: the missing
 * library or driver, by name. The topology never names a provider; it asks {@link Engines}.
 */
public interface EngineProvider {
    /** Whether the provider can run here, and why not. */
    record Availability(boolean available, String reason) {
        public static Availability yes(String detail) {
            return new Availability(true, detail);
        }

        public static Availability no(String reason) {
            return new Availability(false, reason);
        }
    }

    /** The {@code --engine} this provider serves. */
    EngineChoice choice();

    /** Order among providers for {@code auto}: higher is tried first. */
    int rank();

    /** Checks this machine (libraries, drivers, devices); cheap, loads no model. */
    Availability availability();

    /**
     * Loads the model.
     *
     * @throws EngineUnavailableException naming what is missing when it cannot run here
     */
    InferenceEngine open(EngineRequest request);
}

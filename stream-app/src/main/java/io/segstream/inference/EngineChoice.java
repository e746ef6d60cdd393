package io.segstream.inference;

import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The {@code --engine} choice: {@code auto}, for the first engine that can run here (highest
 * {@link EngineProvider#rank()} first), or the name of one {@link EngineProvider} found on the
 * class path ({@link Engines#names()}, what {@code segstream engines} lists). The names are the
 * providers' own, so a new engine is a provider and its line in the service file, nothing more.
 *
 * @param label the name, lower case ({@code auto}, {@code cpu}, ...)
 */
public record EngineChoice(String label) {
    /** The first engine that can run here. */
    public static final EngineChoice AUTO = new EngineChoice("auto");
    /** ONNX Runtime on the CPU: every build carries it (what checks, tests and benchmarks use). */
    public static final EngineChoice CPU = new EngineChoice("cpu");

    /** The name {@code onnxruntime} of earlier releases, now {@code cpu}. */
    private static final String OLD_CPU_NAME = "onnxruntime";

    /** @throws IllegalArgumentException unless {@code label} is a lower-case word ({@code a-z}, digits, {@code -}, {@code _}) */
    public EngineChoice {
        if (label == null || !label.matches("[a-z0-9_-]+")) {
            throw new IllegalArgumentException("engine name '" + label + "' is not a lower-case word");
        }
    }

    /**
     * Parses a choice, in any case; {@code onnxruntime}, the name of earlier releases, means
     * {@code cpu}.
     *
     * @throws IllegalArgumentException naming {@code auto} and the engines found when {@code value}
     *     is neither
     */
    public static EngineChoice parse(final String value) {
        final String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals(OLD_CPU_NAME)) {
            return CPU;
        }
        final List<String> names = names();
        if (!names.contains(v)) {
            throw new IllegalArgumentException("engine " + value + " is not one of " + String.join(", ", names));
        }
        return new EngineChoice(v);
    }

    /** {@code auto} and then every engine found on the class path, highest rank first. */
    public static List<String> names() {
        return Stream.concat(Stream.of(AUTO.label()), Engines.names().stream()).toList();
    }

    @Override
    public String toString() {
        return label;
    }
}

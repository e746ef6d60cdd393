package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.inference.EngineProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --engine} takes {@code auto} and whatever engines the ServiceLoader finds, no list of
 * ours: its help lists them, the {@code engine} setting accepts them, and an unknown name fails
 * naming the setting and them.
 */
class EngineOptionTest {
    private static final List<String> VERBS_WITH_ENGINE = List.of("run", "demo", "segment", "eval");

    /** What the ServiceLoader finds, highest rank first, after auto: asked here, not through segstream's code. */
    private static List<String> autoAndTheProvidersFound() {
        final List<String> names = new ArrayList<>(List.of("auto"));
        StreamSupport.stream(ServiceLoader.load(EngineProvider.class).spliterator(), false)
                .sorted(Comparator.comparingInt(EngineProvider::rank).reversed())
                .map(p -> p.choice().label())
                .forEach(names::add);
        return names;
    }

    private static OptionSpec engineOption(final CommandLine root, final String verb) {
        return root.getSubcommands().get(verb).getCommandSpec().findOption("--engine");
    }

    @Test
    void shouldOfferAutoAndEveryProviderFoundOnEachVerb() {
        final List<String> expected = autoAndTheProvidersFound();
        assertTrue(expected.size() > 1, "no engine provider found: " + expected);
        final CommandLine root = new CommandLine(new SegstreamCommand());
        for (final String verb : VERBS_WITH_ENGINE) {
            final List<String> offered = new ArrayList<>();
            engineOption(root, verb).completionCandidates().forEach(offered::add);
            assertEquals(expected, offered, verb + " --engine");
        }
    }

    @Test
    void shouldListTheEnginesFoundInEachVerbsHelp() {
        final String listed = String.join(", ", autoAndTheProvidersFound());
        final CommandLine root = new CommandLine(new SegstreamCommand());
        for (final String verb : VERBS_WITH_ENGINE) {
            final String help = root.getSubcommands().get(verb).getUsageMessage(CommandLine.Help.Ansi.OFF)
                    .replaceAll("\\s+", " ");
            assertTrue(help.contains("--engine=ENGINE " + listed + ": auto takes"), verb + " help:\n" + help);
        }
    }

    @Test
    void shouldAcceptEveryNameOfferedAsTheEngineSetting() {
        for (final String name : autoAndTheProvidersFound()) {
            final SegstreamConfig config = new SegstreamConfig(Map.of(SegstreamConfig.ENGINE, name.toUpperCase()));
            assertEquals(name, config.engine().label());
        }
    }

    @Test
    void shouldRejectAnUnknownEngineNamingTheSettingAndTheEnginesFound() {
        for (final String[] args : List.of(new String[] {"run", "-b", "127.0.0.1:1", "--engine", "openvino"},
                new String[] {"run", "-b", "127.0.0.1:1", "-X", "engine=openvino"},
                new String[] {"segment", "--engine", "openvino", "--input", "none.png", "--out", "none-out.png"})) {
            final CliRun r = CliRun.of(args);
            final String command = String.join(" ", args);
            assertEquals(1, r.code(), command + ": " + r.err());
            assertTrue(r.err().contains("openvino for configuration engine"), command + ": " + r.err());
            for (final String name : autoAndTheProvidersFound()) {
                assertTrue(r.err().contains(name), command + " should list " + name + ": " + r.err());
            }
            assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        }
    }
}

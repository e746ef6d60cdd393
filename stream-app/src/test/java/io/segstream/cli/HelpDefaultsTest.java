package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every default a help text states is the one in force: the ConfigDef's for segstream's settings,
 * and what the verb really does for the few defaults a verb sets itself. The expected values are
 * read from the declaration and the verbs, never from the help's own machinery.
 */
class HelpDefaultsTest {
    /** verb, option, setting, and how the option's help shows that setting's default. */
    private static final List<String[]> SETTING_DEFAULTS = List.of(
            new String[] {"run", "--model", SegstreamConfig.MODEL, "(default: %s;"},
            new String[] {"run", "--engine", SegstreamConfig.ENGINE, "(default: %s)."},
            new String[] {"run", "--fit", SegstreamConfig.FIT, "(default: %s)."},
            new String[] {"run", "--batch-max-size", SegstreamConfig.BATCH_MAX_SIZE, "(default: %s)."},
            new String[] {"run", "--batch-max-delay-ms", SegstreamConfig.BATCH_MAX_DELAY_MS, "(default: %s)."},
            new String[] {"run", "--max-frame-age-ms", SegstreamConfig.MAX_FRAME_AGE_MS, "(default: %s;"},
            new String[] {"run", "--crf", SegstreamConfig.CRF, "(default: %s;"},
            new String[] {"demo", "--engine", SegstreamConfig.ENGINE, "(default: %s)."},
            new String[] {"demo", "--batch-max-size", SegstreamConfig.BATCH_MAX_SIZE, "(default: %s)."},
            new String[] {"demo", "--view-port", SegstreamConfig.VIEW_PORT, "(default: view.port, %s;"},
            new String[] {"segment", "--engine", SegstreamConfig.ENGINE, "(default: the engine setting, %s)."},
            new String[] {"segment", "--crf", SegstreamConfig.CRF, "(default: the crf setting, %s);"},
            new String[] {"eval", "--crf", SegstreamConfig.CRF, "(default: the crf setting, %s);"},
            new String[] {"view", "--port", SegstreamConfig.VIEW_PORT, "(default: %s;"},
            new String[] {"view", "--bind", SegstreamConfig.VIEW_BIND, "(default: %s,"},
            new String[] {"ingest", "--topic", SegstreamConfig.FRAMES_TOPIC, "(default: frames.topic, '%s')."});

    private static final CommandLine ROOT = new CommandLine(new SegstreamCommand());

    private static String declaredDefault(final String setting) {
        final Object value = SegstreamConfig.CONFIG.defaultValues().get(setting);
        assertNotNull(value, setting + " has no declared default");
        return String.valueOf(value);
    }

    private static String help(final String verb, final String option) {
        final OptionSpec spec = ROOT.getSubcommands().get(verb).getCommandSpec().findOption(option);
        assertNotNull(spec, verb + " " + option);
        return String.join(" ", spec.renderedDescription());
    }

    private static String usage(final String verb) {
        return ROOT.getSubcommands().get(verb).getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
    }

    @Test
    void shouldShowTheDeclaredDefaultOfEachSettingAnOptionSets() {
        for (final String[] row : SETTING_DEFAULTS) {
            final String expected = String.format(row[3], declaredDefault(row[2]));
            final String text = help(row[0], row[1]);
            assertTrue(text.contains(expected), row[0] + " " + row[1] + " should say " + expected + ": " + text);
            assertTrue(usage(row[0]).contains(expected), row[0] + " --help should say " + expected);
        }
    }

    @Test
    void shouldShowTheViewsDeclaredAddressInItsDescription() {
        final String expected = "Listens on " + declaredDefault(SegstreamConfig.VIEW_BIND) + " unless --bind";
        assertTrue(usage("view").contains(expected), usage("view"));
    }

    @Test
    void shouldShowTheStreamThreadsTheProcessorIsGiven() {
        final Object threads = new KafkaSettings(new SegstreamConfig(Map.of()), Map.of()).streams("segstream")
                .get(StreamsConfig.NUM_STREAM_THREADS_CONFIG);
        final String expected = "(num.stream.threads; default: " + threads + ")";
        assertTrue(help("run", "--stream-threads").contains(expected), help("run", "--stream-threads"));
    }

    /** Run's metrics port and the brokers: what --print-config reports in force, with nothing set. */
    @Test
    void shouldShowTheMetricsPortAndBrokersRunUsesWhenNoneIsGiven() {
        final CliRun r = CliRun.of("run", "--print-config");
        assertEquals(0, r.code(), r.err());
        final String port = valueOf(r.out(), SegstreamConfig.METRICS_PORT);
        final String brokers = valueOf(r.out(), "bootstrap.servers");
        assertTrue(help("run", "--metrics-port").contains("(default: " + port + ";"), help("run", "--metrics-port"));
        assertTrue(help("run", "--bootstrap-servers").contains("else " + brokers + ")."),
                help("run", "--bootstrap-servers"));
    }

    @Test
    void shouldLeaveNoVariableUnresolvedInAnyHelp() {
        for (final String verb : ROOT.getSubcommands().keySet()) {
            final String text = usage(verb);
            assertFalse(text.contains("${"), verb + " --help: " + text);
            // picocli shows a ${bundle:...} key the bundle lacks as null
            assertFalse(text.matches(".*\\bnull\\b.*"), verb + " --help: " + text);
        }
        assertFalse(ROOT.getUsageMessage(CommandLine.Help.Ansi.OFF).contains("${"));
    }

    private static String valueOf(final String printedConfig, final String key) {
        return printedConfig.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError(key + " not printed:\n" + printedConfig));
    }
}

package io.segstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/'s Prometheus files as Prometheus's own tool reads them: the compose scrape file (with the
 * rules where compose.monitoring.yaml mounts them) passes {@code promtool check config}, the rule
 * file {@code promtool check rules}, and its unit tests {@code promtool test rules}, in which every
 * alert fires for one camera or processor and stays quiet for another. Every alert has a {@code for:}
 * duration, a severity and a summary naming its camera or processor. The promtool checks are skipped
 * with one line where promtool is absent (Debian's prometheus package has it).
 */
@Tag("integration")
class PrometheusRulesTest {
    static final Path RULES = Podman.ROOT.resolve("deploy/prometheus/segstream.rules.yml");
    static final Path RULE_TESTS = Podman.ROOT.resolve("deploy/prometheus/segstream.rules.test.yml");
    static final Path SCRAPE = Podman.ROOT.resolve("deploy/compose/prometheus/prometheus.yml");

    @TempDir
    Path work;

    static void requirePromtool() {
        Podman.requireTool("promtool", "the Prometheus rules and scrape file are not checked");
    }

    private static void promtool(final String... args) {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Podman.Result result = Podman.run(Duration.ofMinutes(2), command.toArray(String[]::new));
        assertEquals(0, result.exit(), String.join(" ", command) + ":\n" + result.output());
    }

    @Test
    void theComposeScrapeFileWithItsRulesIsAValidPrometheusConfig() throws Exception {
        requirePromtool();
        // The layout compose.monitoring.yaml mounts: prometheus.yml with the rules under rules/.
        Files.createDirectories(work.resolve("rules"));
        Files.copy(SCRAPE, work.resolve("prometheus.yml"));
        Files.copy(RULES, work.resolve("rules/segstream.rules.yml"));
        promtool("check", "config", work.resolve("prometheus.yml").toString());
        String compose = Files.readString(Podman.ROOT.resolve("deploy/compose/compose.monitoring.yaml"));
        assertTrue(compose.contains("../prometheus/segstream.rules.yml:/etc/prometheus/rules/segstream.rules.yml"),
                "compose.monitoring.yaml mounts the rules where prometheus.yml looks for them");
    }

    @Test
    void theRulesPassPromtoolAndTheirUnitTests() {
        requirePromtool();
        promtool("check", "rules", RULES.toString());
        promtool("test", "rules", RULE_TESTS.toString());
    }

    @Test
    void everyAlertHasADurationASeverityASummaryNamingWhatFailedAndAUnitTestInWhichItFires() throws Exception {
        JsonNode rules = KubernetesManifestsTest.YAML.readTree(RULES.toFile());
        Set<String> alerts = new TreeSet<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (!rule.has("alert")) {
                    assertTrue(rule.path("record").asText().matches("\\w+:segstream_\\w+:\\w+"),
                            "recording rule names follow level:metric:operations: " + rule);
                    continue;
                }
                String name = rule.path("alert").asText();
                alerts.add(name);
                assertTrue(rule.path("for").asText().matches("\\d+[smh]"), name + " has a for: duration");
                assertTrue(Set.of("critical", "warning").contains(rule.path("labels").path("severity").asText()),
                        name + " has a severity");
                String summary = rule.path("annotations").path("summary").asText();
                assertTrue(summary.contains("{{ $labels.camera }}") || summary.contains("{{ $labels.instance }}"),
                        name + "'s summary names the camera (or the processor): " + summary);
                assertFalse(rule.path("annotations").path("description").asText().isEmpty(), name);
            }
        }
        assertEquals(10, alerts.size(), alerts.toString());
        Set<String> fired = new TreeSet<>();
        for (JsonNode test : KubernetesManifestsTest.YAML.readTree(RULE_TESTS.toFile()).path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                if (!check.path("exp_alerts").isEmpty()) {
                    fired.add(check.path("alertname").asText());
                }
            }
        }
        assertEquals(alerts, fired, "every alert fires in a unit test");
    }
}

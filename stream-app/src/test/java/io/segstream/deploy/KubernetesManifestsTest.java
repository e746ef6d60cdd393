package io.segstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.segstream.config.ConfigLoader;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/k8s checked structurally: both overlays rendered by kustomize (kubectl's), every object
 * read into Kubernetes' own model (fabric8) with no field the model does not know, the recommended
 * labels, selectors that select, probes on the endpoints the processor serves, the GPU overlay's
 * nvidia.com/gpu limit, a ConfigMap that segstream's own loader accepts, Strimzi topics sized
 * alike, and for the Prometheus Operator a ServiceMonitor on the metrics Service and a PrometheusRule
 * holding deploy/prometheus/segstream.rules.yml's rules. That the cpu overlay runs is DeploymentIT's (podman kube play).
 */
@Tag("integration")
class KubernetesManifestsTest {
    static final ObjectMapper YAML = new YAMLMapper();
    static final List<String> RECOMMENDED = List.of("app.kubernetes.io/name", "app.kubernetes.io/instance",
            "app.kubernetes.io/version", "app.kubernetes.io/component", "app.kubernetes.io/part-of",
            "app.kubernetes.io/managed-by");

    @TempDir
    Path work;

    /** The overlay as {@code kubectl kustomize} renders it: one JSON tree per object. */
    static List<JsonNode> render(String overlay) throws Exception {
        Podman.Result rendered = Podman.run(Duration.ofMinutes(1), "kubectl", "kustomize",
                "deploy/k8s/overlays/" + overlay);
        assertEquals(0, rendered.exit(), rendered.output());
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(rendered.output())) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    static void requireKubectl() {
        Podman.requireTool("kubectl", "the Kubernetes manifests are not rendered (kubectl kustomize)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyObjectIsValidKubernetesWithTheRecommendedLabels(String overlay) throws Exception {
        requireKubectl();
        List<JsonNode> docs = render(overlay);
        List<String> kinds = docs.stream().map(d -> d.path("kind").asText()).sorted().toList();
        assertEquals(List.of("ConfigMap", "Deployment", "KafkaTopic", "KafkaTopic", "KafkaTopic", "KafkaUser",
                "PodDisruptionBudget", "PrometheusRule", "Service", "ServiceMonitor"), kinds);
        for (JsonNode doc : docs) {
            String kind = doc.path("kind").asText();
            Class<? extends HasMetadata> type = switch (kind) {
                case "ConfigMap" -> ConfigMap.class;
                case "Deployment" -> Deployment.class;
                case "Service" -> Service.class;
                case "PodDisruptionBudget" -> PodDisruptionBudget.class;
                case "PrometheusRule" -> PrometheusRule.class;
                case "ServiceMonitor" -> ServiceMonitor.class;
                default -> null;
            };
            JsonNode labels = doc.path("metadata").path("labels");
            assertEquals("segstream", labels.path("app.kubernetes.io/part-of").asText(), kind + " " + doc);
            if (type == null) {
                assertEquals("kafka.strimzi.io/v1beta2", doc.path("apiVersion").asText(), doc.toString());
                assertEquals("segstream", labels.path("strimzi.io/cluster").asText(), doc.toString());
                continue;
            }
            HasMetadata object = YAML.treeToValue(doc, type);
            List<String> unknown = new ArrayList<>();
            unknownFields(object, kind, unknown, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
            assertTrue(unknown.isEmpty(), overlay + ": fields Kubernetes does not know: " + unknown);
            assertEquals("segstream", object.getMetadata().getLabels().get("app.kubernetes.io/name"), kind);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void theProcessorIsProbedOnItsEndpointsSelectedByItsServiceAndBudgetAndConfiguredAsSegstreamReadsIt(
            String overlay) throws Exception {
        requireKubectl();
        List<JsonNode> docs = render(overlay);
        Deployment deployment = YAML.treeToValue(one(docs, "Deployment"), Deployment.class);
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        for (String label : RECOMMENDED) {
            assertNotNull(deployment.getMetadata().getLabels().get(label), "Deployment label " + label);
        }
        assertTrue(podLabels.entrySet().containsAll(deployment.getSpec().getSelector().getMatchLabels().entrySet()));
        Service service = YAML.treeToValue(one(docs, "Service"), Service.class);
        assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()));
        PodDisruptionBudget pdb = YAML.treeToValue(one(docs, "PodDisruptionBudget"), PodDisruptionBudget.class);
        assertTrue(podLabels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));

        Container processor = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(List.of("run", "--config", "/etc/segstream/config/segstream.properties"), processor.getArgs());
        assertEquals(9464, processor.getPorts().stream().filter(p -> "metrics".equals(p.getName())).findFirst()
                .orElseThrow().getContainerPort());
        probe(processor.getStartupProbe(), "/healthz");
        probe(processor.getLivenessProbe(), "/healthz");
        probe(processor.getReadinessProbe(), "/readyz");
        Map<String, Quantity> limits = processor.getResources().getLimits();
        if (overlay.equals("gpu")) {
            assertEquals(new Quantity("1"), limits.get("nvidia.com/gpu"), "the gpu overlay asks for one GPU");
            assertEquals("registry.example.com/segstream-gpu:0.1.0", processor.getImage());
            assertTrue(processor.getEnv().stream().anyMatch(e -> e.getName().equals("SEGSTREAM_ENGINE")
                    && "tensorrt".equals(e.getValue())));
        } else {
            assertTrue(limits.keySet().stream().noneMatch(k -> k.startsWith("nvidia.com")), limits.toString());
            assertEquals("registry.example.com/segstream:0.1.0", processor.getImage());
        }
        assertNotNull(processor.getResources().getRequests().get("cpu"));
        assertEquals(Boolean.TRUE, deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot());

        // The ConfigMap is a segstream settings file: its own loader takes it (a misspelt key would stop it).
        ConfigMap config = YAML.treeToValue(one(docs, "ConfigMap"), ConfigMap.class);
        Path file = work.resolve("segstream.properties");
        Files.writeString(file, config.getData().get("segstream.properties"));
        ConfigLoader.Loaded loaded = ConfigLoader.load(Map.of(), file, Map.of(), Map.of());
        assertEquals(9464, loaded.segstream().metricsPort());
        assertEquals("0.0.0.0", loaded.segstream().metricsBind());
        assertEquals("SASL_SSL", loaded.kafka().get("security.protocol"));

        // The topics the processor reads and writes, masks partitioned as frames.
        Map<String, JsonNode> topics = new java.util.HashMap<>();
        docs.stream().filter(d -> d.path("kind").asText().equals("KafkaTopic"))
                .forEach(d -> topics.put(d.path("metadata").path("name").asText(), d.path("spec")));
        assertEquals(Set.of(loaded.segstream().framesTopic(), loaded.segstream().masksTopic(),
                loaded.segstream().deadLetterTopic()), topics.keySet());
        assertEquals(topics.get("frames").path("partitions").asInt(), topics.get("masks").path("partitions").asInt());
        assertTrue(topics.get("frames").path("config").path("retention.ms").asLong() > 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void theServiceMonitorScrapesTheMetricsServiceAsJobSegstreamAndThePrometheusRuleHoldsTheShippedRules(
            String overlay) throws Exception {
        requireKubectl();
        List<JsonNode> docs = render(overlay);
        Service service = YAML.treeToValue(one(docs, "Service"), Service.class);
        ServiceMonitor monitor = YAML.treeToValue(one(docs, "ServiceMonitor"), ServiceMonitor.class);
        Map<String, String> serviceLabels = service.getMetadata().getLabels();
        assertTrue(serviceLabels.entrySet().containsAll(monitor.getSpec().getSelector().getMatchLabels().entrySet()),
                "the ServiceMonitor selects the metrics Service: " + monitor.getSpec().getSelector());
        assertEquals(1, monitor.getSpec().getEndpoints().size());
        Endpoint endpoint = monitor.getSpec().getEndpoints().get(0);
        assertEquals("/metrics", endpoint.getPath());
        assertTrue(service.getSpec().getPorts().stream().anyMatch(p -> p.getName().equals(endpoint.getPort())),
                "the ServiceMonitor's port is a port of the Service: " + endpoint.getPort());
        // The rules say job="segstream": the job label is taken from the Service's label of that value.
        assertEquals("segstream", serviceLabels.get(monitor.getSpec().getJobLabel()));
        Deployment deployment = YAML.treeToValue(one(docs, "Deployment"), Deployment.class);
        assertEquals(9464, deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
                .filter(p -> "metrics".equals(p.getName())).findFirst().orElseThrow().getContainerPort());

        JsonNode rule = one(docs, "PrometheusRule");
        PrometheusRule typed = YAML.treeToValue(rule, PrometheusRule.class);
        assertEquals(1, typed.getSpec().getGroups().size());
        JsonNode shipped = YAML.readTree(Podman.ROOT.resolve("deploy/prometheus/segstream.rules.yml").toFile());
        assertEquals(shipped.path("groups"), rule.path("spec").path("groups"),
                "the PrometheusRule holds deploy/prometheus/segstream.rules.yml's groups unchanged");
    }

    @Test
    void theComposeDashboardAsksOnlyForMetricsTheProcessorPublishesAndRecordsTheRulesMake() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Podman.ROOT.resolve(
                "deploy/compose/grafana/dashboards/segstream.json").toFile());
        List<String> names = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                var m = java.util.regex.Pattern.compile("(?<![\\w:])([\\w:]*segstream_[\\w:]+|kafka_\\w+)").matcher(
                        target.path("expr").asText());
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        assertTrue(names.size() >= 16, names.toString());
        // Names as the metrics package registers them (histograms add _bucket); records as the rules make them.
        String published = Files.readString(Podman.ROOT.resolve(
                "stream-app/src/main/java/io/segstream/metrics/PipelineMetrics.java"))
                + Files.readString(Podman.ROOT.resolve("stream-app/src/main/java/io/segstream/metrics/CameraMetrics.java"))
                + Files.readString(Podman.ROOT.resolve("stream-app/src/main/java/io/segstream/metrics/IngestMetrics.java"));
        String rules = Files.readString(Podman.ROOT.resolve("deploy/prometheus/segstream.rules.yml"));
        for (String name : names) {
            if (name.contains(":")) {
                assertTrue(rules.contains("- record: " + name + "\n"), name + " is not recorded by segstream.rules.yml");
                continue;
            }
            String base = name.replaceAll("_(bucket|sum|count)$", "").replaceAll("_(seconds|total)$", "")
                    .replaceFirst("^segstream_", "");
            if (name.startsWith("kafka_")) {
                assertEquals("kafka_consumer_fetch_manager_records_lag_max", name);
                continue;
            }
            assertTrue(published.contains("\"segstream." + base.replace('_', '.') + "\""),
                    name + " is not a metric the metrics package registers");
        }
    }

    private static void probe(Probe probe, String path) {
        assertNotNull(probe);
        assertEquals(path, probe.getHttpGet().getPath());
        assertEquals("metrics", probe.getHttpGet().getPort().getStrVal());
    }

    private static JsonNode one(List<JsonNode> docs, String kind) {
        List<JsonNode> found = docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
        assertEquals(1, found.size(), kind);
        return found.get(0);
    }

    /** Collects the fields each fabric8 object kept aside because its model has no such field. */
    private static void unknownFields(Object o, String where, List<String> unknown, Set<Object> seen)
            throws Exception {
        if (o == null || !seen.add(o)) {
            return;
        }
        if (o instanceof Collection<?> c) {
            for (Object item : c) {
                unknownFields(item, where + "[]", unknown, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                unknownFields(e.getValue(), where + "." + e.getKey(), unknown, seen);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")
                && !o.getClass().getName().startsWith("io.fabric8.openshift.api.model.monitoring")) {
            return;
        }
        for (Method method : o.getClass().getMethods()) {
            if (method.getParameterCount() != 0 || !method.getName().startsWith("get")
                    || method.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value = method.invoke(o);
            if (method.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(where + ": " + extra.keySet());
                }
                continue;
            }
            unknownFields(value, where + "." + method.getName().substring(3), unknown, seen);
        }
    }
}

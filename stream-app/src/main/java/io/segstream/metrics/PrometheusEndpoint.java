package io.segstream.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The Prometheus endpoint ({@code GET /metrics}, text format) of the processor (segstream's own
 * {@link PipelineMetrics}, Kafka Streams' client metrics with consumer lag, the JVM's) and of ingest
 * ({@link IngestMetrics}, the JVM's).
 * The same port answers container and Kubernetes probes: {@code /healthz} (200 while the process
 * serves) and {@code /readyz} (200 once the engine is loaded and Kafka Streams is RUNNING, 503 with
 * the reason before and during a rebalance or after a failure).
 */
public final class PrometheusEndpoint implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PrometheusEndpoint.class);
    private final PrometheusMeterRegistry registry;
    private final HttpServer server;
    private final AutoCloseable[] binders;

    private PrometheusEndpoint(PrometheusMeterRegistry registry, HttpServer server, AutoCloseable... binders) {
        this.registry = registry;
        this.server = server;
        this.binders = binders;
    }

    /**
     * The processor's endpoint.
     *
     * @param bind the address to listen on ({@code metrics.bind}); anything but loopback is warned about
     * @param port the port to listen on (0: any free one)
     * @throws UncheckedIOException naming {@code metrics.port} when the port cannot be bound
     */
    public static PrometheusEndpoint start(String bind, int port, PipelineMetrics pipeline, KafkaStreams streams,
            String engine) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        pipeline.bindTo(registry);
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        JvmGcMetrics gc = bindJvm(registry);
        // What /readyz answers, as a series too, so that a rule can say which processor is not ready.
        Gauge.builder("segstream.ready", streams,
                        s -> s.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 while /readyz answers 200 (engine loaded, Kafka Streams RUNNING), 0 otherwise")
                .register(registry);
        HttpServer server = serve(bind, port, registry, () -> {
            KafkaStreams.State state = streams.state();
            return state == KafkaStreams.State.RUNNING ? null : "engine " + engine + " loaded, Kafka Streams " + state;
        }, "engine " + engine + " loaded, Kafka Streams RUNNING");
        return new PrometheusEndpoint(registry, server, streamsMetrics, gc);
    }

    /**
     * The endpoint of {@code segstream ingest}: the camera's {@link IngestMetrics} and the JVM's;
     * {@code /readyz} answers 503 while the camera's stream is away.
     *
     * @throws UncheckedIOException naming {@code metrics.port} when the port cannot be bound
     */
    public static PrometheusEndpoint start(String bind, int port, IngestMetrics ingest) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ingest.bindTo(registry);
        JvmGcMetrics gc = bindJvm(registry);
        HttpServer server = serve(bind, port, registry, () -> ingest.up() ? null : String.format(java.util.Locale.ROOT,
                "camera '%s': stream away for %.0f s, reconnecting", ingest.camera(), ingest.downSeconds()),
                "camera '" + ingest.camera() + "': stream up");
        return new PrometheusEndpoint(registry, server, gc);
    }

    private static JvmGcMetrics bindJvm(PrometheusMeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return gc;
    }

    /** Serves /metrics, /healthz and /readyz; {@code notReady} gives the reason, or null when ready. */
    private static HttpServer serve(String bind, int port, PrometheusMeterRegistry registry,
            Supplier<String> notReady, String readyText) {
        HttpServer server;
        try {
            InetSocketAddress address = new InetSocketAddress(bind, port);
            if (address.isUnresolved()) {
                throw new IOException("metrics.bind " + bind + " is not an address of this machine");
            }
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("metrics.bind " + bind + " / metrics.port " + port + " cannot be bound ("
                    + e.getMessage() + "); choose another port, 0 for any free one, or -1 to turn the endpoint off", e);
        }
        if (!server.getAddress().getAddress().isLoopbackAddress()) {
            LOG.warn("metrics: listening on {}:{}, reachable from other machines (metrics.bind); the endpoint has no "
                    + "login", bind, server.getAddress().getPort());
        }
        server.createContext("/metrics", exchange -> reply(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape()));
        server.createContext("/healthz", exchange -> reply(exchange, 200, "text/plain; charset=utf-8", "alive\n"));
        server.createContext("/readyz", exchange -> {
            String why = notReady.get();
            reply(exchange, why == null ? 200 : 503, "text/plain; charset=utf-8",
                    (why == null ? "ready: " + readyText : "not ready: " + why) + "\n");
        });
        server.start();
        return server;
    }

    private static void reply(HttpExchange exchange, int status, String type, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) {
                out.write(body);
            }
        }
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        for (AutoCloseable binder : binders) {
            try {
                binder.close();
            } catch (Exception e) {
                LOG.debug("metrics: closing {}", binder, e);
            }
        }
        registry.close();
    }
}

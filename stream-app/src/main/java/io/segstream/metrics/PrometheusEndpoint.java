package io.segstream.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import org.apache.kafka.streams.KafkaStreams;

/**
 * The processor's Prometheus endpoint ({@code GET /metrics}, text format): segstream's own
 * {@link PipelineMetrics}, Kafka Streams' client metrics (consumer lag included) and the JVM's.
 * The same port answers container and Kubernetes probes: {@code /healthz} (200 while the process
 * serves) and {@code /readyz} (200 once the engine is loaded and Kafka Streams is RUNNING, 503 with
 * the reason before and during a rebalance or after a failure).
 */
public final class PrometheusEndpoint implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PrometheusEndpoint.class);
    private final PrometheusMeterRegistry registry;
    private final HttpServer server;
    private final KafkaStreamsMetrics streamsMetrics;
    private final JvmGcMetrics gcMetrics;

    private PrometheusEndpoint(PrometheusMeterRegistry registry, HttpServer server, KafkaStreamsMetrics streamsMetrics,
            JvmGcMetrics gcMetrics) {
        this.registry = registry;
        this.server = server;
        this.streamsMetrics = streamsMetrics;
        this.gcMetrics = gcMetrics;
    }

    /**
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
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
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
            KafkaStreams.State state = streams.state();
            boolean ready = state == KafkaStreams.State.RUNNING;
            reply(exchange, ready ? 200 : 503, "text/plain; charset=utf-8", (ready ? "ready" : "not ready")
                    + ": engine " + engine + " loaded, Kafka Streams " + state + "\n");
        });
        server.start();
        return new PrometheusEndpoint(registry, server, streamsMetrics, gc);
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
        streamsMetrics.close();
        gcMetrics.close();
        registry.close();
    }
}

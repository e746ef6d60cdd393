package io.segstream.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * The probes before Kafka Streams runs: a container is alive as soon as the endpoint serves, and
 * not ready (503, with the state) until Streams is RUNNING. RUNNING itself is asserted against a
 * real broker in PipelineIntegrationTest.
 */
class PrometheusEndpointTest {
    @Test
    void aliveAtOnceAndNotReadyBeforeKafkaStreamsRuns() throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "probe-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1"); // never started: never connects
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props);
                PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", 0, new PipelineMetrics(8), streams,
                        "cpu")) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> alive = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + endpoint.port() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, alive.statusCode());
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + endpoint.port() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, ready.statusCode(), ready.body());
            assertEquals("not ready: engine cpu loaded, Kafka Streams CREATED\n", ready.body());
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + endpoint.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(metrics.body().contains("\nsegstream_ready 0.0\n"), metrics.body());
        }
    }
}

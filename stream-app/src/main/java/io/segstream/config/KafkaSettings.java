package io.segstream.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Client settings for each Kafka role segstream plays: segstream's defaults (sized for frames,
 * exactly-once for the processor) under the user's own settings, which always win. Settings
 * meant for another client type are left out of each, so Kafka does not warn about them.
 */
public final class KafkaSettings {
    /** Room for the record and protobuf framing around a frame's pixels. */
    public static final int RECORD_OVERHEAD_BYTES = 64 * 1024;
    /** How long the group waits for a silent processor before moving its cameras (Kafka's default: 45 s). */
    public static final int SESSION_TIMEOUT_MS = 10_000;

    /** {@value}: the processor's num.stream.threads unless set; each thread has one frame in flight. */
    public static final int STREAM_THREADS = 4;

    private final SegstreamConfig config;
    private final Map<String, Object> user;

    public KafkaSettings(SegstreamConfig config, Map<String, Object> user) {
        this.config = config;
        this.user = Map.copyOf(user);
    }

    /** How long to wait for the cluster before giving up ({@code broker.timeout.ms}). */
    public java.time.Duration brokerTimeout() {
        return config.brokerTimeout();
    }

    /** The security protocol in force (Kafka's default is PLAINTEXT). */
    public String securityProtocol() {
        Object protocol = user.get(AdminClientConfig.SECURITY_PROTOCOL_CONFIG);
        String shown = protocol == null ? "PLAINTEXT" : protocol.toString();
        Object mechanism = user.get(org.apache.kafka.common.config.SaslConfigs.SASL_MECHANISM);
        return mechanism == null || !shown.startsWith("SASL") ? shown : shown + ", sasl.mechanism " + mechanism;
    }

    public String bootstrapServers() {
        Object servers = user.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        return servers == null ? null : servers.toString();
    }

    /** The largest record on the frames and dead-letter topics. */
    /** Bytes a processor's fetch brings per partition at most: several 1080p frames. */
    static final int FETCH_BYTES_PER_PARTITION = 32 * 1024 * 1024;

    public int maxRecordBytes() {
        return config.maxFrameBytes() + RECORD_OVERHEAD_BYTES;
    }

    /** Kafka Streams settings for {@code segstream run}. */
    public Properties streams(String defaultApplicationId) {
        Map<String, Object> p = new HashMap<>();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, defaultApplicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, STREAM_THREADS);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        // Kafka 5.0's default, adopted now (the topology has no global stores; this silences a warning).
        p.put("processing.exception.handler.global.enabled", true);
        // Frames are large and each takes milliseconds: buffer a few per partition, not Kafka's 1000.
        p.put("buffered.records.per.partition", 8);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 16);
        // A fetch brings several frames, not one: at Kafka's 1 MiB per partition a 1280x720 frame (1.38 MB) is
        // fetched alone, one round trip per frame, which held live mode's skips to ~50 frames/s
        // (benchmarks/RESULTS.md, "Live HD cameras").
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
                Math.max(FETCH_BYTES_PER_PARTITION, maxRecordBytes()));
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxRecordBytes());
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        // A processor that dies leaves its cameras unserved until the group notices: 10 s rather than Kafka's
        // 45 s (benchmarks/RELIABILITY.md, "What the session timeout buys"). Heartbeats run on their own
        // thread, so a long inference batch does not count against it; unprefixed, so -X overrides them.
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 3);
        p.putAll(user);
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    /**
     * {@link #streams} checked by Kafka Streams' own ConfigDef.
     *
     * @throws org.apache.kafka.common.config.ConfigException naming the setting, on a bad value
     */
    public StreamsConfig validatedStreams(String defaultApplicationId) {
        return new StreamsConfig(streams(defaultApplicationId));
    }

    /** Producer settings for {@code segstream ingest}: idempotent, acknowledged by all replicas, lz4. */
    public Map<String, Object> producer() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes());
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(64L * 1024 * 1024, 4L * maxRecordBytes()));
        // A send blocks at most this long for metadata or buffer space when the brokers are gone.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, brokerTimeout().toMillis());
        p.putAll(only(ProducerConfig.configNames()));
        return p;
    }

    /** Consumer settings for readers of masks and frames ({@code export}, the demo's summary). */
    public Map<String, Object> consumer() {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxRecordBytes());
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) brokerTimeout().toMillis());
        p.putAll(only(ConsumerConfig.configNames()));
        return p;
    }

    /** Admin settings: every call answers or fails within {@code broker.timeout.ms}. */
    public Map<String, Object> admin() {
        Map<String, Object> p = new HashMap<>();
        int timeout = (int) brokerTimeout().toMillis();
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeout, 30_000));
        p.putAll(only(AdminClientConfig.configNames()));
        return p;
    }

    private Map<String, Object> only(Set<String> names) {
        Map<String, Object> out = new HashMap<>();
        user.forEach((k, v) -> {
            if (names.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }
}

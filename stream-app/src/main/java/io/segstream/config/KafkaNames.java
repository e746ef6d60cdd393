package io.segstream.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** Which keys are Kafka's: every client and Streams setting Kafka declares, and Streams' client prefixes. */
final class KafkaNames {
    private static final Set<String> NAMES = new HashSet<>();
    private static final List<String> PREFIXES = List.of(StreamsConfig.CONSUMER_PREFIX, StreamsConfig.PRODUCER_PREFIX,
            StreamsConfig.ADMIN_CLIENT_PREFIX, StreamsConfig.MAIN_CONSUMER_PREFIX, StreamsConfig.RESTORE_CONSUMER_PREFIX,
            StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.TOPIC_PREFIX);

    static {
        NAMES.addAll(ProducerConfig.configNames());
        NAMES.addAll(ConsumerConfig.configNames());
        NAMES.addAll(AdminClientConfig.configNames());
        NAMES.addAll(StreamsConfig.configDef().names());
    }

    private KafkaNames() {}

    static boolean isKafkaSetting(String key) {
        return NAMES.contains(key) || PREFIXES.stream().anyMatch(key::startsWith);
    }
}

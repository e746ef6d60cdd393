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
    /** Settings Kafka declares as passwords (sasl.jaas.config, ssl.*.password, ...). */
    private static final Set<String> SECRETS = new HashSet<>();
    /** Names that hold secrets whoever declares them. */
    private static final java.util.regex.Pattern SECRET_NAME =
            java.util.regex.Pattern.compile("(?i).*(password|secret|jaas|token|credential|private|\\.key$).*");
    private static final List<String> PREFIXES = List.of(StreamsConfig.CONSUMER_PREFIX, StreamsConfig.PRODUCER_PREFIX,
            StreamsConfig.ADMIN_CLIENT_PREFIX, StreamsConfig.MAIN_CONSUMER_PREFIX, StreamsConfig.RESTORE_CONSUMER_PREFIX,
            StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.TOPIC_PREFIX);

    static {
        NAMES.addAll(ProducerConfig.configNames());
        NAMES.addAll(ConsumerConfig.configNames());
        NAMES.addAll(AdminClientConfig.configNames());
        NAMES.addAll(StreamsConfig.configDef().names());
        for (org.apache.kafka.common.config.ConfigDef def : List.of(ProducerConfig.configDef(),
                ConsumerConfig.configDef(), AdminClientConfig.configDef(), StreamsConfig.configDef())) {
            def.configKeys().values().stream().filter(k -> k.type == org.apache.kafka.common.config.ConfigDef.Type.PASSWORD)
                    .forEach(k -> SECRETS.add(k.name));
        }
    }

    private KafkaNames() {}

    /** True for a setting whose value must never be shown: a Kafka password, or a name that says secret. */
    static boolean isSecret(String key) {
        String bare = key;
        for (String prefix : PREFIXES) {
            if (bare.startsWith(prefix)) {
                bare = bare.substring(prefix.length());
            }
        }
        return SECRETS.contains(bare) || SECRET_NAME.matcher(key).matches();
    }

    static boolean isKafkaSetting(String key) {
        return NAMES.contains(key) || PREFIXES.stream().anyMatch(key::startsWith);
    }
}

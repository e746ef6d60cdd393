package io.segstream.cli;

import io.segstream.config.ConfigLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where Kafka is and how to talk to it, shared by run, ingest and export: --bootstrap-servers, a
 * properties file, and -X for any Kafka client, Streams or segstream setting.
 */
final class KafkaOptions {
    /** The brokers a verb talks to when neither -b nor the settings name any. */
    static final String BOOTSTRAP_SERVERS = "localhost:9092";

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT,...",
            description = "Kafka brokers to connect to (default: bootstrap.servers from --config, else " + BOOTSTRAP_SERVERS + ").")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A properties file of segstream settings and any Kafka client or Streams setting "
                    + "(security.protocol, sasl.mechanism, sasl.jaas.config, ssl.*, num.stream.threads, ...).")
    Path configFile;

    @Option(names = "-X", paramLabel = "KEY=VALUE",
            description = "One setting, as in the properties file; repeatable. Environment variables work too: "
                    + "SEGSTREAM_BATCH_MAX_SIZE=16 sets batch.max.size, SEGSTREAM_KAFKA_SASL_MECHANISM=PLAIN sets "
                    + "sasl.mechanism.")
    List<String> settings = List.of();

    /** Loads every source; {@code flags} are the command's own options (they win over everything). */
    ConfigLoader.Loaded load(Map<String, String> flags) {
        return load(Map.of(), flags);
    }

    /** As {@link #load(Map)}, under the command's own {@code defaults}. */
    ConfigLoader.Loaded load(Map<String, String> defaults, Map<String, String> flags) {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String pair : settings) {
            Map.Entry<String, String> e = ConfigLoader.parsePair(pair);
            overrides.put(e.getKey(), e.getValue());
        }
        if (bootstrapServers != null) {
            overrides.put("bootstrap.servers", bootstrapServers);
        }
        overrides.putAll(flags);
        ConfigLoader.Loaded loaded = ConfigLoader.load(defaults, configFile, System.getenv(), overrides);
        if (!loaded.kafka().containsKey("bootstrap.servers")) {
            loaded.kafka().put("bootstrap.servers", BOOTSTRAP_SERVERS);
        }
        return loaded;
    }

    /** Puts {@code value} under {@code key} when the option was given. */
    static void flag(Map<String, String> flags, String key, Object value) {
        if (value != null) {
            flags.put(key, value.toString());
        }
    }
}

package io.segstream.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;

/**
 * Gathers settings from, in rising precedence: a properties file, environment variables
 * ({@code SEGSTREAM_BATCH_MAX_SIZE} for {@code batch.max.size}; {@code SEGSTREAM_KAFKA_SASL_MECHANISM}
 * for Kafka's {@code sasl.mechanism}), {@code -X key=value} and explicit command-line flags. The
 * result is split into segstream's own, validated {@link SegstreamConfig} and everything else,
 * which goes to Kafka unchanged (security and SASL settings included).
 */
public final class ConfigLoader {
    static final String ENV_PREFIX = "SEGSTREAM_";
    static final String KAFKA_ENV_PREFIX = "SEGSTREAM_KAFKA_";

    private ConfigLoader() {}

    /** Own settings and Kafka settings, after merging every source. */
    public record Loaded(SegstreamConfig segstream, Map<String, Object> kafka) {
        /**
         * Every setting in force, one {@code key=value} per line, sorted: segstream's (defaults
         * included) then the Kafka ones given; secrets (Kafka's password settings, sasl.jaas.config,
         * any name with password, secret, token or credential in it) shown as [hidden].
         */
        public String describe() {
            StringBuilder out = new StringBuilder("# segstream settings\n");
            new java.util.TreeMap<>(segstream.values()).forEach((k, v) -> out.append(line(k, v)));
            out.append("# Kafka settings (client and Streams; Kafka's defaults apply to the rest)\n");
            new java.util.TreeMap<>(kafka).forEach((k, v) -> out.append(line(k, v)));
            return out.toString();
        }

        private static String line(String key, Object value) {
            String shown = value == null ? "" : KafkaNames.isSecret(key) ? "[hidden]" : String.valueOf(value);
            return key + "=" + shown + "\n";
        }
    }

    /**
     * @param file a properties file, or null
     * @param env the process environment
     * @param overrides {@code -X} pairs, then flags (later entries win)
     * @throws ConfigException naming the setting when a value is invalid
     */
    public static Loaded load(Path file, Map<String, String> env, Map<String, String> overrides) {
        return load(Map.of(), file, env, overrides);
    }

    /** As {@link #load(Path, Map, Map)}, under a command's own {@code defaults} (the lowest precedence). */
    public static Loaded load(Map<String, String> defaults, Path file, Map<String, String> env,
            Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(defaults);
        if (file != null) {
            merged.putAll(readFile(file));
        }
        merged.putAll(fromEnvironment(env));
        merged.putAll(overrides);
        Map<String, Object> own = new LinkedHashMap<>();
        Map<String, Object> kafka = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : merged.entrySet()) {
            if (SegstreamConfig.isOwn(e.getKey())) {
                if (!SegstreamConfig.CONFIG.names().contains(e.getKey())) {
                    throw new ConfigException(e.getKey(), e.getValue(), "not a segstream setting; known: "
                            + String.join(", ", SegstreamConfig.CONFIG.names()));
                }
                own.put(e.getKey(), e.getValue());
            } else {
                kafka.put(e.getKey(), e.getValue());
            }
        }
        return new Loaded(new SegstreamConfig(own), kafka);
    }

    /** Parses {@code -X key=value}. */
    public static Map.Entry<String, String> parsePair(String pair) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("-X expects key=value, got '" + pair + "'");
        }
        return Map.entry(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }

    static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (name.startsWith(KAFKA_ENV_PREFIX)) {
                out.put(toKey(name.substring(KAFKA_ENV_PREFIX.length())), e.getValue());
            } else if (name.startsWith(ENV_PREFIX)) {
                String key = toKey(name.substring(ENV_PREFIX.length()));
                if (SegstreamConfig.CONFIG.names().contains(key)) {
                    out.put(key, e.getValue());
                }
            }
        }
        return out;
    }

    private static String toKey(String envSuffix) {
        return envSuffix.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    private static Map<String, String> readFile(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--config " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("--config " + file + " cannot be read: " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            out.put(name, properties.getProperty(name));
        }
        return out;
    }
}

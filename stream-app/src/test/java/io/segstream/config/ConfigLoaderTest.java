package io.segstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.inference.FitMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @Test
    void flagsBeatOverridesBeatEnvironmentBeatTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("segstream.properties");
        Files.writeString(file, "batch.max.size=2\nbatch.max.delay.ms=7\nfit=letterbox\nsasl.mechanism=PLAIN\n");
        Map<String, String> env = Map.of("SEGSTREAM_BATCH_MAX_SIZE", "3", "SEGSTREAM_FIT", "squash",
                "SEGSTREAM_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "SEGSTREAM_DATA_DIR", "/data");
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("batch.max.size", "5");
        ConfigLoader.Loaded loaded = ConfigLoader.load(file, env, overrides);
        assertEquals(5, loaded.segstream().batchMaxSize());
        assertEquals(7, loaded.segstream().batchMaxDelayMs());
        assertEquals(FitMode.SQUASH, loaded.segstream().fit().mode());
        assertEquals("PLAIN", loaded.kafka().get("sasl.mechanism"));
        assertEquals("SASL_SSL", loaded.kafka().get("security.protocol"));
        assertFalse(loaded.kafka().containsKey("data.dir"), "SEGSTREAM_DATA_DIR is not a setting");
        assertFalse(loaded.kafka().containsKey("batch.max.size"));
    }

    @Test
    void anInvalidValueFailsNamingTheSetting() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of(), Map.of("batch.max.size", "0")));
        assertTrue(e.getMessage().contains("batch.max.size"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of(), Map.of("fit", "stretch")));
        assertTrue(e.getMessage().contains("fit") && e.getMessage().contains("squash, letterbox, tile"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of(), Map.of("max.frame.age.ms", "soon")));
        assertTrue(e.getMessage().contains("max.frame.age.ms"), e.getMessage());
    }

    @Test
    void aMisspelledSegstreamSettingIsRejectedNotPassedToKafka() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of(), Map.of("batch.max.sise", "4")));
        assertTrue(e.getMessage().contains("batch.max.sise"), e.getMessage());
    }

    @Test
    void anUndeclaredKeyInANewlyDeclaredNamespaceIsAnErrorWithoutASecondList() {
        // tensorrt.* and fit.* exist only in the ConfigDef; the namespace follows from it.
        for (String key : new String[] {"tensorrt.fp61", "fit.zooom", "broker.timeout", "crf.theta.delta"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ConfigLoader.load(null, Map.of(), Map.of(key, "1")), key);
            assertTrue(e.getMessage().contains(key) && e.getMessage().contains("not a segstream setting"),
                    e.getMessage());
        }
    }

    @Test
    void rangesComeFromOneDeclaration() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of(), Map.of("crf.iterations", "101")).segstream());
        assertTrue(e.getMessage().contains("crf.iterations"), e.getMessage());
        IllegalArgumentException direct = assertThrows(IllegalArgumentException.class,
                () -> io.segstream.crf.CrfParams.DEEPLAB.withIterations(101));
        assertTrue(direct.getMessage().contains("0..100"), direct.getMessage());
        assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of(), Map.of("crf.stop.share", "0.6")).segstream());
        assertThrows(IllegalArgumentException.class,
                () -> new io.segstream.crf.WarmStartSettings(true, 1f, 1f, 0.6f, 0.3f, true, -1, 0));
        ConfigException tolerance = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of(), Map.of("crf.lattice.tolerance", "256")).segstream());
        assertTrue(tolerance.getMessage().contains("crf.lattice.tolerance"), tolerance.getMessage());
        assertEquals(7, ConfigLoader.load(null, Map.of(), Map.of("crf", "on", "crf.lattice.tolerance", "7")).segstream()
                .crfSetup(io.segstream.crf.CrfParams.DEEPLAB).temporal().latticeTolerance());
    }

    @Test
    void kafkasOwnSettingsNextToSegstreamNamesPassThrough() {
        ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), Map.of("metrics.recording.level", "DEBUG",
                "metrics.port", "9000", "batch.size", "65536", "max.poll.records", "3", "topic.segment.bytes", "1000"));
        assertEquals("3", loaded.kafka().get("max.poll.records"));
        assertEquals("1000", loaded.kafka().get("topic.segment.bytes"));
        assertEquals("DEBUG", loaded.kafka().get("metrics.recording.level"));
        assertEquals("65536", loaded.kafka().get("batch.size"));
        assertEquals(9000, loaded.segstream().metricsPort());
        assertFalse(loaded.kafka().containsKey("metrics.port"));
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(dir.resolve("nope.properties"), Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("nope.properties"), e.getMessage());
    }

    @Test
    void kafkaSettingsGiveUserValuesPrecedenceAndFilterByClient() {
        ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(),
                Map.of("bootstrap.servers", "k:9092", "processing.guarantee", "at_least_once", "linger.ms", "0"));
        KafkaSettings kafka = new KafkaSettings(loaded.segstream(), loaded.kafka());
        assertEquals("at_least_once", kafka.streams("app").get("processing.guarantee"));
        assertEquals("0", kafka.producer().get("linger.ms"));
        assertFalse(kafka.producer().containsKey("processing.guarantee"));
        assertEquals("k:9092", kafka.admin().get("bootstrap.servers"));
        assertEquals(16 * 1024 * 1024 + KafkaSettings.RECORD_OVERHEAD_BYTES, kafka.producer().get("max.request.size"));
    }

    @Test
    void shouldMoveADeadProcessorsCamerasAfterTenSecondsUnlessToldOtherwise() {
        ConfigLoader.Loaded plain = ConfigLoader.load(null, Map.of(), Map.of("bootstrap.servers", "k:9092"));
        KafkaSettings defaults = new KafkaSettings(plain.segstream(), plain.kafka());
        StreamsConfig streams = defaults.validatedStreams("app");
        Map<String, Object> consumer = streams.getMainConsumerConfigs("app", "client", 0);
        assertEquals(10_000, consumer.get("session.timeout.ms"));
        assertEquals(3_333, consumer.get("heartbeat.interval.ms"));

        ConfigLoader.Loaded told = ConfigLoader.load(null, Map.of(), Map.of("bootstrap.servers", "k:9092",
                "session.timeout.ms", "6000", "heartbeat.interval.ms", "1500"));
        Map<String, Object> mine = new KafkaSettings(told.segstream(), told.kafka()).validatedStreams("app")
                .getMainConsumerConfigs("app", "client", 0);
        assertEquals("6000", String.valueOf(mine.get("session.timeout.ms")));
        assertEquals("1500", String.valueOf(mine.get("heartbeat.interval.ms")));
    }
}

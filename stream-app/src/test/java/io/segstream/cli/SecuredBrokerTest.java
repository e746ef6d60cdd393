package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SegstreamProcess;
import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.broker.EmbeddedKafka;
import io.segstream.broker.TopicAdmin;
import io.segstream.broker.TopicReader;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.schemas.v1.Mask;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verbs against a broker that requires what a real deployment does: a SASL_SSL listener with
 * SCRAM-SHA-512 users, a certificate made here by the JDK's keytool, and the standard authoriser
 * with one user per service (ingest may only write frames; the processor reads frames and writes
 * masks and dead letters, plus its group, transactions and internal topics; a viewer may only read
 * frames and masks). Each verb runs in a JVM of its own with {@code --config client.properties}, at
 * DEBUG for segstream and every library, and every password holds a marker: nothing any verb
 * printed, served or wrote to Kafka may contain it. Then a wrong password, an untrusted
 * certificate and a missing ACL each end a verb with one line and an exit code of their own.
 */
@Tag("integration")
class SecuredBrokerTest {
    private static final String MARKER = "Mk" + UUID.randomUUID().toString().replace("-", "");
    private static final String APP = "sec-app";
    private static final String FRAMES = "sec-frames";
    private static final String MASKS = "sec-masks";
    private static final String DEAD = "sec-dead-letters";
    private static final int FRAMES_SENT = 12;
    private static final List<String> DEBUG = List.of("-DSEGSTREAM_LOG_LEVEL=DEBUG",
            "-DSEGSTREAM_LIBRARY_LOG_LEVEL=DEBUG");

    @TempDir
    static Path work;
    static Path model;
    static EmbeddedKafka broker;
    /** The test's own super-user view of the broker (its PLAINTEXT listener). */
    static KafkaSettings admin;
    static Path trustStore;
    static Path strangerStore;
    static final String STORE_PASSWORD = "store-" + MARKER;
    /** Everything the verbs printed, by file, scanned for the marker at the end. */
    static final List<Path> captured = new ArrayList<>();
    /** What the table in benchmarks/RELIABILITY.md reports. */
    static final Map<String, String> failures = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        model = SharedData.importModel(work.resolve("model"));
        Path keyStore = work.resolve("broker.p12");
        trustStore = work.resolve("trust.p12");
        strangerStore = work.resolve("stranger-trust.p12");
        // The broker's key and self-signed certificate (for 127.0.0.1), the store that trusts it, and a
        // store that trusts only some other certificate.
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=segstream-test-broker", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
        keytool("-exportcert", "-alias", "broker", "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD,
                "-file", work.resolve("broker.crt").toString());
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", work.resolve("broker.crt").toString(),
                "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
        Path strangerKeys = work.resolve("stranger.p12");
        keytool("-genkeypair", "-alias", "stranger", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=someone-else", "-keystore", strangerKeys.toString(), "-storetype", "PKCS12",
                "-storepass", STORE_PASSWORD);
        keytool("-exportcert", "-alias", "stranger", "-keystore", strangerKeys.toString(), "-storepass",
                STORE_PASSWORD, "-file", work.resolve("stranger.crt").toString());
        keytool("-importcert", "-noprompt", "-alias", "stranger", "-file", work.resolve("stranger.crt").toString(),
                "-keystore", strangerStore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);

        String listener = "listener.name." + EmbeddedKafka.CLIENT_LISTENER.toLowerCase() + ".";
        Map<String, String> brokerSettings = new HashMap<>();
        brokerSettings.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        brokerSettings.put(listener + "scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        brokerSettings.put(listener + "ssl.keystore.location", keyStore.toString());
        brokerSettings.put(listener + "ssl.keystore.password", STORE_PASSWORD);
        brokerSettings.put(listener + "ssl.keystore.type", "PKCS12");
        brokerSettings.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        brokerSettings.put("super.users", "User:ANONYMOUS"); // the controller, the broker itself and this test
        brokerSettings.put("allow.everyone.if.no.acl.found", "false");
        broker = EmbeddedKafka.start(32 * 1024 * 1024, new EmbeddedKafka.ClientListener("SASL_SSL", brokerSettings));

        ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), topics(Map.of(
                "bootstrap.servers", broker.bootstrapServers(), SegstreamConfig.TOPIC_PARTITIONS, "2")));
        admin = new KafkaSettings(loaded.segstream(), loaded.kafka());
        TopicAdmin.ensureAll(loaded.segstream(), admin);
        try (Admin a = Admin.create(admin.admin())) {
            List<UserScramCredentialUpsertion> users = new ArrayList<>();
            for (String user : List.of("ingest", "processor", "viewer")) {
                users.add(new UserScramCredentialUpsertion(user,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password(user)));
            }
            a.alterUserScramCredentials(new ArrayList<>(users)).all().get(30, TimeUnit.SECONDS);
            List<AclBinding> acls = new ArrayList<>();
            allow(acls, "ingest", ResourceType.TOPIC, FRAMES, PatternType.LITERAL, AclOperation.WRITE);
            allow(acls, "processor", ResourceType.TOPIC, FRAMES, PatternType.LITERAL, AclOperation.READ);
            allow(acls, "processor", ResourceType.TOPIC, MASKS, PatternType.LITERAL, AclOperation.WRITE);
            allow(acls, "processor", ResourceType.TOPIC, DEAD, PatternType.LITERAL, AclOperation.WRITE);
            allow(acls, "processor", ResourceType.GROUP, APP, PatternType.LITERAL, AclOperation.READ);
            allow(acls, "processor", ResourceType.TOPIC, APP + "-", PatternType.PREFIXED, AclOperation.ALL);
            allow(acls, "processor", ResourceType.TRANSACTIONAL_ID, APP + "-", PatternType.PREFIXED,
                    AclOperation.WRITE);
            allow(acls, "viewer", ResourceType.TOPIC, FRAMES, PatternType.LITERAL, AclOperation.READ);
            allow(acls, "viewer", ResourceType.TOPIC, MASKS, PatternType.LITERAL, AclOperation.READ);
            a.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (!failures.isEmpty()) {
            System.out.println("secured broker, time to fail: " + failures);
        }
    }

    @Test
    void everyVerbWorksOverSaslSslWithItsOwnUserAndNoSecretReachesAnyOutput() throws Exception {
        Path ingestConfig = clientProperties("ingest", password("ingest"), trustStore);
        Path processorConfig = clientProperties("processor", password("processor"), trustStore);
        Path viewerConfig = clientProperties("viewer", password("viewer"), trustStore);

        // What the operator checks first: the settings in force, with every secret hidden.
        SegstreamProcess printed = verb("print-config", "run", "--config", processorConfig.toString(),
                "--print-config");
        assertEquals(0, printed.awaitExit(Duration.ofMinutes(1)), printed.output());
        assertTrue(printed.output().contains("sasl.jaas.config=[hidden]"), printed.output());
        assertTrue(printed.output().contains("ssl.truststore.password=[hidden]"), printed.output());

        SegstreamProcess ingest = verb("ingest", "ingest", "--config", ingestConfig.toString(),
                "--source", SharedData.path(Assets.VTEST).toString(), "--camera", "sec-cam",
                "--max-frames", Integer.toString(FRAMES_SENT));
        assertEquals(0, ingest.awaitExit(Duration.ofMinutes(2)), ingest.output());
        assertTrue(ingest.output().contains("ingested " + FRAMES_SENT + " frames"), ingest.output());
        // A record that is not a frame, so that the processor writes a dead letter with its headers.
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(admin.producer(), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(FRAMES, "sec-cam", "not a frame".getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        }

        try (SegstreamProcess run = verb("run", "run", "--config", processorConfig.toString(), "--application-id",
                APP, "--model", model.toString(), "--metrics-port", "0", "--fit", "squash", "--report-every", "2s",
                "--inference-threads", "2", "-X", "commit.interval.ms=200")) {
            Map<String, Integer> perFrame = new HashMap<>();
            boolean done = TopicReader.follow(admin.consumer(), MASKS, record -> {
                Mask mask = parse(record.value());
                perFrame.merge(mask.getCameraId() + "/" + mask.getSequence(), 1, Integer::sum);
            }, () -> perFrame.size() >= FRAMES_SENT, Duration.ofMinutes(3));
            assertTrue(done, "only " + perFrame.size() + " of " + FRAMES_SENT + " frames got a mask:\n"
                    + tail(run.output()));
            Matcher metrics = Pattern.compile("metrics on (http://[0-9.]+:\\d+/metrics)").matcher(run.output());
            assertTrue(metrics.find(), run.output());
            String scraped = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metrics.group(1)))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            Path scrape = work.resolve("metrics.txt");
            Files.writeString(scrape, scraped);
            captured.add(scrape);
            assertTrue(scraped.contains("segstream_"), scraped);

            // The viewer's user reads frames and masks only: export and view work with it.
            SegstreamProcess export = verb("export", "export", "--config", viewerConfig.toString(), "--camera",
                    "sec-cam", "--out", work.resolve("sec.mp4").toString());
            assertEquals(0, export.awaitExit(Duration.ofMinutes(2)), export.output());
            assertTrue(export.output().contains("exported " + FRAMES_SENT + " frames of camera 'sec-cam'")
                    && export.output().contains(FRAMES_SENT + " with a mask"), export.output());

            try (SegstreamProcess view = verb("view", "view", "--config", viewerConfig.toString(), "--port", "0")) {
                assertTrue(view.awaitOutput(o -> o.contains("segstream view: http://"), Duration.ofMinutes(1)),
                        view.output());
                Matcher url = Pattern.compile("segstream view: (http://\\S+/)").matcher(view.output());
                assertTrue(url.find());
                String figures = "";
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < deadline && !figures.contains("\"camera\":\"sec-cam\"")) {
                    figures = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(url.group(1) + "api/cameras")).build(), HttpResponse.BodyHandlers.ofString())
                            .body();
                    Thread.sleep(500);
                }
                assertTrue(figures.contains("\"camera\":\"sec-cam\""), figures + "\n" + tail(view.output()));
                assertTrue(view.output().contains("not authorised to read " + DEAD), tail(view.output()));
                Path page = work.resolve("view-figures.json");
                Files.writeString(page, figures);
                captured.add(page);
                view.terminate();
                assertEquals(143, view.awaitExit(Duration.ofSeconds(30)), tail(view.output()));
            }
            run.terminate(); // SIGTERM: its last transaction committed, exit 143 as for any signal
            assertEquals(143, run.awaitExit(Duration.ofSeconds(60)), tail(run.output()));
        }

        // Exactly one mask per frame, read_committed.
        Map<String, Integer> counts = new HashMap<>();
        TopicReader.readAll(admin.consumer(), MASKS, record -> {
            Mask mask = parse(record.value());
            counts.merge(mask.getCameraId() + "/" + mask.getSequence(), 1, Integer::sum);
        });
        assertEquals(FRAMES_SENT, counts.size(), counts.toString());
        assertTrue(counts.values().stream().allMatch(n -> n == 1), counts.toString());
        // The dead letter, headers and all, as a consumer of that topic sees it.
        StringBuilder deadLetters = new StringBuilder();
        long dead = TopicReader.readAll(admin.consumer(), DEAD, record -> {
            for (Header h : record.headers()) {
                deadLetters.append(h.key()).append('=').append(new String(h.value(), StandardCharsets.UTF_8))
                        .append('\n');
            }
            deadLetters.append(new String(record.value(), StandardCharsets.UTF_8)).append('\n');
        });
        assertEquals(1, dead, deadLetters.toString());
        Path deadFile = work.resolve("dead-letters.txt");
        Files.writeString(deadFile, deadLetters);
        captured.add(deadFile);

        // The demo's summary and logs, with a secret among its settings.
        SegstreamProcess demo = verb("demo", "demo", "--model", model.toString(), "--frames", "4", "--no-export",
                "--fit", "squash", "-X", "ssl.key.password=" + MARKER, "-X",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"d\" "
                        + "password=\"" + MARKER + "\";");
        assertEquals(0, demo.awaitExit(Duration.ofMinutes(3)), tail(demo.output()));

        // The scan, and proof that it looked at what it should: DEBUG lines, and the clients' own
        // dumps of their settings, with the password shown as [hidden].
        long bytes = 0;
        for (Path file : captured) {
            String text = Files.readString(file, StandardCharsets.ISO_8859_1);
            bytes += text.length();
            int at = text.indexOf(MARKER);
            assertTrue(at < 0, "the marker reached " + file.getFileName() + ": ..."
                    + text.substring(Math.max(0, at - 200), Math.min(text.length(), at + 100)));
        }
        String runLog = Files.readString(work.resolve("run.log"));
        assertTrue(runLog.contains(" DEBUG "), "the processor did not log at DEBUG");
        assertTrue(runLog.contains("sasl.jaas.config = [hidden]"), "no client settings dump in the run log");
        System.out.printf("secret-leak scan: marker absent from %d captured outputs, %d MB%n", captured.size(),
                bytes >> 20);
    }

    @Test
    void aWrongPasswordAnUntrustedCertificateAndAMissingAclEachEndInOneLineAndAnExitCodeOfTheirOwn()
            throws Exception {
        refused("wrong password", 4, "authentication failed", "ingest", "--config",
                clientProperties("ingest", "not-" + password("ingest"), trustStore).toString(), "--source",
                SharedData.path(Assets.VTEST).toString(), "--camera", "x", "--max-frames", "1");
        refused("untrusted certificate", 5, "certificate not trusted", "export", "--config",
                clientProperties("viewer", password("viewer"), strangerStore).toString(), "--camera", "sec-cam",
                "--out", work.resolve("never.mp4").toString());
        // The viewer may read frames but not write masks: the processor refuses to start as it.
        refused("missing ACL (write masks)", 6, "not authorised to write `" + MASKS + "`", "run", "--config",
                clientProperties("viewer", password("viewer"), trustStore).toString(), "--application-id", APP,
                "--model", model.toString(), "--metrics-port", "-1");
        refused("missing ACL (write frames)", 6, "not authorised to write `" + FRAMES + "`", "ingest", "--config",
                clientProperties("viewer", password("viewer"), trustStore).toString(), "--source",
                SharedData.path(Assets.VTEST).toString(), "--camera", "x", "--max-frames", "1");
    }

    private static void refused(String what, int exitCode, String line, String... args) throws Exception {
        String name = what.replaceAll("[^a-z]+", "-");
        long t0 = System.nanoTime();
        try (SegstreamProcess p = SegstreamProcess.start(work.resolve(name + ".log"), List.of(), args)) {
            Integer exit = p.awaitExit(Duration.ofSeconds(40)); // broker.timeout.ms is 10 s in the files
            long ms = (System.nanoTime() - t0) / 1_000_000;
            String out = p.output();
            assertEquals(Integer.valueOf(exitCode), exit, what + ":\n" + out);
            List<String> lines = out.lines().filter(l -> l.startsWith("segstream: ")).toList();
            assertEquals(1, lines.size(), what + ":\n" + out);
            assertTrue(lines.get(0).contains(line), what + ": " + lines.get(0));
            assertFalse(out.contains("\tat "), what + " printed a stack trace:\n" + out);
            assertFalse(out.contains(MARKER), what + " printed the password:\n" + out);
            failures.put(what, ms + " ms, exit " + exit);
            System.out.printf("%s: exit %d after %d ms: %s%n", what, exit, ms, lines.get(0));
        }
    }

    private static SegstreamProcess verb(String name, String... args) throws IOException {
        Path log = work.resolve(name + ".log");
        captured.add(log);
        return SegstreamProcess.start(log, DEBUG, args);
    }

    private static Map<String, String> topics(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put(SegstreamConfig.FRAMES_TOPIC, FRAMES);
        all.put(SegstreamConfig.MASKS_TOPIC, MASKS);
        all.put(SegstreamConfig.DEAD_LETTER_TOPIC, DEAD);
        return all;
    }

    /** A client.properties as README's "Security" shows it. */
    private static Path clientProperties(String user, String password, Path trust) throws IOException {
        Path file = work.resolve(user + "-" + Integer.toHexString((password + trust).hashCode()) + ".properties");
        List<String> lines = new ArrayList<>(List.of(
                "bootstrap.servers=" + broker.clientListenerServers(),
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";",
                "ssl.truststore.location=" + trust,
                "ssl.truststore.type=PKCS12",
                "ssl.truststore.password=" + STORE_PASSWORD,
                "broker.timeout.ms=10000"));
        topics(Map.of()).forEach((k, v) -> lines.add(k + "=" + v));
        Files.write(file, lines);
        return file;
    }

    private static String password(String user) {
        return "pw-" + user + "-" + MARKER;
    }

    private static void allow(List<AclBinding> acls, String user, ResourceType type, String name, PatternType pattern,
            AclOperation op) {
        acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "keytool " + String.join(" ", args) + ":\n" + out);
    }

    private static Mask parse(byte[] value) {
        try {
            return Mask.parseFrom(value);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static String tail(String output) {
        return output.length() <= 6000 ? output : output.substring(output.length() - 6000);
    }
}

package io.segstream.broker;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka cluster inside this JVM: one KRaft server in combined mode (broker
 * and controller), on loopback ports, with its log in a directory of its own. The demo and the
 * integration tests run on it; production points {@code --bootstrap-servers} at any cluster.
 *
 * <p>{@link #stop()} followed by {@link #start()} restarts the same broker on the same ports and
 * log directory (a broker restart, as in a crash-safety test); {@link #close()} also deletes the
 * log directory when this object created it.
 *
 * <p>A {@link ClientListener} adds a second listener for clients, SASL_SSL say, with the broker
 * settings it takes (mechanisms, keystore, authoriser, super users), as the security tests start
 * it. The PLAINTEXT listener stays for the controller and the broker itself; with an authoriser its
 * principal, {@code User:ANONYMOUS}, has to be a super user, so such a broker is a test fixture:
 * anything that reaches its PLAINTEXT port is trusted.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String CONTROLLER = "CONTROLLER";
    private static final int NODE_ID = 1;
    /** The name of the {@link ClientListener}, as its {@code listener.name.secure.*} settings spell it. */
    public static final String CLIENT_LISTENER = "SECURE";

    /**
     * A second client listener.
     *
     * @param securityProtocol SASL_SSL, SSL or SASL_PLAINTEXT
     * @param brokerSettings broker settings it needs, on top of the embedded broker's own
     */
    public record ClientListener(String securityProtocol, java.util.Map<String, String> brokerSettings) {}

    private final Path logDir;
    private final boolean ownsLogDir;
    private final int brokerPort;
    private final int controllerPort;
    private final String clusterId = Uuid.randomUuid().toString();
    private final long maxMessageBytes;
    private final ClientListener clientListener;
    private final int clientPort;
    private KafkaRaftServer server;
    private boolean formatted;

    private EmbeddedKafka(Path logDir, boolean ownsLogDir, long maxMessageBytes, ClientListener clientListener) {
        this.logDir = logDir;
        this.ownsLogDir = ownsLogDir;
        this.maxMessageBytes = maxMessageBytes;
        this.clientListener = clientListener;
        int[] ports = freeLoopbackPorts(clientListener == null ? 2 : 3);
        this.brokerPort = ports[0];
        this.controllerPort = ports[1];
        this.clientPort = clientListener == null ? -1 : ports[2];
    }

    /** Starts a broker in a new temporary log directory. */
    public static EmbeddedKafka start(long maxMessageBytes) {
        return start(maxMessageBytes, null);
    }

    /** Starts a broker in a new temporary log directory, with a second client listener when one is given. */
    public static EmbeddedKafka start(long maxMessageBytes, ClientListener clientListener) {
        try {
            EmbeddedKafka kafka = new EmbeddedKafka(Files.createTempDirectory("segstream-kafka-"), true, maxMessageBytes,
                    clientListener);
            kafka.start();
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a log directory for the embedded Kafka broker", e);
        }
    }

    /** Starts (or restarts, after {@link #stop()}) the server; returns when it serves clients. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        KafkaConfig config = new KafkaConfig(serverProperties(), false);
        if (!formatted) {
            format();
            formatted = true;
        }
        long t0 = System.nanoTime();
        KafkaRaftServer started = new KafkaRaftServer(config, Time.SYSTEM);
        started.startup();
        server = started;
        LOG.info("embedded Kafka broker {} up in {} ms (log {})", bootstrapServers(),
                (System.nanoTime() - t0) / 1_000_000, logDir);
    }

    /**
     * Stops the server, keeping its log directory, so that {@link #start()} can bring it back.
     *
     * <p>The one WARN this logs ({@code [NodeToControllerChannelManager id=1 name=registration]
     * Attempting to close NetworkClient that has already been closed}) is Kafka 4.4's own double
     * close, not a second shutdown here: {@code ControllerServer.shutdown()} closes its
     * {@code ControllerRegistrationManager}, whose shutdown event shuts the "registration" channel
     * manager down, and then shuts the same channel manager down itself. Nothing is leaked.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** The {@link ClientListener}'s address. */
    public String clientListenerServers() {
        if (clientListener == null) {
            throw new IllegalStateException("this broker has no second client listener");
        }
        return "127.0.0.1:" + clientPort;
    }

    public Path logDir() {
        return logDir;
    }

    @Override
    public void close() {
        stop();
        if (ownsLogDir) {
            deleteRecursively(logDir);
        }
    }

    private Properties serverProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", CONTROLLER);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // One node: every internal topic (offsets, transactions, Streams changelogs) has one replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // Frames are big records: let the broker take what the topics allow.
        p.put("message.max.bytes", Long.toString(maxMessageBytes));
        p.put("replica.fetch.max.bytes", Long.toString(maxMessageBytes));
        p.put("socket.request.max.bytes", Long.toString(Math.max(maxMessageBytes * 2, 104857600L)));
        p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        p.put("log.segment.bytes", Integer.toString(256 * 1024 * 1024));
        if (clientListener != null) {
            p.put("listeners", p.get("listeners") + "," + CLIENT_LISTENER + "://127.0.0.1:" + clientPort);
            p.put("advertised.listeners", p.get("advertised.listeners") + "," + CLIENT_LISTENER + "://127.0.0.1:"
                    + clientPort);
            p.put("listener.security.protocol.map", p.get("listener.security.protocol.map") + "," + CLIENT_LISTENER
                    + ":" + clientListener.securityProtocol());
            p.putAll(clientListener.brokerSettings());
        }
        return p;
    }

    private void format() {
        format(logDir, NODE_ID, clusterId);
    }

    /** Formats {@code logDir} as node {@code nodeId} of cluster {@code clusterId} (KRaft, this version). */
    static void format(Path logDir, int nodeId, String clusterId) {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(nodeId)
                    .setClusterId(clusterId)
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the Kafka log directory " + logDir + " for node " + nodeId
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code count} distinct free loopback ports: every socket stays open until all are chosen, since
     * the system may hand a port just closed to the next request (CI once saw the broker's and the
     * client listener's port the same).
     */
    public static int[] freeLoopbackPorts(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets[i].setReuseAddress(true);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port for the embedded Kafka broker", e);
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException e) {
                        LOG.debug("closing a probe socket: {}", e.getMessage());
                    }
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete the embedded broker's log directory {}: {}", dir, e.getMessage());
        }
    }
}

package io.segstream.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real three-node KRaft cluster in the test JVM: each node broker and controller, on loopback
 * ports, with a log directory of its own; replication factor 3 and min.insync.replicas 2 for every
 * topic, the internal ones (offsets, transaction state, Streams' changelogs) included. One JVM
 * rather than three processes: a node stops and restarts on its ports and log directory in about a
 * second, which is what the test exercises, and a broker's process boundary adds nothing the
 * clients can see (they reach each node over TCP either way).
 */
public final class ThreeNodeKafka implements AutoCloseable {
    private static final int NODES = 3;
    private final String clusterId = Uuid.randomUuid().toString();
    private final int[] brokerPorts = new int[NODES];
    private final int[] controllerPorts = new int[NODES];
    private final Path[] logDirs = new Path[NODES];
    private final KafkaRaftServer[] servers = new KafkaRaftServer[NODES];
    private final long maxMessageBytes;

    public ThreeNodeKafka(long maxMessageBytes) throws IOException {
        this.maxMessageBytes = maxMessageBytes;
        int[] ports = EmbeddedKafka.freeLoopbackPorts(2 * NODES);
        for (int i = 0; i < NODES; i++) {
            brokerPorts[i] = ports[2 * i];
            controllerPorts[i] = ports[2 * i + 1];
            logDirs[i] = Files.createTempDirectory("segstream-kafka-node" + (i + 1) + "-");
            EmbeddedKafka.format(logDirs[i], i + 1, clusterId);
        }
        // All three at once, each on a thread of its own: a node's startup waits for the quorum to form.
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(NODES);
        try {
            List<CompletableFuture<Void>> starting = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                int node = i;
                starting.add(CompletableFuture.runAsync(() -> startNode(node), pool));
            }
            starting.forEach(CompletableFuture::join);
        } finally {
            pool.shutdown();
        }
    }

    public String bootstrapServers() {
        List<String> all = new ArrayList<>();
        for (int port : brokerPorts) {
            all.add("127.0.0.1:" + port);
        }
        return String.join(",", all);
    }

    /** Stops node {@code i} (0-2), keeping its log directory. */
    public void stop(int i) {
        KafkaRaftServer server;
        synchronized (this) {
            server = servers[i];
            servers[i] = null;
        }
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
        }
    }

    /** Starts node {@code i} again on its ports and log directory. */
    public void start(int i) {
        startNode(i);
    }

    private void startNode(int i) {
        KafkaRaftServer server;
        synchronized (this) {
            if (servers[i] != null) {
                return;
            }
        }
        server = new KafkaRaftServer(new KafkaConfig(properties(i), false), Time.SYSTEM);
        server.startup();
        synchronized (this) {
            servers[i] = server;
        }
    }

    @Override
    public void close() {
        // All at once: one by one, the last node would wait for a quorum that is gone.
        List<Thread> stopping = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            int node = i;
            Thread t = new Thread(() -> stop(node), "stop-node-" + (i + 1));
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = 0; i < NODES; i++) {
            try (var paths = Files.walk(logDirs[i])) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temp directory left behind
            }
        }
    }

    private Properties properties(int i) {
        String voters = java.util.stream.IntStream.range(0, NODES)
                .mapToObj(n -> (n + 1) + "@127.0.0.1:" + controllerPorts[n]).collect(Collectors.joining(","));
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(i + 1));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPorts[i] + ",CONTROLLER://127.0.0.1:" + controllerPorts[i]);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPorts[i]);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDirs[i].toString());
        p.put("offsets.topic.replication.factor", "3");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "3");
        p.put("transaction.state.log.min.isr", "2");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "3");
        p.put("share.coordinator.state.topic.min.isr", "2");
        p.put("default.replication.factor", "3");
        p.put("min.insync.replicas", "2");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("message.max.bytes", Long.toString(maxMessageBytes));
        p.put("replica.fetch.max.bytes", Long.toString(maxMessageBytes));
        p.put("socket.request.max.bytes", Long.toString(Math.max(maxMessageBytes * 2, 104857600L)));
        // A stopped node's replicas leave the ISR after this long, so writes go on with the other two.
        p.put("replica.lag.time.max.ms", "5000");
        return p;
    }
}

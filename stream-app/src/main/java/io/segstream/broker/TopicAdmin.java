package io.segstream.broker;

import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates segstream's topics when they are missing, sized for frames: the frames and
 * dead-letter topics take records of {@code max.frame.bytes} and keep raw frames only as long as
 * {@code frames.retention.ms}; the masks topic gets the frames topic's partition count, so a
 * camera keeps the same partition number on both. Existing topics are left as they are.
 */
public final class TopicAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);
    private TopicAdmin() {}

    /**
     * Waits for the cluster to answer (the first call every command makes), at most
     * {@code broker.timeout.ms}.
     *
     * @throws KafkaAccessException naming the servers and the settings to check when no broker
     *     answered, or when one refused (authentication, TLS)
     */
    public static void awaitCluster(KafkaSettings kafka) {
        try (Admin admin = Admin.create(kafka.admin())) {
            awaitCluster(admin, kafka);
        }
    }

    private static void awaitCluster(Admin admin, KafkaSettings kafka) {
        long timeoutMs = kafka.brokerTimeout().toMillis();
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeoutMs)).nodes()
                    .get(timeoutMs + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw KafkaErrors.explain("connecting", e, kafka);
        } catch (TimeoutException e) {
            throw KafkaErrors.unreachable("connecting", kafka, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaAccessException(KafkaAccessException.Kind.UNREACHABLE,
                    "interrupted while connecting to Kafka at " + kafka.bootstrapServers(), e);
        }
    }

    /**
     * Checks, before any work, that this client's user may do what a verb needs on each topic (READ or
     * WRITE), from the operations the broker says the user is authorised for. A missing ACL then
     * stops the verb at start with one line naming the topic and the operation, instead of failing
     * deep inside a producer or a Streams thread. A topic that does not exist yet is left to the verb;
     * a broker without an authoriser allows everything.
     *
     * @param needs topic and operation, checked in this order (the first missing one is reported)
     * @throws KafkaAccessException of kind AUTHORIZATION naming the topic and the operation
     */
    public static void requireAccess(KafkaSettings kafka, List<Map.Entry<String, AclOperation>> needs) {
        long timeoutMs = kafka.brokerTimeout().toMillis();
        List<String> topics = needs.stream().map(Map.Entry::getKey).distinct().toList();
        try (Admin admin = Admin.create(kafka.admin())) {
            var described = admin.describeTopics(topics,
                    new DescribeTopicsOptions().includeAuthorizedOperations(true).timeoutMs((int) timeoutMs))
                    .topicNameValues();
            for (Map.Entry<String, AclOperation> need : needs) {
                String topic = need.getKey();
                String verb = need.getValue().name().toLowerCase(Locale.ROOT);
                Set<AclOperation> allowed;
                try {
                    allowed = described.get(topic).get(timeoutMs + 1_000, TimeUnit.MILLISECONDS).authorizedOperations();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        continue;
                    }
                    if (e.getCause() instanceof TopicAuthorizationException) {
                        throw notAuthorised(kafka, verb, topic, need.getValue(), e.getCause());
                    }
                    throw KafkaErrors.explain("describing topic " + topic, e, kafka);
                }
                if (allowed != null && !allowed.contains(need.getValue()) && !allowed.contains(AclOperation.ALL)) {
                    throw notAuthorised(kafka, verb, topic, need.getValue(), null);
                }
            }
        } catch (TimeoutException e) {
            throw KafkaErrors.unreachable("checking access to " + topics, kafka, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaAccessException(KafkaAccessException.Kind.UNREACHABLE, "interrupted while checking access "
                    + "to " + topics, e);
        }
    }

    private static KafkaAccessException notAuthorised(KafkaSettings kafka, String verb, String topic, AclOperation op,
            Throwable cause) {
        return new KafkaAccessException(KafkaAccessException.Kind.AUTHORIZATION, "not authorised to " + verb + " `"
                + topic + "`: Kafka at " + kafka.bootstrapServers() + " does not allow this client's user "
                + op.name() + " on topic " + topic + ". Ask for that ACL (kafka-acls.sh --add --allow-principal "
                + "User:<user> --operation " + op.name().charAt(0) + verb.substring(1) + " --topic " + topic
                + "); README, \"Security\", lists what each verb needs", cause);
    }

    /** Ensures the frames topic exists (what {@code ingest} needs). */
    public static void ensureFramesTopic(SegstreamConfig config, KafkaSettings kafka) {
        ensure(kafka, List.of(framesTopic(config, kafka)));
    }

    /** Ensures all three topics exist (what {@code run} and {@code demo} need). */
    public static void ensureAll(SegstreamConfig config, KafkaSettings kafka) {
        Optional<Integer> partitions = Optional.of(config.topicPartitions());
        Optional<Short> replicas = replicas(config);
        NewTopic masks = new NewTopic(config.masksTopic(), partitions, replicas)
                .configs(Map.of(TopicConfig.COMPRESSION_TYPE_CONFIG, "producer"));
        NewTopic deadLetters = new NewTopic(config.deadLetterTopic(), Optional.of(1), replicas)
                .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(kafka.maxRecordBytes())));
        ensure(kafka, List.of(framesTopic(config, kafka), masks, deadLetters));
    }

    private static NewTopic framesTopic(SegstreamConfig config, KafkaSettings kafka) {
        return new NewTopic(config.framesTopic(), Optional.of(config.topicPartitions()), replicas(config))
                .configs(Map.of(
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(kafka.maxRecordBytes()),
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(config.framesRetentionMs()),
                        TopicConfig.COMPRESSION_TYPE_CONFIG, "producer"));
    }

    private static Optional<Short> replicas(SegstreamConfig config) {
        short rf = config.topicReplicationFactor();
        return rf < 0 ? Optional.empty() : Optional.of(rf);
    }

    /**
     * Waits until every partition of the new topics is served by its leader: a ListOffsets request,
     * which only a partition's leader answers, succeeds for all of them. Metadata names a leader a
     * little before the broker acts as one; a producer that writes in that window gets
     * NOT_LEADER_OR_FOLLOWER on its first batch, and an idempotent producer's retry of that batch can
     * then be refused as out of sequence forever (seen with Kafka 4.4 on a fresh topic).
     */
    private static void awaitLeaders(Admin admin, List<String> topics, long timeoutMs)
            throws InterruptedException, TimeoutException {
        if (topics.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                for (TopicDescription description : admin.describeTopics(topics).allTopicNames()
                        .get(timeoutMs, TimeUnit.MILLISECONDS).values()) {
                    for (TopicPartitionInfo partition : description.partitions()) {
                        request.put(new TopicPartition(description.name(), partition.partition()), OffsetSpec.latest());
                    }
                }
                admin.listOffsets(request).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                last = e;
                Thread.sleep(50);
            }
        }
        throw new TimeoutException("partitions of " + topics + " not served by a leader after " + timeoutMs / 1000 + " s: "
                + (last == null ? "" : last.getCause().getMessage()));
    }

    private static void ensure(KafkaSettings kafka, List<NewTopic> topics) {
        long timeoutMs = kafka.brokerTimeout().toMillis();
        try (Admin admin = Admin.create(kafka.admin())) {
            awaitCluster(admin, kafka);
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (NewTopic topic : topics) {
                if (!existing.contains(topic.name())) {
                    missing.add(topic);
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(timeoutMs, TimeUnit.MILLISECONDS);
                    created.add(entry.getKey());
                    LOG.info("created topic {}", entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw KafkaErrors.explain("creating topic " + entry.getKey(), e, kafka);
                    }
                }
            }
            awaitLeaders(admin, created, timeoutMs);
        } catch (ExecutionException e) {
            throw KafkaErrors.explain("listing topics", e, kafka);
        } catch (TimeoutException e) {
            throw KafkaErrors.unreachable("creating topics", kafka, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaAccessException("interrupted while creating topics", e);
        }
    }
}

package io.segstream.broker;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic as it is now: every partition from its beginning up to the end offsets
 * taken when the read starts (with read_committed, the last stable offsets), without joining a
 * consumer group. For export, the demo's summary and tests. Metadata calls wait at most the consumer's
 * default.api.timeout.ms (KafkaSettings sets it to broker.timeout.ms).
 */
public final class TopicReader {
    private TopicReader() {}

    /** Calls {@code handler} with every record, partition by partition in offset order; returns the count. */
    public static long readAll(Map<String, Object> consumerSettings, String topic,
            Consumer<ConsumerRecord<String, byte[]>> handler) {
        Map<String, Object> settings = new HashMap<>(consumerSettings);
        settings.remove("group.id");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            long count = 0;
            while (!done(consumer, end)) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, byte[]> record : records) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < end.get(tp)) {
                        handler.accept(record);
                        count++;
                    }
                }
            }
            return count;
        }
    }

    /**
     * Follows a topic from its beginning as records arrive, calling {@code handler} with each, until
     * {@code finished} says so or {@code timeout} passes. Returns true when finished.
     */
    public static boolean follow(Map<String, Object> consumerSettings, String topic,
            Consumer<ConsumerRecord<String, byte[]>> handler, BooleanSupplier finished, Duration timeout) {
        Map<String, Object> settings = new HashMap<>(consumerSettings);
        settings.remove("group.id");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!finished.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    handler.accept(record);
                }
            }
            return true;
        }
    }

    private static boolean done(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}

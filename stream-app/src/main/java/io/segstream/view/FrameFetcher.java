package io.segstream.view;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one frame back from the frames topic by partition and offset, for a mask whose frame the
 * board no longer holds (the processor lags the camera by more than the frames the board keeps).
 * Used by the render thread only.
 */
final class FrameFetcher implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(1);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;

    FrameFetcher(Map<String, Object> consumerSettings, String framesTopic) {
        Map<String, Object> settings = new HashMap<>(consumerSettings);
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        settings.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "segstream-view-frames");
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        this.consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = framesTopic;
    }

    /** The frame record's value at {@code ref}, or null when it is gone (deleted, compacted) or Kafka did not answer. */
    byte[] fetch(CameraBoard.FrameRef ref) {
        TopicPartition tp = new TopicPartition(topic, ref.partition());
        try {
            consumer.assign(List.of(tp));
            consumer.seek(tp, ref.offset());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() == ref.offset()) {
                        return record.value();
                    }
                    if (record.offset() > ref.offset()) {
                        return null; // the offset held a transaction marker or was deleted
                    }
                }
            }
        } catch (KafkaException e) {
            return null; // shown without its frame; the follower reports Kafka being away
        }
        return null;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}

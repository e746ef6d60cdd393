package io.segstream.view;

import com.google.protobuf.CodedInputStream;
import io.segstream.schemas.v1.Frame;
import io.segstream.schemas.v1.Mask;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the frames, masks and dead-letter topics (read_committed, no consumer group: the view
 * commits nothing) and feeds the {@link CameraBoard}. It starts a little before each partition's
 * end, so that cameras seen lately show their last picture at once, and picks up topics created
 * after it started. Kafka errors are logged and retried: the page stays up while the brokers are away.
 */
final class TopicFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
    /** Records per partition read from before the end at start: frames and masks of the latest moments. */
    static final int LOOKBACK = 32;
    /** Dead letters per partition counted from before the start. */
    static final int DEAD_LETTER_LOOKBACK = 1_000;
    private static final Duration TOPIC_CHECK = Duration.ofSeconds(2);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String framesTopic;
    private final String masksTopic;
    private final String deadLetterTopic;
    private final CameraBoard board;
    private final Thread thread;
    private final Map<TopicPartition, Long> liveFrom = new HashMap<>();
    private final Set<String> assignedTopics = new HashSet<>();
    private final Set<String> refusedTopics = new HashSet<>();
    private volatile boolean closed;

    TopicFollower(Map<String, Object> consumerSettings, String framesTopic, String masksTopic, String deadLetterTopic,
            CameraBoard board) {
        Map<String, Object> settings = new HashMap<>(consumerSettings);
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        settings.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "segstream-view");
        this.consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer());
        this.framesTopic = framesTopic;
        this.masksTopic = masksTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.board = board;
        this.thread = new Thread(this::loop, "segstream-view-follower");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        long nextTopicCheck = 0;
        long failures = 0;
        while (!closed) {
            try {
                if (System.nanoTime() >= nextTopicCheck) {
                    assignNewTopics();
                    nextTopicCheck = System.nanoTime() + TOPIC_CHECK.toNanos();
                }
                if (consumer.assignment().isEmpty()) {
                    Thread.sleep(200);
                    continue;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    handle(record);
                }
                failures = 0;
            } catch (WakeupException e) {
                return; // closing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (KafkaException e) {
                // The brokers are away or refuse us: say so now and then, keep the page up, try again.
                if (failures++ % 30 == 0) {
                    LOG.warn("view: cannot read from Kafka ({}); retrying", e.getMessage());
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void assignNewTopics() {
        List<TopicPartition> partitions = new ArrayList<>(consumer.assignment());
        List<TopicPartition> added = new ArrayList<>();
        for (String topic : List.of(framesTopic, masksTopic, deadLetterTopic)) {
            if (assignedTopics.contains(topic)) {
                continue;
            }
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic);
            } catch (TopicAuthorizationException e) {
                // A viewer's user may read frames and masks only: the page then shows no dead-letter counts.
                if (refusedTopics.add(topic)) {
                    LOG.warn("view: not authorised to read {}; {}", topic, topic.equals(deadLetterTopic)
                            ? "dead-lettered counts are not shown" : "looked for again every few seconds");
                }
                if (topic.equals(deadLetterTopic)) {
                    assignedTopics.add(topic); // not asked for again
                }
                continue;
            }
            if (infos == null || infos.isEmpty()) {
                continue; // not created yet: looked for again in a moment
            }
            assignedTopics.add(topic);
            for (PartitionInfo info : infos) {
                added.add(new TopicPartition(topic, info.partition()));
            }
        }
        if (added.isEmpty()) {
            return;
        }
        partitions.addAll(added);
        consumer.assign(partitions);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(added);
        Map<TopicPartition, Long> end = consumer.endOffsets(added);
        for (TopicPartition tp : added) {
            long lookback = tp.topic().equals(deadLetterTopic) ? DEAD_LETTER_LOOKBACK : LOOKBACK;
            long from = Math.max(begin.get(tp), end.get(tp) - lookback);
            consumer.seek(tp, from);
            liveFrom.put(tp, end.get(tp));
        }
        LOG.info("view: following {} partitions of {}", added.size(),
                added.stream().map(TopicPartition::topic).distinct().toList());
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        boolean live = record.offset() >= liveFrom.getOrDefault(tp, 0L);
        if (record.topic().equals(deadLetterTopic)) {
            board.deadLetter(record.key());
            return;
        }
        if (record.key() == null || record.value() == null) {
            board.unreadable();
            return;
        }
        try {
            if (record.topic().equals(masksTopic)) {
                Mask mask = Mask.parseFrom(record.value());
                // Catching up on older masks, the record's time says when the camera was last seen.
                board.mask(record.key(), mask, live ? System.currentTimeMillis() : record.timestamp(), live);
            } else {
                board.frame(record.key(), sequenceOf(record.value()), record.value(), record.partition(),
                        record.offset());
            }
        } catch (IOException e) {
            board.unreadable(); // the processor dead-letters bad frames; the view only skips them
        }
    }

    /** The frame's sequence number, parsed without copying its pixels. */
    private static long sequenceOf(byte[] value) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(value);
        in.enableAliasing(true);
        return Frame.parseFrom(in).getSequence();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        thread.join(10_000);
        consumer.close(Duration.ofSeconds(2));
    }
}

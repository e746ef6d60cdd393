package io.segstream.topology;

import io.segstream.broker.TopicReader;
import io.segstream.schemas.v1.Mask;
import java.util.HashMap;
import java.util.Map;

/** What a read_committed reader finds on a masks topic: masks per (camera, sequence), and records in all. */
record MaskCounts(Map<String, Integer> perFrame, long records) {
    static MaskCounts read(Map<String, Object> consumerSettings, String topic) {
        Map<String, Integer> perFrame = new HashMap<>();
        long records = TopicReader.readAll(consumerSettings, topic, record -> {
            try {
                Mask m = Mask.parseFrom(record.value());
                perFrame.merge(m.getCameraId() + "/" + m.getSequence(), 1, Integer::sum);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError("the masks topic holds a record that is not a Mask", e);
            }
        });
        return new MaskCounts(perFrame, records);
    }
}

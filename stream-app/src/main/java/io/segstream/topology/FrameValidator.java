package io.segstream.topology;

import io.segstream.codec.CodecException;
import io.segstream.codec.FrameCodec;
import io.segstream.metrics.PipelineMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge of the topology: parses each frames-topic record with {@link FrameCodec} and forwards
 * valid frames to segmentation; anything else goes, unchanged, to the dead-letter topic with the
 * reason and its origin in headers. Nothing is dropped and the application keeps going.
 */
final class FrameValidator implements Processor<String, byte[], Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(FrameValidator.class);

    private final PipelineMetrics metrics;
    private final Clock clock;
    private ProcessorContext<Object, Object> context;

    FrameValidator(PipelineMetrics metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        metrics.frameIn(record.key());
        FrameCodec.ValidFrame frame;
        try {
            long nowUs = clock.millis() * 1000;
            frame = FrameCodec.decode(record.key(), record.value(), nowUs);
        } catch (CodecException e) {
            deadLetter(record, e.getMessage());
            return;
        }
        context.forward(new Record<Object, Object>(record.key(), frame, record.timestamp()), SegstreamTopology.SEGMENT);
    }

    private void deadLetter(Record<String, byte[]> record, String reason) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(Headers.ERROR, utf8(reason));
        RecordMetadata origin = context.recordMetadata().orElse(null);
        if (origin != null) {
            headers.add(Headers.SOURCE_TOPIC, utf8(origin.topic()));
            headers.add(Headers.SOURCE_PARTITION, utf8(Integer.toString(origin.partition())));
            headers.add(Headers.SOURCE_OFFSET, utf8(Long.toString(origin.offset())));
        }
        metrics.deadLettered(record.key());
        long count = metrics.deadLetteredRecords();
        // A flood of bad records must not become a flood of log lines: the first ten, then every thousandth.
        if (count <= 10 || count % 1000 == 0) {
            LOG.warn("dead-lettered record {} so far{}: {}", count, origin == null ? "" : " (" + origin.topic() + "-"
                    + origin.partition() + "@" + origin.offset() + ")", reason);
        }
        context.forward(new Record<Object, Object>(record.key(), record.value(), record.timestamp(), headers),
                SegstreamTopology.DEAD_LETTER_SINK);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

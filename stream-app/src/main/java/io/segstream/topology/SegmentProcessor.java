package io.segstream.topology;

import io.segstream.codec.FrameCodec.ValidFrame;
import io.segstream.metrics.PipelineMetrics;
import io.segstream.schemas.v1.Mask;
import java.time.Clock;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Segments one valid frame per call and forwards its mask. {@code process()} blocks until the
 * shared batcher has run the frame, so the record's offset cannot be committed before its mask
 * is handed to the producer (DESIGN.md, "Guarantees").
 */
final class SegmentProcessor implements Processor<String, ValidFrame, String, Mask> {
    private final FrameStage stage;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private ProcessorContext<String, Mask> context;

    SegmentProcessor(FrameStage stage, PipelineMetrics metrics, Clock clock) {
        this.stage = stage;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<String, Mask> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, ValidFrame> record) {
        Mask mask;
        try {
            mask = stage.segment(record.value(), clock.millis() * 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while waiting for inference", e);
        }
        context.forward(record.withValue(mask));
        metrics.maskOut(mask);
    }
}

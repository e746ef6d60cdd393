package io.segstream.topology;

import io.segstream.codec.ProtobufSerde;
import io.segstream.config.SegstreamConfig;
import io.segstream.metrics.PipelineMetrics;
import java.time.Clock;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;

/**
 * The processor's wiring (DESIGN.md, "Data flow"):
 *
 * <pre>
 * frames (bytes) -> validate -> segment -> masks (Mask)
 *                      |          \ camera-state store (the CRF's warm start, per camera)
 *                      \-> dead-letters (original bytes, reason in headers)
 * </pre>
 */
public final class SegstreamTopology {
    static final String SOURCE = "frames-source";
    static final String VALIDATE = "validate";
    static final String SEGMENT = "segment";
    static final String MASKS_SINK = "masks-sink";
    static final String DEAD_LETTER_SINK = "dead-letter-sink";

    private SegstreamTopology() {}

    /**
     * The topology over {@code config}'s topics. {@code metrics} receives its settings here too
     * ({@code metrics.max.cameras}), before the first record.
     */
    public static Topology build(SegstreamConfig config, FrameStage stage, PipelineMetrics metrics,
            Clock clock) {
        metrics.limitCameras(config.metricsMaxCameras());
        Topology topology = new Topology();
        topology.addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), config.framesTopic());
        topology.addProcessor(VALIDATE, () -> new FrameValidator(metrics, clock), SOURCE);
        LiveSchedule.Settings live = new LiveSchedule.Settings(config.maxFrameAgeMs() * 1000, config.maxFps());
        topology.addProcessor(SEGMENT, () -> new SegmentProcessor(stage, live, metrics, clock), VALIDATE);
        topology.addStateStore(SegmentProcessor.stateStore(), SEGMENT);
        topology.addSink(MASKS_SINK, config.masksTopic(), new StringSerializer(),
                ProtobufSerde.masks().serializer(), SEGMENT);
        topology.addSink(DEAD_LETTER_SINK, config.deadLetterTopic(), new StringSerializer(),
                new ByteArraySerializer(), VALIDATE);
        return topology;
    }
}

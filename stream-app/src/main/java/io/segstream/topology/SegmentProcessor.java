package io.segstream.topology;

import io.segstream.codec.FrameCodec.ValidFrame;
import io.segstream.metrics.PipelineMetrics;
import io.segstream.schemas.v1.Mask;
import io.segstream.segmentation.CameraStates;
import java.time.Clock;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Segments one valid frame per call and forwards its mask. {@code process()} blocks until the
 * shared batcher has run the frame, so the record's offset cannot be committed before its mask
 * is handed to the producer (DESIGN.md, "Guarantees").
 */
final class SegmentProcessor implements Processor<String, ValidFrame, String, Mask>, CameraStates {
    /**
     * Per-camera state of the task (the CRF's warm start): in memory and not logged, because it
     * is a cache that a cold frame rebuilds; restoring it from a changelog would cost more than
     * that frame and would double the bytes written per mask.
     */
    static final String STATE_STORE = "camera-state";

    private final FrameStage stage;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private ProcessorContext<String, Mask> context;
    private KeyValueStore<String, byte[]> store;

    SegmentProcessor(FrameStage stage, PipelineMetrics metrics, Clock clock) {
        this.stage = stage;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<String, Mask> context) {
        this.context = context;
        this.store = context.getStateStore(STATE_STORE);
    }

    static StoreBuilder<KeyValueStore<String, byte[]>> stateStore() {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STATE_STORE), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled();
    }

    @Override
    public byte[] load(String cameraId) {
        return store.get(cameraId);
    }

    @Override
    public void save(String cameraId, byte[] state) {
        store.put(cameraId, state);
    }

    @Override
    public void process(Record<String, ValidFrame> record) {
        Mask mask;
        try {
            mask = stage.segment(record.value(), clock.millis() * 1000, this);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while waiting for inference", e);
        }
        context.forward(record.withValue(mask));
        metrics.maskOut(mask);
    }
}

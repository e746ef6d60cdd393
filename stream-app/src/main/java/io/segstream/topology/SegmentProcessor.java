package io.segstream.topology;

import io.segstream.codec.FrameCodec.ValidFrame;
import io.segstream.metrics.PipelineMetrics;
import io.segstream.schemas.v1.Frame;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.Timings;
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
 * Answers one valid frame per call with its mask: segmented, or in live mode a skip that
 * {@link LiveSchedule} decided (stale, superseded by a newer frame, over the camera's rate). {@code process()} blocks until the
 * shared batcher has run the frame, so the record's offset cannot be committed before its mask
 * is handed to the producer (DESIGN.md, "Contracts").
 */
final class SegmentProcessor implements Processor<String, ValidFrame, String, Mask>, CameraStates {
    /**
     * Per-camera state of the task (the CRF's warm start): in memory and not logged, because it
     * is a cache that a cold frame rebuilds; restoring it from a changelog would cost more than
     * that frame and would double the bytes written per mask.
     */
    static final String STATE_STORE = "camera-state";

    private final FrameStage stage;
    private final LiveSchedule schedule;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private ProcessorContext<String, Mask> context;
    private KeyValueStore<String, byte[]> store;

    SegmentProcessor(FrameStage stage, LiveSchedule.Settings live, PipelineMetrics metrics, Clock clock) {
        this.stage = stage;
        this.schedule = new LiveSchedule(live);
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
        Frame frame = record.value().frame();
        long arrivalUs = clock.millis() * 1000;
        LiveSchedule.Decision decision = schedule.decide(frame, arrivalUs);
        Mask mask;
        try {
            if (decision.segment()) {
                mask = stage.segment(record.value(), arrivalUs, this);
                schedule.segmented(frame);
            } else {
                metrics.skipped();
                mask = skipped(frame, decision, clock.millis() * 1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while waiting for inference", e);
        }
        context.forward(record.withValue(mask));
        metrics.maskOut(mask);
    }

    /** The answer to a frame live mode passed over: the frame's header, the status and its reason, no labels. */
    static Mask skipped(Frame frame, LiveSchedule.Decision decision, long nowUs) {
        return Mask.newBuilder()
                .setCameraId(frame.getCameraId())
                .setSequence(frame.getSequence())
                .setCaptureTimeUs(frame.getCaptureTimeUs())
                .setPtsUs(frame.getPtsUs())
                .setWidth(frame.getWidth()) // no label map; the frame's size, as skips always said
                .setHeight(frame.getHeight())
                .setSourceWidth(frame.getWidth())
                .setSourceHeight(frame.getHeight())
                .setStatus(decision.status())
                .setStatusDetail(decision.detail())
                .setTimings(Timings.newBuilder().setEndToEndUs(nowUs - frame.getCaptureTimeUs()))
                .build();
    }
}

package io.segstream.topology;

import io.segstream.codec.FrameCodec.ValidFrame;
import io.segstream.schemas.v1.Mask;
import io.segstream.segmentation.CameraStates;

/**
 * What the topology does with a valid frame: answer it with exactly one Mask. The product's
 * stage is {@link SegmentationStage}; benchmarks put a no-op here to measure Kafka transport alone.
 */
public interface FrameStage {
    /**
     * The mask for {@code frame}, which reached the processor at {@code arrivalUs} (epoch
     * microseconds); {@code states} holds what the stage carries per camera.
     */
    Mask segment(ValidFrame frame, long arrivalUs, CameraStates states) throws InterruptedException;
}

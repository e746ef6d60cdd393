package io.segstream.topology;

import io.segstream.codec.FrameCodec.ValidFrame;
import io.segstream.codec.LabelRle;
import io.segstream.codec.PixelConverter;
import io.segstream.codec.RgbImage;
import io.segstream.metrics.PipelineMetrics;
import io.segstream.schemas.v1.ClassArea;
import io.segstream.schemas.v1.CocoRle;
import io.segstream.schemas.v1.CrfStats;
import io.segstream.schemas.v1.Frame;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.MaskEncoding;
import io.segstream.schemas.v1.MaskStatus;
import io.segstream.schemas.v1.ModelInfo;
import io.segstream.schemas.v1.Timings;
import io.segstream.segmentation.CameraStates;
import io.segstream.segmentation.FrameResult;
import io.segstream.segmentation.SegmentationPath;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * Frame to Mask, shared by every stream thread: pixels to RGB, then the one segmentation path
 * ({@link SegmentationPath}: model inputs through the shared dynamic batcher, logits upsampled to
 * the working size, the dense CRF warm-started from the camera's state that the task carries, labels),
 * then the Mask: labels run-length encoded, per-class areas, COCO RLE, timings and the model's
 * class table. Which frames are segmented in live mode is decided before ({@link LiveSchedule}). Each thread has a path and buffers of its own ({@link Worker}).
 */
public final class SegmentationStage implements FrameStage, AutoCloseable {
    private final ModelInfo modelInfo;
    private final boolean cocoRle;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private final ThreadLocal<Worker> workers;
    private final List<Worker> all = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param paths a new path for each stream thread, all sending their model inputs to the shared
     *     batcher ({@code SharedBatcher::newPath}); each is closed with this stage
     * @param modelInfo the model and engine as each Mask names them
     * @param maxFrameAgeMs live mode's maximum frame age, or 0 for batch mode
     */
    public SegmentationStage(Supplier<SegmentationPath> paths, ModelInfo modelInfo,
            boolean cocoRle, PipelineMetrics metrics, Clock clock) {
        this.cocoRle = cocoRle;
        this.metrics = metrics;
        this.clock = clock;
        this.modelInfo = modelInfo;
        this.workers = ThreadLocal.withInitial(() -> {
            Worker w = new Worker(paths.get());
            all.add(w);
            return w;
        });
    }

    /** The mask for {@code valid}, which arrived at the processor at {@code arrivalUs}. */
    @Override
    public Mask segment(ValidFrame valid, long arrivalUs, CameraStates states) throws InterruptedException {
        Frame frame = valid.frame();
        Worker w = workers.get();
        long t0 = System.nanoTime();
        int size = frame.getData().size();
        if (w.pixelBytes.length < size) {
            w.pixelBytes = new byte[size];
        }
        frame.getData().copyTo(w.pixelBytes, 0);
        PixelConverter.toRgb(valid.layout(), w.pixelBytes, w.rgb);
        long decodeNanos = System.nanoTime() - t0;
        FrameResult r = w.path.segment(new SegmentationPath.Input(frame.getCameraId(), frame.getSequence(), w.rgb),
                states);
        long t1 = System.nanoTime();
        CrfStats.Builder crfStats = CrfStats.newBuilder().setApplied(r.crf() != null);
        if (r.crf() != null) {
            crfStats.setIterations(r.crf().iterations()).setFinalChange(r.crf().finalChange())
                    .setWarmStart(r.crf().warm()).setColdStartReason(r.crf().coldStartReason())
                    .setChangedShare(r.crf().changedShare());
            metrics.crfRun(r.crf(), r.crfNanos());
        }
        int width = r.width();
        int height = r.height();
        byte[] rle = LabelRle.encode(r.labels(), width, height);
        Mask.Builder mask = header(frame)
                .setWidth(width)
                .setHeight(height)
                .setStatus(MaskStatus.MASK_STATUS_OK)
                .setModel(modelInfo)
                .setEncoding(MaskEncoding.MASK_ENCODING_LABEL_RLE)
                .setData(com.google.protobuf.UnsafeByteOperations.unsafeWrap(rle))
                .setPreprocess(r.fit())
                .setBatchSize(r.batchSize())
                .setCrf(crfStats);
        long[] counts = r.classPixels();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] > 0) {
                mask.addClassAreas(ClassArea.newBuilder().setClassIndex(c).setPixels(counts[c]));
                if (cocoRle) {
                    mask.addCocoRle(CocoRle.newBuilder().setClassIndex(c)
                            .setCounts(io.segstream.codec.CocoRle.encode(r.labels(), width, height, c)));
                }
            }
        }
        long encodeNanos = System.nanoTime() - t1;
        mask.setTimings(Timings.newBuilder()
                .setPreprocessUs((decodeNanos + r.preprocessNanos()) / 1000)
                .setQueueUs(r.queueNanos() / 1000)
                .setInferenceUs(r.inferenceNanos() / 1000)
                .setCrfUs(r.crfNanos() / 1000)
                .setPostprocessUs((r.postprocessNanos() + encodeNanos) / 1000)
                .setEndToEndUs(nowUs() - frame.getCaptureTimeUs()));
        return mask.build();
    }

    private static Mask.Builder header(Frame frame) {
        return Mask.newBuilder()
                .setCameraId(frame.getCameraId())
                .setSequence(frame.getSequence())
                .setCaptureTimeUs(frame.getCaptureTimeUs())
                .setPtsUs(frame.getPtsUs())
                .setSourceWidth(frame.getWidth())
                .setSourceHeight(frame.getHeight());
    }

    private long nowUs() {
        return clock.millis() * 1000;
    }

    /** Closes every stream thread's path (and its CRF threads). */
    @Override
    public void close() {
        for (Worker w : all) {
            w.path.close();
        }
    }

    /** One stream thread's path and frame buffer. */
    private static final class Worker {
        final SegmentationPath path;
        final RgbImage rgb = new RgbImage(1, 1);
        byte[] pixelBytes = new byte[0];

        Worker(SegmentationPath path) {
            this.path = path;
        }
    }
}

package io.segstream.topology;

import io.segstream.codec.FrameCodec.ValidFrame;
import io.segstream.codec.LabelRle;
import io.segstream.codec.PixelConverter;
import io.segstream.codec.RgbImage;
import io.segstream.crf.CrfSetup;
import io.segstream.crf.CrfState;
import io.segstream.crf.TemporalCrf;
import io.segstream.inference.DynamicBatcher;
import io.segstream.inference.FitMode;
import io.segstream.inference.FrameTranslator;
import io.segstream.inference.InputView;
import io.segstream.metrics.PipelineMetrics;
import io.segstream.model.ModelCard;
import io.segstream.schemas.v1.ClassArea;
import io.segstream.schemas.v1.CocoRle;
import io.segstream.schemas.v1.CrfStats;
import io.segstream.schemas.v1.Frame;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.MaskEncoding;
import io.segstream.schemas.v1.MaskStatus;
import io.segstream.schemas.v1.ModelInfo;
import io.segstream.schemas.v1.Timings;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * Frame to Mask, shared by every stream thread: pixels to RGB, the model inputs of the frame
 * through the shared {@link DynamicBatcher}, logits upsampled to the frame and reduced by argmax,
 * optionally refined by the dense CRF (warm-started from the camera's previous frame, whose state
 * the camera's task carries), labels run-length encoded with per-class areas, timings and the model's class table. In live
 * mode a frame already older than the maximum age is answered by a SKIPPED_STALE mask instead.
 * Each thread works in buffers of its own ({@link Worker}), reused across frames.
 */
public final class SegmentationStage implements FrameStage {
    private final DynamicBatcher batcher;
    private final ModelCard card;
    private final ModelInfo modelInfo;
    private final long maxFrameAgeUs;
    private final boolean cocoRle;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private final ThreadLocal<Worker> workers;

    /**
     * @param maxFrameAgeMs live mode's maximum frame age, or 0 for batch mode
     */
    public SegmentationStage(DynamicBatcher batcher, ModelCard card, FitMode fit, long maxFrameAgeMs,
            boolean cocoRle, PipelineMetrics metrics, Clock clock) {
        this(batcher, card, fit, maxFrameAgeMs, cocoRle, null, metrics, clock);
    }

    /**
     * @param crf the stream CRF's settings, or null for no CRF (argmax of the logits)
     */
    public SegmentationStage(DynamicBatcher batcher, ModelCard card, FitMode fit, long maxFrameAgeMs,
            boolean cocoRle, CrfSetup crf, PipelineMetrics metrics, Clock clock) {
        this.cocoRle = cocoRle;
        this.batcher = batcher;
        this.card = card;
        this.maxFrameAgeUs = maxFrameAgeMs * 1000;
        this.metrics = metrics;
        this.clock = clock;
        this.modelInfo = modelInfo(card);
        this.workers = ThreadLocal.withInitial(() -> new Worker(new FrameTranslator(card, fit),
                crf == null ? null : crf.newCrf(1)));
    }

    /** The mask for {@code valid}, which arrived at the processor at {@code arrivalUs}. */
    @Override
    public Mask segment(ValidFrame valid, long arrivalUs, CameraState state) throws InterruptedException {
        Frame frame = valid.frame();
        long ageUs = arrivalUs - frame.getCaptureTimeUs();
        if (maxFrameAgeUs > 0 && ageUs > maxFrameAgeUs) {
            metrics.skipped();
            return header(frame).setStatus(MaskStatus.MASK_STATUS_SKIPPED_STALE)
                    .setStatusDetail("frame was " + ageUs / 1000 + " ms old on arrival, max.frame.age.ms is "
                            + maxFrameAgeUs / 1000)
                    .setTimings(Timings.newBuilder().setEndToEndUs(nowUs() - frame.getCaptureTimeUs()))
                    .build();
        }
        Worker w = workers.get();
        long t0 = System.nanoTime();
        int width = frame.getWidth();
        int height = frame.getHeight();
        w.rgb.reshape(width, height);
        int size = frame.getData().size();
        if (w.pixelBytes.length < size) {
            w.pixelBytes = new byte[size];
        }
        frame.getData().copyTo(w.pixelBytes, 0);
        PixelConverter.toRgb(valid.layout(), w.pixelBytes, w.rgb);
        List<InputView> views = w.translator.plan(width, height);
        w.ensureCapacity(views.size(), width * height);
        w.translator.writeInputs(w.rgb, views, w.inputs, 0);
        long t1 = System.nanoTime();
        DynamicBatcher.Result run = batcher.infer(w.inputs, views.size(), w.outputs);
        long t2 = System.nanoTime();
        w.translator.stitch(w.outputs, 0, views, width, height);
        byte[] labels = w.labels;
        CrfStats.Builder crfStats = CrfStats.newBuilder().setApplied(w.crf != null);
        long crfNanos = 0;
        if (w.crf != null) {
            long c0 = System.nanoTime();
            TemporalCrf.Outcome refined = refine(w.crf, frame, w, labels, state);
            crfNanos = System.nanoTime() - c0;
            crfStats.setIterations(refined.iterations()).setFinalChange(refined.finalChange())
                    .setWarmStart(refined.warm()).setColdStartReason(refined.coldStartReason());
            metrics.crfRun(refined.iterations(), refined.warm(), crfNanos);
        } else {
            w.translator.argmax(labels);
        }
        int pixels = width * height;
        byte[] rle = LabelRle.encode(labels, width, height);
        Mask.Builder mask = header(frame)
                .setStatus(MaskStatus.MASK_STATUS_OK)
                .setModel(modelInfo)
                .setEncoding(MaskEncoding.MASK_ENCODING_LABEL_RLE)
                .setData(com.google.protobuf.UnsafeByteOperations.unsafeWrap(rle))
                .setPreprocess(w.translator.describe(views))
                .setBatchSize(run.batchSize())
                .setCrf(crfStats);
        addClassAreas(labels, pixels, w.counts, mask);
        if (cocoRle) {
            for (int c = 0; c < w.counts.length; c++) {
                if (w.counts[c] > 0) {
                    mask.addCocoRle(CocoRle.newBuilder().setClassIndex(c)
                            .setCounts(io.segstream.codec.CocoRle.encode(labels, width, height, c)));
                }
            }
        }
        long t3 = System.nanoTime();
        mask.setTimings(Timings.newBuilder()
                .setPreprocessUs((t1 - t0) / 1000)
                .setQueueUs(run.queueNanos() / 1000)
                .setInferenceUs(run.inferenceNanos() / 1000)
                .setCrfUs(crfNanos / 1000)
                .setPostprocessUs((t3 - t2 - crfNanos) / 1000)
                .setEndToEndUs(nowUs() - frame.getCaptureTimeUs()));
        return mask.build();
    }

    /** The CRF warm-started from (and updating) the camera's carried state. */
    private TemporalCrf.Outcome refine(TemporalCrf crf, Frame frame, Worker w, byte[] labels, CameraState state) {
        CrfState carried = null;
        if (crf.settings().warmStart()) {
            carried = CrfState.parse(state.load(frame.getCameraId())).orElse(null);
        }
        TemporalCrf.Outcome outcome = crf.refine(frame.getCameraId(), w.rgb.data(), frame.getWidth(), frame.getHeight(),
                w.translator.planes(), card.classCount(), frame.getSequence(), carried, labels);
        if (outcome.state() != null) {
            state.save(frame.getCameraId(), outcome.state().toBytes());
        }
        return outcome;
    }

    private static void addClassAreas(byte[] labels, int pixels, long[] counts, Mask.Builder mask) {
        Arrays.fill(counts, 0);
        for (int p = 0; p < pixels; p++) {
            counts[labels[p] & 0xFF]++;
        }
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] > 0) {
                mask.addClassAreas(ClassArea.newBuilder().setClassIndex(c).setPixels(counts[c]));
            }
        }
    }

    private static Mask.Builder header(Frame frame) {
        return Mask.newBuilder()
                .setCameraId(frame.getCameraId())
                .setSequence(frame.getSequence())
                .setCaptureTimeUs(frame.getCaptureTimeUs())
                .setPtsUs(frame.getPtsUs())
                .setWidth(frame.getWidth())
                .setHeight(frame.getHeight());
    }

    private long nowUs() {
        return clock.millis() * 1000;
    }

    private static ModelInfo modelInfo(ModelCard card) {
        ModelInfo.Builder info = ModelInfo.newBuilder().setModelId(card.id()).addAllClassNames(card.classes());
        for (int c = 0; c < card.classCount(); c++) {
            info.addPalette(card.rgb(c));
        }
        return info.build();
    }

    /** One stream thread's buffers. */
    private static final class Worker {
        final FrameTranslator translator;
        final TemporalCrf crf;
        final RgbImage rgb = new RgbImage(1, 1);
        final long[] counts = new long[256];
        float[] inputs = new float[0];
        float[] outputs = new float[0];
        byte[] labels = new byte[0];
        byte[] pixelBytes = new byte[0];

        Worker(FrameTranslator translator, TemporalCrf crf) {
            this.translator = translator;
            this.crf = crf;
        }

        void ensureCapacity(int views, int pixels) {
            if (inputs.length < views * translator.slotSize()) {
                inputs = new float[views * translator.slotSize()];
                outputs = new float[views * translator.outputSize()];
            }
            if (labels.length < pixels) {
                labels = new byte[pixels];
            }
        }
    }
}

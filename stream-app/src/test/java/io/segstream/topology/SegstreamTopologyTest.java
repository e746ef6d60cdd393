package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.codec.DecodedFrame;
import io.segstream.codec.LabelRle;
import io.segstream.codec.MaskLabels;
import io.segstream.codec.ProtobufSerde;
import io.segstream.codec.VideoSource;
import io.segstream.config.SegstreamConfig;
import io.segstream.crf.CrfParams;
import io.segstream.crf.CrfSetup;
import io.segstream.crf.WarmStartSettings;
import io.segstream.inference.EngineChoice;
import io.segstream.inference.Fit;
import io.segstream.inference.FitMode;
import io.segstream.ingest.FrameIngestor;
import io.segstream.metrics.PipelineMetrics;
import io.segstream.model.ModelCard;
import io.segstream.schemas.v1.ClassArea;
import io.segstream.schemas.v1.Frame;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.MaskStatus;
import io.segstream.schemas.v1.PixelFormat;
import io.segstream.segmentation.Segmenter;
import io.segstream.segmentation.SegmenterOptions;
import io.segstream.segmentation.SharedBatcher;
import io.segstream.segmentation.WorkingSize;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology's wiring under TopologyTestDriver, with the real model and real frames. */
class SegstreamTopologyTest {
    @TempDir
    static Path modelDir;
    static ModelCard card;
    static List<Frame> frames = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        SharedData.importModel(modelDir);
        card = ModelCard.read(modelDir.resolve("model.json"));
        try (VideoSource video = VideoSource.open(SharedData.path(Assets.VTEST).toString(),
                PixelFormat.PIXEL_FORMAT_I420)) {
            for (int i = 0; i < 5; i++) {
                DecodedFrame decoded = video.next();
                frames.add(FrameIngestor.toFrame(decoded, "lobby", i, "vtest.avi", 10));
            }
        }
    }

    static final CrfSetup WARM = new CrfSetup(CrfParams.DEEPLAB, 0.05f, WarmStartSettings.DEFAULT);
    static final CrfSetup COLD = new CrfSetup(CrfParams.DEEPLAB, 0.05f,
            WarmStartSettings.DEFAULT.withWarmStart(false));

    private record Run(List<TestRecord<String, Mask>> masks, List<TestRecord<String, byte[]>> deadLetters,
            PipelineMetrics metrics) {}

    private static Run run(long maxFrameAgeMs, List<TestRecord<String, byte[]>> input) throws Exception {
        return run(maxFrameAgeMs, null, input);
    }

    private static Run run(long maxFrameAgeMs, CrfSetup crf, List<TestRecord<String, byte[]>> input)
            throws Exception {
        return run(maxFrameAgeMs, crf, WorkingSize.DEFAULT, input);
    }

    private static Run run(long maxFrameAgeMs, CrfSetup crf, WorkingSize working,
            List<TestRecord<String, byte[]>> input) throws Exception {
        SegstreamConfig config = new SegstreamConfig(Map.of(SegstreamConfig.MAX_FRAME_AGE_MS, maxFrameAgeMs));
        PipelineMetrics metrics = new PipelineMetrics(4);
        Properties props = new Properties();
        props.put("application.id", "topology-test");
        props.put("bootstrap.servers", "unused:9092");
        SegmenterOptions options = SegmenterOptions.forModel(modelDir).withEngine(EngineChoice.CPU).withThreads(2)
                .withFit(Fit.of(FitMode.SQUASH)).withCrf(model -> crf).withWorking(working);
        // the processor's wiring (SegstreamProcessor.start) without Kafka: one batcher shared by the stage's paths
        try (Segmenter segmenter = Segmenter.open(options);
                SharedBatcher batcher = segmenter.shareBatcher(4, 0, metrics::batchRun);
                SegmentationStage stage = new SegmentationStage(batcher::newPath, segmenter.modelInfo(), true,
                        metrics, Clock.systemUTC());
                TopologyTestDriver driver = new TopologyTestDriver(SegstreamTopology.build(config, stage, metrics,
                        Clock.systemUTC()), props)) {
            TestInputTopic<String, byte[]> in = driver.createInputTopic(config.framesTopic(), new StringSerializer(),
                    new ByteArraySerializer());
            TestOutputTopic<String, Mask> masks = driver.createOutputTopic(config.masksTopic(),
                    new StringDeserializer(), ProtobufSerde.masks().deserializer());
            TestOutputTopic<String, byte[]> dead = driver.createOutputTopic(config.deadLetterTopic(),
                    new StringDeserializer(), new ByteArrayDeserializer());
            in.pipeRecordList(input);
            return new Run(masks.readRecordsToList(), dead.readRecordsToList(), metrics);
        }
    }

    @Test
    void validFramesBecomeMasksInOrderAndABadRecordIsDeadLettered() throws Exception {
        List<TestRecord<String, byte[]>> input = new ArrayList<>();
        input.add(new TestRecord<>("lobby", frames.get(0).toByteArray()));
        input.add(new TestRecord<>("lobby", "not a frame".getBytes(StandardCharsets.UTF_8)));
        input.add(new TestRecord<>("lobby", frames.get(1).toByteArray()));
        input.add(new TestRecord<>("lobby", frames.get(2).toByteArray()));
        Run run = run(0, input);

        assertEquals(3, run.masks().size());
        for (int i = 0; i < 3; i++) {
            TestRecord<String, Mask> record = run.masks().get(i);
            Mask mask = record.value();
            assertEquals("lobby", record.key());
            assertEquals(i, mask.getSequence());
            assertEquals(MaskStatus.MASK_STATUS_OK, mask.getStatus());
            assertEquals(480, mask.getWidth());
            assertEquals(frames.get(i).getCaptureTimeUs(), mask.getCaptureTimeUs());
            byte[] labels = LabelRle.decode(mask.getData().toByteArray(), 480, 360);
            long[] counts = new long[256];
            for (byte label : labels) {
                counts[label & 0xFF]++;
            }
            for (ClassArea area : mask.getClassAreasList()) {
                assertEquals(counts[area.getClassIndex()], area.getPixels(), "class " + area.getClassIndex());
            }
            assertEquals(480L * 360, mask.getClassAreasList().stream().mapToLong(ClassArea::getPixels).sum());
            assertEquals(card.id(), mask.getModel().getModelId());
            assertEquals(21, mask.getModel().getClassNamesCount());
            assertTrue(mask.getModel().getEngine().startsWith("cpu: ONNX Runtime"), mask.getModel().getEngine());
            assertEquals("squash", mask.getPreprocess());
            assertEquals(mask.getClassAreasCount(), mask.getCocoRleCount(), "one COCO RLE per class present");
            for (io.segstream.schemas.v1.CocoRle rle : mask.getCocoRleList()) {
                byte[] binary = io.segstream.codec.CocoRle.decode(rle.getCounts(), 480, 360);
                for (int p = 0; p < labels.length; p++) {
                    assertEquals((labels[p] & 0xFF) == rle.getClassIndex() ? 1 : 0, binary[p],
                            "class " + rle.getClassIndex() + " pixel " + p);
                }
            }
        }
        assertEquals(1, run.deadLetters().size());
        TestRecord<String, byte[]> dead = run.deadLetters().get(0);
        assertEquals("not a frame", new String(dead.value(), StandardCharsets.UTF_8), "original bytes kept");
        String reason = new String(dead.headers().lastHeader(Headers.ERROR).value(), StandardCharsets.UTF_8);
        assertTrue(reason.startsWith("not a segstream.v1.Frame"), reason);
        assertEquals(4, run.metrics().framesIn());
        assertEquals(3, run.metrics().masksOut());
        assertEquals(1, run.metrics().deadLetteredRecords());
        assertEquals(4, run.metrics().cameras().frames("lobby"), "per camera, by the records' key");
        assertEquals(3, run.metrics().cameras().masks("lobby"));
    }

    @Test
    void refinesMasksWithTheCrfWhenEnabledAndReportsItInTheMask() throws Exception {
        Run plain = run(0, List.of(new TestRecord<>("lobby", frames.get(0).toByteArray())));
        Run refined = run(0, WARM, List.of(new TestRecord<>("lobby", frames.get(0).toByteArray())));
        Mask without = plain.masks().get(0).value();
        Mask with = refined.masks().get(0).value();
        assertEquals(false, without.getCrf().getApplied());
        assertEquals(0, without.getTimings().getCrfUs());
        assertTrue(with.getCrf().getApplied());
        assertTrue(with.getCrf().getIterations() >= 1 && with.getCrf().getIterations() <= 5);
        assertEquals(false, with.getCrf().getWarmStart());
        assertTrue(with.getCrf().getColdStartReason().startsWith("first frame"), with.getCrf().getColdStartReason());
        assertTrue(with.getTimings().getCrfUs() > 0);
        assertTrue(!with.getData().equals(without.getData()), "the CRF changed some labels");
        assertEquals(480L * 360, with.getClassAreasList().stream().mapToLong(ClassArea::getPixels).sum());
        byte[] network = LabelRle.decode(without.getData().toByteArray(), 480, 360);
        byte[] crf = LabelRle.decode(with.getData().toByteArray(), 480, 360);
        int changed = 0;
        for (int p = 0; p < network.length; p++) {
            changed += network[p] != crf[p] ? 1 : 0;
        }
        assertEquals((float) changed / network.length, with.getCrf().getChangedShare(), 1e-6f,
                "the Mask's changed share counts the pixels the CRF relabelled");
    }

    @Test
    void warmStartsEachCameraFromItsOwnPreviousFrame() throws Exception {
        List<TestRecord<String, byte[]>> input = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            input.add(new TestRecord<>("lobby", frames.get(i).toByteArray()));
            input.add(new TestRecord<>("hall", frames.get(i).toBuilder().setCameraId("hall").build().toByteArray()));
        }
        input.add(new TestRecord<>("lobby", frames.get(4).toByteArray())); // frame 3 never arrived (or was skipped)
        input.add(new TestRecord<>("lobby", frames.get(4).toBuilder().setSequence(100).build().toByteArray()));
        List<Mask> masks = run(0, WARM, input).masks().stream().map(TestRecord::value).toList();
        assertEquals(8, masks.size());
        for (int i = 0; i < 2; i++) {
            Mask first = masks.get(i);
            assertEquals(false, first.getCrf().getWarmStart(), first.getCameraId());
            assertTrue(first.getCrf().getColdStartReason().startsWith("first frame"), first.getCrf().getColdStartReason());
        }
        for (int i = 2; i < 6; i++) {
            Mask next = masks.get(i);
            assertTrue(next.getCrf().getWarmStart(), next.getCameraId() + " " + next.getSequence() + ": "
                    + next.getCrf().getColdStartReason());
            assertEquals("", next.getCrf().getColdStartReason());
            assertTrue(next.getCrf().getIterations() >= 1);
        }
        Mask afterSkip = masks.get(6);
        assertTrue(afterSkip.getCrf().getWarmStart(), "one missing frame is within crf.warm.max.gap: "
                + afterSkip.getCrf().getColdStartReason());
        Mask afterGap = masks.get(7);
        assertEquals(false, afterGap.getCrf().getWarmStart());
        assertEquals("gap in sequence: previous 4, this 100 (more than " + WarmStartSettings.DEFAULT_MAX_GAP
                + " frames)", afterGap.getCrf().getColdStartReason());
    }

    /**
     * A frame larger than the working size is segmented at the working size: the Mask's label map
     * is that size and says the frame's; with masks at the source size the labels are those
     * enlarged, pixel for pixel.
     */
    @Test
    void framesLargerThanTheWorkingSizeGetMasksAtTheWorkingSize() throws Exception {
        List<TestRecord<String, byte[]>> input = List.of(new TestRecord<>("lobby", frames.get(0).toByteArray()),
                new TestRecord<>("lobby", frames.get(1).toByteArray()));
        List<Mask> working = run(0, WARM, new WorkingSize(320, false), input).masks().stream()
                .map(TestRecord::value).toList();
        List<Mask> source = run(0, WARM, new WorkingSize(320, true), input).masks().stream()
                .map(TestRecord::value).toList();
        for (int i = 0; i < 2; i++) {
            Mask small = working.get(i);
            assertEquals(320, small.getWidth());
            assertEquals(240, small.getHeight());
            assertEquals(480, small.getSourceWidth());
            assertEquals(360, small.getSourceHeight());
            assertEquals(320L * 240, small.getClassAreasList().stream().mapToLong(ClassArea::getPixels).sum());
            byte[] labels = MaskLabels.decode(small);
            for (io.segstream.schemas.v1.CocoRle rle : small.getCocoRleList()) {
                byte[] binary = io.segstream.codec.CocoRle.decode(rle.getCounts(), 320, 240);
                for (int p = 0; p < labels.length; p++) {
                    assertEquals((labels[p] & 0xFF) == rle.getClassIndex(), binary[p] != 0, "COCO RLE at 320x240");
                }
            }
            Mask big = source.get(i);
            assertEquals(480, big.getWidth());
            assertEquals(360, big.getHeight());
            assertArrayEquals(MaskLabels.decodeAt(small, 480, 360), MaskLabels.decode(big),
                    "mask.size=source enlarges the working labels");
        }
        assertTrue(working.get(1).getCrf().getWarmStart(), "the working size carries the warm start");
        List<Mask> own = run(0, WARM, WorkingSize.SOURCE, input).masks().stream().map(TestRecord::value).toList();
        for (int i = 0; i < 2; i++) {
            byte[] full = MaskLabels.decode(own.get(i));
            byte[] enlarged = MaskLabels.decode(source.get(i));
            int same = 0;
            for (int p = 0; p < full.length; p++) {
                same += full[p] == enlarged[p] ? 1 : 0;
            }
            assertTrue(same >= 0.95 * full.length, "labels at the working size agree with the frame-size CRF on "
                    + same + " of " + full.length + " pixels");
        }
    }

    /** {@code frame}'s picture cropped to its top-left {@code width x height} (I420, odd sides allowed). */
    static Frame cropped(Frame frame, int width, int height) {
        return withPicture(frame, width, height, (x, y, plane) -> sample(frame, plane, x, y));
    }

    /** {@code frame}'s picture enlarged (nearest neighbour) to {@code width x height}. */
    static Frame enlarged(Frame frame, int width, int height) {
        return withPicture(frame, width, height, (x, y, plane) -> {
            int w = plane == 0 ? width : (width + 1) / 2;
            int h = plane == 0 ? height : (height + 1) / 2;
            int fw = plane == 0 ? frame.getWidth() : (frame.getWidth() + 1) / 2;
            int fh = plane == 0 ? frame.getHeight() : (frame.getHeight() + 1) / 2;
            return sample(frame, plane, x * fw / w, y * fh / h);
        });
    }

    private interface Picture {
        byte at(int x, int y, int plane);
    }

    private static byte sample(Frame frame, int plane, int x, int y) {
        int w = frame.getWidth();
        int cw = (w + 1) / 2;
        int ch = (frame.getHeight() + 1) / 2;
        int offset = plane == 0 ? y * w + x : w * frame.getHeight() + (plane - 1) * cw * ch + y * cw + x;
        return frame.getData().byteAt(offset);
    }

    private static Frame withPicture(Frame frame, int width, int height, Picture picture) {
        int cw = (width + 1) / 2;
        int ch = (height + 1) / 2;
        byte[] data = new byte[width * height + 2 * cw * ch];
        int k = 0;
        for (int plane = 0; plane < 3; plane++) {
            int w = plane == 0 ? width : cw;
            int h = plane == 0 ? height : ch;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    data[k++] = picture.at(x, y, plane);
                }
            }
        }
        return frame.toBuilder().setWidth(width).setHeight(height)
                .setData(com.google.protobuf.ByteString.copyFrom(data)).build();
    }

    @Test
    void oddSizesResolutionChangesAndHugeFramesGetMasksAtTheWorkingSize() throws Exception {
        // One camera whose frames are 480x360, then odd 479x359, then square 359x359 (a resolution change that
        // changes the aspect), then 1920x1080 (six times the working size), then 1920x1080 again.
        List<Frame> sequence = List.of(frames.get(0), cropped(frames.get(1), 479, 359), cropped(frames.get(2), 359, 359),
                enlarged(frames.get(3), 1920, 1080), enlarged(frames.get(4), 1920, 1080));
        List<TestRecord<String, byte[]>> input = sequence.stream()
                .map(f -> new TestRecord<String, byte[]>("lobby", f.toByteArray())).toList();
        Run run = run(0, WARM, new WorkingSize(320, false), input);
        assertEquals(0, run.deadLetters().size(), "no frame of a legal size is dead-lettered");
        List<Mask> masks = run.masks().stream().map(TestRecord::value).toList();
        int[][] expected = {{320, 240}, {320, 240}, {320, 320}, {320, 180}, {320, 180}};
        for (int i = 0; i < masks.size(); i++) {
            Mask mask = masks.get(i);
            assertEquals(MaskStatus.MASK_STATUS_OK, mask.getStatus(), "frame " + i);
            assertEquals(expected[i][0] + "x" + expected[i][1], mask.getWidth() + "x" + mask.getHeight(), "frame " + i);
            assertEquals(sequence.get(i).getWidth() + "x" + sequence.get(i).getHeight(),
                    mask.getSourceWidth() + "x" + mask.getSourceHeight(), "frame " + i + "'s source size");
            assertEquals((long) expected[i][0] * expected[i][1],
                    mask.getClassAreasList().stream().mapToLong(ClassArea::getPixels).sum());
        }
        assertEquals(5, masks.size());
        assertTrue(masks.get(2).getCrf().getColdStartReason().startsWith("size change"),
                "an aspect change starts the CRF cold: " + masks.get(2).getCrf().getColdStartReason());
        assertTrue(masks.get(3).getCrf().getColdStartReason().startsWith("size change"),
                masks.get(3).getCrf().getColdStartReason());
        assertTrue(masks.get(4).getCrf().getWarmStart(), "the second 1920x1080 frame starts warm");
        assertEquals(320 * 180, MaskLabels.decode(masks.get(4)).length, "a 1920x1080 frame's labels, at the working size");
    }

    @Test
    void losingTheCarriedStateCostsOneColdFrameAndNeverAWrongMask() throws Exception {
        List<TestRecord<String, byte[]>> all = new ArrayList<>();
        for (Frame f : frames) {
            all.add(new TestRecord<>("lobby", f.toByteArray()));
        }
        // The camera's task ran frames 0-4 warm; a restart or rebalance loses the in-memory store
        // before frame 3: the new owner sees frames 3 and 4 with no state.
        List<Mask> warm = run(0, WARM, all).masks().stream().map(TestRecord::value).toList();
        List<Mask> restarted = run(0, WARM, all.subList(3, 5)).masks().stream().map(TestRecord::value).toList();
        Mask coldAlone = run(0, COLD, all.subList(3, 4)).masks().get(0).value();
        Mask lost = restarted.get(0);
        assertEquals(3, lost.getSequence());
        assertEquals(false, lost.getCrf().getWarmStart());
        assertTrue(lost.getCrf().getColdStartReason().startsWith("first frame"), lost.getCrf().getColdStartReason());
        assertEquals(coldAlone.getData(), lost.getData(), "the frame after the loss gets exactly a cold CRF's mask");
        assertTrue(restarted.get(1).getCrf().getWarmStart(), "and the next frame is warm again");
        byte[] fromWarm = LabelRle.decode(warm.get(3).getData().toByteArray(), 480, 360);
        byte[] fromCold = LabelRle.decode(lost.getData().toByteArray(), 480, 360);
        int same = 0;
        for (int p = 0; p < fromWarm.length; p++) {
            same += fromWarm[p] == fromCold[p] ? 1 : 0;
        }
        assertTrue(same >= 0.99 * fromWarm.length, "warm and cold masks of frame 3 agree on " + same + " pixels");
    }

    @Test
    void dropsFramesOlderThanMaxAgeInLiveModeWithASkippedMask() throws Exception {
        long tenSecondsAgo = System.currentTimeMillis() * 1000 - 10_000_000;
        Frame stale = frames.get(0).toBuilder().setCaptureTimeUs(tenSecondsAgo).build();
        Frame fresh = frames.get(1).toBuilder().setCaptureTimeUs(System.currentTimeMillis() * 1000).build();
        Run run = run(2000, List.of(new TestRecord<>("lobby", stale.toByteArray()),
                new TestRecord<>("lobby", fresh.toByteArray())));

        assertEquals(2, run.masks().size(), "the skipped frame is answered, not silently dropped");
        Mask skipped = run.masks().get(0).value();
        assertEquals(MaskStatus.MASK_STATUS_SKIPPED_STALE, skipped.getStatus());
        assertTrue(skipped.getStatusDetail().contains("max.frame.age.ms is 2000"), skipped.getStatusDetail());
        assertEquals(0, skipped.getData().size());
        assertEquals(MaskStatus.MASK_STATUS_OK, run.masks().get(1).value().getStatus());
        assertEquals(1, run.metrics().skippedFrames());
    }
}

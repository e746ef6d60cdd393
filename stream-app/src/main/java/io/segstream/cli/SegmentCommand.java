package io.segstream.cli;

import io.segstream.assets.AssetResolver;
import io.segstream.codec.DecodedFrame;
import io.segstream.codec.ImageFiles;
import io.segstream.codec.MaskPng;
import io.segstream.codec.Overlay;
import io.segstream.codec.PixelConverter;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoSink;
import io.segstream.codec.VideoSource;
import io.segstream.inference.EngineKind;
import io.segstream.inference.Engines;
import io.segstream.inference.FitMode;
import io.segstream.inference.InferenceEngine;
import io.segstream.inference.Segmentation;
import io.segstream.inference.Segmenter;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import io.segstream.model.ModelLocator;
import io.segstream.schemas.v1.PixelFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "segment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Segment an image or a video outside Kafka.",
            "For an image, --out gets an 8-bit greyscale PNG whose pixel value is the class index, at the image's "
                + "size, and --overlay a coloured overlay. For a video, --out gets an overlay video (MP4).",
            "",
            "Examples:",
            "  segstream segment --input sample:golden --out labels.png --overlay overlay.png",
            "  segstream segment --input sample:vtest --out vtest-overlay.mp4 --max-frames 100"})
final class SegmentCommand implements Callable<Integer> {
    private static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp");

    @Option(names = "--model", defaultValue = "deeplabv3-mnv2-voc", paramLabel = "DIR|NAME",
            description = "A directory made by 'segstream model import', or a known model name (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--input", required = true, paramLabel = "FILE|URL|sample:NAME",
            description = "An image, a video file or stream URL, or a sample: sample:golden, sample:vtest, "
                    + "sample:car-traffic, sample:megamind.")
    String input;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "labels.png for an image, an overlay video (.mp4) for a video.")
    Path out;

    @Option(names = "--overlay", paramLabel = "FILE", description = "For an image: also write a coloured overlay PNG.")
    Path overlay;

    @Option(names = "--fit", defaultValue = "tile", paramLabel = "MODE",
            description = "How frames are fitted to the model input: tile (overlapping model-size tiles at native "
                    + "resolution, best quality), squash (one resize, fastest) or letterbox (default: ${DEFAULT-VALUE}).")
    FitMode fit;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "ENGINE",
            description = "auto, onnxruntime or tensorrt (default: ${DEFAULT-VALUE}: TensorRT when an NVIDIA GPU and "
                    + "TensorRT are present, else ONNX Runtime).")
    EngineKind engine;

    @Option(names = "--batch", defaultValue = "4", description = "Largest inference batch, in model inputs (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", description = "CPU threads for ONNX Runtime (default: all cores).")
    Integer threads;

    @Option(names = "--max-frames", description = "Stop a video after this many frames.")
    Integer maxFrames;

    @Option(names = "--alpha", defaultValue = "0.55", description = "Overlay opacity (default: ${DEFAULT-VALUE}).")
    float alpha;

    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws Exception {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, was " + batch);
        }
        AssetResolver assets = data.resolver();
        Path source = resolveInput(assets);
        Path modelDir = ModelLocator.locate(model, assets);
        ModelCard card = ModelCard.read(modelDir.resolve(ModelImporter.CARD_FILE));
        int cpuThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        try (InferenceEngine inference = Engines.open(engine, modelDir.resolve(ModelImporter.MODEL_FILE),
                card.input().itemShape(),
                cpuThreads, 1)) {
            Segmenter segmenter = new Segmenter(inference, card, fit, batch);
            if (source != null && isImage(source)) {
                segmentImage(segmenter, source);
            } else {
                segmentVideo(segmenter, source != null ? source.toString() : input);
            }
        }
        return 0;
    }

    /** The input as a local file (samples resolved), or null for a stream URL or a webcam. */
    private Path resolveInput(AssetResolver assets) {
        String resolved = Inputs.resolveVideo("--input", input, assets);
        return resolved.contains("://") || resolved.startsWith("webcam:") ? null : Path.of(resolved);
    }

    private static boolean isImage(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return IMAGE_EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    private void segmentImage(Segmenter segmenter, Path source) throws Exception {
        RgbImage image = ImageFiles.read(source);
        Segmentation result = segmenter.segment(image);
        Files.write(out, MaskPng.encode(result.labels(), result.width(), result.height()));
        if (overlay != null) {
            RgbImage blended = new RgbImage(1, 1);
            Overlay.blend(image, result.labels(), palette(segmenter.card()), alpha, blended);
            ImageFiles.writePng(blended, overlay);
        }
        System.out.printf("%s: %dx%d, %s (%d model input%s), %s, inference %.1f ms%n", source.getFileName(),
                result.width(), result.height(), result.fit(), result.views(), result.views() == 1 ? "" : "s",
                segmenter.engineDescription(), result.inferenceNanos() / 1e6);
        System.out.println("classes: " + Summary.topClasses(result.classPixels(), segmenter.card(), 5));
        System.out.println("labels written to " + out + (overlay != null ? ", overlay to " + overlay : ""));
    }

    private void segmentVideo(Segmenter segmenter, String source) {
        int[] palette = palette(segmenter.card());
        long[] pixels = new long[256];
        int frames = 0;
        long start = System.nanoTime();
        String fitUsed = "";
        try (VideoSource video = VideoSource.open(source, PixelFormat.PIXEL_FORMAT_I420)) {
            long total = video.lengthInFrames() > 0 ? video.lengthInFrames() : -1;
            if (maxFrames != null) {
                total = total < 0 ? maxFrames : Math.min(total, maxFrames);
            }
            try (VideoSink sink = VideoSink.open(out.toString(), video.width(), video.height(), video.frameRate());
                    ProgressBar bar = new ProgressBarBuilder().setTaskName("segment").setInitialMax(total)
                            .setStyle(ProgressBarStyle.ASCII).setUnit(" frames", 1).showSpeed().build()) {
                RgbImage blended = new RgbImage(1, 1);
                List<RgbImage> pending = new ArrayList<>(batch);
                boolean more = true;
                while (more) {
                    DecodedFrame frame = maxFrames != null && frames + pending.size() >= maxFrames ? null : video.next();
                    if (frame != null) {
                        RgbImage rgb = new RgbImage(frame.width(), frame.height());
                        PixelConverter.toRgb(frame.layout(), frame.data(), rgb);
                        pending.add(rgb);
                    }
                    more = frame != null;
                    if (pending.size() == batch || (!more && !pending.isEmpty())) {
                        List<Segmentation> results = segmenter.segment(pending);
                        for (int i = 0; i < results.size(); i++) {
                            Segmentation result = results.get(i);
                            Overlay.blend(pending.get(i), result.labels(), palette, alpha, blended);
                            sink.write(blended);
                            long[] counts = result.classPixels();
                            for (int c = 0; c < 256; c++) {
                                pixels[c] += counts[c];
                            }
                            fitUsed = result.fit();
                        }
                        frames += results.size();
                        bar.stepBy(results.size());
                        pending.clear();
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %d frames in %.1f s (%.2f frames/s), %s, %s%n", VideoSource.redact(source), frames,
                seconds, frames / seconds, fitUsed, segmenter.engineDescription());
        System.out.println("classes: " + Summary.topClasses(pixels, segmenter.card(), 5));
        System.out.println("overlay video written to " + out);
    }

    private static int[] palette(ModelCard card) {
        int[] palette = new int[card.classCount()];
        for (int c = 0; c < palette.length; c++) {
            palette[c] = card.rgb(c);
        }
        return palette;
    }
}

package io.segstream.cli;

import io.segstream.codec.DecodedFrame;
import io.segstream.codec.ImageFiles;
import io.segstream.codec.MaskPng;
import io.segstream.codec.Overlay;
import io.segstream.codec.PixelConverter;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoSink;
import io.segstream.codec.VideoSource;
import io.segstream.config.SegstreamConfig;
import io.segstream.data.AssetResolver;
import io.segstream.model.ModelCard;
import io.segstream.schemas.v1.PixelFormat;
import io.segstream.segmentation.CameraStates;
import io.segstream.segmentation.CrfTally;
import io.segstream.segmentation.FrameResult;
import io.segstream.segmentation.SegmentationPath;
import io.segstream.segmentation.Segmenter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "segment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Segment images and videos outside Kafka, on the same path as the processor (model, fit, engine and the "
                + "CRF with its crf.* settings; a video's frames are warm-started as a camera's are).",
            "One image: --out gets an 8-bit greyscale PNG whose pixel value is the class index, at the image's size, "
                + "and --overlay a coloured overlay. One video: --out gets an overlay video (MP4). Several inputs or a "
                + "folder of images: --out is a folder that gets NAME.png per image (and NAME.mp4 per video), and "
                + "--overlay a folder of overlays.",
            "",
            "Examples:",
            "  segstream segment --input sample:golden --out labels.png --overlay overlay.png",
            "  segstream segment --input sample:vtest --out vtest-overlay.mp4 --max-frames 100 --crf on",
            "  segstream segment --input photos/ --out labels/ --overlay overlays/ --model deeplabv3-mnv2-voc-513"})
final class SegmentCommand implements Callable<Integer> {
    private static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp");

    @Option(names = "--input", required = true, paramLabel = "FILE|DIR|URL|sample:NAME",
            description = "An image, a folder of images, a video file or stream URL, or a sample (sample:golden, "
                    + "sample:vtest, sample:car-traffic, sample:megamind, sample:bird, sample:street); repeatable.")
    List<String> inputs;

    @Option(names = "--out", required = true, paramLabel = "FILE|DIR",
            description = "labels.png for one image, an overlay video (.mp4) for one video, else a folder.")
    Path out;

    @Option(names = "--overlay", paramLabel = "FILE|DIR", description = "Also write coloured overlays of the images.")
    Path overlay;

    @Option(names = "--batch", defaultValue = "4",
            description = "Largest inference batch, in model inputs (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--max-frames", description = "Stop each video after this many frames.")
    Integer maxFrames;

    @Option(names = "--alpha", defaultValue = "0.55", description = "Overlay opacity (default: ${DEFAULT-VALUE}).")
    float alpha;

    @Mixin
    LocalOptions local;

    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws Exception {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, was " + batch);
        }
        AssetResolver assets = data.resolver();
        SegstreamConfig config = local.load();
        Inputs.prefetch(assets, inputs, config.model());
        List<String> sources = expand(assets);
        boolean single = sources.size() == 1;
        try (Segmenter model = LocalOptions.open(config, assets, batch)) {
            SegmentationPath path = model.path();
            System.err.printf("segment: %s, fit %s, %s%n", model.card().id(), config.fit().label(),
                    path.description());
            if (!single) {
                Files.createDirectories(out);
                if (overlay != null) {
                    Files.createDirectories(overlay);
                }
            }
            List<String> images = sources.stream().filter(SegmentCommand::isImage).toList();
            if (!images.isEmpty()) {
                segmentImages(path, model.card(), images, single);
            }
            for (String video : sources) {
                if (!isImage(video)) {
                    segmentVideo(path, model.card(), video, single ? out : out.resolve(stem(video) + ".mp4"));
                }
            }
        }
        return ExitCodes.OK;
    }

    /** The inputs with samples resolved and folders expanded to their images, in name order. */
    private List<String> expand(AssetResolver assets) throws IOException {
        List<String> sources = new ArrayList<>();
        for (String input : inputs) {
            Path dir = Path.of(input);
            if (!input.contains("://") && Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    List<String> found = files.map(Path::toString).filter(SegmentCommand::isImage).sorted().toList();
                    if (found.isEmpty()) {
                        throw new IllegalArgumentException("--input " + input + " holds no images (.jpg, .png, .bmp)");
                    }
                    sources.addAll(found);
                }
            } else {
                sources.add(Inputs.resolveVideo("--input", input, assets));
            }
        }
        return sources;
    }

    private static boolean isImage(String source) {
        String name = source.toLowerCase(Locale.ROOT);
        return !name.contains("://") && IMAGE_EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    private static String stem(String source) {
        String name = Path.of(source.replaceAll("[?#].*$", "")).getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private void segmentImages(SegmentationPath path, ModelCard card, List<String> images, boolean single)
            throws Exception {
        int[] palette = palette(card);
        long[] pixels = new long[256];
        long start = System.nanoTime();
        RgbImage blended = new RgbImage(1, 1);
        try (ProgressBar bar = images.size() == 1 ? null : new ProgressBarBuilder().setTaskName("segment")
                .setInitialMax(images.size()).setStyle(ProgressBarStyle.ASCII).setUnit(" images", 1).showSpeed()
                .build()) {
            for (String file : images) {
                RgbImage image = ImageFiles.read(Path.of(file));
                FrameResult r = path.segment(SegmentationPath.Input.still(image), CameraStates.NONE);
                Path labels = single ? out : out.resolve(stem(file) + ".png");
                Files.write(labels, MaskPng.encode(r.labels(), r.width(), r.height()));
                if (overlay != null) {
                    Overlay.blend(image, r.labels(), palette, background(card), alpha, blended);
                    ImageFiles.writePng(blended, single ? overlay : overlay.resolve(stem(file) + ".png"));
                }
                for (int c = 0; c < 256; c++) {
                    pixels[c] += r.classPixels()[c];
                }
                if (single) {
                    System.out.printf(Locale.ROOT, "%s: %dx%d, %s (%d model input%s), inference %.1f ms%s%n",
                            Path.of(file).getFileName(), r.width(), r.height(), r.fit(), r.views(),
                            r.views() == 1 ? "" : "s", r.inferenceNanos() / 1e6,
                            r.crf() == null ? "" : String.format(Locale.ROOT, ", CRF %.1f ms (%d iterations)",
                                    r.crfNanos() / 1e6, r.crf().iterations()));
                }
                if (bar != null) {
                    bar.step();
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!single) {
            System.out.printf(Locale.ROOT, "%d images in %.1f s (%.2f images/s)%n", images.size(), seconds,
                    images.size() / seconds);
        }
        System.out.println("classes: " + Summary.topClasses(pixels, card, 5));
        System.out.println("labels written to " + out + (overlay != null ? ", overlays to " + overlay : ""));
    }

    private void segmentVideo(SegmentationPath path, ModelCard card, String source, Path target) throws Exception {
        int[] palette = palette(card);
        long[] pixels = new long[256];
        int frames = 0;
        long start = System.nanoTime();
        String fitUsed = "";
        CrfTally crf = new CrfTally();
        String camera = stem(source);
        CameraStates states = CameraStates.inMemory();
        try (VideoSource video = VideoSource.open(source, PixelFormat.PIXEL_FORMAT_I420)) {
            long total = video.lengthInFrames() > 0 ? video.lengthInFrames() : -1;
            if (maxFrames != null) {
                total = total < 0 ? maxFrames : Math.min(total, maxFrames);
            }
            try (VideoSink sink = VideoSink.open(target.toString(), video.width(), video.height(), video.frameRate());
                    ProgressBar bar = new ProgressBarBuilder().setTaskName(camera).setInitialMax(total)
                            .setStyle(ProgressBarStyle.ASCII).setUnit(" frames", 1).showSpeed().build()) {
                RgbImage blended = new RgbImage(1, 1);
                List<RgbImage> pending = new ArrayList<>(batch);
                List<RgbImage> spare = new ArrayList<>();
                boolean more = true;
                while (more) {
                    DecodedFrame frame = maxFrames != null && frames + pending.size() >= maxFrames ? null : video.next();
                    if (frame != null) {
                        RgbImage rgb = spare.isEmpty() ? new RgbImage(1, 1) : spare.remove(spare.size() - 1);
                        PixelConverter.toRgb(frame.layout(), frame.data(), rgb);
                        pending.add(rgb);
                    }
                    more = frame != null;
                    if (pending.size() == batch || (!more && !pending.isEmpty())) {
                        List<SegmentationPath.Input> batchIn = new ArrayList<>(pending.size());
                        for (int i = 0; i < pending.size(); i++) {
                            batchIn.add(new SegmentationPath.Input(camera, frames + i, pending.get(i)));
                        }
                        List<FrameResult> results = path.segment(batchIn, states);
                        for (int i = 0; i < results.size(); i++) {
                            FrameResult r = results.get(i);
                            Overlay.blend(pending.get(i), r.labels(), palette, background(card), alpha, blended);
                            sink.write(blended);
                            for (int c = 0; c < 256; c++) {
                                pixels[c] += r.classPixels()[c];
                            }
                            fitUsed = r.fit();
                            if (r.crf() != null) {
                                crf.add(r.crf());
                            }
                        }
                        frames += results.size();
                        bar.stepBy(results.size());
                        spare.addAll(pending);
                        pending.clear();
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%s: %d frames in %.1f s (%.2f frames/s), %s%s%n", VideoSource.redact(source),
                frames, seconds, frames / seconds, fitUsed, crf.frames() > 0
                        ? String.format(Locale.ROOT, ", CRF %.2f iterations per frame, %.0f%% warm-started, "
                                + "%.2f%% of pixels changed", crf.meanIterations(), 100 * crf.warmShare(),
                                100 * crf.meanChangedShare()) : "");
        System.out.println("classes: " + Summary.topClasses(pixels, card, 5));
        System.out.println("overlay video written to " + target);
    }

    static int background(ModelCard card) {
        return card.background() == null ? Overlay.NO_BACKGROUND : card.background();
    }

    static int[] palette(ModelCard card) {
        int[] palette = new int[card.classCount()];
        for (int c = 0; c < palette.length; c++) {
            palette[c] = card.rgb(c);
        }
        return palette;
    }
}

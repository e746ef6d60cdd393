package io.segstream;

import io.segstream.assets.Asset;
import io.segstream.assets.AssetResolver;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoFrames;
import java.nio.file.Path;
import java.util.List;

/** The shared data (../shared/data, via -Dsegstream.data.dir) as tests use it. */
public final class SharedData {
    private SharedData() {}

    public static final AssetResolver RESOLVER = AssetResolver.fromEnvironment(null);

    public static Path path(Asset asset) {
        return RESOLVER.resolve(asset);
    }

    /** Imports the shared DeepLab model into {@code dir} (model.onnx + model.json) and returns {@code dir}. */
    public static Path importModel(Path dir) throws java.io.IOException {
        io.segstream.model.ModelImporter.importModel(path(io.segstream.assets.Assets.DEEPLAB_ONNX), dir,
                io.segstream.model.ModelImporter.Options.none());
        return dir;
    }

    public static Path dir() {
        return Path.of(System.getProperty("segstream.data.dir"));
    }

    /** {@code count} decoded frames of a clip, {@code step} frames apart, starting at frame {@code first}. */
    public static List<RgbImage> frames(Path video, int first, int count, int step) {
        return VideoFrames.sample(video, first, count, step);
    }
}

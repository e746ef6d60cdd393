package io.segstream;

import io.segstream.assets.Assets;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoFrames;
import io.segstream.data.Asset;
import io.segstream.data.AssetResolver;
import io.segstream.model.ModelImporter;
import io.segstream.testdata.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The project's shared data ({@link TestData}: found locally or downloaded once) as the stream-app tests use it. */
public final class SharedData {
    private SharedData() {}

    /** Resolves named assets from the test data directory; never downloads. */
    public static final AssetResolver RESOLVER = new AssetResolver(TestData.dir(), AssetResolver.defaultCacheDir(),
            url -> url, false);

    public static Path path(Asset asset) {
        return RESOLVER.resolve(asset);
    }

    /** Imports the shared DeepLab model into {@code dir} (model.onnx + model.json) and returns {@code dir}. */
    public static Path importModel(Path dir) throws IOException {
        ModelImporter.importModel(path(Assets.DEEPLAB_ONNX), dir, ModelImporter.Options.none());
        return dir;
    }

    /** The data directory: pass it to commands as --data-dir. */
    public static Path dir() {
        return TestData.dir();
    }

    /** {@code count} decoded frames of a clip, {@code step} frames apart, starting at frame {@code first}. */
    public static List<RgbImage> frames(Path video, int first, int count, int step) {
        return VideoFrames.sample(video, first, count, step);
    }
}

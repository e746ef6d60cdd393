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

    public static Path dir() {
        return Path.of(System.getProperty("segstream.data.dir"));
    }

    /** {@code count} decoded frames of a clip, {@code step} frames apart, starting at frame {@code first}. */
    public static List<RgbImage> frames(Path video, int first, int count, int step) {
        return VideoFrames.sample(video, first, count, step);
    }
}

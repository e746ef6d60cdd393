package io.segstream;

import io.segstream.assets.Asset;
import io.segstream.assets.AssetResolver;
import io.segstream.codec.DecodedFrame;
import io.segstream.codec.PixelConverter;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoSource;
import io.segstream.schemas.v1.PixelFormat;
import java.nio.file.Path;
import java.util.ArrayList;
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
        List<RgbImage> out = new ArrayList<>();
        try (VideoSource source = VideoSource.open(video.toString(), PixelFormat.PIXEL_FORMAT_I420)) {
            int index = 0;
            DecodedFrame frame;
            while (out.size() < count && (frame = source.next()) != null) {
                if (index >= first && (index - first) % step == 0) {
                    RgbImage rgb = new RgbImage(1, 1);
                    PixelConverter.toRgb(frame.layout(), frame.data(), rgb);
                    out.add(rgb);
                }
                index++;
            }
        }
        return out;
    }
}

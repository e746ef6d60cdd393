package io.segstream.codec;

import io.segstream.schemas.v1.PixelFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a few RGB frames of a clip, for checks and tests. */
public final class VideoFrames {
    private VideoFrames() {}

    /** {@code count} frames, {@code step} frames apart, from frame {@code first} on (fewer if the clip ends). */
    public static List<RgbImage> sample(Path video, int first, int count, int step) {
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

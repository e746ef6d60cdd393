package io.segstream.codec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.schemas.v1.PixelFormat;
import io.segstream.testdata.TestData;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our conversion of every supported pixel format to RGB against FFmpeg's swscale conversion of the
 * same bytes, on real decoded frames of the shared clips: within 2 levels per channel.
 */
class PixelConverterFfmpegTest {
    private static final String[] CLIPS = {"videos/vtest.avi", "videos/car_traffic_small.mp4", "videos/megamind.avi"};

    @ParameterizedTest
    @EnumSource(value = PixelFormat.class, names = {"PIXEL_FORMAT_I420", "PIXEL_FORMAT_NV12", "PIXEL_FORMAT_RGB24",
            "PIXEL_FORMAT_BGR24", "PIXEL_FORMAT_GRAY8"})
    void matchesFfmpegWithinTwoLevelsOnRealFrames(PixelFormat format) {
        RgbImage ours = new RgbImage(1, 1);
        int frames = 0;
        int worst = 0;
        for (String clip : CLIPS) {
            try (VideoSource source = VideoSource.open(TestData.dir().resolve(clip).toString(), format)) {
                for (int i = 0; i < 40; i++) {
                    DecodedFrame frame = source.next();
                    if (i % 10 != 9) {
                        continue;
                    }
                    PixelConverter.toRgb(frame.layout(), frame.data(), ours);
                    byte[] reference = swscaleToRgb(frame);
                    for (int k = 0; k < reference.length; k++) {
                        worst = Math.max(worst, Math.abs((ours.data()[k] & 0xFF) - (reference[k] & 0xFF)));
                    }
                    frames++;
                }
            }
        }
        assertTrue(frames == 12, "frames compared: " + frames);
        assertTrue(worst <= 2, PixelLayout.shortName(format) + ": largest difference to FFmpeg " + worst + " levels");
    }

    /**
     * FFmpeg's own conversion of the frame to RGB24 with nearest chroma (SWS_POINT). For I420 this is
     * bit-identical to JavaCV's default (SWS_BILINEAR takes the same unscaled yuv2rgb path); for NV12,
     * SWS_BILINEAR would interpolate chroma vertically, which our nearest-chroma converter does not.
     */
    private static byte[] swscaleToRgb(DecodedFrame frame) {
        int w = frame.width();
        int h = frame.height();
        int srcFormat = VideoSource.avPixelFormat(frame.format());
        SwsContext context = swscale.sws_getContext(w, h, srcFormat, w, h, avutil.AV_PIX_FMT_RGB24,
                swscale.SWS_POINT, null, null, (DoublePointer) null);
        try (BytePointer src = new BytePointer(frame.data());
                BytePointer dst = new BytePointer(3L * w * h);
                PointerPointer<BytePointer> srcPlanes = new PointerPointer<>(4);
                PointerPointer<BytePointer> dstPlanes = new PointerPointer<>(4);
                IntPointer srcStrides = new IntPointer(4);
                IntPointer dstStrides = new IntPointer(4)) {
            avutil.av_image_fill_arrays(srcPlanes, srcStrides, src, srcFormat, w, h, 1);
            avutil.av_image_fill_arrays(dstPlanes, dstStrides, dst, avutil.AV_PIX_FMT_RGB24, w, h, 1);
            swscale.sws_scale(context, srcPlanes, srcStrides, 0, h, dstPlanes, dstStrides);
            byte[] rgb = new byte[3 * w * h];
            dst.get(rgb);
            return rgb;
        } finally {
            swscale.sws_freeContext(context);
        }
    }
}

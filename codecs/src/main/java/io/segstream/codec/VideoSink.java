package io.segstream.codec;

import java.nio.ByteBuffer;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Encodes RGB frames to a video file (MP4/H.264 by default; the container follows the file
 * extension) with FFmpeg through JavaCV. Used for overlay videos.
 */
public final class VideoSink implements AutoCloseable {
    static {
        FfmpegLogging.init();
    }

    private final FFmpegFrameRecorder recorder;
    private final Frame frame;
    private final String path;

    private VideoSink(FFmpegFrameRecorder recorder, Frame frame, String path) {
        this.recorder = recorder;
        this.frame = frame;
        this.path = path;
    }

    public static VideoSink open(String path, int width, int height, double frameRate) {
        VideoException last = null;
        // H.264 when this FFmpeg build has an encoder for it, else MPEG-4 part 2, which every build has.
        for (int codec : new int[] {avcodec.AV_CODEC_ID_H264, avcodec.AV_CODEC_ID_MPEG4}) {
            FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(path, width, height, 0);
            recorder.setVideoCodec(codec);
            recorder.setFrameRate(frameRate > 0 ? frameRate : 25);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            recorder.setVideoQuality(codec == avcodec.AV_CODEC_ID_MPEG4 ? 3 : 23);
            try {
                recorder.start();
                return new VideoSink(recorder, new Frame(width, height, Frame.DEPTH_UBYTE, 3), path);
            } catch (FrameRecorder.Exception e) {
                last = new VideoException("cannot open " + path + " for writing: " + e.getMessage(), e);
                try {
                    recorder.release();
                } catch (FrameRecorder.Exception ignored) {
                    // the recorder never started; the exception above is what the caller needs
                }
            }
        }
        throw last;
    }

    /** Appends one frame; {@code image} must have the sink's size. */
    public void write(RgbImage image) {
        if (image.width() != frame.imageWidth || image.height() != frame.imageHeight) {
            throw new VideoException("frame of " + image.width() + "x" + image.height() + " written to " + path
                    + " opened for " + frame.imageWidth + "x" + frame.imageHeight);
        }
        ByteBuffer buffer = (ByteBuffer) frame.image[0];
        int rowBytes = 3 * image.width();
        for (int y = 0; y < image.height(); y++) {
            buffer.position(y * frame.imageStride);
            buffer.put(image.data(), y * rowBytes, rowBytes);
        }
        buffer.rewind();
        try {
            recorder.record(frame, avutil.AV_PIX_FMT_RGB24);
        } catch (FrameRecorder.Exception e) {
            throw new VideoException("encoding " + path + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            recorder.close();
        } catch (FrameRecorder.Exception e) {
            throw new VideoException("finishing " + path + " failed: " + e.getMessage(), e);
        }
    }
}

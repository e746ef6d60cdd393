package io.segstream.codec;

import io.segstream.schemas.v1.PixelFormat;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Decodes a video file, an RTSP/HTTP stream or a webcam ({@code webcam:N}, V4L2 device
 * /dev/videoN) with FFmpeg through JavaCV, delivering tightly packed frames in the requested
 * pixel format (FFmpeg's swscale does the conversion). Audio tracks are ignored.
 */
public final class VideoSource implements AutoCloseable {
    static {
        FfmpegLogging.init();
    }

    private final FFmpegFrameGrabber grabber;
    private final PixelFormat format;
    private final String description;

    private VideoSource(FFmpegFrameGrabber grabber, PixelFormat format, String description) {
        this.grabber = grabber;
        this.format = format;
        this.description = description;
    }

    /**
     * Opens {@code source}: a file path, a URL FFmpeg understands (rtsp://, http://...), or
     * {@code webcam:N}.
     *
     * @throws VideoException if FFmpeg cannot open or probe it
     */
    public static VideoSource open(String source, PixelFormat format) {
        FFmpegFrameGrabber grabber;
        if (source.startsWith("webcam:")) {
            grabber = new FFmpegFrameGrabber("/dev/video" + source.substring("webcam:".length()));
            grabber.setFormat("video4linux2");
        } else {
            grabber = new FFmpegFrameGrabber(source);
            if (source.startsWith("rtsp://")) {
                grabber.setOption("rtsp_transport", "tcp");
                grabber.setOption("timeout", "10000000"); // 10 s socket timeout, in microseconds
            }
        }
        grabber.setPixelFormat(avPixelFormat(format));
        try {
            grabber.start();
        } catch (FrameGrabber.Exception e) {
            closeQuietly(grabber);
            throw new VideoException("cannot open video source " + redact(source) + ": " + e.getMessage(), e);
        }
        return new VideoSource(grabber, format, redact(source));
    }

    /** The next video frame, or null at the end of the stream. */
    public DecodedFrame next() {
        Frame frame;
        try {
            frame = grabber.grabImage();
        } catch (FrameGrabber.Exception e) {
            throw new VideoException("decoding " + description + " failed: " + e.getMessage(), e);
        }
        if (frame == null || frame.image == null) {
            return null;
        }
        int w = frame.imageWidth;
        int h = frame.imageHeight;
        if (!(frame.opaque instanceof AVFrame picture)) {
            throw new VideoException(description + ": JavaCV returned a frame without its AVFrame");
        }
        PixelLayout layout = PixelLayout.packed(format, w, h);
        byte[] data = new byte[(int) layout.totalBytes()];
        copyPlanes(picture, layout, data);
        return new DecodedFrame(w, h, format, data, frame.timestamp);
    }

    /** Copies each plane of FFmpeg's frame (rows padded to its linesize) into the packed layout. */
    private static void copyPlanes(AVFrame picture, PixelLayout layout, byte[] out) {
        int chromaRows = (layout.height() + 1) / 2;
        for (int p = 0; p < layout.planes(); p++) {
            int rows = p == 0 ? layout.height() : chromaRows;
            int rowBytes = layout.stride(p);
            int linesize = picture.linesize(p);
            BytePointer plane = picture.data(p);
            for (int y = 0; y < rows; y++) {
                plane.position((long) y * linesize).get(out, layout.offset(p) + y * rowBytes, rowBytes);
            }
            plane.position(0);
        }
    }

    /** Frames per second the source declares (0 when unknown). */
    public double frameRate() {
        return grabber.getFrameRate();
    }

    /** Number of video frames the container declares, or 0 for live sources and unknown lengths. */
    public int lengthInFrames() {
        return Math.max(0, grabber.getLengthInVideoFrames());
    }

    public int width() {
        return grabber.getImageWidth();
    }

    public int height() {
        return grabber.getImageHeight();
    }

    public String description() {
        return description;
    }

    @Override
    public void close() {
        closeQuietly(grabber);
    }

    private static void closeQuietly(FFmpegFrameGrabber grabber) {
        try {
            grabber.close();
        } catch (FrameGrabber.Exception e) {
            // Closing a grabber that failed to start can fail again; there is nothing left to release.
        }
    }

    /** FFmpeg's AVPixelFormat for one of ours. */
    public static int avPixelFormat(PixelFormat format) {
        switch (format) {
            case PIXEL_FORMAT_I420: return avutil.AV_PIX_FMT_YUV420P;
            case PIXEL_FORMAT_NV12: return avutil.AV_PIX_FMT_NV12;
            case PIXEL_FORMAT_RGB24: return avutil.AV_PIX_FMT_RGB24;
            case PIXEL_FORMAT_BGR24: return avutil.AV_PIX_FMT_BGR24;
            case PIXEL_FORMAT_GRAY8: return avutil.AV_PIX_FMT_GRAY8;
            default: throw new CodecException("unknown pixel format " + format);
        }
    }

    /** Drops user:password from URLs so that credentials never reach logs or messages. */
    public static String redact(String source) {
        return source.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1***@");
    }
}

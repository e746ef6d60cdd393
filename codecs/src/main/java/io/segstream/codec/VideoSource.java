package io.segstream.codec;

import io.segstream.schemas.v1.PixelFormat;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Decodes a video file, an RTSP/HTTP stream or a webcam ({@code webcam:N}, V4L2 device
 * /dev/videoN) with FFmpeg through JavaCV, delivering tightly packed frames in the requested
 * pixel format (FFmpeg's swscale does the conversion). Audio tracks are ignored.
 *
 * <p>With a size limit ({@code maxSide} above 0) a source whose long side exceeds it is scaled down
 * by the same swscale call (area averaging), aspect kept, each side rounded to an even number; a
 * source that changes resolution mid-stream is followed, its new size limited the same way. Smaller
 * sources are delivered as they are.
 */
public final class VideoSource implements AutoCloseable {
    static {
        FfmpegLogging.init();
    }

    private final FFmpegFrameGrabber grabber;
    private final PixelFormat format;
    private final String description;
    private final int maxSide;
    /** The decoder's size the current output size was chosen for. */
    private int sourceWidth;
    private int sourceHeight;

    private VideoSource(FFmpegFrameGrabber grabber, PixelFormat format, String description, int maxSide) {
        this.grabber = grabber;
        this.format = format;
        this.description = description;
        this.maxSide = maxSide;
    }

    /**
     * Opens {@code source}: a file path, a URL FFmpeg understands (rtsp://, http://...), or
     * {@code webcam:N}.
     *
     * @throws VideoException if FFmpeg cannot open or probe it
     */
    public static VideoSource open(String source, PixelFormat format) {
        return open(source, format, 0);
    }

    /**
     * As {@link #open(String, PixelFormat)}, frames scaled down so that their long side is at most
     * {@code maxSide} pixels (0: no limit).
     *
     * @throws IllegalArgumentException if {@code maxSide} is negative or from 1 to 15
     */
    public static VideoSource open(String source, PixelFormat format, int maxSide) {
        if (maxSide < 0 || (maxSide > 0 && maxSide < MIN_SIDE)) {
            throw new IllegalArgumentException("the size limit must be 0 (none) or at least " + MIN_SIDE
                    + " pixels, was " + maxSide);
        }
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
        VideoSource video = new VideoSource(grabber, format, redact(source), maxSide);
        video.limitSize();
        return video;
    }

    /** The smallest size limit: below it a frame holds too little to segment. */
    public static final int MIN_SIDE = 16;

    /**
     * Sets the grabber's output size for the decoder's current size: scaled down to the limit, or
     * the decoder's own (output size 0). Called at open and whenever the decoder's size changes.
     */
    private void limitSize() {
        if (maxSide == 0) {
            return;
        }
        grabber.setImageWidth(0); // the getters then report the decoder's size
        grabber.setImageHeight(0);
        sourceWidth = grabber.getImageWidth();
        sourceHeight = grabber.getImageHeight();
        int[] size = limited(sourceWidth, sourceHeight, maxSide);
        if (size[0] != sourceWidth || size[1] != sourceHeight) {
            grabber.setImageScalingFlags(swscale.SWS_AREA);
            grabber.setImageWidth(size[0]);
            grabber.setImageHeight(size[1]);
        }
    }

    /**
     * {@code width x height} scaled so that the long side is at most {@code maxSide}, aspect kept,
     * each side rounded to an even number of at least 2; unchanged when it fits already.
     */
    public static int[] limited(int width, int height, int maxSide) {
        int longSide = Math.max(width, height);
        if (maxSide <= 0 || longSide <= maxSide) {
            return new int[] {width, height};
        }
        double scale = (double) maxSide / longSide;
        return new int[] {even(width * scale), even(height * scale)};
    }

    private static int even(double side) {
        return Math.max(2, 2 * (int) Math.round(side / 2));
    }

    /**
     * Opens the source again at its first frame (FFmpeg's demuxer and decoder restarted, the size
     * limit kept), for a file replayed as a camera that goes on; the frames that follow carry the
     * file's own timestamps again.
     *
     * @throws VideoException when the source cannot be opened again
     */
    public void rewind() {
        try {
            grabber.restart();
        } catch (FrameGrabber.Exception e) {
            throw new VideoException("replaying " + description + " from its start failed: " + e.getMessage(), e);
        }
    }

    /** The next video frame, or null at the end of the stream. */
    public DecodedFrame next() {
        if (maxSide > 0 && decoderSizeChanged()) {
            limitSize();
        }
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

    /**
     * Whether the decoder's size moved away from the one the output size was chosen for (checked
     * before each frame, so the first frame at a new size still gets the old output size).
     */
    private boolean decoderSizeChanged() {
        int outWidth = grabber.getImageWidth();
        int outHeight = grabber.getImageHeight();
        if (outWidth == sourceWidth && outHeight == sourceHeight) {
            return false; // no output size set: the getters report the decoder's size, which is unchanged
        }
        grabber.setImageWidth(0);
        grabber.setImageHeight(0);
        boolean changed = grabber.getImageWidth() != sourceWidth || grabber.getImageHeight() != sourceHeight;
        grabber.setImageWidth(outWidth == grabber.getImageWidth() ? 0 : outWidth);
        grabber.setImageHeight(outHeight == grabber.getImageHeight() ? 0 : outHeight);
        return changed;
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

    /** The decoder's width before the size limit (the width of {@link #width()}'s frames when none applies). */
    public int sourceWidth() {
        return maxSide == 0 ? width() : sourceWidth;
    }

    /** The decoder's height before the size limit. */
    public int sourceHeight() {
        return maxSide == 0 ? height() : sourceHeight;
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

package io.segstream.codec;

import org.bytedeco.ffmpeg.global.avutil;

/**
 * FFmpeg prints stream dumps and encoder notes straight to stderr at its default level; segstream
 * keeps only FFmpeg's errors there (SEGSTREAM_FFMPEG_LOG=info brings the rest back).
 */
final class FfmpegLogging {
    static {
        String level = System.getenv("SEGSTREAM_FFMPEG_LOG");
        avutil.av_log_set_level("info".equalsIgnoreCase(level) ? avutil.AV_LOG_INFO : avutil.AV_LOG_ERROR);
    }

    private FfmpegLogging() {}

    /** Applies the level once; called by every class that opens FFmpeg. */
    static void init() {
        // the static block above does the work, once per class loader
    }
}

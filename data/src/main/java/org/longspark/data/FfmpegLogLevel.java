package org.longspark.data;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;

/**
 * FFmpeg's own log floods the console on bad inputs and dumps every stream it opens; this project
 * records reasons instead. {@code -Dlongspark.ffmpeg.loglevel=32} (AV_LOG_INFO) brings it back.
 */
final class FfmpegLogLevel {
    private static final int LEVEL = Integer.getInteger("longspark.ffmpeg.loglevel", AV_LOG_QUIET);

    static {
        av_log_set_level(LEVEL);
    }

    private FfmpegLogLevel() {
    }

    /** Applies the level (once per JVM, by class initialisation). */
    static void apply() {
        // The static initialiser does the work.
    }
}

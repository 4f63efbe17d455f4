package org.longspark.data;

import java.io.Serializable;
import java.util.Locale;

/**
 * What decoded frames look like: resampled to {@code fps} (0 keeps the source rate), scaled so the
 * shorter side fits and center-cropped to {@code width x height}, packed RGB uint8.
 *
 * @param fps            target frame rate, or 0 to keep every decoded frame
 * @param width          output width in pixels
 * @param height         output height in pixels
 * @param decoderThreads FFmpeg decoder and filter threads; 0 lets FFmpeg pick (all cores)
 */
public record FrameSpec(double fps, int width, int height, int decoderThreads) implements Serializable {

    public FrameSpec {
        if (!(fps >= 0) || fps > 1000) {
            throw new IllegalArgumentException("fps must be in [0, 1000] (0 keeps the source rate), got " + fps);
        }
        if (width < 8 || height < 8 || width > 8192 || height > 8192) {
            throw new IllegalArgumentException("frame size must be within 8..8192, got " + width + "x" + height);
        }
        if (decoderThreads < 0) {
            throw new IllegalArgumentException("decoderThreads must be >= 0, got " + decoderThreads);
        }
    }

    /**
     * The FFmpeg filter chain: fps first so dropped frames are never scaled, then one bilinear
     * scale that covers the target box, a center crop, and the RGB conversion. The benchmark runs
     * the same chain through the ffmpeg CLI.
     */
    public String filterChain() {
        StringBuilder chain = new StringBuilder();
        if (fps > 0) {
            chain.append(String.format(Locale.ROOT, "fps=fps=%s,", fpsText()));
        }
        chain.append(String.format(Locale.ROOT,
                "scale=w=%d:h=%d:force_original_aspect_ratio=increase:flags=bilinear,crop=w=%d:h=%d,format=rgb24",
                width, height, width, height));
        return chain.toString();
    }

    private String fpsText() {
        return fps == Math.rint(fps) ? Long.toString((long) fps) : Double.toString(fps);
    }

    /** Bytes of one RGB frame. */
    public int frameBytes() {
        return width * height * 3;
    }
}

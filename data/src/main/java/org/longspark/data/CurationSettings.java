package org.longspark.data;

import java.io.Serializable;

/**
 * Everything that decides which clips a file yields. Validated here once; the pipeline builds it
 * from HOCON and reports the offending key.
 *
 * @param frames          frame rate, size and threads of decoded frames
 * @param limits          what a sane input looks like
 * @param clipFrames      frames per clip
 * @param clipStride      frames between the starts of consecutive clips of one shot
 * @param shotThreshold   colour-histogram distance (0..1) above which two frames lie in different shots
 * @param minMotion       clips whose mean absolute luma difference is below this are static
 * @param minLuma         clips darker than this mean luma are too dark
 * @param maxLuma         clips brighter than this mean luma are blown out
 * @param duplicateBits   perceptual hashes this many bits apart or closer are near-duplicates
 * @param maxClipsPerFile decoding of a file stops once this many clips are kept (bounds task memory)
 */
public record CurationSettings(FrameSpec frames, DecodeLimits limits, int clipFrames, int clipStride,
                               double shotThreshold, double minMotion, double minLuma, double maxLuma,
                               int duplicateBits, int maxClipsPerFile) implements Serializable {

    public CurationSettings {
        require(clipFrames >= 1, "clipFrames must be >= 1, got " + clipFrames);
        require(clipStride >= 1, "clipStride must be >= 1, got " + clipStride);
        require(shotThreshold > 0 && shotThreshold <= 1, "shotThreshold must be in (0, 1], got " + shotThreshold);
        require(minMotion >= 0, "minMotion must be >= 0, got " + minMotion);
        require(minLuma >= 0 && maxLuma <= 255 && minLuma < maxLuma,
                "need 0 <= minLuma < maxLuma <= 255, got " + minLuma + ", " + maxLuma);
        require(duplicateBits >= -1 && duplicateBits <= 64,
                "duplicateBits must be in [-1, 64] (-1 turns deduplication off), got " + duplicateBits);
        require(maxClipsPerFile >= 1, "maxClipsPerFile must be >= 1, got " + maxClipsPerFile);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The filter decision for one clip, or null when it is kept (before deduplication). */
    public RejectReason judge(ClipQuality q) {
        if (q.meanLuma() < minLuma) {
            return RejectReason.TOO_DARK;
        }
        if (q.meanLuma() > maxLuma) {
            return RejectReason.BLOWN_OUT;
        }
        if (q.motion() < minMotion) {
            return RejectReason.STATIC;
        }
        return null;
    }
}

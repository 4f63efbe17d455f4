package org.longspark.data;

/**
 * Why an input file or a clip window did not make it into the clips table. The {@link #code()} is
 * what the quarantine table and the job summary record.
 */
public enum RejectReason {
    /** The file has zero bytes. */
    EMPTY_FILE("empty_file"),
    /** The file system could not deliver the bytes (I/O error, missing block, permission). */
    UNREADABLE("unreadable"),
    /** No container format recognised, or a container without a video stream. */
    NOT_VIDEO("not_video"),
    /** A video stream whose codec this FFmpeg build cannot decode. */
    UNSUPPORTED_CODEC("unsupported_codec"),
    /** Width or height outside the configured sane range. */
    ABSURD_RESOLUTION("absurd_resolution"),
    /** The stream ended well before the frame count its container declares. */
    TRUNCATED("truncated"),
    /** A recognised container whose packets could not be decoded into frames. */
    UNDECODABLE("undecodable"),
    /** Fewer frames (within one shot) than one clip window needs. */
    TOO_SHORT("too_short"),
    /** Mean absolute luma difference between consecutive frames below the threshold. */
    STATIC("static"),
    /** Mean luma below the dark threshold. */
    TOO_DARK("too_dark"),
    /** Mean luma above the bright threshold. */
    BLOWN_OUT("blown_out"),
    /** Perceptual hash within the Hamming radius of a clip kept from another file. */
    NEAR_DUPLICATE("near_duplicate");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    /** Stable lower-case name written to Parquet and printed in summaries. */
    public String code() {
        return code;
    }
}

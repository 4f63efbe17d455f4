package org.longspark.data;

import java.io.Serializable;

/**
 * What a sane input looks like; anything outside is quarantined before decoding starts.
 *
 * @param minSide              smallest accepted coded width or height
 * @param maxSide              largest accepted coded width or height
 * @param truncationTolerance  fraction of the declared frame count that may be missing before the
 *                             file counts as truncated (containers round durations)
 */
public record DecodeLimits(int minSide, int maxSide, double truncationTolerance) implements Serializable {

    public static final DecodeLimits DEFAULT = new DecodeLimits(16, 8192, 0.1);

    public DecodeLimits {
        if (minSide < 1 || maxSide < minSide) {
            throw new IllegalArgumentException("need 1 <= minSide <= maxSide, got " + minSide + ".." + maxSide);
        }
        if (!(truncationTolerance >= 0 && truncationTolerance < 1)) {
            throw new IllegalArgumentException("truncationTolerance must be in [0, 1), got " + truncationTolerance);
        }
    }
}

package org.longspark.data;

import java.util.List;

/**
 * A fixed-length run of consecutive frames inside one shot.
 *
 * @param startFrame index of the first frame in the resampled stream
 * @param shotIndex  which shot of the file (0-based) the window lies in
 */
public record ClipWindow(long startFrame, int shotIndex, List<RgbFrame> frames) {
}

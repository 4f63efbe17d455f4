package org.longspark.data;

import java.io.Serializable;

/**
 * A clip that passed the per-clip filters; one row of the clips table once deduplication keeps it.
 * Fields mirror {@link ClipTable}'s columns.
 *
 * @param frames {@code frameCount * height * width * 3} bytes, RGB, frame-major then row-major
 */
public record ClipCandidate(String id, String sourceUri, long startFrame, int frameCount, double fps,
                            int height, int width, String caption, int shotIndex, ClipQuality quality,
                            byte[] frames) implements Serializable {
}

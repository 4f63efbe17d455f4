package org.longspark.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Optional;

/**
 * Cuts a frame stream into windows of {@code clipFrames} frames every {@code stride} frames,
 * restarting at every shot boundary (colour-histogram distance between consecutive frames above
 * {@code cutThreshold}), so no window spans a cut. Streams: holds at most one window of frames.
 */
public final class ClipAssembler {
    private final int clipFrames;
    private final int stride;
    private final double cutThreshold;
    private final Deque<RgbFrame> buffer = new ArrayDeque<>();
    private ColorHistogram previous;
    private long shotStart;
    private int shotIndex = -1;
    private long longestShot;

    public ClipAssembler(int clipFrames, int stride, double cutThreshold) {
        if (clipFrames < 1 || stride < 1) {
            throw new IllegalArgumentException("clip frames and stride must be >= 1, got " + clipFrames + ", " + stride);
        }
        this.clipFrames = clipFrames;
        this.stride = stride;
        this.cutThreshold = cutThreshold;
    }

    /** Adds the next frame; returns the window it completes, if any. */
    public Optional<ClipWindow> accept(RgbFrame frame) {
        ColorHistogram histogram = ColorHistogram.of(frame);
        if (previous == null || previous.distance(histogram) > cutThreshold) {
            buffer.clear();
            shotStart = frame.index();
            shotIndex++;
        }
        previous = histogram;
        buffer.addLast(frame);
        long inShot = frame.index() - shotStart + 1;
        longestShot = Math.max(longestShot, inShot);
        if (inShot < clipFrames || (inShot - clipFrames) % stride != 0) {
            return Optional.empty();
        }
        long start = frame.index() - clipFrames + 1;
        while (buffer.peekFirst().index() < start) {
            buffer.removeFirst();
        }
        ClipWindow window = new ClipWindow(start, shotIndex, new ArrayList<>(buffer));
        // The next window starts `stride` frames later; nothing before it is needed again.
        while (!buffer.isEmpty() && buffer.peekFirst().index() < start + stride) {
            buffer.removeFirst();
        }
        return Optional.of(window);
    }

    /** Shots seen so far. */
    public int shots() {
        return shotIndex + 1;
    }

    /** Frames in the longest shot seen so far. */
    public long longestShot() {
        return longestShot;
    }
}

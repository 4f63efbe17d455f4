package org.longspark.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;

class ClipAssemblerTest {

    /** A flat frame of one colour: histogram distance between two colours of different bins is 1. */
    private static RgbFrame flat(long index, int r, int g, int b) {
        byte[] rgb = new byte[8 * 8 * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) r;
            rgb[i + 1] = (byte) g;
            rgb[i + 2] = (byte) b;
        }
        return new RgbFrame(index, 8, 8, rgb);
    }

    private static List<ClipWindow> run(ClipAssembler a, List<RgbFrame> frames) {
        List<ClipWindow> out = new ArrayList<>();
        for (RgbFrame f : frames) {
            a.accept(f).ifPresent(out::add);
        }
        return out;
    }

    @Test
    void windowsWithStrideInsideOneShot() {
        List<RgbFrame> frames = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            frames.add(flat(i, 200, 10, 10));
        }
        // 20 frames, windows of 8 every 5: starts 0, 5, 10 (15 would end at 22).
        List<ClipWindow> w = run(new ClipAssembler(8, 5, 0.5), frames);
        assertEquals(List.of(0L, 5L, 10L), w.stream().map(ClipWindow::startFrame).toList());
        for (ClipWindow c : w) {
            assertEquals(8, c.frames().size());
            assertEquals(c.startFrame(), c.frames().get(0).index());
            assertEquals(c.startFrame() + 7, c.frames().get(7).index());
        }
    }

    @Test
    void strideLargerThanWindowSkipsFrames() {
        List<RgbFrame> frames = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            frames.add(flat(i, 200, 10, 10));
        }
        List<ClipWindow> w = run(new ClipAssembler(4, 10, 0.5), frames);
        assertEquals(List.of(0L, 10L, 20L), w.stream().map(ClipWindow::startFrame).toList());
    }

    @Test
    void noWindowCrossesACut() {
        List<RgbFrame> frames = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            frames.add(flat(i, 200, 10, 10));
        }
        for (int i = 11; i < 30; i++) {
            frames.add(flat(i, 10, 10, 200));
        }
        ClipAssembler a = new ClipAssembler(8, 4, 0.5);
        List<ClipWindow> w = run(a, frames);
        // Shot 0 = frames 0..10: windows at 0 only (4 would end at 11, past the cut).
        // Shot 1 = frames 11..29: windows at 11, 15, 19.
        assertEquals(List.of(0L, 11L, 15L, 19L), w.stream().map(ClipWindow::startFrame).toList());
        assertEquals(List.of(0, 1, 1, 1), w.stream().map(ClipWindow::shotIndex).toList());
        assertEquals(2, a.shots());
        assertEquals(19, a.longestShot());
    }

    /**
     * Real footage: at the default cut threshold 0.65 each test video is one shot, and joining
     * videos end to end gives a cut at each junction. Measured with this histogram at 8 fps,
     * 128x128: the largest consecutive-frame distance inside one video is 0.598 (cockatoo.mp4, a
     * fast camera move); the junctions used here are 0.688 (box->cockatoo), 0.853 (cockatoo->cup)
     * and 0.716 (cup->vtest). Some pairs of greyish videos are closer (box->cup 0.578) and would not
     * be cut: a global histogram threshold cannot separate those.
     */
    @Test
    void realVideosAreOneShotAndJunctionsAreCuts() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        FrameSpec spec = new FrameSpec(8, 128, 128, 1);
        List<RgbFrame> joined = new ArrayList<>();
        List<Long> junctions = new ArrayList<>();
        for (String name : Arrays.asList("box.mp4", "cockatoo.mp4", "cup.mp4", "vtest.avi")) {
            ClipAssembler alone = new ClipAssembler(16, 16, 0.65);
            junctions.add((long) joined.size());
            try (VideoReader r = VideoReader.open(fs, TestVideos.hadoopPath(name), spec, DecodeLimits.DEFAULT)) {
                RgbFrame f;
                while ((f = r.next()) != null) {
                    alone.accept(f);
                    joined.add(new RgbFrame(joined.size(), f.width(), f.height(), f.rgb()));
                }
            }
            assertEquals(1, alone.shots(), name + " should be a single shot");
        }
        ClipAssembler all = new ClipAssembler(16, 16, 0.65);
        List<ClipWindow> windows = run(all, joined);
        assertEquals(4, all.shots());
        List<Long> shotStarts = new ArrayList<>();
        int lastShot = -1;
        for (ClipWindow w : windows) {
            if (w.shotIndex() != lastShot) {
                shotStarts.add(w.startFrame());
                lastShot = w.shotIndex();
            }
        }
        assertEquals(junctions, shotStarts);
    }
}

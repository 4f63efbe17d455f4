package org.longspark.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filter decisions on real videos. Per-window statistics at 8 fps, 128x128, 16-frame windows
 * every 16 frames, measured once with {@link ClipQuality} (frame counts from ffprobe, see
 * {@link VideoReaderTest}):
 * <ul>
 *   <li>vtest.avi: 39 windows, motion 0.43..2.65, mean luma 123.9..129.7</li>
 *   <li>box.mp4: 7 windows, motion 1.24 (window 0), then 3.96..7.04; luma 138.3..148.7</li>
 *   <li>cup.mp4: 4 windows, luma 176.5, 177.9, 182.1, 172.3</li>
 *   <li>cockatoo.mp4: 7 windows, motion 14.0..23.3, luma 92.4, 87.2, 72.8 (window 2), 91.7..115.2</li>
 *   <li>realshort.mp4: 10 frames at 8 fps, shorter than one window</li>
 * </ul>
 * Thresholds below sit between those values, so each decision is one the statistics force.
 */
class CurationDecisionsTest {
    private static final FrameSpec SPEC = new FrameSpec(8, 128, 128, 1);

    private static CurationSettings settings(double minMotion, double minLuma, double maxLuma) {
        return new CurationSettings(SPEC, DecodeLimits.DEFAULT, 16, 16, 0.65, minMotion, minLuma, maxLuma, 4, 1000);
    }

    private static FileOutcome curate(CurationSettings s, String name) throws Exception {
        return new VideoCurator(s).curate(FileSystem.getLocal(new Configuration()), TestVideos.hadoopPath(name),
                "caption of " + name);
    }

    @Test
    void lenientThresholdsKeepEveryWindow() throws Exception {
        CurationSettings s = settings(0.25, 16, 240);
        assertEquals(39, curate(s, "vtest.avi").clips().size());
        assertEquals(7, curate(s, "box.mp4").clips().size());
        assertEquals(4, curate(s, "cup.mp4").clips().size());
        FileOutcome cockatoo = curate(s, "cockatoo.mp4");
        assertEquals(7, cockatoo.clips().size());
        assertEquals(Map.of(), cockatoo.dropped());
        ClipCandidate first = cockatoo.clips().get(0);
        assertEquals(16, first.frameCount());
        assertEquals(8.0, first.fps());
        assertEquals(16 * 128 * 128 * 3, first.frames().length);
        assertEquals("caption of cockatoo.mp4", first.caption());
        assertEquals(112, cockatoo.outputFrames());
        assertEquals(280, cockatoo.decodedFrames());
    }

    @Test
    void staticWindowsAreDropped() throws Exception {
        CurationSettings s = settings(3.0, 16, 240);
        FileOutcome vtest = curate(s, "vtest.avi");
        assertEquals(RejectReason.STATIC, vtest.rejection());
        assertEquals(Map.of(RejectReason.STATIC, 39), vtest.dropped());
        FileOutcome box = curate(s, "box.mp4");
        assertEquals(6, box.clips().size());
        assertEquals(16, box.clips().get(0).startFrame());
        assertEquals(Map.of(RejectReason.STATIC, 1), box.dropped());
    }

    @Test
    void brightAndDarkWindowsAreDropped() throws Exception {
        FileOutcome cup = curate(settings(0.25, 16, 170), "cup.mp4");
        assertTrue(cup.isRejected());
        assertEquals(RejectReason.BLOWN_OUT, cup.rejection());
        assertTrue(cup.message().contains("blown_out=4"), cup.message());
        FileOutcome cockatoo = curate(settings(0.25, 80, 240), "cockatoo.mp4");
        assertEquals(6, cockatoo.clips().size());
        assertFalse(cockatoo.clips().stream().anyMatch(c -> c.startFrame() == 32));
        assertEquals(Map.of(RejectReason.TOO_DARK, 1), cockatoo.dropped());
    }

    @Test
    void shortVideoIsTooShort() throws Exception {
        FileOutcome o = curate(settings(0.25, 16, 240), "realshort.mp4");
        assertEquals(RejectReason.TOO_SHORT, o.rejection());
        assertTrue(o.message().contains("longest shot has 10 frames"), o.message());
    }

    @Test
    void copyOfAVideoIsANearDuplicate(@TempDir Path dir) throws Exception {
        Files.copy(TestVideos.clip("cup.mp4"), dir.resolve("cup.mp4"));
        Files.copy(TestVideos.clip("cup.mp4"), dir.resolve("cup-reupload.mp4"));
        Files.copy(TestVideos.clip("box.mp4"), dir.resolve("box.mp4"));
        FileSystem fs = FileSystem.getLocal(new Configuration());
        VideoCurator curator = new VideoCurator(settings(0.25, 16, 240));
        List<FileOutcome> outcomes = new ArrayList<>();
        List<NearDuplicateFilter.Fingerprint> prints = new ArrayList<>();
        for (String name : List.of("box.mp4", "cup-reupload.mp4", "cup.mp4")) {
            FileOutcome o = curator.curate(fs, new org.apache.hadoop.fs.Path(dir.resolve(name).toUri()), name);
            outcomes.add(o);
            o.clips().forEach(c -> prints.add(NearDuplicateFilter.Fingerprint.of(c)));
        }
        Set<String> duplicates = NearDuplicateFilter.duplicates(prints, 4);
        // "cup-reupload" sorts before "cup.mp4", so the re-upload is kept and the original dropped.
        assertEquals(4, duplicates.size());
        assertNull(outcomes.get(0).withoutDuplicates(duplicates).rejection());
        assertNull(outcomes.get(1).withoutDuplicates(duplicates).rejection());
        FileOutcome cup = outcomes.get(2).withoutDuplicates(duplicates);
        assertEquals(RejectReason.NEAR_DUPLICATE, cup.rejection());
        assertEquals(Map.of(RejectReason.NEAR_DUPLICATE, 4), cup.dropped());
        assertEquals(Set.of(), NearDuplicateFilter.duplicates(prints, -1));
    }
}

package org.longspark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticDatasetTest {
    private static final SyntheticDataset.Spec SPEC = new SyntheticDataset.Spec(7, 3, 128, 96, 16, 48);

    @Test
    void sameSeedSameBytes(@TempDir Path a, @TempDir Path b) throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        List<SyntheticDataset.Video> va = SyntheticDataset.write(fs, new org.apache.hadoop.fs.Path(a.toUri()), SPEC);
        List<SyntheticDataset.Video> vb = SyntheticDataset.write(fs, new org.apache.hadoop.fs.Path(b.toUri()), SPEC);
        assertEquals(va, vb);
        for (SyntheticDataset.Video v : va) {
            assertArrayEquals(Files.readAllBytes(a.resolve(v.fileName())), Files.readAllBytes(b.resolve(v.fileName())),
                    v.fileName());
        }
        assertArrayEquals(Files.readAllBytes(a.resolve(SyntheticDataset.CAPTIONS_FILE)),
                Files.readAllBytes(b.resolve(SyntheticDataset.CAPTIONS_FILE)));
        List<SyntheticDataset.Video> other = SyntheticDataset.write(fs, new org.apache.hadoop.fs.Path(b.toUri()),
                new SyntheticDataset.Spec(8, 3, 128, 96, 16, 48));
        assertNotEquals(va.get(0).caption() + va.get(1).caption() + va.get(2).caption(),
                other.get(0).caption() + other.get(1).caption() + other.get(2).caption());
    }

    /** Each kind of generated file takes the curation path it was made for. */
    @Test
    void eachKindMeetsItsFilter(@TempDir Path dir) throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(dir.toUri());
        List<SyntheticDataset.Video> videos = SyntheticDataset.write(fs, root, SPEC);
        CaptionIndex captions = CaptionIndex.load(fs, new org.apache.hadoop.fs.Path(root, SyntheticDataset.CAPTIONS_FILE));
        // 48 frames at 16 fps = 3 s; at 8 fps that is 24 frames: one 12-frame clip per half of the cut video.
        CurationSettings settings = new CurationSettings(new FrameSpec(8, 64, 64, 1), DecodeLimits.DEFAULT, 12, 12,
                0.65, 0.25, 16, 240, 4, 1000);
        VideoCurator curator = new VideoCurator(settings);
        Map<SyntheticDataset.Kind, FileOutcome> byKind = new HashMap<>();
        List<NearDuplicateFilter.Fingerprint> prints = new ArrayList<>();
        List<FileOutcome> all = new ArrayList<>();
        for (SyntheticDataset.Video v : videos) {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(root, v.fileName());
            FileOutcome o = curator.curate(fs, p, captions.captionFor(p.toString()));
            all.add(o);
            byKind.putIfAbsent(v.kind(), o);
            o.clips().forEach(c -> prints.add(NearDuplicateFilter.Fingerprint.of(c)));
            if (!o.clips().isEmpty()) {
                assertEquals(v.caption(), o.clips().get(0).caption());
            }
        }
        Set<String> dups = NearDuplicateFilter.duplicates(prints, 4);
        assertNull(byKind.get(SyntheticDataset.Kind.BOUNCING).withoutDuplicates(dups).rejection());
        FileOutcome bouncing = byKind.get(SyntheticDataset.Kind.BOUNCING);
        assertEquals(2, bouncing.clips().size(), bouncing.dropped() + " " + bouncing.outputFrames() + " " + bouncing.clips().stream().map(c -> c.startFrame() + "/" + c.shotIndex() + "/" + c.quality()).toList());
        assertEquals(RejectReason.STATIC, byKind.get(SyntheticDataset.Kind.STATIC).rejection());
        assertEquals(RejectReason.TOO_DARK, byKind.get(SyntheticDataset.Kind.DARK).rejection());
        assertEquals(RejectReason.NEAR_DUPLICATE,
                byKind.get(SyntheticDataset.Kind.DUPLICATE).withoutDuplicates(dups).rejection());
        FileOutcome cut = byKind.get(SyntheticDataset.Kind.SCENE_CUT);
        assertEquals(List.of(0, 1), cut.clips().stream().map(ClipCandidate::shotIndex).toList());
        assertEquals(List.of(0L, 12L), cut.clips().stream().map(ClipCandidate::startFrame).toList());
        assertEquals(RejectReason.EMPTY_FILE, byKind.get(SyntheticDataset.Kind.EMPTY).rejection());
        // Only the duplicate is a duplicate: distinct scenes hash apart.
        assertEquals(2, dups.size());
        for (FileOutcome o : all) {
            if (!o.sourceUri().endsWith("zz-copy-of-00.mp4")) {
                o.clips().forEach(c -> assertEquals(false, dups.contains(c.id()), c.id()));
            }
        }
    }
}

package org.longspark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipTableTest {
    @Test
    void clipsRoundTripThroughParquet(@TempDir Path dir) throws Exception {
        Configuration conf = new Configuration();
        CurationSettings s = new CurationSettings(new FrameSpec(8, 64, 48, 1), DecodeLimits.DEFAULT, 16, 16, 0.65,
                0.25, 16, 240, 4, 1000);
        List<ClipCandidate> clips = new VideoCurator(s).curate(FileSystem.getLocal(conf),
                TestVideos.hadoopPath("box.mp4"), "a box").clips();
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir.resolve("clips.parquet").toUri());
        try (ParquetWriter<Group> w = ClipTable.writer(conf, file)) {
            for (ClipCandidate c : clips) {
                ClipTable.write(w, c);
            }
        }
        List<ClipCandidate> back = ClipTable.read(conf, file);
        assertEquals(clips.size(), back.size());
        for (int i = 0; i < clips.size(); i++) {
            ClipCandidate a = clips.get(i);
            ClipCandidate b = back.get(i);
            assertEquals(a.id(), b.id());
            assertEquals(a.sourceUri(), b.sourceUri());
            assertEquals(a.startFrame(), b.startFrame());
            assertEquals(a.quality(), b.quality());
            assertEquals(a.caption(), b.caption());
            assertEquals(48, b.height());
            assertEquals(64, b.width());
            assertArrayEquals(a.frames(), b.frames());
        }
    }

    @Test
    void quarantineRoundTrip(@TempDir Path dir) throws Exception {
        Configuration conf = new Configuration();
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir.resolve("q.parquet").toUri());
        List<QuarantineRecord> rows = List.of(new QuarantineRecord("file:/a.mp4", "empty_file", "a.mp4 has zero bytes"),
                new QuarantineRecord("file:/b.mp4", "static", "every clip window was dropped: static=2"));
        QuarantineTable.write(conf, file, rows);
        assertEquals(rows, QuarantineTable.read(conf, file));
    }
}

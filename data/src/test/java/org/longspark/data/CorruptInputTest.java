package org.longspark.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorruptInputTest {
    private static final CurationSettings SETTINGS = new CurationSettings(new FrameSpec(8, 64, 64, 1),
            DecodeLimits.DEFAULT, 8, 8, 0.65, 0.25, 16, 240, 4, 1000);

    @Test
    void everyBadFileGetsItsReason(@TempDir Path dir) throws Exception {
        Map<String, RejectReason> expected = CorruptInputs.write(dir);
        FileSystem fs = FileSystem.getLocal(new Configuration());
        VideoCurator curator = new VideoCurator(SETTINGS);
        for (Map.Entry<String, RejectReason> e : expected.entrySet()) {
            FileOutcome o = curator.curate(fs, new org.apache.hadoop.fs.Path(dir.resolve(e.getKey()).toUri()), "x");
            assertEquals(e.getValue(), o.rejection(), e.getKey() + ": " + o.message());
            assertTrue(o.clips().isEmpty(), e.getKey());
            assertTrue(o.message().contains(e.getKey()), "message names the file: " + o.message());
        }
    }

    /**
     * Hadoop's local file system keeps a CRC per 512 bytes; flipping bytes after writing makes the
     * read fail with a ChecksumException, a real unreadable file (permissions do not stop root).
     */
    @Test
    void checksumFailureIsUnreadable(@TempDir Path dir) throws Exception {
        LocalFileSystem fs = FileSystem.getLocal(new Configuration());
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir.resolve("bitrot.mp4").toUri());
        byte[] cup = java.nio.file.Files.readAllBytes(TestVideos.clip("cup.mp4"));
        try (OutputStream out = fs.create(file)) {
            out.write(cup);
        }
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("bitrot.mp4").toFile(), "rw")) {
            raf.seek(100_000);
            raf.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        FileOutcome o = new VideoCurator(SETTINGS).curate(fs, file, "x");
        assertEquals(RejectReason.UNREADABLE, o.rejection(), o.message());
        assertTrue(o.message().contains("Checksum"), o.message());
    }

    @Test
    void limitsRejectTinyVideos() throws Exception {
        DecodeLimits strict = new DecodeLimits(400, 8192, 0.1);
        CurationSettings s = new CurationSettings(new FrameSpec(8, 64, 64, 1), strict, 8, 8, 0.65, 0.25, 16, 240,
                4, 1000);
        FileOutcome o = new VideoCurator(s).curate(FileSystem.getLocal(new Configuration()),
                TestVideos.hadoopPath("realshort.mp4"), "x");
        assertEquals(RejectReason.ABSURD_RESOLUTION, o.rejection());
        assertTrue(o.message().contains("320x240"), o.message());
    }
}

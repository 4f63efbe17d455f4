package org.longspark.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionIndexTest {
    private static org.apache.hadoop.fs.Path hp(Path p) {
        return new org.apache.hadoop.fs.Path(p.toUri());
    }

    @Test
    void jsonLinesSidecar(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("captions.jsonl");
        Files.writeString(f, "{\"file\": \"a.mp4\", \"caption\": \"a cat, sleeping\"}\n\n"
                + "{\"file\": \"sub/dir/b.avi\", \"caption\": \"b \\\"quoted\\\"\"}\n");
        CaptionIndex idx = CaptionIndex.load(FileSystem.getLocal(new Configuration()), hp(f));
        assertEquals(2, idx.size());
        assertEquals("a cat, sleeping", idx.captionFor("hdfs://nn:8020/videos/a.mp4"));
        assertEquals("b \"quoted\"", idx.captionFor("file:/x/b.avi"));
        assertEquals("red ball bouncing", idx.captionFor("file:/x/red_ball-bouncing.mp4"));
    }

    @Test
    void csvSidecarWithQuotes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("captions.csv");
        Files.writeString(f, "file,caption\na.mp4,\"a dog, running \"\"fast\"\"\"\nb.mp4,plain\n");
        CaptionIndex idx = CaptionIndex.load(FileSystem.getLocal(new Configuration()), hp(f));
        assertEquals("a dog, running \"fast\"", idx.captionFor("a.mp4"));
        assertEquals("plain", idx.captionFor("/data/b.mp4"));
    }

    @Test
    void badSidecarsNameFileAndLine(@TempDir Path dir) throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path json = dir.resolve("bad.jsonl");
        Files.writeString(json, "{\"file\": \"a.mp4\", \"caption\": \"ok\"}\n{\"file\": \"b.mp4\"}\n");
        IOException e = assertThrows(IOException.class, () -> CaptionIndex.load(fs, hp(json)));
        assertTrue(e.getMessage().contains("bad.jsonl line 2") && e.getMessage().contains("caption"), e.getMessage());
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "file,caption\na.mp4,one,two\n");
        e = assertThrows(IOException.class, () -> CaptionIndex.load(fs, hp(csv)));
        assertTrue(e.getMessage().contains("bad.csv line 2"), e.getMessage());
        Path txt = dir.resolve("captions.txt");
        Files.writeString(txt, "x");
        e = assertThrows(IOException.class, () -> CaptionIndex.load(fs, hp(txt)));
        assertTrue(e.getMessage().contains(".jsonl or .csv"), e.getMessage());
    }

    @Test
    void captionsFromFileNames() {
        assertEquals("big buck bunny trailer 1080p", CaptionIndex.fromFileName("big_buck-bunnyTrailer.1080p.mp4"));
        assertEquals("vtest", CaptionIndex.fromFileName("vtest.avi"));
        assertEquals("video", CaptionIndex.fromFileName("___.mp4"));
    }
}

package org.longspark.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longspark.data.CorruptInputs;
import org.longspark.data.RejectReason;
import org.longspark.data.TestVideos;

/** The curate job end to end on a real local Spark session. */
class CurateJobTest {
    private static SparkSession spark;

    @BeforeAll
    static void spark() {
        spark = SparkTestSession.get();
    }

    /** The embedded default (synthetic dataset), scaled down to keep the test quick. */
    @Test
    void embeddedDefaultCuratesTheSyntheticDataset(@TempDir Path dir) {
        String out = dir.resolve("demo").toString();
        CliRun run = CliRun.of("curate", "--output", out, "-Dcurate.synthetic.videos=3",
                "-Dcurate.synthetic.frames=48", "-Dcurate.synthetic.fps=16", "-Dcurate.synthetic.width=128",
                "-Dcurate.synthetic.height=96", "-Dcurate.width=64", "-Dcurate.height=64", "-Dcurate.clip.frames=12",
                "-Dcurate.clip.stride=12");
        assertEquals(0, run.exitCode(), run.err());
        // 3 bouncing videos and the two halves of the scene-cut video give 2 clips each (24 frames at
        // 8 fps); the static, dark and duplicate videos lose both windows; the empty file has none.
        assertTrue(run.out().contains("input files      8 (4 with clips, 4 quarantined)"), run.out());
        assertTrue(run.out().contains("clips kept       8 -> "), run.out());
        assertTrue(run.out().contains("clips dropped    static=2, too_dark=2, near_duplicate=2"), run.out());
        assertTrue(run.out().contains("files quarantined empty_file=1, static=1, too_dark=1, near_duplicate=1"),
                run.out());
        assertTrue(run.out().contains("decoded frames/s"), run.out());

        CuratedTables tables = new CuratedTables(spark, out);
        assertEquals(8, tables.clips.size());
        Row first = tables.clips.get(0);
        assertEquals(12, (int) first.getAs("frame_count"));
        assertEquals(64, (int) first.getAs("width"));
        assertEquals(8.0, (double) first.getAs("fps"));
        assertTrue(((String) first.getAs("caption")).contains("bouncing around on"), (String) first.getAs("caption"));
        assertEquals(4, tables.quarantineReasons.size());
        assertEquals(Map.of("empty_file", 1L, "static", 1L, "too_dark", 1L, "near_duplicate", 1L),
                tables.quarantineReasons.values().stream().collect(java.util.stream.Collectors.groupingBy(
                        r -> r, java.util.stream.Collectors.counting())));
        assertTrue(new File(out, "_COMMITTED").isFile());
        assertTrue(!new File(out, "_temporary").exists());
    }

    /** Real and corrupt files in one folder: every file is accounted for, bad ones with their reason. */
    @Test
    void mixedFolderAccountsForEveryFile(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Map<String, RejectReason> corrupt = CorruptInputs.write(in);
        for (String name : List.of("box.mp4", "cup.mp4", "cockatoo.mp4", "realshort.mp4")) {
            Files.copy(TestVideos.clip(name), in.resolve(name));
        }
        Files.writeString(in.resolve("captions.csv"), "file,caption\ncup.mp4,a cup on a table\n");
        String out = dir.resolve("out").toString();
        CliRun run = CliRun.of("curate", "--input", in.toString(), "--output", out, "-Dcurate.width=64",
                "-Dcurate.height=64");
        assertEquals(0, run.exitCode(), run.err());

        CuratedTables tables = new CuratedTables(spark, out);
        List<String> inputs = new ArrayList<>();
        try (var files = Files.list(in)) {
            files.filter(p -> !p.getFileName().toString().equals("captions.csv"))
                    .forEach(p -> inputs.add(new org.apache.hadoop.fs.Path(p.toUri()).toString()));
        }
        tables.assertEachInputOnce(inputs);
        for (Map.Entry<String, RejectReason> e : corrupt.entrySet()) {
            assertEquals(e.getValue().code(), tables.quarantineReasons.get(uri(in, e.getKey())), e.getKey());
        }
        assertEquals("too_short", tables.quarantineReasons.get(uri(in, "realshort.mp4")));
        // 8 fps, 16-frame windows every 16 frames: box 121 frames -> 7, cup 65 -> 4, cockatoo 112 -> 7.
        assertEquals(7, tables.clipsPerSource.get(uri(in, "box.mp4")));
        assertEquals(4, tables.clipsPerSource.get(uri(in, "cup.mp4")));
        assertEquals(7, tables.clipsPerSource.get(uri(in, "cockatoo.mp4")));
        for (Row r : tables.clips) {
            String source = r.getAs("source_uri");
            String caption = r.getAs("caption");
            assertEquals(source.endsWith("cup.mp4") ? "a cup on a table" : source.endsWith("box.mp4") ? "box"
                    : "cockatoo", caption);
        }
        assertTrue(run.out().contains("input files      " + inputs.size() + " (3 with clips, "
                + (inputs.size() - 3) + " quarantined)"), run.out());
    }

    static String uri(Path dir, String name) {
        return new org.apache.hadoop.fs.Path(dir.resolve(name).toUri()).toString();
    }
}

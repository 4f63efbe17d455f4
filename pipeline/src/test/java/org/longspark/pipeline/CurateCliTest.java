package org.longspark.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests that must fail at start, with a message naming what is wrong; no Spark is started. */
class CurateCliTest {

    @Test
    void unknownOptionIsAUsageError() {
        CliRun run = CliRun.of("curate", "--output", "/tmp/x", "--frobnicate");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("Unknown option: '--frobnicate'"), run.err());
    }

    @Test
    void outputIsRequired() {
        CliRun run = CliRun.of("curate");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("Missing required option: '--output=<uri>'"), run.err());
    }

    @Test
    void unreachableOutputFailsFast(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.mp4"), "x");
        long start = System.nanoTime();
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        CliRun run = CliRun.of("curate", "--input", dir.toString(), "--output", "hdfs://127.0.0.1:1/curated");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("hdfs://127.0.0.1:1/curated") && run.err().contains("not reachable"),
                run.err());
        assertTrue(seconds < 30, "took " + seconds + " s");
    }

    @Test
    void nonEmptyOutputNeedsOverwrite(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("out"));
        Files.writeString(dir.resolve("out/old.txt"), "x");
        Files.createDirectories(dir.resolve("in"));
        Files.writeString(dir.resolve("in/a.mp4"), "not a video");
        CliRun run = CliRun.of("curate", "--input", dir.resolve("in").toString(), "--output",
                dir.resolve("out").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("exists and is not empty") && run.err().contains("--overwrite"), run.err());
        assertTrue(Files.exists(dir.resolve("out/old.txt")), "the old output is untouched");
        Files.writeString(dir.resolve("file-output"), "x");
        run = CliRun.of("curate", "--input", dir.resolve("in").toString(), "--output",
                dir.resolve("file-output").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("is a file, not a folder"), run.err());
    }

    @Test
    void badConfigurationNamesTheKey(@TempDir Path dir) throws Exception {
        CliRun run = CliRun.of("curate", "--output", dir.resolve("o1").toString(), "-Dcurate.fps=-3");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("curate.fps") && run.err().contains("-3"), run.err());
        run = CliRun.of("curate", "--output", dir.resolve("o2").toString(), "-Dcurate.clip.frames=many");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("curate.clip.frames"), run.err());
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "curate { filters { min-luma = 250, max-luma = 200 } }");
        run = CliRun.of("curate", "--output", dir.resolve("o3").toString(), "--conf", conf.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("minLuma < maxLuma"), run.err());
        run = CliRun.of("curate", "--output", dir.resolve("o4").toString(), "--conf", dir.resolve("none.conf").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("none.conf: no such file"), run.err());
        assertFalse(Files.exists(dir.resolve("o1")), "nothing is created for a bad request");
    }

    @Test
    void missingInputFailsBeforeOutputIsCreated(@TempDir Path dir) {
        CliRun run = CliRun.of("curate", "--input", dir.resolve("nothing-*.mp4").toString(), "--output",
                dir.resolve("out").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("nothing-*.mp4") && run.err().contains("no such file"), run.err());
        assertFalse(Files.exists(dir.resolve("out")));
    }
}

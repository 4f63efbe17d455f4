package org.longspark.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real videos .ci/fetch-test-videos.sh unpacks from Debian's opencv-doc and python3-imageio.
 * Their folder comes from the {@code longspark.test.videos} system property (set by Surefire) or
 * the {@code LONGSPARK_TEST_VIDEOS} environment variable; tests skip with the reason when absent.
 */
public final class TestVideos {
    private TestVideos() {
    }

    /** The folder holding the clips; skips the calling test when a clip is missing. */
    public static Path folder() {
        String dir = System.getProperty("longspark.test.videos", System.getenv("LONGSPARK_TEST_VIDEOS"));
        Path path = dir == null ? null : Path.of(dir);
        boolean present = path != null && Files.isRegularFile(path.resolve("vtest.avi"))
                && Files.isRegularFile(path.resolve("cockatoo.mp4"));
        if (!present) {
            System.out.println("SKIPPED: test videos not found in " + dir + " (run .ci/fetch-test-videos.sh)");
        }
        assumeTrue(present, "test videos not found in " + dir + "; run .ci/fetch-test-videos.sh");
        return path;
    }

    public static Path clip(String name) {
        Path p = folder().resolve(name);
        assumeTrue(Files.isRegularFile(p), "missing test video " + p);
        return p;
    }

    /** The clip as a Hadoop path on the local file system. */
    public static org.apache.hadoop.fs.Path hadoopPath(String name) {
        return new org.apache.hadoop.fs.Path(new File(clip(name).toString()).toURI());
    }
}

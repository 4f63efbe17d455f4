package org.longspark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VideoReaderTest {
    private static final FileSystem FS = localFs();

    private static FileSystem localFs() {
        try {
            return FileSystem.getLocal(new Configuration());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Source frame counts and stream facts from
     * {@code ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=codec_name,width,height,nb_frames,nb_read_frames}
     * (FFmpeg 5.1.9, Debian 12). box.mp4 declares 456 frames but 455 decode.
     */
    @ParameterizedTest
    @CsvSource({
        "vtest.avi,     msmpeg4v3, 768,  576, 795, 795",
        "box.mp4,       h264,      640,  480, 456, 455",
        "cup.mp4,       h264,      640,  480, 217, 217",
        "realshort.mp4, h264,      320,  240,  36,  36",
        "cockatoo.mp4,  h264,      1280, 720, 280, 280",
    })
    void decodesEverySourceFrame(String name, String codec, int width, int height, long declared, long decoded)
            throws Exception {
        // fps 0 keeps every decoded frame, so the count equals ffprobe's nb_read_frames.
        FrameSpec spec = new FrameSpec(0, 64, 48, 1);
        try (VideoReader reader = VideoReader.open(FS, TestVideos.hadoopPath(name), spec, DecodeLimits.DEFAULT)) {
            VideoInfo info = reader.info();
            assertEquals(codec, info.codec());
            assertEquals(width, info.width());
            assertEquals(height, info.height());
            assertEquals(declared, info.declaredFrames());
            long n = 0;
            RgbFrame f;
            while ((f = reader.next()) != null) {
                assertEquals(n++, f.index());
                assertEquals(64 * 48 * 3, f.rgb().length);
            }
            assertEquals(decoded, n);
            assertEquals(decoded, reader.decodedFrames());
        }
    }

    /**
     * Resampled counts from the ffmpeg CLI running the same filter chain:
     * {@code ffmpeg -i F -vf "fps=fps=R,scale=w=128:h=96:force_original_aspect_ratio=increase:flags=bilinear,crop=w=128:h=96,format=rgb24" -fps_mode passthrough -f rawvideo - | wc -c}
     * divided by 128*96*3.
     */
    @ParameterizedTest
    @CsvSource({
        "vtest.avi,     8, 636", "vtest.avi,     5, 398",
        "box.mp4,       8, 121", "box.mp4,       5,  76",
        "cup.mp4,       8,  65", "cup.mp4,       5,  41",
        "realshort.mp4, 8,  10", "realshort.mp4, 5,   6",
        "cockatoo.mp4,  8, 112", "cockatoo.mp4,  5,  70",
    })
    void resamplesLikeTheFfmpegCli(String name, int fps, long expected) throws Exception {
        assertEquals(expected, countFrames(name, new FrameSpec(fps, 128, 96, 1)));
    }

    /**
     * Channel means of one resampled frame, from the ffmpeg CLI raw output above (frame 10 of
     * vtest.avi, 5 of cockatoo.mp4, 3 of realshort.mp4 at 8 fps, 128x96): checks RGB order and the
     * crop. FFmpeg 8.1 (bytedeco) and 5.1 (CLI) round slightly differently, hence the tolerance.
     */
    @ParameterizedTest
    @CsvSource({
        "vtest.avi,     10, 119.02, 125.08, 87.81",
        "cockatoo.mp4,   5,  98.72,  96.14, 91.91",
        "realshort.mp4,  3, 151.90, 157.24, 153.75",
    })
    void pixelsMatchTheFfmpegCli(String name, int index, double r, double g, double b) throws Exception {
        FrameSpec spec = new FrameSpec(8, 128, 96, 1);
        try (VideoReader reader = VideoReader.open(FS, TestVideos.hadoopPath(name), spec, DecodeLimits.DEFAULT)) {
            RgbFrame f = null;
            for (int i = 0; i <= index; i++) {
                f = reader.next();
            }
            double[] mean = new double[3];
            for (int i = 0; i < f.rgb().length; i++) {
                mean[i % 3] += f.rgb()[i] & 0xff;
            }
            for (int c = 0; c < 3; c++) {
                mean[c] /= 128 * 96;
            }
            assertArrayEquals(new double[] {r, g, b}, mean, 1.0);
        }
    }

    @Test
    void threadedDecodingGivesTheSameFrames() throws Exception {
        Path path = TestVideos.hadoopPath("cup.mp4");
        try (VideoReader one = VideoReader.open(FS, path, new FrameSpec(8, 64, 64, 1), DecodeLimits.DEFAULT);
             VideoReader all = VideoReader.open(FS, path, new FrameSpec(8, 64, 64, 0), DecodeLimits.DEFAULT)) {
            RgbFrame a;
            int n = 0;
            while ((a = one.next()) != null) {
                RgbFrame b = all.next();
                assertArrayEquals(a.rgb(), b.rgb(), "frame " + n);
                n++;
            }
            assertEquals(null, all.next());
            assertTrue(n > 0);
        }
    }

    static long countFrames(String name, FrameSpec spec) throws Exception {
        try (VideoReader reader = VideoReader.open(FS, TestVideos.hadoopPath(name), spec, DecodeLimits.DEFAULT)) {
            long n = 0;
            while (reader.next() != null) {
                n++;
            }
            return n;
        }
    }
}

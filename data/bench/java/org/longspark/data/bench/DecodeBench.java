package org.longspark.data.bench;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.longspark.data.DecodeLimits;
import org.longspark.data.FrameSpec;
import org.longspark.data.RgbFrame;
import org.longspark.data.VideoReader;

/**
 * Decode + resample + resize/crop to RGB through {@link VideoReader}, the curate job's path, timed
 * in wall and process CPU seconds. data/bench/run.sh runs it next to the ffmpeg CLI doing the same.
 *
 * <p>Usage: {@code DecodeBench <video> <fps> <size> <threads (0 = all cores)> <runs>}. Prints one
 * line per timed run (after one untimed warm-up run): source frames, output frames, wall s, CPU s.
 */
public final class DecodeBench {
    private DecodeBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: DecodeBench <video> <fps> <size> <threads> <runs>");
            System.exit(2);
        }
        Path video = new Path(new File(args[0]).getAbsoluteFile().toURI());
        int size = Integer.parseInt(args[2]);
        FrameSpec spec = new FrameSpec(Double.parseDouble(args[1]), size, size, Integer.parseInt(args[3]));
        int runs = Integer.parseInt(args[4]);
        FileSystem fs = FileSystem.getLocal(new Configuration());
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long checksum = 0;
        for (int run = -1; run < runs; run++) {
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            long out = 0;
            long decoded;
            try (VideoReader reader = VideoReader.open(fs, video, spec, DecodeLimits.DEFAULT)) {
                RgbFrame f;
                while ((f = reader.next()) != null) {
                    out++;
                    checksum += f.rgb()[f.rgb().length / 2]; // keeps the frame bytes live
                }
                decoded = reader.decodedFrames();
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            if (run >= 0) {
                System.out.printf(Locale.ROOT, "java %d %d %.3f %.3f%n", decoded, out, wall, cpu);
            }
        }
        System.err.println("checksum " + checksum);
    }
}

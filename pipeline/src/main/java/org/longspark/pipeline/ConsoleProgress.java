package org.longspark.pipeline;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A one-line progress display for long work: files done of the total (from Spark's status
 * tracker), source frames decoded and their rate. On a terminal the line is redrawn in place every
 * second; otherwise (logs, CI) a line is printed every 10 seconds.
 */
final class ConsoleProgress implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "longspark-progress");
        t.setDaemon(true);
        return t;
    });
    private final PrintStream out;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private boolean drawn;

    ConsoleProgress(JavaSparkContext jsc, String jobGroup, int totalFiles, LongSupplier decodedFrames,
                    PrintStream out) {
        this.out = out;
        this.terminal = System.console() != null;
        long period = terminal ? 1 : 10;
        timer.scheduleAtFixedRate(() -> draw(jsc, jobGroup, totalFiles, decodedFrames.getAsLong()), period, period,
                TimeUnit.SECONDS);
    }

    private synchronized void draw(JavaSparkContext jsc, String jobGroup, int totalFiles, long frames) {
        int done = 0;
        for (int jobId : jsc.statusTracker().getJobIdsForGroup(jobGroup)) {
            var job = jsc.statusTracker().getJobInfo(jobId);
            if (job == null) {
                continue;
            }
            for (int stageId : job.stageIds()) {
                SparkStageInfo stage = jsc.statusTracker().getStageInfo(stageId);
                if (stage != null && stage.numTasks() == totalFiles) {
                    done = Math.max(done, stage.numCompletedTasks());
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String line = String.format(Locale.ROOT, "curate: %d/%d files decoded, %d frames, %.0f frames/s, %.0f s",
                done, totalFiles, frames, seconds > 0 ? frames / seconds : 0, seconds);
        if (terminal) {
            out.print("\r" + line + "   ");
            drawn = true;
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public synchronized void close() {
        timer.shutdownNow();
        if (drawn) {
            out.println();
        }
    }
}

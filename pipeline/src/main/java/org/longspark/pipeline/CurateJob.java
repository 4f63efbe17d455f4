package org.longspark.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.longspark.data.CaptionIndex;
import org.longspark.data.ClipCandidate;
import org.longspark.data.ClipTable;
import org.longspark.data.CurationSettings;
import org.longspark.data.FileOutcome;
import org.longspark.data.NearDuplicateFilter;
import org.longspark.data.QuarantineRecord;
import org.longspark.data.QuarantineTable;
import org.longspark.data.VideoCurator;

/**
 * The curate job. Stage 1: one task per input file decodes, cuts and filters it (outcomes are
 * persisted, frames included). The driver then collects the small perceptual-hash fingerprints and
 * picks the near-duplicates. Stage 2 writes each partition's kept clips to a temporary Parquet file
 * and reports per-file accounting; the driver renames the files into {@code clips/}, writes
 * {@code quarantine/} and marks the output {@code _COMMITTED}.
 */
final class CurateJob {
    static final String JOB_GROUP = "longspark-curate";

    private final SparkSession spark;
    private final CurationSettings settings;
    private final PrintStream console;

    CurateJob(SparkSession spark, CurationSettings settings, PrintStream console) {
        this.spark = spark;
        this.settings = settings;
        this.console = console;
    }

    CurateSummary run(List<String> inputs, CaptionIndex captions, Path output) throws IOException {
        long start = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
        jsc.setJobGroup(JOB_GROUP, "longspark curate " + output, false);
        HadoopConfSnapshot conf = new HadoopConfSnapshot(hadoopConf);
        CurationSettings s = settings;
        LongAccumulator decodedFrames = jsc.sc().longAccumulator("decoded frames");

        JavaRDD<FileOutcome> outcomes = jsc.parallelize(inputs, Math.max(1, inputs.size())).map(uri -> {
            Path path = new Path(uri);
            FileSystem fs = path.getFileSystem(conf.toConfiguration());
            FileOutcome outcome = new VideoCurator(s).curate(fs, path, captions.captionFor(uri));
            decodedFrames.add(outcome.decodedFrames());
            return outcome;
        }).persist(StorageLevel.MEMORY_AND_DISK());

        List<CuratedFile> files;
        try (ConsoleProgress progress = new ConsoleProgress(jsc, JOB_GROUP, inputs.size(), decodedFrames::value,
                console)) {
            List<NearDuplicateFilter.Fingerprint> prints = outcomes
                    .flatMap(o -> o.clips().stream().map(NearDuplicateFilter.Fingerprint::of).iterator())
                    .collect();
            Set<String> duplicates = NearDuplicateFilter.duplicates(prints, s.duplicateBits());
            Broadcast<Set<String>> dups = jsc.broadcast(duplicates);
            String temporary = new Path(output, OutputLocation.TEMPORARY).toString();
            files = outcomes.mapPartitionsWithIndex((partition, it) ->
                    writePartition(partition, it, dups.value(), temporary, conf), false).collect();
        } finally {
            outcomes.unpersist(false);
        }
        commit(files, output, hadoopConf);
        return CurateSummary.of(output.toString(), files, (System.nanoTime() - start) / 1e9);
    }

    /** Writes one partition's kept clips to {@code _temporary/part-P-attempt-A.parquet}. */
    private static Iterator<CuratedFile> writePartition(int partition, Iterator<FileOutcome> outcomes,
                                                        Set<String> duplicates, String temporary,
                                                        HadoopConfSnapshot confSnapshot) throws IOException {
        Configuration conf = confSnapshot.toConfiguration();
        long attempt = TaskContext.get() == null ? 0 : TaskContext.get().taskAttemptId();
        Path part = new Path(temporary, String.format(Locale.ROOT, "part-%05d-attempt-%d.parquet", partition, attempt));
        List<CuratedFile> report = new ArrayList<>();
        ParquetWriter<Group> writer = null;
        try {
            while (outcomes.hasNext()) {
                FileOutcome outcome = outcomes.next().withoutDuplicates(duplicates);
                for (ClipCandidate clip : outcome.clips()) {
                    if (writer == null) {
                        writer = ClipTable.writer(conf, part);
                    }
                    ClipTable.write(writer, clip);
                }
                report.add(CuratedFile.of(outcome, part.toString()));
            }
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
        return report.iterator();
    }

    /** Moves the successful attempts' files into place, writes the quarantine table, marks done. */
    private static void commit(List<CuratedFile> files, Path output, Configuration conf) throws IOException {
        FileSystem fs = output.getFileSystem(conf);
        Path clipsDir = new Path(output, OutputLocation.CLIPS);
        fs.mkdirs(clipsDir);
        List<String> parts = files.stream().map(CuratedFile::partFile).filter(p -> p != null).distinct().sorted()
                .toList();
        for (int i = 0; i < parts.size(); i++) {
            Path target = new Path(clipsDir, String.format(Locale.ROOT, "part-%05d.parquet", i));
            if (!fs.rename(new Path(parts.get(i)), target)) {
                throw new IOException("cannot move " + parts.get(i) + " to " + target);
            }
        }
        if (parts.isEmpty()) {
            // An empty file still carries the schema, so readers of an all-quarantined run work.
            ClipTable.writer(conf, new Path(clipsDir, "part-00000.parquet")).close();
        }
        List<QuarantineRecord> quarantine = files.stream().map(CuratedFile::quarantine).filter(q -> q != null)
                .toList();
        Path quarantineDir = new Path(output, OutputLocation.QUARANTINE);
        fs.mkdirs(quarantineDir);
        QuarantineTable.write(conf, new Path(quarantineDir, "part-00000.parquet"), quarantine);
        fs.delete(new Path(output, OutputLocation.TEMPORARY), true);
        fs.create(new Path(output, OutputLocation.COMMITTED), true).close();
    }
}

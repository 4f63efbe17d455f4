package org.longspark.pipeline;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.longspark.data.CaptionIndex;
import org.longspark.data.SyntheticDataset;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code longspark curate}: video files in, clips and quarantine tables out. */
@Command(name = "curate", mixinStandardHelpOptions = true,
        description = {"Decode videos into fixed-length RGB clips, filtered and captioned, written as Parquet.",
            "With no --input, generates the embedded synthetic dataset and curates it."})
final class CurateCommand implements Callable<Integer> {

    private final PrintStream out;

    CurateCommand(PrintStream out) {
        this.out = out;
    }

    @Option(names = "--input", paramLabel = "<uri|glob>",
            description = "Video file, folder or glob on any Hadoop file system. Default: the synthetic dataset.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "<uri>",
            description = "Output folder (created); gets clips/, quarantine/ and _COMMITTED.")
    String output;

    @Option(names = "--captions", paramLabel = "<uri>",
            description = "Caption sidecar (.jsonl or .csv). Default: captions.jsonl or captions.csv next to the input.")
    String captions;

    @Option(names = "--conf", paramLabel = "<file>", description = "HOCON file overriding conf/longspark.conf.")
    File confFile;

    @Option(names = "-D", paramLabel = "key=value", mapFallbackValue = "",
            description = "Override one configuration key, e.g. -Dcurate.fps=4. Repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--overwrite", description = "Replace an existing non-empty output folder.")
    boolean overwrite;

    @Override
    public Integer call() throws IOException {
        // Everything that can be wrong with the request is found before any work starts.
        CurateConfig config = CurateConfig.load(confFile, overrides);
        Configuration hadoop = new Configuration();
        InputListing.Result given = input == null ? null : InputListing.list(input, hadoop);
        Path outputPath = OutputLocation.prepare(output, overwrite, hadoop);
        SyntheticInput synthetic = input == null ? SyntheticInput.create(config.synthetic(), out) : null;
        try {
            String pattern = synthetic != null ? synthetic.folder().toString() : input;
            InputListing.Result listing = given != null ? given : InputListing.list(pattern, hadoop);
            CaptionIndex captionIndex = loadCaptions(listing, hadoop);
            out.printf("longspark curate: %d input files from %s -> %s%n", listing.files().size(), pattern, outputPath);
            // A session already running in this JVM (spark-shell, tests) is used as is and left running.
            boolean ownSession = SparkSession.getDefaultSession().isEmpty();
            SparkSession spark = ownSession ? startSpark(config) : SparkSession.getDefaultSession().get();
            try {
                CurateSummary summary = new CurateJob(spark, config.settings(), out).run(listing.files(), captionIndex,
                        outputPath);
                summary.print(out);
            } finally {
                if (ownSession) {
                    spark.stop();
                }
            }
        } finally {
            if (synthetic != null) {
                synthetic.close();
            }
        }
        return 0;
    }

    private CaptionIndex loadCaptions(InputListing.Result listing, Configuration hadoop) throws IOException {
        if (captions != null) {
            Path p = new Path(captions);
            return CaptionIndex.load(p.getFileSystem(hadoop), p);
        }
        if (listing.folder() != null) {
            FileSystem fs = listing.folder().getFileSystem(hadoop);
            for (String name : InputListing.SIDECAR_NAMES) {
                Path p = new Path(listing.folder(), name);
                if (fs.isFile(p)) {
                    return CaptionIndex.load(fs, p);
                }
            }
        }
        return CaptionIndex.empty();
    }

    private static SparkSession startSpark(CurateConfig config) {
        SparkConf conf = new SparkConf();
        config.sparkConf().forEach(conf::setIfMissing);
        if (!conf.contains("spark.master")) {
            conf.setMaster(config.sparkMaster());
        }
        conf.setIfMissing("spark.app.name", config.appName());
        if (conf.get("spark.master").startsWith("local")) {
            // Embedded runs stay on this machine: no listening on outside interfaces.
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /** The synthetic dataset in a local temporary folder, deleted after the run. */
    private record SyntheticInput(java.nio.file.Path dir) implements AutoCloseable {
        static SyntheticInput create(SyntheticDataset.Spec spec, PrintStream out) throws IOException {
            java.nio.file.Path dir = Files.createTempDirectory("longspark-synthetic-");
            FileSystem local = FileSystem.getLocal(new Configuration());
            List<SyntheticDataset.Video> videos = SyntheticDataset.write(local, new Path(dir.toUri()), spec);
            out.printf("longspark curate: no --input, generated %d synthetic videos (seed %d) in %s%n", videos.size(),
                    spec.seed(), dir);
            return new SyntheticInput(dir);
        }

        Path folder() {
            return new Path(dir.toUri());
        }

        @Override
        public void close() throws IOException {
            FileSystem.getLocal(new Configuration()).delete(new Path(dir.toUri()), true);
        }
    }
}

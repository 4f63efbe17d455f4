package org.longspark.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.DFSTestUtil;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longspark.data.CorruptInputs;
import org.longspark.data.RejectReason;
import org.longspark.data.TestVideos;

/** Input and output on a real (mini) HDFS: bytes are streamed from hdfs://, Parquet written to it. */
class HdfsRoundTripTest {
    private static MiniDFSCluster cluster;
    private static SparkSession spark;

    @BeforeAll
    static void start(@TempDir Path base) throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        conf.setInt("dfs.replication", 1);
        cluster = new MiniDFSCluster.Builder(conf, base.toFile()).numDataNodes(1).build();
        cluster.waitActive();
        spark = SparkTestSession.get();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    @Test
    void curatesFromHdfsToHdfs(@TempDir Path local) throws Exception {
        FileSystem hdfs = cluster.getFileSystem();
        String root = cluster.getURI().toString();
        org.apache.hadoop.fs.Path in = new org.apache.hadoop.fs.Path(root + "/videos");
        hdfs.mkdirs(in);
        Map<String, RejectReason> corrupt = CorruptInputs.write(local);
        for (String name : List.of("zero-bytes.mp4", "notes.mp4", "truncated-box.mp4")) {
            hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.resolve(name).toUri()), new org.apache.hadoop.fs.Path(in, name));
        }
        for (String name : List.of("cup.mp4", "box.mp4")) {
            hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(TestVideos.clip(name).toUri()),
                    new org.apache.hadoop.fs.Path(in, name));
        }
        // A file whose only block replica is gone: the read fails inside HDFS, not in FFmpeg.
        org.apache.hadoop.fs.Path lost = new org.apache.hadoop.fs.Path(in, "lost-block.mp4");
        hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(TestVideos.clip("cup.mp4").toUri()), lost);
        assertEquals(1, cluster.corruptBlockOnDataNodesByDeletingBlockFile(DFSTestUtil.getFirstBlock(hdfs, lost)));
        Files.writeString(local.resolve("captions.jsonl"), "{\"file\": \"cup.mp4\", \"caption\": \"a cup\"}\n");
        hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.resolve("captions.jsonl").toUri()),
                new org.apache.hadoop.fs.Path(in, "captions.jsonl"));

        String out = root + "/curated";
        CliRun run = CliRun.of("curate", "--input", in.toString(), "--output", out, "-Dcurate.width=64",
                "-Dcurate.height=64");
        assertEquals(0, run.exitCode(), run.err());

        CuratedTables tables = new CuratedTables(spark, out);
        List<String> inputs = new ArrayList<>();
        for (var status : hdfs.listStatus(in)) {
            if (!status.getPath().getName().equals("captions.jsonl")) {
                inputs.add(status.getPath().toString());
            }
        }
        tables.assertEachInputOnce(inputs);
        assertEquals(7, tables.clipsPerSource.get(in + "/box.mp4"));
        assertEquals(4, tables.clipsPerSource.get(in + "/cup.mp4"));
        assertEquals("unreadable", tables.quarantineReasons.get(in + "/lost-block.mp4"));
        for (String name : List.of("zero-bytes.mp4", "notes.mp4", "truncated-box.mp4")) {
            assertEquals(corrupt.get(name).code(), tables.quarantineReasons.get(in + "/" + name), name);
        }
        tables.clips.stream().filter(r -> ((String) r.getAs("source_uri")).endsWith("/cup.mp4"))
                .forEach(r -> assertEquals("a cup", r.getAs("caption")));
        assertTrue(hdfs.exists(new org.apache.hadoop.fs.Path(out, "_COMMITTED")));
        assertTrue(tables.clips.get(0).<String>getAs("source_uri").startsWith("hdfs://"));
        assertTrue(new File(local.toFile(), "zero-bytes.mp4").exists());
    }
}

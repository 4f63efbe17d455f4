package org.longspark.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The two output tables read back by Spark SQL and checked against the schemas documented in
 * docs/formats.md (Spark reads every Parquet column as nullable, so names and types are compared).
 */
final class CuratedTables {
    static final StructType CLIPS = new StructType(new StructField[] {
        DataTypes.createStructField("id", DataTypes.StringType, true),
        DataTypes.createStructField("source_uri", DataTypes.StringType, true),
        DataTypes.createStructField("start_frame", DataTypes.LongType, true),
        DataTypes.createStructField("frame_count", DataTypes.IntegerType, true),
        DataTypes.createStructField("fps", DataTypes.DoubleType, true),
        DataTypes.createStructField("height", DataTypes.IntegerType, true),
        DataTypes.createStructField("width", DataTypes.IntegerType, true),
        DataTypes.createStructField("caption", DataTypes.StringType, true),
        DataTypes.createStructField("frames", DataTypes.BinaryType, true),
        DataTypes.createStructField("shot_index", DataTypes.IntegerType, true),
        DataTypes.createStructField("mean_luma", DataTypes.DoubleType, true),
        DataTypes.createStructField("motion", DataTypes.DoubleType, true),
        DataTypes.createStructField("phash", DataTypes.LongType, true),
    });
    static final StructType QUARANTINE = new StructType(new StructField[] {
        DataTypes.createStructField("source_uri", DataTypes.StringType, true),
        DataTypes.createStructField("reason", DataTypes.StringType, true),
        DataTypes.createStructField("message", DataTypes.StringType, true),
    });

    final List<Row> clips;
    final Map<String, String> quarantineReasons = new HashMap<>();
    final Map<String, Integer> clipsPerSource = new HashMap<>();

    CuratedTables(SparkSession spark, String output) {
        Dataset<Row> c = spark.read().parquet(output + "/clips");
        Dataset<Row> q = spark.read().parquet(output + "/quarantine");
        assertEquals(CLIPS, c.schema().asNullable());
        assertEquals(QUARANTINE, q.schema().asNullable());
        clips = c.orderBy("source_uri", "start_frame").collectAsList();
        for (Row r : clips) {
            byte[] frames = r.getAs("frames");
            int expected = (int) r.getAs("frame_count") * (int) r.getAs("height") * (int) r.getAs("width") * 3;
            assertEquals(expected, frames.length, "frames bytes of " + r.getAs("id"));
            clipsPerSource.merge(r.getAs("source_uri"), 1, Integer::sum);
        }
        for (Row r : q.collectAsList()) {
            String previous = quarantineReasons.put(r.getAs("source_uri"), r.getAs("reason"));
            assertEquals(null, previous, "one quarantine row per file: " + r.getAs("source_uri"));
        }
    }

    /** Every input is in exactly one of the two tables, and nothing else is. */
    void assertEachInputOnce(List<String> inputUris) {
        List<String> seen = new ArrayList<>(clipsPerSource.keySet());
        seen.addAll(quarantineReasons.keySet());
        for (String uri : clipsPerSource.keySet()) {
            assertTrue(!quarantineReasons.containsKey(uri), uri + " is in both tables");
        }
        assertEquals(inputUris.stream().sorted().toList(), seen.stream().sorted().toList());
    }
}

package org.longspark.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/** The clips table: one row per kept clip. Field meanings are in docs/formats.md. */
public final class ClipTable {
    public static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
            message clip {
              required binary id (STRING);
              required binary source_uri (STRING);
              required int64 start_frame;
              required int32 frame_count;
              required double fps;
              required int32 height;
              required int32 width;
              required binary caption (STRING);
              required binary frames;
              required int32 shot_index;
              required double mean_luma;
              required double motion;
              required int64 phash;
            }
            """);

    private ClipTable() {
    }

    /** A writer that creates {@code file} (failing if it exists) on the file system of its URI. */
    public static ParquetWriter<Group> writer(Configuration conf, Path file) throws IOException {
        return ExampleParquetWriter.builder(file)
                .withConf(conf)
                .withType(SCHEMA)
                .withWriteMode(ParquetFileWriter.Mode.CREATE)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                // Rows are whole clips (megabytes); smaller groups keep writer memory bounded.
                .withRowGroupSize(64L * 1024 * 1024)
                .build();
    }

    public static void write(ParquetWriter<Group> writer, ClipCandidate c) throws IOException {
        Group row = new SimpleGroupFactory(SCHEMA).newGroup()
                .append("id", c.id())
                .append("source_uri", c.sourceUri())
                .append("start_frame", c.startFrame())
                .append("frame_count", c.frameCount())
                .append("fps", c.fps())
                .append("height", c.height())
                .append("width", c.width())
                .append("caption", c.caption())
                .append("frames", Binary.fromConstantByteArray(c.frames()))
                .append("shot_index", c.shotIndex())
                .append("mean_luma", c.quality().meanLuma())
                .append("motion", c.quality().motion())
                .append("phash", c.quality().phash());
        writer.write(row);
    }

    /** Reads every row of one Parquet file of this table. */
    public static List<ClipCandidate> read(Configuration conf, Path file) throws IOException {
        List<ClipCandidate> rows = new ArrayList<>();
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf).build()) {
            Group g;
            while ((g = reader.read()) != null) {
                rows.add(new ClipCandidate(g.getString("id", 0), g.getString("source_uri", 0),
                        g.getLong("start_frame", 0), g.getInteger("frame_count", 0), g.getDouble("fps", 0),
                        g.getInteger("height", 0), g.getInteger("width", 0), g.getString("caption", 0),
                        g.getInteger("shot_index", 0),
                        new ClipQuality(g.getDouble("mean_luma", 0), g.getDouble("motion", 0), g.getLong("phash", 0)),
                        g.getBinary("frames", 0).getBytes()));
            }
        }
        return rows;
    }
}

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
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/** The quarantine table: one row per input file that yielded no clip. See docs/formats.md. */
public final class QuarantineTable {
    public static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
            message quarantine {
              required binary source_uri (STRING);
              required binary reason (STRING);
              required binary message (STRING);
            }
            """);

    private QuarantineTable() {
    }

    /** Writes all rows to a new file (an empty file still carries the schema). */
    public static void write(Configuration conf, Path file, List<QuarantineRecord> rows) throws IOException {
        SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(file).withConf(conf).withType(SCHEMA)
                .withWriteMode(ParquetFileWriter.Mode.CREATE).build()) {
            for (QuarantineRecord r : rows) {
                writer.write(groups.newGroup()
                        .append("source_uri", r.sourceUri())
                        .append("reason", r.reason())
                        .append("message", r.message()));
            }
        }
    }

    public static List<QuarantineRecord> read(Configuration conf, Path file) throws IOException {
        List<QuarantineRecord> rows = new ArrayList<>();
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf).build()) {
            Group g;
            while ((g = reader.read()) != null) {
                rows.add(new QuarantineRecord(g.getString("source_uri", 0), g.getString("reason", 0),
                        g.getString("message", 0)));
            }
        }
        return rows;
    }
}

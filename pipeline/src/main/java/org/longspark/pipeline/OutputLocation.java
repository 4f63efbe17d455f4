package org.longspark.pipeline;

import java.io.IOException;
import java.io.OutputStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The output folder, checked before any work starts: reachable, writable, and empty unless the
 * run may overwrite it. Layout: {@code clips/}, {@code quarantine/}, {@code _COMMITTED}.
 */
final class OutputLocation {
    static final String CLIPS = "clips";
    static final String QUARANTINE = "quarantine";
    static final String TEMPORARY = "_temporary";
    static final String COMMITTED = "_COMMITTED";

    /** Thrown when the output cannot be used; the message names the URI. */
    static final class Unusable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unusable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private OutputLocation() {
    }

    /** Resolves, checks and creates the output folder; returns its qualified path. */
    static Path prepare(String uri, boolean overwrite, Configuration conf) {
        Configuration probeConf = new Configuration(conf);
        // Fail in seconds, not after Hadoop's default ten connection retries per call.
        probeConf.setInt("ipc.client.connect.max.retries", 0);
        probeConf.setInt("ipc.client.connect.max.retries.on.timeouts", 0);
        probeConf.setInt("dfs.client.failover.max.attempts", 0);
        Path out = new Path(uri);
        FileSystem fs;
        try {
            fs = FileSystem.newInstance(out.toUri(), probeConf);
        } catch (IOException | RuntimeException e) {
            throw new Unusable("output " + uri + ": no usable file system (" + e.getMessage() + ")", e);
        }
        try (fs) {
            Path qualified = fs.makeQualified(out);
            if (fs.exists(qualified)) {
                FileStatus status = fs.getFileStatus(qualified);
                if (!status.isDirectory()) {
                    throw new Unusable("output " + qualified + " is a file, not a folder", null);
                }
                if (fs.listStatus(qualified).length > 0) {
                    if (!overwrite) {
                        throw new Unusable("output " + qualified + " exists and is not empty; "
                                + "choose another --output or pass --overwrite", null);
                    }
                    if (!fs.delete(qualified, true)) {
                        throw new Unusable("output " + qualified + ": cannot delete the previous contents", null);
                    }
                }
            }
            if (!fs.mkdirs(qualified)) {
                throw new Unusable("output " + qualified + ": cannot create the folder", null);
            }
            Path probe = new Path(qualified, "_write_probe");
            try (OutputStream o = fs.create(probe, true)) {
                o.write(1);
            }
            fs.delete(probe, false);
            return qualified;
        } catch (IOException e) {
            throw new Unusable("output " + uri + " is not reachable or not writable: " + e.getMessage(), e);
        }
    }
}

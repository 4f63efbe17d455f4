package org.longspark.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The input files of a run: a file, a folder (all files below it), or a glob. Every listed file is
 * an input, whatever its extension, so that each one lands in the clips or the quarantine table;
 * only hidden files ({@code .x}, {@code _x}) and caption sidecars are left out.
 */
final class InputListing {
    static final List<String> SIDECAR_NAMES = List.of("captions.jsonl", "captions.csv");

    /** Files found, sorted by URI, and the folder where a caption sidecar may sit. */
    record Result(List<String> files, Path folder) {
    }

    private InputListing() {
    }

    static Result list(String pattern, Configuration conf) {
        Path path = new Path(pattern);
        try {
            FileSystem fs = path.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(path);
            if (matches == null || matches.length == 0) {
                throw new IllegalArgumentException("--input " + pattern + ": no such file, folder or glob match");
            }
            List<String> files = new ArrayList<>();
            Path folder = null;
            for (FileStatus m : matches) {
                if (m.isDirectory()) {
                    folder = folder == null ? m.getPath() : folder;
                    RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
                    while (it.hasNext()) {
                        LocatedFileStatus f = it.next();
                        if (isInput(f.getPath())) {
                            files.add(f.getPath().toString());
                        }
                    }
                } else if (isInput(m.getPath())) {
                    files.add(m.getPath().toString());
                    folder = folder == null ? m.getPath().getParent() : folder;
                }
            }
            files.sort(null);
            if (files.isEmpty()) {
                throw new IllegalArgumentException("--input " + pattern + ": matches no input files");
            }
            return new Result(List.copyOf(files), folder);
        } catch (IOException e) {
            throw new IllegalArgumentException("--input " + pattern + ": cannot list (" + e.getMessage() + ")", e);
        }
    }

    private static boolean isInput(Path p) {
        String name = p.getName();
        return !name.startsWith(".") && !name.startsWith("_") && !SIDECAR_NAMES.contains(name);
    }
}

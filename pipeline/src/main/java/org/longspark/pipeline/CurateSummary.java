package org.longspark.pipeline;

import java.io.PrintStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.longspark.data.RejectReason;

/** The totals of one curate run, as printed at the end and returned to tests. */
record CurateSummary(String output, int inputFiles, int filesWithClips, long clipsKept,
                     Map<RejectReason, Long> clipsDropped, Map<RejectReason, Long> filesQuarantined,
                     long decodedFrames, long outputFrames, double seconds) {

    static CurateSummary of(String output, List<CuratedFile> files, double seconds) {
        Map<RejectReason, Long> dropped = new EnumMap<>(RejectReason.class);
        Map<RejectReason, Long> quarantined = new EnumMap<>(RejectReason.class);
        long kept = 0;
        long decoded = 0;
        long out = 0;
        int withClips = 0;
        for (CuratedFile f : files) {
            kept += f.clipsKept();
            decoded += f.decodedFrames();
            out += f.outputFrames();
            f.dropped().forEach((reason, n) -> dropped.merge(reason, (long) n, Long::sum));
            if (f.quarantine() == null) {
                withClips++;
            } else {
                quarantined.merge(reasonOf(f.quarantine().reason()), 1L, Long::sum);
            }
        }
        return new CurateSummary(output, files.size(), withClips, kept, dropped, quarantined, decoded, out, seconds);
    }

    private static RejectReason reasonOf(String code) {
        for (RejectReason r : RejectReason.values()) {
            if (r.code().equals(code)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown reason " + code);
    }

    /** Decoded source frames per second of wall time for the whole job. */
    double framesPerSecond() {
        return seconds > 0 ? decodedFrames / seconds : 0;
    }

    void print(PrintStream out) {
        out.printf(Locale.ROOT, "longspark curate: done in %.1f s%n", seconds);
        out.printf(Locale.ROOT, "  input files      %d (%d with clips, %d quarantined)%n", inputFiles, filesWithClips,
                inputFiles - filesWithClips);
        out.printf(Locale.ROOT, "  clips kept       %d -> %s/%s%n", clipsKept, output, OutputLocation.CLIPS);
        out.printf(Locale.ROOT, "  clips dropped    %s%n", counts(clipsDropped));
        out.printf(Locale.ROOT, "  files quarantined %s -> %s/%s%n", counts(filesQuarantined), output,
                OutputLocation.QUARANTINE);
        out.printf(Locale.ROOT, "  frames           %d decoded, %d after resampling, %.1f decoded frames/s%n",
                decodedFrames, outputFrames, framesPerSecond());
    }

    private static String counts(Map<RejectReason, Long> counts) {
        if (counts.isEmpty()) {
            return "none";
        }
        StringBuilder s = new StringBuilder();
        counts.forEach((r, n) -> s.append(s.length() == 0 ? "" : ", ").append(r.code()).append('=').append(n));
        return s.toString();
    }
}

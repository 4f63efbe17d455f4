package org.longspark.pipeline;

import java.io.Serializable;
import java.util.Map;

import org.longspark.data.FileOutcome;
import org.longspark.data.QuarantineRecord;
import org.longspark.data.RejectReason;

/**
 * What the write stage reports to the driver for one input file: no frame bytes, just the
 * accounting (and the quarantine row when it yielded no clip).
 *
 * @param partFile the task's temporary Parquet file holding this file's clips, or null
 */
record CuratedFile(String sourceUri, int clipsKept, Map<RejectReason, Integer> dropped, QuarantineRecord quarantine,
                   long decodedFrames, long outputFrames, String partFile) implements Serializable {

    static CuratedFile of(FileOutcome outcome, String partFile) {
        return new CuratedFile(outcome.sourceUri(), outcome.clips().size(), outcome.dropped(),
                outcome.isRejected() ? QuarantineRecord.of(outcome) : null, outcome.decodedFrames(),
                outcome.outputFrames(), outcome.clips().isEmpty() ? null : partFile);
    }
}

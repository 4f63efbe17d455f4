package org.longspark.data;

import java.io.Serializable;

/** One row of the quarantine table: an input file that yielded no clip, and why. */
public record QuarantineRecord(String sourceUri, String reason, String message) implements Serializable {

    public static QuarantineRecord of(FileOutcome outcome) {
        if (!outcome.isRejected()) {
            throw new IllegalArgumentException(outcome.sourceUri() + " kept clips; it belongs in the clips table");
        }
        return new QuarantineRecord(outcome.sourceUri(), outcome.rejection().code(),
                outcome.message() == null ? "" : outcome.message());
    }
}

package org.longspark.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What curating one input file produced: its kept clips, how many windows each filter dropped, and,
 * when no clip is left, the single reason the file goes to the quarantine table.
 *
 * @param decodedFrames frames the decoder produced (before resampling), for throughput figures
 * @param outputFrames  frames after resampling and resizing
 */
public record FileOutcome(String sourceUri, List<ClipCandidate> clips, Map<RejectReason, Integer> dropped,
                          RejectReason rejection, String message, long decodedFrames, long outputFrames)
        implements Serializable {

    public static FileOutcome rejected(String sourceUri, RejectReason reason, String message, long decodedFrames,
                                       long outputFrames) {
        return new FileOutcome(sourceUri, List.of(), Map.of(), reason, message, decodedFrames, outputFrames);
    }

    /** A decoded file: rejected when no clip survived, with the reason that dropped the most windows. */
    public static FileOutcome decoded(String sourceUri, List<ClipCandidate> clips, Map<RejectReason, Integer> dropped,
                                      String tooShortMessage, long decodedFrames, long outputFrames) {
        if (!clips.isEmpty()) {
            return new FileOutcome(sourceUri, List.copyOf(clips), Map.copyOf(dropped), null, null, decodedFrames,
                    outputFrames);
        }
        if (dropped.isEmpty()) {
            return new FileOutcome(sourceUri, List.of(), Map.of(), RejectReason.TOO_SHORT, tooShortMessage,
                    decodedFrames, outputFrames);
        }
        RejectReason main = null;
        for (Map.Entry<RejectReason, Integer> e : new EnumMap<>(dropped).entrySet()) {
            if (main == null || e.getValue() > dropped.get(main)) {
                main = e.getKey();
            }
        }
        return new FileOutcome(sourceUri, List.of(), Map.copyOf(dropped), main,
                "every clip window was dropped: " + describe(dropped), decodedFrames, outputFrames);
    }

    public boolean isRejected() {
        return rejection != null;
    }

    /** This outcome after the dataset-wide near-duplicate pass removed {@code duplicateIds}. */
    public FileOutcome withoutDuplicates(Set<String> duplicateIds) {
        if (isRejected() || Collections.disjoint(ids(), duplicateIds)) {
            return this;
        }
        List<ClipCandidate> kept = new ArrayList<>();
        for (ClipCandidate c : clips) {
            if (!duplicateIds.contains(c.id())) {
                kept.add(c);
            }
        }
        Map<RejectReason, Integer> moreDropped = new EnumMap<>(RejectReason.class);
        moreDropped.putAll(dropped);
        moreDropped.merge(RejectReason.NEAR_DUPLICATE, clips.size() - kept.size(), Integer::sum);
        return decoded(sourceUri, kept, moreDropped, null, decodedFrames, outputFrames);
    }

    private Set<String> ids() {
        Set<String> ids = new java.util.HashSet<>();
        for (ClipCandidate c : clips) {
            ids.add(c.id());
        }
        return ids;
    }

    private static String describe(Map<RejectReason, Integer> dropped) {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<RejectReason, Integer> e : new EnumMap<>(dropped).entrySet()) {
            s.append(s.length() == 0 ? "" : ", ").append(e.getKey().code()).append('=').append(e.getValue());
        }
        return s.toString();
    }
}

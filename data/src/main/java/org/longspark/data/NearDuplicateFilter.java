package org.longspark.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Dataset-wide near-duplicate removal: walking clips in (source, start) order, a clip whose
 * perceptual hash lies within {@code maxBits} of a clip already kept from another file is a
 * duplicate. Overlapping windows of one file are alike by construction and are left to the stride.
 */
public final class NearDuplicateFilter {

    /** The part of a clip the filter needs; small enough to collect on the driver. */
    public record Fingerprint(String id, String sourceUri, long startFrame, long phash) implements Serializable {
        public static Fingerprint of(ClipCandidate c) {
            return new Fingerprint(c.id(), c.sourceUri(), c.startFrame(), c.quality().phash());
        }
    }

    private NearDuplicateFilter() {
    }

    /** Ids of the clips to drop; empty when {@code maxBits} is negative (deduplication off). */
    public static Set<String> duplicates(List<Fingerprint> clips, int maxBits) {
        Set<String> drop = new HashSet<>();
        if (maxBits < 0) {
            return drop;
        }
        List<Fingerprint> ordered = new ArrayList<>(clips);
        ordered.sort(Comparator.comparing(Fingerprint::sourceUri).thenComparingLong(Fingerprint::startFrame));
        List<Fingerprint> kept = new ArrayList<>();
        for (Fingerprint c : ordered) {
            boolean duplicate = false;
            for (Fingerprint k : kept) {
                if (!k.sourceUri().equals(c.sourceUri())
                        && ClipQuality.hammingDistance(k.phash(), c.phash()) <= maxBits) {
                    duplicate = true;
                    break;
                }
            }
            if (duplicate) {
                drop.add(c.id());
            } else {
                kept.add(c);
            }
        }
        return drop;
    }
}

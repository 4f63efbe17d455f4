package org.longspark.model.tensor.cpu;

import java.util.ArrayList;
import java.util.List;

/**
 * Query segments of an attention mask that only reach a prefix of the keys: rows
 * {@code [start, end)} allow no key at or after {@code bound}. Causal and teacher-forcing masks have
 * few such segments (one per chunk and stream), so attention can skip the masked-out suffix of the
 * keys in both GEMMs and the softmax: for the teacher-forcing mask about 40% of the L x L work.
 */
record KeyBounds(List<Segment> segments) {
  /** Rows [start, end) see keys [0, bound) at most. */
  record Segment(int start, int end, int bound) {}

  private static final int MAX_SEGMENTS = 64;
  private static final double MIN_SAVING = 0.2;

  /** The segments of a [lq, lk] mask, or null when they would not save enough work. */
  static KeyBounds of(boolean[] allowed, int lq, int lk) {
    List<Segment> segments = new ArrayList<>();
    long work = 0;
    int start = 0;
    int bound = -1;
    for (int q = 0; q < lq; q++) {
      int b = 0;
      for (int k = lk - 1; k >= 0; k--) {
        if (allowed[q * lk + k]) {
          b = k + 1;
          break;
        }
      }
      if (q > 0 && b != bound) {
        segments.add(new Segment(start, q, bound));
        start = q;
      }
      bound = b;
      work += b;
    }
    segments.add(new Segment(start, lq, bound));
    boolean worth = segments.size() <= MAX_SEGMENTS
        && work <= (1 - MIN_SAVING) * ((double) lq * lk);
    return worth ? new KeyBounds(List.copyOf(segments)) : null;
  }
}

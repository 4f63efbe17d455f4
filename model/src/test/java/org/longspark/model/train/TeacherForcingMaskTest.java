package org.longspark.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The mask against cases written out from the rules, for F = 6 latent frames in chunks of c = 2
 * (blocks 0, 1, 2); slots 0..5 are the clean frames, 6..11 the noisy copies.
 */
class TeacherForcingMaskTest {

  @ParameterizedTest(name = "W={2} S={3}: slot {0} -> slot {1} = {4}")
  @CsvSource({
      // no window: clean->clean causal by block
      "0, 1, 0, 0, true", // same block
      "1, 2, 0, 0, false", // later block
      "3, 0, 0, 0, true", // earlier block
      "5, 4, 0, 0, true",
      // clean never sees noisy
      "0, 6, 0, 0, false",
      "5, 6, 0, 0, false",
      // noisy -> clean: strictly earlier blocks only
      "6, 0, 0, 0, false", // noisy f0 -> clean f0, same block
      "8, 1, 0, 0, true", // noisy f2 (block 1) -> clean f1 (block 0)
      "8, 2, 0, 0, false", // its own clean twin
      "11, 0, 0, 0, true",
      "11, 4, 0, 0, false",
      // noisy -> noisy: same block only
      "8, 9, 0, 0, true",
      "8, 7, 0, 0, false",
      "7, 8, 0, 0, false",
      // window of one chunk, no sink: block 2 sees frames 4..5 only
      "10, 3, 2, 0, false", // noisy f4 -> clean f3 (earlier block, outside window)
      "5, 4, 2, 0, true",
      "5, 3, 2, 0, false",
      "10, 11, 2, 0, true",
      // window 4 frames plus a sink of 1: block 2 sees frames 2..5 and frame 0
      "10, 2, 4, 1, true",
      "10, 1, 4, 1, false",
      "10, 0, 4, 1, true", // the sink
      "5, 0, 4, 1, true",
      "5, 1, 4, 1, false",
      "2, 0, 4, 1, true", // block 1: window 0..3 covers everything earlier
      // the sink never overrides causality
      "6, 0, 4, 1, false",
      "0, 6, 4, 1, false",
  })
  void rules(int q, int k, int window, int sink, boolean expected) {
    TeacherForcingMask m = new TeacherForcingMask(6, 2, 1, window, sink);
    assertEquals(expected, m.allowsSlots(q, k));
  }

  @Test
  void tokenTableRepeatsTheSlotRuleAndNoRowIsEmpty() {
    TeacherForcingMask m = new TeacherForcingMask(6, 2, 3, 4, 1);
    boolean[] t = m.table();
    int n = m.length();
    assertEquals(2 * 6 * 3, n);
    for (int q = 0; q < n; q++) {
      boolean any = false;
      for (int k = 0; k < n; k++) {
        assertEquals(m.allowsSlots(q / 3, k / 3), t[q * n + k], "token " + q + " -> " + k);
        any |= t[q * n + k];
      }
      assertTrue(any, "row " + q + " is empty");
    }
  }

  @Test
  void countsOfVisibleKeysMatchTheRules() {
    // F=6, c=2, no window: clean block b sees 2(b+1) clean frames; noisy block b sees 2b clean + 2
    TeacherForcingMask m = new TeacherForcingMask(6, 2, 1, 0, 0);
    int[] expected = {2, 2, 4, 4, 6, 6, 2, 2, 4, 4, 6, 6};
    for (int q = 0; q < 12; q++) {
      int count = 0;
      for (int k = 0; k < 12; k++) {
        count += m.allowsSlots(q, k) ? 1 : 0;
      }
      assertEquals(expected[q], count, "slot " + q);
    }
  }

  @Test
  void invalidShapesAreRejectedWithTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TeacherForcingMask(5, 2, 1, 0, 0));
    assertTrue(e.getMessage().contains("frames 5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new TeacherForcingMask(6, 3, 1, 2, 0));
    assertTrue(e.getMessage().contains("window 2"), e.getMessage());
  }
}

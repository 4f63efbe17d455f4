package org.longspark.barrier.sp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.longspark.model.train.TeacherForcingMask;

/** The Balanced-SP layout: ownership, index round trips, the gathered mask, validation. */
class BalancedSpLayoutTest {

  @ParameterizedTest(name = "F={0} c={1} T={2} P={3}")
  @CsvSource({"8, 2, 4, 1", "8, 2, 4, 2", "8, 2, 4, 4", "12, 3, 2, 2", "24, 3, 5, 4",
      "6, 1, 3, 3"})
  void localAndGlobalTokensRoundTrip(int frames, int chunk, int tokens, int degree) {
    BalancedSpLayout l = new BalancedSpLayout(frames, chunk, tokens, degree * 2, degree);
    boolean[] seen = new boolean[l.globalTokens()];
    for (int r = 0; r < degree; r++) {
      for (int t = 0; t < l.localTokens(); t++) {
        int g = l.globalToken(r, t);
        assertEquals(r, l.owner(g));
        assertEquals(t, l.localToken(g));
        assertTrue(!seen[g], "global token " + g + " held twice");
        seen[g] = true;
      }
    }
    for (int g = 0; g < seen.length; g++) {
      assertTrue(seen[g], "global token " + g + " held by no rank");
      assertEquals(g, l.globalToken(l.owner(g), l.localToken(g)));
    }
  }

  @Test
  void rankRHoldsItsCleanFramesThenTheirNoisyCopies() {
    // F = 8, P = 4: rank 2 owns frames 4 and 5 -> local slots [clean 4, clean 5, noisy 4, noisy 5]
    BalancedSpLayout l = new BalancedSpLayout(8, 2, 3, 4, 4);
    assertEquals(4, l.firstFrame(2));
    int[] slots = new int[l.localSlots()];
    for (int s = 0; s < slots.length; s++) {
      slots[s] = l.globalSlot(2, s);
    }
    assertArrayEquals(new int[] {4, 5, 12, 13}, slots);
    assertArrayEquals(new int[] {4, 5, 4, 5}, l.localSlotPositions(2));
    assertArrayEquals(new int[] {0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15},
        l.gatheredSlots());
    assertEquals(1, l.headsPerRank());
    assertEquals(2 * 2 * 3, l.localTokens());
  }

  @ParameterizedTest(name = "window {0} sink {1}, P={2}")
  @CsvSource({"0, 0, 2", "0, 0, 4", "4, 2, 4", "2, 0, 2", "6, 1, 1"})
  void theGatheredMaskIsTheClipMaskPermuted(int window, int sink, int degree) {
    int frames = 8;
    int tokens = 2;
    TeacherForcingMask mask = new TeacherForcingMask(frames, 2, tokens, window, sink);
    BalancedSpLayout l = new BalancedSpLayout(frames, 2, tokens, 4, degree);
    boolean[] global = mask.table();
    boolean[] gathered = l.gatheredMask(mask);
    int n = l.globalTokens();
    int local = l.localTokens();
    for (int q = 0; q < n; q++) {
      int gq = l.globalToken(q / local, q % local);
      for (int k = 0; k < n; k++) {
        int gk = l.globalToken(k / local, k % local);
        assertEquals(global[gq * n + gk], gathered[q * n + k], "gathered (" + q + ", " + k + ")");
      }
    }
    int allowed = 0;
    for (boolean b : gathered) {
      allowed += b ? 1 : 0;
    }
    int expected = 0;
    for (boolean b : global) {
      expected += b ? 1 : 0;
    }
    assertEquals(expected, allowed);
  }

  @Test
  void localLatentsAreTheRanksFramesAndTileTheClip() {
    int b = 2;
    int c = 3;
    int f = 8;
    int h = 2;
    int w = 4;
    float[] clip = new float[b * c * f * h * w];
    for (int i = 0; i < clip.length; i++) {
      clip[i] = i;
    }
    BalancedSpLayout l = new BalancedSpLayout(f, 2, 2, 4, 4);
    int plane = h * w;
    for (int r = 0; r < 4; r++) {
      float[] mine = l.localLatents(clip, b, c, h, w, r);
      assertEquals(b * c * 2 * plane, mine.length);
      for (int bc = 0; bc < b * c; bc++) {
        for (int lf = 0; lf < 2; lf++) {
          for (int p = 0; p < plane; p++) {
            assertEquals(clip[(bc * f + 2 * r + lf) * plane + p],
                mine[(bc * 2 + lf) * plane + p]);
          }
        }
      }
    }
  }

  @Test
  void shapesThatCannotBeBalancedAreRejectedWithTheReason() {
    IllegalArgumentException frames = assertThrows(IllegalArgumentException.class,
        () -> new BalancedSpLayout(12, 2, 4, 4, 4));
    assertTrue(frames.getMessage().contains("F = 12") && frames.getMessage().contains("P times "
        + "chunk c = 4 x 2 = 8"), frames.getMessage());
    IllegalArgumentException heads = assertThrows(IllegalArgumentException.class,
        () -> new BalancedSpLayout(12, 2, 4, 4, 3));
    assertTrue(heads.getMessage().contains("heads H = 4") && heads.getMessage()
        .contains("SP degree P = 3"), heads.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new BalancedSpLayout(8, 2, 4, 4, 0));
    BalancedSpLayout l = new BalancedSpLayout(8, 2, 4, 4, 2);
    assertThrows(IllegalArgumentException.class, () -> l.globalToken(2, 0));
    assertThrows(IllegalArgumentException.class, () -> l.owner(l.globalTokens()));
    assertThrows(IllegalArgumentException.class,
        () -> l.gatheredMask(new TeacherForcingMask(8, 4, 4, 0, 0)));
  }
}

package org.longspark.barrier.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The SP VAE plan: index round trips, per-rank raw-frame counts against the closed form and
 * against a brute-force search for the smallest aligned window, and a real causal convolution
 * stack encoded rank by rank from the planned windows giving exactly the whole clip's latents.
 */
class SpVaePlanTest {

  @Test
  void aConvStacksGeometryMatchesItsLayers() {
    // Wan-like temporal path: two stride-2 downsamplings with kernel-3 causal convs around them
    CausalEncoderGeometry g = CausalEncoderGeometry.ofConvStack(new int[] {3, 3, 3, 3},
        new int[] {1, 2, 2, 1});
    assertEquals(4, g.stride());
    assertEquals(1 + 2 + 2 + 2 * 2 + 2 * 4, g.receptiveField());
    assertEquals(1 + 4 * 20, g.rawFrames(21)); // Wan: 81 frames -> 21 latents
  }

  @ParameterizedTest(name = "s={0}")
  @CsvSource({"1", "2", "4", "8"})
  void latentAndRawFrameIndicesRoundTrip(int stride) {
    CausalEncoderGeometry g = new CausalEncoderGeometry(stride, 9);
    int latents = 12;
    int covered = 0;
    for (int j = 0; j < latents; j++) {
      assertEquals(j, g.latentOf(g.firstFrame(j)));
      assertEquals(j, g.latentOf(g.lastFrame(j)));
      for (int t = g.firstFrame(j); t <= g.lastFrame(j); t++) {
        assertEquals(j, g.latentOf(t));
        covered++;
      }
    }
    assertEquals(g.rawFrames(latents), covered);
  }

  @ParameterizedTest(name = "s={0} R={1} F={2} P={3}")
  @CsvSource({"4, 13, 16, 4", "4, 17, 16, 4", "4, 1, 8, 2", "2, 7, 24, 8", "1, 5, 12, 3",
      "4, 4, 8, 4", "4, 40, 16, 4", "3, 10, 12, 1"})
  void perRankRawFramesMatchTheFormulaAndTheSmallestValidWindow(int s, int r, int f, int p) {
    CausalEncoderGeometry g = new CausalEncoderGeometry(s, r);
    SpVaePlan plan = new SpVaePlan(g, f, p);
    int warm = (r - 1 + s - 1) / s;
    boolean[] kept = new boolean[f];
    for (int rank = 0; rank < p; rank++) {
      SpVaePlan.RankWindow w = plan.window(rank);
      int a = rank * f / p;
      int b = (rank + 1) * f / p;
      assertEquals(a, w.keepFrom());
      assertEquals(b, w.keepTo());
      for (int j = a; j < b; j++) {
        assertFalse(kept[j], "latent " + j + " kept twice");
        kept[j] = true;
      }
      // closed form: (F/P + g - 1) s + 1 raw frames, fewer where the clip's start cuts the halo
      int expected = a == 0 ? 1 + (f / p - 1) * s
          : (f / p + Math.min(a, warm) - 1) * s + 1;
      assertEquals(expected, w.rawFrames(), "rank " + rank);
      assertEquals(smallestValidWindow(g, a, b), w.rawFrames(), "rank " + rank);
      assertTrue(w.rawFrames() <= (f / p + warm) * s, "O(F/P + halo) on rank " + rank);
    }
    for (boolean k : kept) {
      assertTrue(k);
    }
  }

  /**
   * Search: the latest raw frame an encoder run may start at (the last frame of some latent m,
   * for the strides to line up) such that the receptive field of every latent in [a, b) lies
   * inside the run or reaches the clip's start; returns the run's length.
   */
  private static int smallestValidWindow(CausalEncoderGeometry g, int a, int b) {
    for (int m = a; m >= 0; m--) {
      int start = g.lastFrame(m);
      boolean ok = true;
      for (int j = a; j < b; j++) {
        int field = g.lastFrame(j) - g.receptiveField() + 1;
        ok &= m == 0 || field >= start;
      }
      if (ok) {
        return g.lastFrame(b - 1) + 1 - start;
      }
    }
    throw new AssertionError("no window");
  }

  @ParameterizedTest(name = "kernels {0}, strides {1}, P={2}")
  @CsvSource({"3 3 3, 1 2 2, 4", "2 4, 2 2, 2", "5, 4, 4", "3 3 3 3, 1 2 2 1, 8"})
  void encodingEachRanksWindowGivesExactlyTheWholeClipsLatents(String k, String st, int p) {
    int[] kernels = Arrays.stream(k.split(" ")).mapToInt(Integer::parseInt).toArray();
    int[] strides = Arrays.stream(st.split(" ")).mapToInt(Integer::parseInt).toArray();
    ToyCausalEncoder enc = new ToyCausalEncoder(kernels, strides, 3, 7);
    CausalEncoderGeometry g = enc.geometry();
    int latents = 2 * 8;
    double[][] clip = frames(g.rawFrames(latents), 3, 11);
    double[][] whole = enc.encode(clip);
    assertEquals(latents, whole.length);
    SpVaePlan plan = new SpVaePlan(g, latents, p);
    for (int rank = 0; rank < p; rank++) {
      SpVaePlan.RankWindow w = plan.window(rank);
      double[][] mine = enc.encode(Arrays.copyOfRange(clip, w.rawFrom(), w.rawTo()));
      assertEquals(w.warmupLatents() + w.keptLatents(), mine.length);
      for (int j = w.keepFrom(); j < w.keepTo(); j++) {
        assertArrayEquals(whole[j], mine[j - w.firstLatent()], 0.0, "rank " + rank + " latent "
            + j);
      }
    }
  }

  @Test
  void aWindowOneLatentShortOfThePlanGetsTheFirstKeptLatentWrong() {
    ToyCausalEncoder enc = new ToyCausalEncoder(new int[] {3, 3, 3}, new int[] {1, 2, 2}, 3, 7);
    CausalEncoderGeometry g = enc.geometry();
    double[][] clip = frames(g.rawFrames(16), 3, 11);
    double[][] whole = enc.encode(clip);
    SpVaePlan.RankWindow w = new SpVaePlan(g, 16, 4).window(2);
    assertTrue(w.warmupLatents() > 0);
    int start = g.lastFrame(w.firstLatent() + 1);
    double[][] shortRun = enc.encode(Arrays.copyOfRange(clip, start, w.rawTo()));
    double[] first = shortRun[w.keepFrom() - w.firstLatent() - 1];
    assertFalse(Arrays.equals(whole[w.keepFrom()], first), "the planned halo is necessary");
  }

  @Test
  void invalidPlansAreRejected() {
    CausalEncoderGeometry g = new CausalEncoderGeometry(4, 9);
    assertThrows(IllegalArgumentException.class, () -> new SpVaePlan(g, 10, 4));
    assertThrows(IllegalArgumentException.class, () -> new SpVaePlan(g, 8, 4).window(4));
    assertThrows(IllegalArgumentException.class, () -> new CausalEncoderGeometry(0, 3));
    assertThrows(IllegalArgumentException.class,
        () -> CausalEncoderGeometry.ofConvStack(new int[] {3}, new int[] {1, 2}));
  }

  private static double[][] frames(int n, int channels, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] f = new double[n][channels];
    for (double[] row : f) {
      for (int c = 0; c < channels; c++) {
        row[c] = r.nextDouble() * 2 - 1;
      }
    }
    return f;
  }
}

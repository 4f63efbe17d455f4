package org.longspark.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.longspark.model.TinyModels;

/** Noising a range of frames gives exactly that range of the whole clip's noising. */
class FlowMatchingTest {
  @Test
  void noisingSomeFramesIsTheSliceOfNoisingTheClip() {
    int b = 2;
    int c = 3;
    int f = 8;
    int h = 2;
    int w = 4;
    int plane = h * w;
    float[] clip = TinyModels.gaussian(b * c * f * plane, 3, 1);
    FlowMatching flow = new FlowMatching(5);
    FlowMatching.Noised all = flow.noise(clip, b, c, f, h, w, 2, 99);
    for (int first = 0; first < f; first += 2) {
      for (int n : new int[] {2, 4}) {
        if (first + n > f) {
          continue;
        }
        float[] part = new float[b * c * n * plane];
        float[] xt = new float[part.length];
        float[] vel = new float[part.length];
        float[] levels = new float[b * n];
        for (int bc = 0; bc < b * c; bc++) {
          int src = (bc * f + first) * plane;
          System.arraycopy(clip, src, part, bc * n * plane, n * plane);
          System.arraycopy(all.xt(), src, xt, bc * n * plane, n * plane);
          System.arraycopy(all.velocity(), src, vel, bc * n * plane, n * plane);
        }
        for (int i = 0; i < b; i++) {
          System.arraycopy(all.frameLevels(), i * f + first, levels, i * n, n);
        }
        FlowMatching.Noised got = flow.noiseFrames(part, b, c, f, first, h, w, 2, 99);
        assertArrayEquals(xt, got.xt(), 0f, "frames from " + first);
        assertArrayEquals(vel, got.velocity(), 0f);
        assertArrayEquals(levels, got.frameLevels(), 0f);
      }
    }
    assertThrows(IllegalArgumentException.class,
        () -> flow.noiseFrames(new float[b * c * 4 * plane], b, c, f, 6, h, w, 2, 1));
  }
}

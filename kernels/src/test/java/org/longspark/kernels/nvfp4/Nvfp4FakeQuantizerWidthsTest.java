package org.longspark.kernels.nvfp4;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Nvfp4FakeQuantizer}'s lane-wise E2M1 roundings at every vector width (2 to 16 lanes:
 * machines without AVX-512 run the narrower ones) against the scalar codec's encode and decode,
 * bit for bit, on every tie, the grid's neighbourhood, subnormals, saturation and random values;
 * and the Philox lanes against one block at a time. The fused path as a whole, at this machine's
 * width, is {@code Nvfp4FakeQuantizationTest}'s.
 */
class Nvfp4FakeQuantizerWidthsTest {

  static Stream<VectorSpecies<Float>> widths() {
    return Stream.of(FloatVector.SPECIES_64, FloatVector.SPECIES_128, FloatVector.SPECIES_256,
        FloatVector.SPECIES_512);
  }

  /** Scaled values y: signed grid points, midpoints and their float neighbours, and others. */
  private static float[] values() {
    float[] special = {0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f, 1.5f, 1.75f, 2f, 2.5f, 3f, 3.5f, 4f, 5f,
        6f, 7f, 8f, 1e30f, Float.MAX_VALUE, Float.MIN_VALUE, 0x1p-126f, 1e-30f};
    Random r = new Random(17);
    float[] v = new float[special.length * 6 + 4096];
    int n = 0;
    for (float s : special) {
      for (float sign : new float[] {1f, -1f}) {
        v[n++] = sign * s;
        v[n++] = sign * Math.nextUp(s);
        v[n++] = sign * Math.nextDown(s);
      }
    }
    while (n < v.length) {
      v[n++] = (float) (r.nextGaussian() * (r.nextInt(4) == 0 ? 100 : 3));
    }
    return v;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("widths")
  void nearestEvenEqualsEncodeThenDecode(VectorSpecies<Float> s) {
    float[] y = values();
    float[] out = new float[y.length];
    int n = y.length / s.length() * s.length();
    for (int i = 0; i < n; i += s.length()) {
      Nvfp4FakeQuantizer.roundNearestEven(FloatVector.fromArray(s, y, i)).intoArray(out, i);
    }
    for (int i = 0; i < n; i++) {
      float expected = E2M1.decode(E2M1.encode(y[i]));
      assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[i]),
          s + ": y = " + y[i] + " expected " + expected + ", got " + out[i]);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("widths")
  void stochasticEqualsTheCodecsTables(VectorSpecies<Float> s) {
    VectorSpecies<Integer> is = VectorSpecies.of(int.class, s.vectorShape());
    float[] y = values();
    Random r = new Random(s.length());
    for (int[] random : List.of(new int[y.length], new int[y.length], new int[y.length])) {
      for (int i = 0; i < random.length; i++) {
        random[i] = r.nextInt();
      }
      random[0] = -1;
      random[1] = 0;
      random[2] = 0x100;
      float[] out = new float[y.length];
      int n = y.length / s.length() * s.length();
      for (int i = 0; i < n; i += s.length()) {
        Nvfp4FakeQuantizer.roundStochastic(FloatVector.fromArray(s, y, i),
            IntVector.fromArray(is, random, i)).intoArray(out, i);
      }
      for (int i = 0; i < n; i++) {
        int mag = E2M1.encodeMagnitudeStochasticBits(Math.abs(y[i]), random[i]);
        float expected = E2M1.decode(E2M1.signBit(y[i]) | mag);
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[i]),
            s + ": y = " + y[i] + ", random " + random[i] + " expected " + expected + ", got "
                + out[i]);
      }
    }
  }

  @Test
  void philoxLanesEqualOneGroupAtATime() {
    int[] four = new int[4];
    for (long group : new long[] {0L, 0xFFFFFFF9L, 0x12345678_FFFFFFFDL, -5L}) {
      for (int groups : new int[] {0, 1, 4, 7, 8, 9, 20, 33}) {
        long seed = 0x0123456789ABCDEFL ^ group ^ groups;
        int[] out = new int[4 * groups + 5];
        Philox4x32Lanes.elementBits(seed, group, groups, out, 5);
        for (int g = 0; g < groups; g++) {
          Philox4x32.elementBits(seed, group + g, four);
          for (int w = 0; w < 4; w++) {
            assertEquals(four[w], out[5 + 4 * g + w],
                "group " + group + " + " + g + " of " + groups + ", word " + w);
          }
        }
      }
    }
  }
}

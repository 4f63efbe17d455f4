package org.longspark.kernels.nvfp4;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Nvfp4FakeQuantizer} at every vector width (2 to 16 lanes, whatever this machine
 * prefers), for both layouts and roundings, against {@code quantize(...).dequantize()} bit for
 * bit: machines without AVX-512 run the narrower shapes.
 */
class Nvfp4FakeQuantizerWidthsTest {

  record Case(VectorSpecies<Float> species, Nvfp4Quantizer quantizer) {
    @Override
    public String toString() {
      return species + " " + quantizer;
    }
  }

  static Stream<Case> cases() {
    List<Case> out = new ArrayList<>();
    for (VectorSpecies<Float> s : List.of(FloatVector.SPECIES_64, FloatVector.SPECIES_128,
        FloatVector.SPECIES_256, FloatVector.SPECIES_512)) {
      for (Nvfp4Layout layout : Nvfp4Layout.values()) {
        for (Nvfp4Rounding rounding : Nvfp4Rounding.values()) {
          for (boolean hadamard : new boolean[] {false, true}) {
            out.add(new Case(s, Nvfp4Quantizer.builder().layout(layout).rounding(rounding)
                .hadamard(hadamard).seed(0x5EED + s.length()).build()));
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void equalsQuantizeThenDequantize(Case c) {
    Nvfp4Quantizer q = c.quantizer();
    int rows = 48;
    int cols = 96;
    Random r = new Random(c.species().length() * 31L + q.hashCode());
    float[] x = new float[rows * cols];
    for (int i = 0; i < x.length; i++) {
      int kind = r.nextInt(40);
      double v = r.nextGaussian();
      x[i] = (float) (kind == 0 ? v * 1e4 : kind == 1 ? 0.0 : kind == 2 ? -0.0 : kind == 3 ? v * 1e-30 : v);
    }
    float[] expected = q.quantize(x, rows, cols).dequantize();
    float[] actual = x.clone();
    float amax = q.prepareRows(actual, rows, cols, 0, rows);
    float sEnc = Nvfp4Quantizer.globalEncodeScale(amax, Nvfp4ScaleRule.STATIC_6);
    Nvfp4FakeQuantizer.rows(actual, cols, q.layout() == Nvfp4Layout.ROW_1x16 ? 1 : 16, sEnc,
        1f / sEnc, q.rounding() == Nvfp4Rounding.STOCHASTIC, q.seed(), 0, rows, c.species());
    for (int i = 0; i < x.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
          c + ": element " + i + " expected " + expected[i] + ", got " + actual[i]);
    }
  }
}

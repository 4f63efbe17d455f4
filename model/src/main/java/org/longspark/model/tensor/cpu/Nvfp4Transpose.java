package org.longspark.model.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rows of a matrix's transpose on the JDK Vector API: each vector of a destination row is one
 * gather down a source column (strided loads), stored contiguously. Used by {@link Nvfp4Ops} when
 * the JVM runs with {@code --add-modules jdk.incubator.vector}; the species is a constant so that
 * C2 compiles the gathers to vector instructions.
 */
final class Nvfp4Transpose {
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;

  private Nvfp4Transpose() {}

  /**
   * Rows [from, to) of the transpose of {@code src} (srcRows x srcCols) into {@code dst}
   * (srcCols x srcRows), in strips of one vector's worth of source rows so that their cache lines
   * stay in L1 while the destination rows pass; a strip narrower than a vector goes element by
   * element.
   */
  static void rows(float[] src, int srcRows, int srcCols, float[] dst, int from, int to) {
    int lanes = FLOATS.length();
    int[] down = new int[lanes];
    for (int k = 0; k < lanes; k++) {
      down[k] = k * srcCols;
    }
    int c0 = 0;
    for (; c0 + lanes <= srcRows; c0 += lanes) {
      for (int r = from; r < to; r++) {
        FloatVector.fromArray(FLOATS, src, c0 * srcCols + r, down, 0)
            .intoArray(dst, r * srcRows + c0);
      }
    }
    for (int r = from; r < to; r++) {
      for (int c = c0; c < srcRows; c++) {
        dst[r * srcRows + c] = src[c * srcCols + r];
      }
    }
  }
}

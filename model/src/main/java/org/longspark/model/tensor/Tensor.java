package org.longspark.model.tensor;

import java.util.Arrays;

/**
 * A backend-owned n-dimensional array. Model code only passes handles around; it never sees the
 * engine's type. A tensor created inside an open {@link Backend.Step} dies when that step closes.
 */
public interface Tensor {
  int[] shape();

  default int dim(int axis) {
    int[] s = shape();
    return s[axis < 0 ? s.length + axis : axis];
  }

  default long size() {
    long n = 1;
    for (int d : shape()) {
      n *= d;
    }
    return n;
  }

  default String describe() {
    return Arrays.toString(shape());
  }
}

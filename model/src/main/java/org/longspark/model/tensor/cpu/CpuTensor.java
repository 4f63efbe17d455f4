package org.longspark.model.tensor.cpu;

import ai.djl.ndarray.NDArray;
import org.longspark.model.tensor.Tensor;

/** A {@link Tensor} backed by a DJL NDArray on libtorch CPU. */
final class CpuTensor implements Tensor {
  final NDArray array;
  /** For a mask bias only: the query segments and their key bounds (null: none worth using). */
  final KeyBounds keyBounds;
  private final int[] shape;

  CpuTensor(NDArray array) {
    this(array, null);
  }

  CpuTensor(NDArray array, KeyBounds keyBounds) {
    this.array = array;
    this.keyBounds = keyBounds;
    long[] s = array.getShape().getShape();
    this.shape = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      shape[i] = Math.toIntExact(s[i]);
    }
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public int dim(int axis) {
    return shape[axis < 0 ? shape.length + axis : axis];
  }

  @Override
  public String toString() {
    return "CpuTensor" + describe();
  }
}

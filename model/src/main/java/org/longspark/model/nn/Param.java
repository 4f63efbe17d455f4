package org.longspark.model.nn;

import java.util.Arrays;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/**
 * A named parameter: its value (FP32 master copy, persistent) and the gradient accumulated during
 * the current step (step-scoped, cleared by {@link #clearGrad()}). Shape-only parameters, built by
 * {@link ParamFactory#counting()}, have no value.
 */
public final class Param {
  private final String name;
  private final int[] shape;
  private final Tensor value;
  private Tensor grad;
  private boolean trainable = true;

  Param(String name, int[] shape, Tensor value) {
    this.name = name;
    this.shape = shape.clone();
    this.value = value;
  }

  public String name() {
    return name;
  }

  public int[] shape() {
    return shape.clone();
  }

  public long size() {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  public Tensor value() {
    if (value == null) {
      throw new IllegalStateException("parameter " + name + " is shape-only (counting factory)");
    }
    return value;
  }

  public Tensor grad() {
    return grad;
  }

  public boolean trainable() {
    return trainable;
  }

  /** Frozen parameters (a LoRA base) receive no gradient and no optimizer update. */
  public void setTrainable(boolean trainable) {
    this.trainable = trainable;
  }

  /** Adds {@code g} to this step's gradient (the first contribution is taken as is). */
  public void accumulate(Backend be, Tensor g) {
    if (!trainable) {
      return;
    }
    if (!Arrays.equals(g.shape(), shape)) {
      throw new IllegalArgumentException("gradient of " + name + " has shape " + g.describe()
          + ", parameter has " + Arrays.toString(shape));
    }
    if (grad == null) {
      grad = g;
    } else {
      grad = be.add(grad, g);
    }
  }

  public void clearGrad() {
    grad = null;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}

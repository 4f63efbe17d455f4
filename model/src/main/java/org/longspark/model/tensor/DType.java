package org.longspark.model.tensor;

/** Element type of a backend's tensors: float32 for training, float64 for gradient checks. */
public enum DType {
  FLOAT32,
  FLOAT64
}

package org.longspark.model.tensor;

/** How a Linear layer's three GEMMs (forward, dgrad, wgrad) are computed. */
public sealed interface LinearPrecision permits LinearPrecision.Full {

  /** All three GEMMs in the backend's own float type. */
  record Full() implements LinearPrecision {}

  LinearPrecision FULL = new Full();
}

package org.longspark.kernels.gemm;

import org.longspark.kernels.cuda.DeviceBuffer;

/**
 * What a GEMM does with the fp32 accumulator before it stores D:
 * {@code D = alpha * (A B^T) + bias[col] + (accumulate ? D_old : 0)}. For NVFP4 operands alpha is
 * further multiplied by their global decode scales (read from device memory, so no host sync).
 * When {@code accumulate} is false D is never read (it may hold anything, NaN included).
 */
public final class Epilogue {
  private static final Epilogue NONE = new Epilogue(1f, null, false);

  private final float alpha;
  private final DeviceBuffer bias;
  private final boolean accumulate;

  private Epilogue(float alpha, DeviceBuffer bias, boolean accumulate) {
    if (!Float.isFinite(alpha)) {
      throw new IllegalArgumentException("alpha must be finite, got " + alpha);
    }
    this.alpha = alpha;
    this.bias = bias;
    this.accumulate = accumulate;
  }

  /** D = A B^T. */
  public static Epilogue none() {
    return NONE;
  }

  public Epilogue withAlpha(float a) {
    return new Epilogue(a, bias, accumulate);
  }

  /** Adds {@code bias[col]}: fp32, one value per output column. */
  public Epilogue withBias(DeviceBuffer b) {
    return new Epilogue(alpha, b, accumulate);
  }

  /** Adds the previous contents of D (gradient accumulation, residual adds). */
  public Epilogue accumulating() {
    return new Epilogue(alpha, bias, true);
  }

  public float alpha() {
    return alpha;
  }

  /** Null when there is no bias. */
  public DeviceBuffer bias() {
    return bias;
  }

  public boolean accumulate() {
    return accumulate;
  }

  @Override
  public String toString() {
    return "Epilogue[alpha=" + alpha + (bias != null ? ", bias" : "") + (accumulate ? ", accumulate" : "") + "]";
  }
}

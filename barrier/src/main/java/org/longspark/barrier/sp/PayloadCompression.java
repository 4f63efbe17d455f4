package org.longspark.barrier.sp;

/**
 * How Ulysses attention encodes the activations it sends in its forward all-to-alls. Backward
 * exchanges (gradients) always travel in the backend's precision.
 */
public enum PayloadCompression {
  /** The backend's element type, bit for bit (the default). */
  NONE,
  /**
   * NVFP4 (E2M1 codes, one E4M3 scale per 16 consecutive elements of a head vector, one float32
   * scale per message part): 4.5 bits per element, 3.56x smaller than BF16. Lossy; needs a head
   * dimension divisible by 16 and a float32 backend.
   */
  NVFP4
}

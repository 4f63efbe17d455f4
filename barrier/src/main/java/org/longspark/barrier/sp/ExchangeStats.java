package org.longspark.barrier.sp;

/**
 * What Ulysses attention's all-to-alls moved on one rank: elements sent to other ranks, the payload
 * bytes that carried them (framing excluded), and for compressed exchanges the error the encoding
 * introduced, as sums so that snapshots can be compared.
 */
public record ExchangeStats(long exchanges, long elements, long payloadBytes,
    long compressedElements, long compressedPayloadBytes, double squaredError,
    double squaredSignal) implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  public static final ExchangeStats ZERO = new ExchangeStats(0, 0, 0, 0, 0, 0, 0);

  ExchangeStats plus(long calls, long elems, long bytes, long cElems, long cBytes, double err,
      double signal) {
    return new ExchangeStats(exchanges + calls, elements + elems, payloadBytes + bytes,
        compressedElements + cElems, compressedPayloadBytes + cBytes, squaredError + err,
        squaredSignal + signal);
  }

  /** Root of (sum of squared errors / sum of squares) over the compressed elements; 0 if none. */
  public double relativeRmsError() {
    return squaredSignal == 0 ? 0 : Math.sqrt(squaredError / squaredSignal);
  }

  /** BF16 bytes of the compressed elements over the bytes that carried them (NaN if none). */
  public double compressionRatioVsBf16() {
    return compressedPayloadBytes == 0 ? Double.NaN
        : 2.0 * compressedElements / compressedPayloadBytes;
  }

  /** Float32 bytes of the compressed elements over the bytes that carried them (NaN if none). */
  public double compressionRatioVsFp32() {
    return compressedPayloadBytes == 0 ? Double.NaN
        : 4.0 * compressedElements / compressedPayloadBytes;
  }
}

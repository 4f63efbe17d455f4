package org.longspark.kernels.nvfp4;

import java.util.Objects;

/**
 * Quantizes float32 or BF16 matrices to {@link Nvfp4Tensor}: E2M1 codes, one E4M3 scale per block
 * and one float32 global scale, with Transformer Engine's float32 operation order (DESIGN.md):
 *
 * <pre>
 *   S_enc = min(bound / amax, FLT_MAX), or 1 when amax == 0 or S_enc == 0   (bound = 6 * 448, or 6 * 256 for 4/6)
 *   S_dec = 1 / S_enc
 *   sf    = e4m3(block_amax * (S_enc * (1/6)))
 *   mult  = min(1 / (float(sf) * S_dec), FLT_MAX)
 *   code  = e2m1(x * mult)
 * </pre>
 *
 * Immutable and thread-safe; {@link #withSeed} gives a copy with another stochastic-rounding seed.
 */
public final class Nvfp4Quantizer {
  private static final float SIX_INV = 1f / 6f;
  private static final float FOUR_INV = 1f / 4f;
  /**
   * Whether the JVM runs with {@code --add-modules jdk.incubator.vector}: the fused STATIC_6 fake
   * quantization then runs on it ({@link Nvfp4FakeQuantizer}), else through the block encoder.
   */
  private static final boolean VECTOR_API =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  private final Nvfp4Layout layout;
  private final Nvfp4Rounding rounding;
  private final Nvfp4ScaleRule scaleRule;
  private final boolean hadamard;
  private final long seed;

  private Nvfp4Quantizer(Builder b) {
    this.layout = b.layout;
    this.rounding = b.rounding;
    this.scaleRule = b.scaleRule;
    this.hadamard = b.hadamard;
    this.seed = b.seed;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Nvfp4Layout layout() {
    return layout;
  }

  public Nvfp4Rounding rounding() {
    return rounding;
  }

  public Nvfp4ScaleRule scaleRule() {
    return scaleRule;
  }

  public boolean hadamard() {
    return hadamard;
  }

  public long seed() {
    return seed;
  }

  /** The same settings with another seed (stochastic rounding draws differ per seed). */
  public Nvfp4Quantizer withSeed(long newSeed) {
    return toBuilder().seed(newSeed).build();
  }

  public Builder toBuilder() {
    return builder().layout(layout).rounding(rounding).scaleRule(scaleRule).hadamard(hadamard).seed(seed);
  }

  /** Quantizes a row-major float32 matrix; blocks run along rows (the reduction dimension K). */
  public Nvfp4Tensor quantize(float[] data, int rows, int cols) {
    checkShape(data.length, rows, cols);
    float[] x = hadamard ? data.clone() : data;
    return encode(x, prepareRows(x, rows, cols, 0, rows), rows, cols);
  }

  /** Quantizes a row-major matrix of BF16 bit patterns (exactly widened to float32 first). */
  public Nvfp4Tensor quantizeBf16(short[] bf16, int rows, int cols) {
    checkShape(bf16.length, rows, cols);
    float[] x = new float[bf16.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = Float.intBitsToFloat(bf16[i] << 16);
    }
    return encode(x, prepareRows(x, rows, cols, 0, rows), rows, cols);
  }

  /**
   * Fake quantization: writes {@code quantize(src, rows, cols).dequantize()} to {@code dst}, bit
   * for bit, without building the tensor (STATIC_6 blocks are rounded and decoded on the Vector
   * API by {@link Nvfp4FakeQuantizer}; 4/6 blocks are decoded right after they are encoded).
   * {@code dst} may be {@code src}, which is then overwritten.
   */
  public void quantizeDequantize(float[] src, int rows, int cols, float[] dst) {
    checkShape(src.length, rows, cols);
    if (dst.length != src.length) {
      throw new IllegalArgumentException(
          "destination has " + dst.length + " elements, source " + src.length);
    }
    if (dst != src) {
      System.arraycopy(src, 0, dst, 0, src.length);
    }
    quantizeDequantizeRows(dst, rows, cols, prepareRows(dst, rows, cols, 0, rows), 0, rows);
  }

  /**
   * First pass of a quantization that may be split over row ranges (on any threads): checks rows
   * {@code [fromRow, toRow)} of {@code x} for NaN and infinity, applies the Hadamard transform to
   * them in place when set, and returns their largest magnitude after it. The whole matrix's amax
   * is the largest of the ranges' results.
   */
  public float prepareRows(float[] x, int rows, int cols, int fromRow, int toRow) {
    checkShape(x.length, rows, cols);
    checkRows(rows, fromRow, toRow, 1);
    int from = fromRow * cols;
    int to = toRow * cols;
    float amax = amax(x, from, to);
    if (!Float.isFinite(amax)) {
      int bad = firstNonFinite(x, from, to);
      throw new IllegalArgumentException(
          "non-finite input " + x[bad] + " at " + element(bad, cols)
              + ": NVFP4 cannot represent NaN or infinity");
    }
    if (hadamard) {
      for (int off = from; off < to; off += 16) {
        Hadamard16.transform(x, off);
      }
      amax = amax(x, from, to);
      if (!Float.isFinite(amax)) {
        throw new IllegalArgumentException(
            "Hadamard transform overflowed float32 at "
                + element(firstNonFinite(x, from, to), cols));
      }
    }
    return amax;
  }

  /**
   * Second pass of a split fake quantization: replaces rows {@code [fromRow, toRow)} of a matrix
   * that went through {@link #prepareRows} by their quantized-then-dequantized values, given the
   * whole matrix's {@code amax}. Blocks never straddle rows of different ranges when the bounds
   * are multiples of the block height (16 for TILE_16x16), so any split gives the same result.
   */
  public void quantizeDequantizeRows(
      float[] x, int rows, int cols, float amax, int fromRow, int toRow) {
    checkShape(x.length, rows, cols);
    int blockRows = blockRows();
    checkRows(rows, fromRow, toRow, blockRows);
    float sEnc = globalEncodeScale(amax, scaleRule);
    float sDec = 1f / sEnc;
    if (scaleRule == Nvfp4ScaleRule.STATIC_6 && VECTOR_API) {
      Nvfp4FakeQuantizer.rows(x, cols, blockRows, sEnc, sDec,
          rounding == Nvfp4Rounding.STOCHASTIC, seed, fromRow, toRow);
      return;
    }
    // otherwise (4/6, or no Vector API) each block is encoded exactly as quantize() encodes it,
    // into a code array for one row of blocks, and decoded at once while it is in cache: no
    // tensor-sized code array
    byte[] band = new byte[blockRows * cols / 2];
    BlockEncoder enc = new BlockEncoder(x, cols, blockRows, sEnc, sDec, band);
    for (int r = fromRow; r < toRow; r += blockRows) {
      enc.first = r * cols;
      for (int c = 0; c < cols; c += 16) {
        float sf = E4M3.decode(enc.encodeBlock(r, c));
        for (int i = 0; i < blockRows; i++) {
          int base = (r + i) * cols + c;
          int p = (i * cols + c) >> 1;
          for (int k = 0; k < 8; k++) {
            int pair = band[p + k];
            x[base + 2 * k] = (E2M1.decode(pair) * sf) * sDec;
            x[base + 2 * k + 1] = (E2M1.decode(pair >> 4) * sf) * sDec;
          }
        }
      }
    }
  }

  /** The global encode scale S_enc for a tensor whose largest magnitude is {@code amax}. */
  public static float globalEncodeScale(float amax, Nvfp4ScaleRule rule) {
    float s = Math.min(rule.globalBound() / amax, Float.MAX_VALUE);
    return (amax == 0f || s == 0f) ? 1f : s;
  }

  private int blockRows() {
    return layout == Nvfp4Layout.ROW_1x16 ? 1 : 16;
  }

  private Nvfp4Tensor encode(float[] x, float amax, int rows, int cols) {
    float sEnc = globalEncodeScale(amax, scaleRule);
    float sDec = 1f / sEnc;
    byte[] packed = new byte[x.length / 2];
    int blockRows = blockRows();
    byte[] scales = new byte[(rows / blockRows) * (cols / 16)];
    BlockEncoder enc = new BlockEncoder(x, cols, blockRows, sEnc, sDec, packed);
    int s = 0;
    for (int r = 0; r < rows; r += blockRows) {
      for (int c = 0; c < cols; c += 16) {
        scales[s++] = (byte) enc.encodeBlock(r, c);
      }
    }
    return new Nvfp4Tensor(rows, cols, layout, hadamard, packed, scales, sDec);
  }

  /**
   * Encodes one block (1x16 or 16x16) into a packed code array (two per byte, element 2i in the
   * low nibble) that starts at element {@link #first} of x: the whole tensor's for quantize(), a
   * band of block rows for the fake quantization. Holds per-call scratch, so one instance serves
   * one thread.
   */
  private final class BlockEncoder {
    private final float[] x;
    private final int cols;
    private final int blockRows;
    private final float sEnc;
    private final float sDec;
    private final byte[] packed;
    /** The element of x that packed[0] holds (low nibble). */
    int first;
    private final boolean stochastic = rounding == Nvfp4Rounding.STOCHASTIC;
    private final boolean fourOverSix = scaleRule == Nvfp4ScaleRule.FOUR_OVER_SIX;
    /** The 4/6 candidate with amax -> 4, 8 bytes per block row. */
    private final byte[] alternative = new byte[16 * 8];
    private final int[] random = new int[16 * 16];

    BlockEncoder(float[] x, int cols, int blockRows, float sEnc, float sDec, byte[] packed) {
      this.x = x;
      this.cols = cols;
      this.blockRows = blockRows;
      this.sEnc = sEnc;
      this.sDec = sDec;
      this.packed = packed;
    }

    /** Encodes the block at (r0, c0); returns its E4M3 scale code. */
    int encodeBlock(int r0, int c0) {
      // Max over the magnitudes' bits: non-negative floats order like their bits, and an int
      // max is cheaper than Math.max(float) with its NaN and -0 rules (inputs are finite here).
      // Four running maxima instead of one shorten the chain of dependent compares.
      int m0 = 0;
      int m1 = 0;
      int m2 = 0;
      int m3 = 0;
      for (int r = r0; r < r0 + blockRows; r++) {
        int base = r * cols + c0;
        for (int j = 0; j < 16; j += 4) {
          m0 = Math.max(m0, Float.floatToRawIntBits(x[base + j]) & 0x7FFFFFFF);
          m1 = Math.max(m1, Float.floatToRawIntBits(x[base + j + 1]) & 0x7FFFFFFF);
          m2 = Math.max(m2, Float.floatToRawIntBits(x[base + j + 2]) & 0x7FFFFFFF);
          m3 = Math.max(m3, Float.floatToRawIntBits(x[base + j + 3]) & 0x7FFFFFFF);
        }
      }
      float bamax = Float.intBitsToFloat(Math.max(Math.max(m0, m1), Math.max(m2, m3)));
      if (stochastic) {
        // drawn once per block: both 4/6 candidates round with the same bits
        for (int i = 0; i < blockRows; i++) {
          Philox4x32.elementBits16(seed, (long) ((r0 + i) * cols + c0) >>> 2, random, 16 * i);
        }
      }
      int sf6 = E4M3.encode(bamax * (sEnc * SIX_INV));
      float err6 = encodeCodes(r0, c0, sf6, packed, true);
      if (!fourOverSix) {
        return sf6;
      }
      int sf4 = E4M3.encode(bamax * (sEnc * FOUR_INV));
      float err4 = encodeCodes(r0, c0, sf4, alternative, false);
      if (!(err4 < err6)) {
        return sf6;
      }
      for (int r = 0; r < blockRows; r++) {
        System.arraycopy(alternative, r * 8, packed, ((r0 + r) * cols + c0 - first) >> 1, 8);
      }
      return sf4;
    }

    /**
     * Writes the block's codes for scale {@code sf} (into the packed array, or at 8 bytes per
     * block row into the scratch array) and, for 4/6, returns the float32 squared error of the
     * decoded block summed in element order.
     */
    private float encodeCodes(int r0, int c0, int sf, byte[] out, boolean inPlace) {
      float sfv = E4M3.decode(sf);
      float mult = Math.min(1f / (sfv * sDec), Float.MAX_VALUE);
      float err = 0f;
      for (int i = 0; i < blockRows; i++) {
        int base = (r0 + i) * cols + c0;
        int o = inPlace ? (base - first) >> 1 : i * 8;
        int k = 16 * i;
        for (int j = 0; j < 16; j += 2) {
          int lo = code(x[base + j] * mult, k + j);
          int hi = code(x[base + j + 1] * mult, k + j + 1);
          out[o + (j >> 1)] = (byte) (lo | (hi << 4));
        }
        if (fourOverSix) {
          for (int j = 0; j < 16; j++) {
            int c = out[o + (j >> 1)] >> ((j & 1) << 2);
            float d = (E2M1.decode(c) * sfv) * sDec - x[base + j];
            err += d * d;
          }
        }
      }
      return err;
    }

    /** E2M1 code of a scaled element; {@code k} is its index in the block (for its random bits). */
    private int code(float y, int k) {
      int bits = Float.floatToRawIntBits(y);
      int abs = bits & 0x7FFFFFFF;
      int mag = stochastic
          ? E2M1.encodeMagnitudeStochasticBits(Float.intBitsToFloat(abs), random[k])
          : E2M1.encodeMagnitudeBits(abs);
      return ((bits >>> 28) & 8) | mag;
    }
  }


  /**
   * Largest magnitude over {@code x[from..to)}; NaN or infinity when the range holds one
   * (Math.max propagates NaN). The float max (unlike an int max over the bits) compiles to
   * vector instructions.
   */
  private static float amax(float[] x, int from, int to) {
    float m = 0f;
    for (int i = from; i < to; i++) {
      m = Math.max(m, Math.abs(x[i]));
    }
    return m;
  }

  private static int firstNonFinite(float[] x, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!Float.isFinite(x[i])) {
        return i;
      }
    }
    return -1;
  }

  /** Rejects a row range outside [0, rows] or with bounds off the multiples of the block height. */
  private static void checkRows(int rows, int fromRow, int toRow, int blockRows) {
    if (fromRow < 0 || toRow > rows || fromRow > toRow) {
      throw new IllegalArgumentException(
          "row range [" + fromRow + ", " + toRow + ") outside the matrix's " + rows + " rows");
    }
    if (fromRow % blockRows != 0 || toRow % blockRows != 0) {
      throw new IllegalArgumentException(
          "row range [" + fromRow + ", " + toRow + ") must start and end on a multiple of the "
              + "block height " + blockRows);
    }
  }

  /** "index i (row r, col c)" of a row-major matrix with {@code cols} columns, for error messages. */
  static String element(long index, int cols) {
    return "index " + index + " (row " + index / cols + ", col " + index % cols + ")";
  }

  /** Rejects shapes that are not positive multiples of 16 or that disagree with the data length. */
  static void checkShape(int length, int rows, int cols) {
    if (rows <= 0 || rows % 16 != 0) {
      throw new IllegalArgumentException("rows must be a positive multiple of 16, got " + rows);
    }
    if (cols <= 0 || cols % 16 != 0) {
      throw new IllegalArgumentException("cols must be a positive multiple of 16, got " + cols);
    }
    if ((long) rows * cols != length) {
      throw new IllegalArgumentException(
          "data has " + length + " elements but rows x cols = " + rows + " x " + cols + " = "
              + (long) rows * cols);
    }
  }

  @Override
  public String toString() {
    return "Nvfp4Quantizer[" + layout + ", " + rounding + ", " + scaleRule
        + (hadamard ? ", hadamard" : "") + ", seed " + seed + "]";
  }

  /** Settings; defaults ROW_1x16, NEAREST_EVEN, STATIC_6, no Hadamard, seed 0. */
  public static final class Builder {
    private Nvfp4Layout layout = Nvfp4Layout.ROW_1x16;
    private Nvfp4Rounding rounding = Nvfp4Rounding.NEAREST_EVEN;
    private Nvfp4ScaleRule scaleRule = Nvfp4ScaleRule.STATIC_6;
    private boolean hadamard;
    private long seed;

    private Builder() {}

    public Builder layout(Nvfp4Layout v) {
      layout = Objects.requireNonNull(v, "layout");
      return this;
    }

    public Builder rounding(Nvfp4Rounding v) {
      rounding = Objects.requireNonNull(v, "rounding");
      return this;
    }

    public Builder scaleRule(Nvfp4ScaleRule v) {
      scaleRule = Objects.requireNonNull(v, "scaleRule");
      return this;
    }

    public Builder hadamard(boolean v) {
      hadamard = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Nvfp4Quantizer build() {
      return new Nvfp4Quantizer(this);
    }
  }
}

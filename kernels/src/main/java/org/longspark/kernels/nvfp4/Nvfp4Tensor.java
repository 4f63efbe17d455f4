package org.longspark.kernels.nvfp4;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * A quantized matrix: E2M1 codes (row-major, two per byte, element 2i in the low nibble), E4M3
 * block scales (row-major over blocks: [rows][cols/16] for 1x16, [rows/16][cols/16] for 16x16) and
 * the float32 global decode scale 1/S_enc. Element value = e2m1(code) * e4m3(scale) * global.
 * When {@link #hadamard()} is set, the values are those of the Hadamard-transformed rows.
 */
public final class Nvfp4Tensor {
  /** "NVF4": the first word of the binary form. */
  static final int MAGIC = 0x4E564634;
  static final int VERSION = 1;

  private final int rows;
  private final int cols;
  private final Nvfp4Layout layout;
  private final boolean hadamard;
  private final byte[] packed;
  private final byte[] scales;
  private final float globalDecodeScale;

  /**
   * Wraps existing arrays (not copied).
   *
   * @throws IllegalArgumentException when the array sizes do not match the shape and layout
   */
  public Nvfp4Tensor(
      int rows, int cols, Nvfp4Layout layout, boolean hadamard, byte[] packed, byte[] scales,
      float globalDecodeScale) {
    if ((long) rows * cols > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("NVFP4 tensor " + rows + "x" + cols + " exceeds 2^31 elements");
    }
    Nvfp4Quantizer.checkShape(rows * cols, rows, cols);
    this.layout = Objects.requireNonNull(layout, "layout");
    if (packed.length != rows * cols / 2) {
      throw new IllegalArgumentException(
          "packed codes: expected " + rows * cols / 2 + " bytes for " + rows + "x" + cols + ", got "
              + packed.length);
    }
    if (scales.length != scaleCount(rows, cols, layout)) {
      throw new IllegalArgumentException(
          "scales: expected " + scaleCount(rows, cols, layout) + " bytes for " + rows + "x" + cols
              + " " + layout + ", got " + scales.length);
    }
    if (!(globalDecodeScale > 0f) || !Float.isFinite(globalDecodeScale)) {
      throw new IllegalArgumentException("global decode scale must be positive and finite, got " + globalDecodeScale);
    }
    this.rows = rows;
    this.cols = cols;
    this.hadamard = hadamard;
    this.packed = packed;
    this.scales = scales;
    this.globalDecodeScale = globalDecodeScale;
  }

  /** Number of E4M3 scales for this shape and layout. */
  public static int scaleCount(int rows, int cols, Nvfp4Layout layout) {
    return (layout == Nvfp4Layout.ROW_1x16 ? rows : rows / 16) * (cols / 16);
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  public Nvfp4Layout layout() {
    return layout;
  }

  public boolean hadamard() {
    return hadamard;
  }

  /** The codes, two per byte (not a copy). */
  public byte[] packed() {
    return packed;
  }

  /** The E4M3 scale bytes (not a copy). */
  public byte[] scales() {
    return scales;
  }

  public float globalDecodeScale() {
    return globalDecodeScale;
  }

  /** The 4-bit code of element (r, c). */
  public int code(int r, int c) {
    int i = r * cols + c;
    return (packed[i >> 1] >> ((i & 1) << 2)) & 0xF;
  }

  /** The E4M3 scale code governing element (r, c). */
  public int scaleCode(int r, int c) {
    int blockRow = layout == Nvfp4Layout.ROW_1x16 ? r : r / 16;
    return scales[blockRow * (cols / 16) + c / 16] & 0xFF;
  }

  /** Decodes to float32: (e2m1 * e4m3) * global, in that order. */
  public float[] dequantize() {
    float[] out = new float[rows * cols];
    int blocksPerRow = cols / 16;
    for (int r = 0; r < rows; r++) {
      int scaleRow = (layout == Nvfp4Layout.ROW_1x16 ? r : r / 16) * blocksPerRow;
      for (int b = 0; b < blocksPerRow; b++) {
        float sf = E4M3.decode(scales[scaleRow + b]);
        int base = r * cols + b * 16;
        for (int j = 0; j < 16; j += 2) {
          int pair = packed[(base + j) >> 1];
          out[base + j] = (E2M1.decode(pair) * sf) * globalDecodeScale;
          out[base + j + 1] = (E2M1.decode(pair >> 4) * sf) * globalDecodeScale;
        }
      }
    }
    return out;
  }

  /** Bytes of the binary form: 24 header bytes, the codes, the scales. */
  public long serializedBytes() {
    return 24L + packed.length + scales.length;
  }

  /**
   * Writes the compact binary form (all big-endian): magic "NVF4", version, layout ordinal,
   * hadamard flag, reserved byte, rows, cols, global decode scale, codes, scales.
   */
  public void write(DataOutput out) throws IOException {
    out.writeInt(MAGIC);
    out.writeByte(VERSION);
    out.writeByte(layout.ordinal());
    out.writeByte(hadamard ? 1 : 0);
    out.writeByte(0);
    out.writeInt(rows);
    out.writeInt(cols);
    out.writeFloat(globalDecodeScale);
    out.writeInt(0);
    out.write(packed);
    out.write(scales);
  }

  /** Reads what {@link #write} wrote; a wrong magic, version, layout or size fails with the field named. */
  public static Nvfp4Tensor read(DataInput in) throws IOException {
    int magic = in.readInt();
    if (magic != MAGIC) {
      throw new IOException(String.format("not an NVFP4 tensor: magic 0x%08X, expected 0x%08X", magic, MAGIC));
    }
    int version = in.readUnsignedByte();
    if (version != VERSION) {
      throw new IOException("NVFP4 tensor version " + version + " not supported (expected " + VERSION + ")");
    }
    int layoutOrdinal = in.readUnsignedByte();
    Nvfp4Layout[] layouts = Nvfp4Layout.values();
    if (layoutOrdinal >= layouts.length) {
      throw new IOException("NVFP4 tensor layout ordinal " + layoutOrdinal + " unknown");
    }
    boolean hadamard = in.readUnsignedByte() != 0;
    in.readUnsignedByte();
    int rows = in.readInt();
    int cols = in.readInt();
    float gds = in.readFloat();
    in.readInt();
    if (rows <= 0 || cols <= 0 || rows % 16 != 0 || cols % 16 != 0 || (long) rows * cols > Integer.MAX_VALUE) {
      throw new IOException("NVFP4 tensor shape " + rows + "x" + cols + " invalid");
    }
    byte[] packed = new byte[rows * cols / 2];
    in.readFully(packed);
    byte[] scales = new byte[scaleCount(rows, cols, layouts[layoutOrdinal])];
    in.readFully(scales);
    try {
      return new Nvfp4Tensor(rows, cols, layouts[layoutOrdinal], hadamard, packed, scales, gds);
    } catch (IllegalArgumentException e) {
      throw new IOException("corrupt NVFP4 tensor: " + e.getMessage(), e);
    }
  }
}

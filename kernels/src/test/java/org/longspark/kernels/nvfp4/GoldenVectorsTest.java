package org.longspark.kernels.nvfp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The codec against vectors written by src/test/python/nvfp4_golden.py (numpy float32 + ml_dtypes
 * casts, run once on the GPU machine): packed codes, scale bytes and the global scale, bit for bit.
 */
class GoldenVectorsTest {
  private static final String DIR = "/org/longspark/kernels/nvfp4/golden/";

  /** One line of cases.tsv. */
  record GoldenCase(
      String name, int rows, int cols, boolean bf16, Nvfp4Quantizer quantizer) {
    @Override
    public String toString() {
      return name + " " + quantizer;
    }
  }

  static Stream<GoldenCase> cases() {
    List<GoldenCase> out = new ArrayList<>();
    String tsv = new String(read("cases.tsv"), StandardCharsets.UTF_8);
    for (String line : tsv.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t");
      Nvfp4Quantizer q =
          Nvfp4Quantizer.builder()
              .layout(Nvfp4Layout.valueOf(f[4]))
              .rounding(Nvfp4Rounding.valueOf(f[5]))
              .scaleRule(Nvfp4ScaleRule.valueOf(f[6]))
              .hadamard(Boolean.parseBoolean(f[7]))
              .seed(Long.parseUnsignedLong(f[8]))
              .build();
      out.add(new GoldenCase(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3].equals("bf16"), q));
    }
    assertTrue(out.size() >= 40, "golden cases found: " + out.size());
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesGoldenBitForBit(GoldenCase c) {
    ByteBuffer in = ByteBuffer.wrap(read(c.name() + ".input.bin")).order(ByteOrder.LITTLE_ENDIAN);
    int n = c.rows() * c.cols();
    Nvfp4Tensor t;
    if (c.bf16()) {
      short[] x = new short[n];
      in.asShortBuffer().get(x);
      t = c.quantizer().quantizeBf16(x, c.rows(), c.cols());
    } else {
      float[] x = new float[n];
      in.asFloatBuffer().get(x);
      t = c.quantizer().quantize(x, c.rows(), c.cols());
    }
    ByteBuffer expected = ByteBuffer.wrap(read(c.name() + ".expected.bin")).order(ByteOrder.LITTLE_ENDIAN);
    byte[] packed = new byte[n / 2];
    byte[] scales = new byte[Nvfp4Tensor.scaleCount(c.rows(), c.cols(), c.quantizer().layout())];
    expected.get(packed).get(scales);
    float gds = expected.getFloat();
    assertEquals(0, expected.remaining(), "trailing bytes in " + c.name());
    assertEquals(Float.floatToRawIntBits(gds), Float.floatToRawIntBits(t.globalDecodeScale()), "global decode scale");
    assertSameBytes("scales", scales, t.scales());
    assertSameBytes("packed codes", packed, t.packed());
  }

  private static void assertSameBytes(String what, byte[] expected, byte[] actual) {
    assertEquals(expected.length, actual.length, what + " length");
    int i = Arrays.mismatch(expected, actual);
    if (i >= 0) {
      fail(String.format("%s differ first at byte %d: expected 0x%02X, got 0x%02X (%d bytes differ)",
          what, i, expected[i], actual[i], countDiffs(expected, actual)));
    }
  }

  private static int countDiffs(byte[] a, byte[] b) {
    int d = 0;
    for (int i = 0; i < a.length; i++) {
      d += a[i] != b[i] ? 1 : 0;
    }
    return d;
  }

  private static byte[] read(String file) {
    try (InputStream in = GoldenVectorsTest.class.getResourceAsStream(DIR + file)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + DIR + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

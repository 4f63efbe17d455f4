package org.longspark.kernels.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.longspark.kernels.gemm.GemmKernels.Op;

/** Shape rules and layout arithmetic that need no GPU. */
class GemmShapesTest {
  @Test
  void dimensionsMustBeMultiplesOf16ExceptM() {
    GemmKernels.checkDims(Op.LINEAR, 7, 32, 48);
    GemmKernels.checkDims(Op.LINEAR_WGRAD, 333, 32, 48);
    assertEquals("W4A4: k must be a multiple of 16, got 40",
        assertThrows(IllegalArgumentException.class, () -> GemmKernels.checkDims(Op.W4A4, 1, 32, 40)).getMessage());
    assertEquals("LINEAR: n must be a multiple of 16, got 24",
        assertThrows(IllegalArgumentException.class, () -> GemmKernels.checkDims(Op.LINEAR, 1, 24, 32)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> GemmKernels.checkDims(Op.LINEAR, 0, 32, 32));
  }

  @Test
  void variantsValidateTheirParameters() {
    assertThrows(IllegalArgumentException.class, () -> GemmVariant.wgmma(64));
    assertThrows(IllegalArgumentException.class, () -> GemmVariant.skinny(-1));
    assertEquals("skinny/s4", GemmVariant.skinny(4).toString());
  }

  @Test
  void smallMSharedMemoryFollowsTheStagedRows() {
    // m staged rows (NVFP4 rows carry a 16-byte pad per 128 bytes, except bit-placed W4A16's), at least the space the in-CTA
    // reduction reuses (16 warps x 8 x 32 floats), then a tail for the larger of the cluster's
    // partial sums (16 bytes per lane of each of the 16 warps, for each token group of 8) and, for
    // W4A4, the raw NVFP4 activations (m x kslice / 2 code bytes, m x kslice / 16 scales)
    assertEquals(2 * (8192 / 8 * 16 + 64) + 512 * 16, GemmKernels.skinnyShared(2, 8192, GemmKernels.Op.LINEAR, false));
    int rows9 = 9 * ((2048 / 8 * 18 + 127) / 128 * 128 + 32);
    assertEquals(rows9 + 2 * 512 * 16, GemmKernels.skinnyShared(9, 2048, GemmKernels.Op.W4A16, false));
    assertEquals(rows9 + 2 * 512 * 16, GemmKernels.skinnyShared(9, 2048, GemmKernels.Op.W4A4, false));
    int rows9long = 9 * ((8192 / 8 * 18 + 127) / 128 * 128 + 32);  // here the raw copy is the larger
    assertEquals(rows9long + 9 * 4096 + 9 * 512, GemmKernels.skinnyShared(9, 8192, GemmKernels.Op.W4A4, false));
    assertEquals(16 * 8 * 32 * 4 + 512 * 16, GemmKernels.skinnyShared(1, 1024, GemmKernels.Op.W4A16, false));
    // bit-placed W4A16: the rows as they lie in memory (kslice x 2 bytes), 128-byte lines whole;
    // W4A4 keeps the padded rows its expansion writes
    assertEquals(16 * 4096 * 2 + 2 * 512 * 16, GemmKernels.skinnyShared(16, 4096, GemmKernels.Op.W4A16, true));
    assertEquals(rows9 + 2 * 512 * 16, GemmKernels.skinnyShared(9, 2048, GemmKernels.Op.W4A4, true));
  }

  @Test
  void bf16RoundsToNearestEven() {
    assertEquals((short) 0x3F80, Bf16.fromFloat(1f));
    assertEquals((short) 0x3F80, Bf16.fromFloat(Float.intBitsToFloat(0x3F808000))); // tie -> even
    assertEquals((short) 0x3F82, Bf16.fromFloat(Float.intBitsToFloat(0x3F818000))); // tie -> even (up)
    assertEquals(1.5f, Bf16.toFloat(Bf16.fromFloat(1.5f)));
  }
}

package org.longspark.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import org.junit.jupiter.api.Test;

/** How kernel arguments become launch slots, and the launch shim's loading; no GPU needed. */
class KernelArgumentsTest {
  private final CudaKernel kernel = new CudaKernel(null, "k", new CUfunction());

  @Test
  void thirtyTwoBitValuesFillTheLowHalfOfTheirSlot() {
    assertEquals(0xFFFF_FFFFL, kernel.slot(-1, 0));
    assertEquals(7L, kernel.slot(7, 0));
    assertEquals(0x3FC0_0000L, kernel.slot(1.5f, 0));
    assertEquals(0x8000_0000L, kernel.slot(-0.0f, 0));
    assertEquals(-2L, kernel.slot(-2L, 0));
  }

  @Test
  void devicePointersCarryTheirByteOffset() {
    // JCuda keeps the address in private fields (NativeHandles); a null base plus an offset reads back
    assertEquals(0L, kernel.slot(new CUdeviceptr(), 0));
    assertEquals(48L, kernel.slot(new CUdeviceptr().withByteOffset(48), 0));
    assertEquals(0L, NativeHandles.handle(new CUfunction()));
  }

  @Test
  void otherArgumentTypesAreRejectedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kernel.slot("x", 3));
    assertTrue(e.getMessage().contains("k: kernel argument 3") && e.getMessage().contains("java.lang.String"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> kernel.slot(null, 0));
  }

  @Test
  void theLaunchShimLoadsWhereItWasBuilt() {
    if (DependentLaunch.class.getResource(DependentLaunch.RESOURCE) == null) {
      assertTrue(DependentLaunch.unavailableReason().contains("not on the class path"), DependentLaunch.unavailableReason());
      return;
    }
    // built: the library loads and its JNI entries bind; only a missing driver may stop it then
    String reason = DependentLaunch.unavailableReason();
    assertTrue(reason == null || reason.contains("libcuda.so.1"), reason);
    if (!DependentLaunch.available()) {
      assertNotNull(reason);
      assertThrows(IllegalStateException.class,
          () -> DependentLaunch.launch(new CUfunction(), 1, 1, 1, 1, 1, 1, 0, new jcuda.driver.CUstream(), new long[0]));
    }
  }
}

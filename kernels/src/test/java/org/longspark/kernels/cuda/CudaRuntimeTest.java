package org.longspark.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class CudaRuntimeTest {
  @Test
  void reportsTheDevice() {
    CudaDevice d = GpuTests.device();
    System.out.println("device: " + d + ", " + d.multiprocessorCount() + " SMs, L2 " + d.l2CacheBytes() / 1024 / 1024 + " MiB");
    assertTrue(d.computeCapability() >= 90, d.toString());
    assertTrue(d.multiprocessorCount() > 0);
  }

  @Test
  void buffersRoundTripAndCopyOnAStream() {
    CudaDevice d = GpuTests.device();
    float[] x = new float[1 << 20];
    for (int i = 0; i < x.length; i++) {
      x[i] = i * 0.5f - 7;
    }
    try (DeviceBuffer a = DeviceBuffer.allocate(d, 4L * x.length).copyFromHost(x);
        DeviceBuffer b = DeviceBuffer.allocate(d, 4L * x.length).fill((byte) 0x7F);
        CudaStream s = CudaStream.create(d);
        CudaEvent start = CudaEvent.create(d);
        CudaEvent end = CudaEvent.create(d)) {
      start.record(s);
      b.copyFromAsync(a, a.bytes(), s);
      end.record(s);
      assertTrue(CudaEvent.elapsedMillis(start, end) >= 0);
      float[] y = new float[x.length];
      b.copyToHost(y);
      assertArrayEquals(x, y);
      assertThrows(IllegalArgumentException.class, () -> a.copyToHost(new float[x.length + 1]));
    }
  }

  /** Another thread uses the same device with no setup of its own: the context follows the call. */
  @Test
  void worksFromAnyThread() throws Exception {
    CudaDevice d = GpuTests.device();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<int[]> f = pool.submit(() -> {
        try (DeviceBuffer b = DeviceBuffer.allocate(d, 16).copyFromHost(new int[] {1, 2, 3, 4})) {
          int[] out = new int[4];
          b.copyToHost(out);
          return out;
        }
      });
      assertArrayEquals(new int[] {1, 2, 3, 4}, f.get());
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void errorsNameTheCall() {
    GpuTests.device();
    CudaException e = assertThrows(CudaException.class, () -> CudaDevice.open(1000));
    assertTrue(e.getMessage().contains("1000"), e.getMessage());
    CudaException m = assertThrows(CudaException.class, () -> KernelModule.load(CudaDevice.open(0), "nvfp4").kernel("no_such_kernel"));
    assertTrue(m.getMessage().contains("no_such_kernel"), m.getMessage());
    assertEquals(0, CudaDevice.open(0).ordinal());
  }
}

package org.longspark.barrier.nccl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.longspark.barrier.comm.CollectiveSuite;
import org.longspark.barrier.comm.ElementType;
import org.longspark.barrier.comm.RankThreads;
import org.longspark.kernels.cuda.CudaDevice;
import org.longspark.kernels.cuda.DeviceBuffer;

/**
 * The NCCL communicator: the communicator test suite every implementation runs, with one rank per
 * visible GPU (world size 1 on a one-GPU machine), and the GPU-resident collectives against host
 * arithmetic. Skips, saying why, without a GPU or NCCL.
 */
@Tag("gpu")
class NcclCommunicatorTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int ITERATIONS = 150;

  private int ranks;

  @BeforeEach
  void requireGpuAndNccl() {
    CudaDevice.unavailableReason().ifPresent(reason -> skip("no CUDA device: " + reason));
    NcclLibrary.unavailableReason().ifPresent(reason -> skip("no NCCL: " + reason));
    ranks = Math.min(CudaDevice.count(), 4);
    System.out.println("NCCL " + NcclLibrary.version() + ", " + ranks + " rank(s), one per GPU");
  }

  private static void skip(String why) {
    System.out.println("GPU test skipped: " + why);
    Assumptions.abort(why);
  }

  private static final RankThreads.CommunicatorFactory NCCL = (rv, timeout) ->
      NcclCommunicator.connect(rv, CudaDevice.open(GpuAssignment.ordinal(rv.rank())), timeout);

  @Test
  @Timeout(300)
  void passesTheCommunicatorSuite() {
    // One rank sums exactly; several sum in NCCL's order: allow a few float32 roundings.
    double tolerance = ranks == 1 ? 0 : 4 * 0x1p-24 * ranks;
    List<Integer> checked = RankThreads.values(ranks, TIMEOUT, NCCL,
        comm -> CollectiveSuite.randomized(comm, 31, ITERATIONS, tolerance));
    for (int c : checked) {
      assertEquals(ITERATIONS, c);
    }
  }

  @Test
  @Timeout(120)
  void gpuResidentCollectivesMatchHostArithmetic() {
    int n = 1 << 20;
    RankThreads.values(ranks, TIMEOUT, NCCL, comm -> {
      NcclCommunicator nc = (NcclCommunicator) comm;
      int me = nc.rank();
      float[][] in = new float[ranks][];
      for (int r = 0; r < ranks; r++) {
        in[r] = random(r, n);
      }
      try (DeviceBuffer data = DeviceBuffer.allocate(nc.device(), 4L * n).copyFromHost(in[me]);
          DeviceBuffer gathered = DeviceBuffer.allocate(nc.device(), 4L * n * ranks).fill((byte) 0x7F);
          DeviceBuffer exchanged = DeviceBuffer.allocate(nc.device(), 4L * n).fill((byte) 0x7F)) {
        nc.allGather(data, gathered, 4L * n);
        float[] all = new float[n * ranks];
        gathered.copyToHost(all);
        for (int r = 0; r < ranks; r++) {
          assertArrayEquals(in[r], java.util.Arrays.copyOfRange(all, r * n, (r + 1) * n), "allGather block " + r);
        }
        // allToAll with blocks of n / ranks floats: block j of rank i lands as block i on rank j.
        int block = n / ranks;
        nc.allToAll(data, exchanged, 4L * block);
        float[] got = new float[n];
        exchanged.copyToHost(got);
        for (int i = 0; i < ranks; i++) {
          for (int k = 0; k < block; k++) {
            assertEquals(in[i][me * block + k], got[i * block + k], 0f, "allToAll from " + i);
          }
        }
        nc.allReduce(data, n, ElementType.FLOAT32);
        float[] sum = new float[n];
        data.copyToHost(sum);
        for (int e = 0; e < n; e++) {
          double exact = 0;
          double magnitude = 0;
          for (int r = 0; r < ranks; r++) {
            exact += in[r][e];
            magnitude += Math.abs(in[r][e]);
          }
          assertEquals(exact, sum[e], 4 * 0x1p-24 * ranks * magnitude, "allReduce element " + e);
        }
        nc.broadcast(data, 4L * n, 0);
      }
      assertTrue(nc.stats().bytesSent() >= 0);
      return null;
    });
  }

  @Test
  @Timeout(60)
  void misuseIsRejectedNamingTheRank() {
    RankThreads.values(1, TIMEOUT, NCCL, comm -> {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> comm.send(ByteBuffer.allocateDirect(8), 0));
      assertTrue(e.getMessage().contains("rank 0") && e.getMessage().contains("not another rank"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> comm.allReduce(ByteBuffer.allocateDirect(6), ElementType.FLOAT32));
      assertTrue(e.getMessage().contains("6 bytes"), e.getMessage());
      return null;
    });
  }

  private static float[] random(int rank, int n) {
    SplittableRandom r = new SplittableRandom(1000 + rank);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return x;
  }
}

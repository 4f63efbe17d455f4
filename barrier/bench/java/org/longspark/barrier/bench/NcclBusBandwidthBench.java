package org.longspark.barrier.bench;

import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.longspark.barrier.comm.ElementType;
import org.longspark.barrier.comm.LocalRendezvous;
import org.longspark.barrier.nccl.GpuAssignment;
import org.longspark.barrier.nccl.NcclCommunicator;
import org.longspark.kernels.cuda.CudaDevice;
import org.longspark.kernels.cuda.DeviceBuffer;

/**
 * All-to-all and all-reduce bus bandwidth of {@link NcclCommunicator} on GPU buffers, one rank (a
 * thread) per visible GPU, 1 MiB to 1 GiB per rank; the same sizes and formulas as
 * {@code barrier/bench/nccl_bus_bandwidth.py} (torch.distributed with NCCL), which runs in the same
 * device call as the baseline; both time each call with CUDA events on the stream the NCCL work
 * runs on. Bus bandwidth (nccl-tests' convention): all-reduce
 * bytes/time x 2(n-1)/n, all-to-all bytes/time x (n-1)/n; with one GPU both are 0 and only the
 * times mean anything.
 *
 * <p>{@code bash .device/run.sh java org.longspark.barrier.bench.NcclBusBandwidthBench [maxMiB]}
 */
public final class NcclBusBandwidthBench {
  private NcclBusBandwidthBench() {}

  public static void main(String[] args) throws Exception {
    long maxBytes = (args.length > 0 ? Long.parseLong(args[0]) : 1024) << 20;
    int ranks = CudaDevice.count();
    System.out.printf("%d rank(s), one per GPU%n", ranks);
    System.out.printf("%-10s %12s %10s %12s %10s%n", "op", "bytes", "us", "alg GB/s", "bus GB/s");
    LocalRendezvous rendezvous = new LocalRendezvous(ranks, Duration.ofSeconds(60));
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = new ArrayList<>();
    for (int r = 0; r < ranks; r++) {
      int rank = r;
      Thread t = new Thread(() -> {
        try {
          run(rendezvous, rank, ranks, maxBytes);
        } catch (Throwable e) {
          synchronized (errors) {
            errors.add(e);
          }
        }
      }, "rank-" + r);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException("a rank failed", errors.get(0));
    }
  }

  private static void run(LocalRendezvous rendezvous, int rank, int ranks, long maxBytes) {
    CudaDevice device = CudaDevice.open(GpuAssignment.ordinal(rank));
    try (NcclCommunicator comm = NcclCommunicator.connect(rendezvous.forRank(rank), device, Duration.ofSeconds(120));
        DeviceBuffer a = DeviceBuffer.allocate(device, maxBytes).fill((byte) 0x3C);
        DeviceBuffer b = DeviceBuffer.allocate(device, maxBytes)) {
      for (long bytes = 1 << 20; bytes <= maxBytes; bytes <<= 2) {
        long n = bytes;
        long block = bytes / ranks;
        double a2a = medianMicros(comm, () -> comm.allToAll(a, b, block));
        double ar = medianMicros(comm, () -> comm.allReduce(a, n / 4, ElementType.FLOAT32));
        if (rank == 0) {
          print("all-to-all", bytes, a2a, (ranks - 1.0) / ranks);
          print("all-reduce", bytes, ar, 2.0 * (ranks - 1) / ranks);
        }
      }
    }
  }

  /**
   * Median over 20 calls after 5 warm-ups of the time between CUDA events recorded on the
   * communicator's stream just before and just after each call, as the torch baseline times its
   * calls (each call returns once its NCCL work is done).
   */
  private static double medianMicros(NcclCommunicator comm, Runnable op) {
    for (int i = 0; i < 5; i++) {
      op.run();
    }
    CUevent_st start = new CUevent_st();
    CUevent_st end = new CUevent_st();
    cudaEventCreate(start);
    cudaEventCreate(end);
    double[] us = new double[20];
    float[] ms = new float[1];
    for (int i = 0; i < us.length; i++) {
      comm.barrier();
      cudaEventRecord(start, comm.stream());
      op.run();
      cudaEventRecord(end, comm.stream());
      cudaEventSynchronize(end);
      cudaEventElapsedTime(ms, start, end);
      us[i] = ms[0] * 1e3;
    }
    cudaEventDestroy(start);
    cudaEventDestroy(end);
    Arrays.sort(us);
    return us[us.length / 2];
  }

  private static void print(String op, long bytes, double us, double busFactor) {
    double alg = bytes / us / 1e3;
    System.out.printf(Locale.ROOT, "%-10s %12d %10.1f %12.1f %10.1f%n", op, bytes, us, alg, alg * busFactor);
  }
}

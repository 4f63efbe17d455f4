package org.longspark.barrier.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.longspark.barrier.comm.Communicator;
import org.longspark.barrier.comm.LocalRendezvous;
import org.longspark.barrier.comm.TcpCommunicator;
import org.longspark.barrier.comm.TcpOptions;
import org.longspark.kernels.nvfp4.Nvfp4Layout;
import org.longspark.kernels.nvfp4.Nvfp4Quantizer;
import org.longspark.kernels.nvfp4.Nvfp4Tensor;

/**
 * All-to-all over loopback: P ranks (threads of this JVM), B bytes from every rank to every other,
 * through {@link TcpCommunicator}, against the baseline of the same bytes copied over plain
 * blocking socket channels (one connected pair per two ranks, one writer and one reader thread per
 * direction, no framing), rounds alternating between the two in the same run. A round's time runs
 * from the first rank leaving the start line to the last rank done; throughput counts the bytes
 * that cross sockets: P (P-1) B per round. Then the NVFP4 encoding of one peer's block of
 * Gaussian activations (rows of 64, a head vector): bytes against BF16 and float32, and error.
 *
 * <p>Usage: {@code AllToAllBench [ranks=4] [MiB per peer=16] [rounds=10] [warm-up=3]}.
 */
public final class AllToAllBench {
  private AllToAllBench() {}

  public static void main(String[] args) throws Exception {
    int ranks = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int mib = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    int block = mib << 20;
    System.out.printf("all-to-all: %d ranks, %d MiB per peer, %d rounds after %d warm-up; "
        + "%d cores, Java %s%n", ranks, mib, rounds, warmup,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    double crossing = (double) ranks * (ranks - 1) * block;
    try (Ours ours = new Ours(ranks, block); RawCopy raw = new RawCopy(ranks, block)) {
      List<Double> tOurs = new ArrayList<>();
      List<Double> tRaw = new ArrayList<>();
      double cpuOurs = 0;
      double cpuRaw = 0;
      for (int i = 0; i < warmup + rounds; i++) {
        double c0 = processCpuSeconds();
        double a = raw.round();
        double c1 = processCpuSeconds();
        double b = ours.round();
        double c2 = processCpuSeconds();
        if (i >= warmup) {
          tRaw.add(a);
          tOurs.add(b);
          cpuRaw += c1 - c0;
          cpuOurs += c2 - c1;
        }
      }
      ours.verify();
      double mRaw = median(tRaw);
      double mOurs = median(tOurs);
      System.out.println();
      System.out.println("| path | median round ms | GB/s (median) | GB/s (best) | CPU s per "
          + "round (user+sys, all threads) |");
      System.out.println("|---|---|---|---|---|");
      row("plain socket copy (baseline)", mRaw, crossing, tRaw, cpuRaw / rounds);
      row("TcpCommunicator.allToAll", mOurs, crossing, tOurs, cpuOurs / rounds);
      System.out.printf("%nall-to-all / raw copy (medians): %.1f%%%n", 100 * mRaw / mOurs);
    }
    nvfp4(block / 4);
  }

  private static void row(String name, double medianSeconds, double bytes, List<Double> all,
      double cpu) {
    double best = all.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    System.out.printf("| %s | %.1f | %.2f | %.2f | %.3f |%n", name, medianSeconds * 1e3,
        bytes / medianSeconds / 1e9, bytes / best / 1e9, cpu);
  }

  /** utime + stime of this process from /proc/self/stat (clock ticks of 10 ms). */
  private static double processCpuSeconds() throws IOException {
    String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  private static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  /** The communicator's all-to-all, one thread per rank. */
  private static final class Ours implements AutoCloseable {
    private final int ranks;
    private final int block;
    private final ExecutorService pool;
    private final List<Communicator> comms = new ArrayList<>();
    private final ByteBuffer[] send;
    private final ByteBuffer[] recv;
    private final long[] start;
    private final long[] end;

    Ours(int ranks, int block) throws Exception {
      this.ranks = ranks;
      this.block = block;
      this.pool = Executors.newFixedThreadPool(ranks);
      this.send = new ByteBuffer[ranks];
      this.recv = new ByteBuffer[ranks];
      this.start = new long[ranks];
      this.end = new long[ranks];
      LocalRendezvous rv = new LocalRendezvous(ranks, Duration.ofSeconds(60));
      List<Future<Communicator>> fs = new ArrayList<>();
      for (int r = 0; r < ranks; r++) {
        int rank = r;
        send[r] = ByteBuffer.allocateDirect(block * ranks);
        recv[r] = ByteBuffer.allocateDirect(block * ranks);
        for (int j = 0; j < ranks; j++) {
          for (int i = 0; i < block; i += 4096) {
            send[r].put(j * block + i, (byte) (r * 16 + j));
          }
        }
        fs.add(pool.submit(() -> TcpCommunicator.connect(rv.forRank(rank),
            TcpOptions.loopback(Duration.ofSeconds(60)))));
      }
      for (Future<Communicator> f : fs) {
        comms.add(f.get());
      }
    }

    /** From the first rank off the start line (a barrier) to the last rank done. */
    double round() throws Exception {
      List<Future<?>> fs = new ArrayList<>();
      for (int r = 0; r < ranks; r++) {
        int rank = r;
        fs.add(pool.submit(() -> {
          Communicator c = comms.get(rank);
          c.barrier();
          start[rank] = System.nanoTime();
          c.allToAll(send[rank].duplicate(), recv[rank].duplicate());
          end[rank] = System.nanoTime();
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      return (Arrays.stream(end).max().orElseThrow() - Arrays.stream(start).min().orElseThrow())
          / 1e9;
    }

    /** Every rank got block r of every other rank (sampled every 4 KiB). */
    void verify() {
      for (int r = 0; r < ranks; r++) {
        for (int i = 0; i < ranks; i++) {
          for (int k = 0; k < block; k += 4096) {
            if (recv[r].get(i * block + k) != (byte) (i * 16 + r)) {
              throw new IllegalStateException("rank " + r + " got wrong data from " + i);
            }
          }
        }
      }
    }

    @Override
    public void close() {
      comms.forEach(Communicator::close);
      pool.shutdownNow();
    }
  }

  /** The same bytes over plain blocking socket channels, a thread per direction of each pair. */
  private static final class RawCopy implements AutoCloseable {
    private final int block;
    private final List<SocketChannel> channels = new ArrayList<>();
    private final List<Runnable> jobs = new ArrayList<>();
    private final ExecutorService pool;
    private final CyclicBarrier startLine;

    RawCopy(int ranks, int block) throws IOException {
      this.block = block;
      int pairs = ranks * (ranks - 1) / 2;
      this.pool = Executors.newFixedThreadPool(4 * pairs);
      this.startLine = new CyclicBarrier(4 * pairs + 1);
      try (ServerSocketChannel server = ServerSocketChannel.open()) {
        server.bind(new InetSocketAddress("127.0.0.1", 0), pairs);
        for (int p = 0; p < pairs; p++) {
          SocketChannel a = SocketChannel.open();
          a.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
          a.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
          a.connect(server.getLocalAddress());
          SocketChannel b = server.accept();
          b.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
          b.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
          channels.add(a);
          channels.add(b);
          addDirection(a, b);
          addDirection(b, a);
        }
      }
    }

    private void addDirection(SocketChannel from, SocketChannel to) {
      ByteBuffer out = ByteBuffer.allocateDirect(block);
      ByteBuffer in = ByteBuffer.allocateDirect(block);
      jobs.add(() -> {
        try {
          out.clear();
          while (out.hasRemaining()) {
            from.write(out);
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      jobs.add(() -> {
        try {
          in.clear();
          while (in.hasRemaining()) {
            if (to.read(in) < 0) {
              throw new IOException("closed");
            }
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
    }

    /** From the first thread off the start line to the last one done, as {@link Ours}. */
    double round() throws Exception {
      List<Future<long[]>> fs = new ArrayList<>();
      for (Runnable job : jobs) {
        fs.add(pool.submit(() -> {
          startLine.await();
          long t0 = System.nanoTime();
          job.run();
          return new long[] {t0, System.nanoTime()};
        }));
      }
      startLine.await();
      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      for (Future<long[]> f : fs) {
        long[] t = f.get();
        first = Math.min(first, t[0]);
        last = Math.max(last, t[1]);
      }
      return (last - first) / 1e9;
    }

    @Override
    public void close() throws IOException {
      for (SocketChannel c : channels) {
        c.close();
      }
      pool.shutdownNow();
    }
  }

  /** NVFP4 (1x16 blocks along rows of 64) on Gaussian activations of one peer's block. */
  private static void nvfp4(int elements) {
    int cols = 64;
    int rows = elements / cols;
    float[] x = new float[rows * cols];
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) org.longspark.model.Seeds.gaussian(r);
    }
    Nvfp4Quantizer q = Nvfp4Quantizer.builder().layout(Nvfp4Layout.ROW_1x16).build();
    long t0 = System.nanoTime();
    Nvfp4Tensor t = q.quantize(x, rows, cols);
    float[] back = t.dequantize();
    double secs = (System.nanoTime() - t0) / 1e9;
    long bytes = 4 + t.packed().length + t.scales().length;
    double err = 0;
    double sig = 0;
    for (int i = 0; i < x.length; i++) {
      err += ((double) x[i] - back[i]) * ((double) x[i] - back[i]);
      sig += (double) x[i] * x[i];
    }
    System.out.printf("%nNVFP4 payload of one peer's block (%d float32 values, Gaussian, rows of "
        + "%d): %d bytes on the wire vs %d BF16 (%.4fx) and %d float32 (%.4fx); relative RMS "
        + "error %.4f; Java codec encode+decode %.0f MB/s of float32 input (one thread)%n",
        x.length, cols, bytes, 2L * x.length, 2.0 * x.length / bytes, 4L * x.length,
        4.0 * x.length / bytes, Math.sqrt(err / sig), 4.0 * x.length / secs / 1e6);
  }
}

package org.longspark.barrier.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import org.longspark.model.Seeds;

/**
 * The communicator test suite that every {@link Communicator} implementation runs: many
 * iterations of collectives with sizes and patterns drawn from a seed (every rank draws the same
 * ones), each result checked against {@link CollectiveModel}.
 */
public final class CollectiveSuite {
  private CollectiveSuite() {}

  enum Op { ALL_TO_ALL, ALL_TO_ALLV, ALL_GATHER, ALL_REDUCE_F32, ALL_REDUCE_F64,
    BROADCAST, RING_SEND_RECV, GROUP_ALL_REDUCE, BARRIER }

  /** Deterministic bytes of one rank in one iteration. */
  static byte[] bytes(long seed, int iter, int rank, int n) {
    byte[] b = new byte[n];
    SplittableRandom r = new SplittableRandom(Seeds.derive(seed, iter, rank));
    for (int i = 0; i < n; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  static float[] floats(long seed, int iter, int rank, int n) {
    float[] f = new float[n];
    SplittableRandom r = new SplittableRandom(Seeds.derive(seed, iter, 100 + rank));
    for (int i = 0; i < n; i++) {
      f[i] = (float) (Seeds.gaussian(r) * Math.pow(10, r.nextInt(7) - 3));
    }
    return f;
  }

  static double[] doubles(long seed, int iter, int rank, int n) {
    double[] d = new double[n];
    SplittableRandom r = new SplittableRandom(Seeds.derive(seed, iter, 200 + rank));
    for (int i = 0; i < n; i++) {
      d[i] = Seeds.gaussian(r) * Math.pow(10, r.nextInt(9) - 4);
    }
    return d;
  }

  static ByteBuffer direct(byte[] b) {
    return ByteBuffer.allocateDirect(b.length).put(b).flip();
  }

  static byte[] contents(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  /** Mostly small sizes, sometimes several MiB so that messages span many write chunks. */
  static int size(Random r) {
    return r.nextInt(10) == 0 ? (1 << 20) + r.nextInt(2 << 20) : r.nextInt(5000);
  }

  /**
   * Runs {@code iterations} random collectives on one rank and returns how many were checked.
   * {@code sumTolerance} is the relative error allowed in all-reduce sums: 0 for implementations
   * that sum in rank order, a few float roundings for NCCL's own order over several ranks.
   */
  public static int randomized(Communicator comm, long seed, int iterations, double sumTolerance) {
    int n = comm.size();
    int me = comm.rank();
    int done = 0;
    // LONGSPARK_SUITE_TRACE=1 prints each step as it starts: where a multi-rank run stops
    boolean trace = System.getenv("LONGSPARK_SUITE_TRACE") != null;
    for (int iter = 0; iter < iterations; iter++) {
      Random pick = new Random(Seeds.derive(seed, 7, iter));
      Op op = Op.values()[pick.nextInt(Op.values().length)];
      String where = "iteration " + iter + " (" + op + ") on rank " + me;
      if (trace) {
        System.err.println("suite: " + where);
      }
      switch (op) {
        case ALL_TO_ALL -> {
          int block = pick.nextInt(4) == 0 ? 0 : size(pick) / n;
          byte[][] in = new byte[n][];
          int[][] counts = new int[n][n];
          for (int i = 0; i < n; i++) {
            in[i] = bytes(seed, iter, i, block * n);
            Arrays.fill(counts[i], block);
          }
          ByteBuffer recv = ByteBuffer.allocateDirect(block * n);
          comm.allToAll(direct(in[me]), recv);
          assertArrayEquals(CollectiveModel.allToAllv(in, counts, me), contents(recv), where);
        }
        case ALL_TO_ALLV -> {
          int[][] counts = new int[n][n];
          for (int[] row : counts) {
            for (int j = 0; j < n; j++) {
              row[j] = pick.nextInt(3) == 0 ? 0 : size(pick) / n;
            }
          }
          byte[][] in = new byte[n][];
          for (int i = 0; i < n; i++) {
            in[i] = bytes(seed, iter, i, Arrays.stream(counts[i]).sum());
          }
          int[] recvCounts = new int[n];
          for (int i = 0; i < n; i++) {
            recvCounts[i] = counts[i][me];
          }
          ByteBuffer recv = ByteBuffer.allocateDirect(Arrays.stream(recvCounts).sum());
          comm.allToAllv(direct(in[me]), counts[me], recv, recvCounts);
          assertArrayEquals(CollectiveModel.allToAllv(in, counts, me), contents(recv), where);
        }
        case ALL_GATHER -> {
          int block = size(pick) / n;
          byte[][] in = new byte[n][];
          for (int i = 0; i < n; i++) {
            in[i] = bytes(seed, iter, i, block);
          }
          ByteBuffer recv = ByteBuffer.allocateDirect(block * n);
          comm.allGather(direct(in[me]), recv);
          assertArrayEquals(CollectiveModel.allGather(in), contents(recv), where);
        }
        case ALL_REDUCE_F32 -> {
          int count = size(pick) / 4;
          float[][] in = new float[n][];
          for (int i = 0; i < n; i++) {
            in[i] = floats(seed, iter, i, count);
          }
          ByteBuffer data = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder());
          data.asFloatBuffer().put(in[me]);
          comm.allReduce(data, ElementType.FLOAT32);
          float[] got = new float[count];
          data.asFloatBuffer().get(got);
          int[] all = new int[n];
          Arrays.setAll(all, i -> i);
          assertSum(CollectiveModel.sum(in, all), in, all, got, sumTolerance, where);
        }
        case ALL_REDUCE_F64 -> {
          int count = size(pick) / 8;
          double[][] in = new double[n][];
          for (int i = 0; i < n; i++) {
            in[i] = doubles(seed, iter, i, count);
          }
          ByteBuffer data = ByteBuffer.allocateDirect(count * 8).order(ByteOrder.nativeOrder());
          data.asDoubleBuffer().put(in[me]);
          comm.allReduce(data, ElementType.FLOAT64);
          double[] got = new double[count];
          data.asDoubleBuffer().get(got);
          assertSum(CollectiveModel.sum(in), in, got, sumTolerance, where);
        }
        case BROADCAST -> {
          int root = pick.nextInt(n);
          int len = size(pick);
          byte[] rootData = bytes(seed, iter, root, len);
          ByteBuffer data = me == root ? direct(rootData) : ByteBuffer.allocateDirect(len);
          comm.broadcast(data, root);
          assertArrayEquals(rootData, contents(data), where);
        }
        case RING_SEND_RECV -> {
        if (n == 1) {
          comm.barrier(); // no other rank to send to
          break;
        }
          // rank r sends to r+1; rank 0 sends first, the others receive first, so the chain
          // cannot deadlock however large the messages are
          int len = size(pick);
          int next = (me + 1) % n;
          int prev = (me + n - 1) % n;
          ByteBuffer got = ByteBuffer.allocateDirect(len);
          if (me == 0) {
            comm.send(direct(bytes(seed, iter, me, len)), next);
            comm.recv(got, prev);
          } else {
            comm.recv(got, prev);
            comm.send(direct(bytes(seed, iter, me, len)), next);
          }
          assertArrayEquals(bytes(seed, iter, prev, len), contents(got), where);
        }
        case GROUP_ALL_REDUCE -> {
          int[] color = new int[n];
          for (int i = 0; i < n; i++) {
            color[i] = pick.nextInt(2);
          }
          int[] members = java.util.stream.IntStream.range(0, n)
              .filter(i -> color[i] == color[me]).toArray();
          int count = pick.nextInt(3000);
          float[][] in = new float[n][];
          for (int i = 0; i < n; i++) {
            in[i] = floats(seed, iter, i, count);
          }
          Communicator g = comm.group(members);
          assertEquals(members.length, g.size(), where);
          ByteBuffer data = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder());
          data.asFloatBuffer().put(in[me]);
          g.allReduce(data, ElementType.FLOAT32);
          float[] got = new float[count];
          data.asFloatBuffer().get(got);
          assertSum(CollectiveModel.sum(in, members), in, members, got, sumTolerance, where);
        }
        case BARRIER -> comm.barrier();
        default -> throw new IllegalStateException(op.toString());
      }
      done++;
    }
    return done;
  }

  private static void assertSum(float[] exact, float[][] in, int[] members, float[] got, double rel,
      String where) {
    if (rel == 0) {
      assertArrayEquals(exact, got, 0f, where);
      return;
    }
    for (int e = 0; e < exact.length; e++) {
      double magnitude = 0;
      for (int m : members) {
        magnitude += Math.abs(in[m][e]);
      }
      assertEquals(exact[e], got[e], rel * magnitude, where + ", element " + e);
    }
  }

  private static void assertSum(double[] exact, double[][] in, double[] got, double rel, String where) {
    if (rel == 0) {
      assertArrayEquals(exact, got, 0d, where);
      return;
    }
    for (int e = 0; e < exact.length; e++) {
      double magnitude = 0;
      for (double[] row : in) {
        magnitude += Math.abs(row[e]);
      }
      assertEquals(exact[e], got[e], rel * magnitude, where + ", element " + e);
    }
  }
}

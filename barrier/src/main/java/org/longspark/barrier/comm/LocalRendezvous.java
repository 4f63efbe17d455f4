package org.longspark.barrier.comm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A rendezvous among threads of one process (tests and benchmarks without Spark): create one
 * {@code LocalRendezvous} for the group and hand {@link #forRank} to each rank's thread. A round
 * fails after the timeout, naming the ranks that never arrived.
 */
public final class LocalRendezvous {
  private final int size;
  private final long timeoutNanos;
  private final List<byte[][]> rounds = new ArrayList<>();
  private final List<Integer> arrived = new ArrayList<>();

  public LocalRendezvous(int size, Duration timeout) {
    if (size < 1) {
      throw new IllegalArgumentException("rendezvous size must be >= 1, got " + size);
    }
    this.size = size;
    this.timeoutNanos = timeout.toNanos();
  }

  /** The rendezvous as seen by one rank; each rank calls its {@code allGather} once per round. */
  public Rendezvous forRank(int rank) {
    if (rank < 0 || rank >= size) {
      throw new IllegalArgumentException("rank " + rank + " outside [0, " + size + ")");
    }
    return new Rendezvous() {
      private int round;

      @Override
      public int rank() {
        return rank;
      }

      @Override
      public int size() {
        return size;
      }

      @Override
      public List<byte[]> allGather(byte[] mine) {
        return gather(round++, rank, mine);
      }
    };
  }

  private synchronized List<byte[]> gather(int round, int rank, byte[] mine) {
    while (rounds.size() <= round) {
      rounds.add(new byte[size][]);
      arrived.add(0);
    }
    byte[][] slots = rounds.get(round);
    slots[rank] = mine.clone();
    arrived.set(round, arrived.get(round) + 1);
    notifyAll();
    long deadline = System.nanoTime() + timeoutNanos;
    while (arrived.get(round) < size) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        List<Integer> absent = new ArrayList<>();
        for (int r = 0; r < size; r++) {
          if (slots[r] == null) {
            absent.add(r);
          }
        }
        throw new CommunicatorTimeoutException(absent, "rank " + rank + ": rendezvous round "
            + round + " timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
            + " ms; ranks " + absent + " never arrived");
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CommunicatorException("rank " + rank + ": interrupted in rendezvous", e);
      }
    }
    List<byte[]> out = new ArrayList<>(size);
    for (byte[] b : slots) {
      out.add(b.clone());
    }
    return out;
  }

  @Override
  public String toString() {
    return "LocalRendezvous[size " + size + ", rounds " + rounds.size() + ", arrived "
        + Arrays.toString(arrived.toArray()) + "]";
  }
}

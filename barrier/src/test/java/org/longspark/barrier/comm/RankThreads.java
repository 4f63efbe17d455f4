package org.longspark.barrier.comm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs one function per rank on its own thread, each with its own communicator (TCP on loopback
 * unless a factory says otherwise), all joined through one in-process rendezvous.
 */
public final class RankThreads {
  private RankThreads() {}

  /** Makes a rank's communicator from its rendezvous. */
  @FunctionalInterface
  public interface CommunicatorFactory {
    Communicator connect(Rendezvous rendezvous, Duration timeout) throws Exception;
  }

  /** TCP over loopback. */
  public static final CommunicatorFactory TCP =
      (rv, timeout) -> TcpCommunicator.connect(rv, TcpOptions.loopback(timeout));

  /** What a rank runs. */
  @FunctionalInterface
  public interface RankBody<T> {
    T run(Communicator comm) throws Exception;
  }

  /** A rank's result or the exception it ended with. */
  public record Outcome<T>(T value, Throwable error) {
    public T get() {
      if (error != null) {
        throw new AssertionError("rank failed: " + error, error);
      }
      return value;
    }
  }

  /** Runs all ranks to completion (closing their communicators) and returns their outcomes. */
  public static <T> List<Outcome<T>> run(int size, Duration timeout, RankBody<T> body) {
    return run(size, timeout, TCP, body);
  }

  /** As {@link #run(int, Duration, RankBody)} with communicators from {@code factory}. */
  public static <T> List<Outcome<T>> run(
      int size, Duration timeout, CommunicatorFactory factory, RankBody<T> body) {
    LocalRendezvous rendezvous = new LocalRendezvous(size, timeout);
    ExecutorService pool = Executors.newFixedThreadPool(size);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int r = 0; r < size; r++) {
        Rendezvous rv = rendezvous.forRank(r);
        futures.add(pool.submit(() -> {
          try (Communicator comm = factory.connect(rv, timeout)) {
            return body.run(comm);
          }
        }));
      }
      List<Outcome<T>> out = new ArrayList<>();
      for (Future<T> f : futures) {
        try {
          out.add(new Outcome<>(f.get(), null));
        } catch (ExecutionException e) {
          out.add(new Outcome<>(null, e.getCause()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Runs all ranks and returns their values, failing on any rank's error. */
  public static <T> List<T> values(int size, Duration timeout, RankBody<T> body) {
    return values(size, timeout, TCP, body);
  }

  /** As {@link #values(int, Duration, RankBody)} with communicators from {@code factory}. */
  public static <T> List<T> values(
      int size, Duration timeout, CommunicatorFactory factory, RankBody<T> body) {
    List<T> values = new ArrayList<>();
    for (Outcome<T> o : run(size, timeout, factory, body)) {
      values.add(o.get());
    }
    return values;
  }
}

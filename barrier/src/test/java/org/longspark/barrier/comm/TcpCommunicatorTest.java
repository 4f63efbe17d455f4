package org.longspark.barrier.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TCP communicator against {@link CollectiveModel}: many iterations of collectives with sizes
 * and patterns drawn from a seed (every rank draws the same ones), then timeouts, a dying peer and
 * mismatched calls. Every test has a hang guard well below the communicator's own timeout where a
 * prompt failure is the point.
 */
class TcpCommunicatorTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static final int ITERATIONS = 150;

  @ParameterizedTest(name = "{0} ranks")
  @ValueSource(ints = {2, 3, 4})
  @Timeout(120)
  void randomizedCollectivesMatchTheSequentialModel(int n) {
    List<Integer> checked =
        RankThreads.values(n, LONG, comm -> CollectiveSuite.randomized(comm, 20 + n, ITERATIONS, 0));
    for (int c : checked) {
      assertEquals(ITERATIONS, c);
    }
  }

  @Test
  @Timeout(30)
  void trafficIsCountedWithFraming() {
    int n = 3;
    int block = 1000;
    List<TrafficStats> stats = RankThreads.values(n, LONG, comm -> {
      TrafficStats before = comm.stats();
      comm.allToAll(ByteBuffer.allocateDirect(block * n), ByteBuffer.allocateDirect(block * n));
      return comm.stats().minus(before);
    });
    for (TrafficStats s : stats) {
      long expected = (n - 1) * (block + TcpTransport.HEADER);
      assertEquals(new TrafficStats(expected, expected, n - 1, n - 1), s);
    }
  }

  @Test
  @Timeout(30)
  void aSilentPeerMakesTheCallTimeOutNamingIt() {
    CountDownLatch rankZeroFailed = new CountDownLatch(1);
    Duration timeout = Duration.ofMillis(400);
    List<RankThreads.Outcome<Object>> outcomes = RankThreads.run(2, timeout, comm -> {
      ByteBuffer data = ByteBuffer.allocateDirect(64);
      if (comm.rank() == 0) {
        try {
          comm.allReduce(data, ElementType.FLOAT32);
        } finally {
          rankZeroFailed.countDown();
        }
      } else {
        // stays out of the collective until rank 0 has given up, then finds it gone
        assertTrue(rankZeroFailed.await(20, TimeUnit.SECONDS));
        comm.allReduce(data, ElementType.FLOAT32);
      }
      return null;
    });
    CommunicatorTimeoutException t = assertInstanceOf(CommunicatorTimeoutException.class,
        outcomes.get(0).error());
    assertEquals(List.of(1), t.peers());
    assertTrue(t.getMessage().contains("rank 0") && t.getMessage().contains("peer 1")
        && t.getMessage().contains("no progress for 400 ms"), t.getMessage());
    PeerFailureException p = assertInstanceOf(PeerFailureException.class,
        outcomes.get(1).error());
    assertEquals(List.of(0), p.peers());
  }

  @Test
  @Timeout(20)
  void aRankDyingMidAllToAllFailsEveryOtherRankPromptly() {
    int n = 4;
    int block = 4 << 20;
    List<RankThreads.Outcome<Object>> outcomes = RankThreads.run(n, LONG, comm -> {
      if (comm.rank() == 2) {
        // starts its part (one block to rank 0), then dies: its communicator closes on the way out
        comm.send(ByteBuffer.allocateDirect(block), 0);
        throw new IllegalStateException("injected failure on rank 2");
      }
      comm.allToAll(ByteBuffer.allocateDirect(block * n), ByteBuffer.allocateDirect(block * n));
      return null;
    });
    assertEquals("injected failure on rank 2", outcomes.get(2).error().getMessage());
    for (int r : new int[] {0, 1, 3}) {
      Throwable e = outcomes.get(r).error();
      // a closed connection, not the 60 s timeout (the 20 s hang guard would fire first)
      assertInstanceOf(PeerFailureException.class, e, "rank " + r);
      assertTrue(e.getMessage().startsWith("rank " + r + ": "), e.getMessage());
      assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
    // ranks 1 and 3 wait on rank 2's block: rank 2 is among the peers they find closed (rank 0
    // may only notice a follower: it already had rank 2's block)
    for (int r : new int[] {1, 3}) {
      PeerFailureException p = (PeerFailureException) outcomes.get(r).error();
      assertTrue(p.peers().contains(2), p.getMessage());
    }
  }

  @Test
  @Timeout(20)
  void mismatchedSizesAreReportedNotMisread() {
    List<RankThreads.Outcome<Object>> outcomes = RankThreads.run(2, LONG, comm -> {
      int floats = comm.rank() == 0 ? 16 : 32;
      comm.allReduce(ByteBuffer.allocateDirect(floats * 4), ElementType.FLOAT32);
      return null;
    });
    List<String> messages = new ArrayList<>();
    for (RankThreads.Outcome<Object> o : outcomes) {
      assertInstanceOf(CommunicatorException.class, o.error());
      messages.add(o.error().getMessage());
    }
    assertTrue(messages.stream().anyMatch(m -> m.contains("bytes where")
        && m.contains("were expected")), messages.toString());
  }

  @Test
  @Timeout(20)
  void aClosedCommunicatorRefusesFurtherCalls() {
    List<RankThreads.Outcome<String>> outcomes = RankThreads.run(2, LONG, comm -> {
      comm.barrier();
      comm.close();
      CommunicatorException e = assertThrows(CommunicatorException.class, comm::barrier);
      return e.getMessage();
    });
    assertTrue(outcomes.get(0).get().contains("closed communicator"));
    assertNull(outcomes.get(1).error());
  }

  @Test
  @Timeout(20)
  void aRankThatNeverArrivesFailsTheRendezvousNamingIt() {
    LocalRendezvous rv = new LocalRendezvous(3, Duration.ofMillis(300));
    CommunicatorTimeoutException e = assertThrows(CommunicatorTimeoutException.class,
        () -> TcpCommunicator.connect(rv.forRank(0), TcpOptions.loopback(LONG)));
    assertEquals(List.of(1, 2), e.peers());
  }

  @Test
  @Timeout(30)
  void theServerRendezvousConnectsRanksAcrossSockets() {
    int n = 3;
    try (RendezvousServer server = RendezvousServer.start("127.0.0.1", n, LONG)) {
      List<Integer> sums = new ArrayList<>();
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors
          .newFixedThreadPool(n);
      try {
        List<java.util.concurrent.Future<Integer>> fs = new ArrayList<>();
        for (int r = 0; r < n; r++) {
          int rank = r;
          fs.add(pool.submit(() -> {
            try (TcpRendezvous rv = TcpRendezvous.connect("127.0.0.1", server.port(), rank, n,
                LONG); TcpCommunicator comm = TcpCommunicator.connect(rv,
                TcpOptions.loopback(LONG))) {
              ByteBuffer d = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
              d.putDouble(0, rank + 1);
              comm.allReduce(d, ElementType.FLOAT64);
              return (int) d.getDouble(0);
            }
          }));
        }
        for (java.util.concurrent.Future<Integer> f : fs) {
          sums.add(f.get());
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      } finally {
        pool.shutdownNow();
      }
      assertEquals(List.of(6, 6, 6), sums);
      assertNull(server.failure());
    }
  }
}

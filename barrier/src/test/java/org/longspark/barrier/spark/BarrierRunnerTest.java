package org.longspark.barrier.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.longspark.barrier.comm.Communicator;
import org.longspark.barrier.comm.CommunicatorException;

/** The barrier runner on a real local[4] Spark: ranks talk, a failure ends an attempt, retry. */
class BarrierRunnerTest {
  /** Long enough that a rank waiting for it would trip the tests' hang guards first. */
  private static final Duration COMM_TIMEOUT = Duration.ofSeconds(120);
  /** How each rank's all-to-all ended (local mode: the tasks run in this JVM). */
  private static final ConcurrentLinkedQueue<String> ENDINGS = new ConcurrentLinkedQueue<>();

  private static JavaSparkContext spark;
  private static BarrierRunner runner;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("barrier-runner-test", Map.of());
    runner = BarrierRunner.on(spark, COMM_TIMEOUT).listeningOn("127.0.0.1");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** What a rank of the all-to-all jobs reports. */
  record Exchanged(int rank, int attempt, boolean correct) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** Block j of rank r holds the byte r * 16 + j everywhere. */
  private static ByteBuffer blocks(int rank, int ranks, int block) {
    ByteBuffer b = ByteBuffer.allocateDirect(block * ranks);
    for (int j = 0; j < ranks; j++) {
      for (int i = 0; i < block; i++) {
        b.put((byte) (rank * 16 + j));
      }
    }
    return b.flip();
  }

  private static boolean receivedFromAll(ByteBuffer recv, int rank, int ranks, int block) {
    for (int i = 0; i < ranks; i++) {
      for (int k = 0; k < block; k++) {
        if (recv.get(i * block + k) != (byte) (i * 16 + rank)) {
          return false;
        }
      }
    }
    return true;
  }

  @Test
  @Timeout(60)
  void ranksExchangeDataAndResultsComeBackInRankOrder() {
    int block = 256 << 10;
    // the default listening address: the executor's, as Spark reports it to the barrier tasks
    List<String> out = BarrierRunner.on(spark, COMM_TIMEOUT).run(4, ctx -> {
      Communicator c = ctx.communicator();
      ByteBuffer recv = ByteBuffer.allocateDirect(block * 4);
      c.allToAll(blocks(ctx.rank(), 4, block), recv);
      return ctx.rank() + " " + ctx.stageAttempt() + " " + receivedFromAll(recv, ctx.rank(), 4,
          block) + " " + BarrierRunner.hostOf(
          BarrierTaskContext.get().getTaskInfos()[ctx.rank()].address());
    });
    assertEquals(List.of("0 0 true 127.0.0.1", "1 0 true 127.0.0.1", "2 0 true 127.0.0.1",
        "3 0 true 127.0.0.1"), out);
  }

  @Test
  @Timeout(60)
  void anAttemptSucceedsOnAllRanksOrOnNone() {
    // attempt 0: rank 2 fails while the others have nothing to do and finish at once; were they
    // to succeed, Spark would keep their outputs and retry rank 2's partition alone
    List<String> out = runner.run(4, ctx -> {
      if (ctx.stageAttempt() == 0 && ctx.rank() == 2) {
        throw new IllegalStateException("injected failure on rank 2");
      }
      return ctx.rank() + "@" + ctx.stageAttempt();
    });
    assertEquals(List.of("0@1", "1@1", "2@1", "3@1"), out);
  }

  @Test
  void executorAddressesGiveTheirHost() {
    assertEquals("10.0.0.5", BarrierRunner.hostOf("10.0.0.5:41000"));
    assertEquals("worker-3", BarrierRunner.hostOf("worker-3"));
    assertEquals("fe80::1", BarrierRunner.hostOf("[fe80::1]:41000"));
  }

  @Test
  @Timeout(60)
  void aRankThrowingMidAllToAllFailsTheAttemptPromptlyAndTheRetrySucceeds() {
    ENDINGS.clear();
    int block = 1 << 20;
    List<Exchanged> out = runner.run(4, ctx -> {
      Communicator c = ctx.communicator();
      if (ctx.stageAttempt() == 0 && ctx.rank() == 2) {
        // rank 2 starts its part of the all-to-all (its block for rank 0), then throws
        c.send(blocks(2, 4, block).limit(block), 0);
        throw new IllegalStateException("injected failure on rank 2");
      }
      ByteBuffer recv = ByteBuffer.allocateDirect(block * 4);
      String who = "attempt " + ctx.stageAttempt() + " rank " + ctx.rank() + ": ";
      try {
        c.allToAll(blocks(ctx.rank(), 4, block), recv);
        ENDINGS.add(who + "completed");
      } catch (CommunicatorException e) {
        ENDINGS.add(who + e.getClass().getSimpleName() + ": " + e.getMessage());
        throw e;
      }
      return new Exchanged(ctx.rank(), ctx.stageAttempt(), receivedFromAll(recv, ctx.rank(), 4,
          block));
    });
    assertEquals(List.of(new Exchanged(0, 1, true), new Exchanged(1, 1, true),
        new Exchanged(2, 1, true), new Exchanged(3, 1, true)), out);
    List<String> first = ENDINGS.stream().filter(e -> e.startsWith("attempt 0 ")).sorted()
        .toList();
    System.out.println("the first attempt's all-to-alls:\n  " + String.join("\n  ", first));
    assertEquals(3, first.size(), first.toString());
    // ranks 1 and 3 wait for rank 2's block: they find its connection closed at once (not the
    // two-minute timeout: the hang guard is one minute), possibly with a follower's; rank 0 got
    // that block before rank 2 threw and finishes or fails on a closed connection
    for (int i : new int[] {1, 2}) {
      String f = first.get(i);
      assertTrue(f.startsWith("attempt 0 rank " + (2 * i - 1) + ": PeerFailureException: ")
          && (f.contains("peer 2 closed the connection") || f.matches(".*peers \\[.*2.*\\] "
          + "closed their connections.*")) && f.contains("during all-to-all"), f);
    }
    assertTrue(first.get(0).equals("attempt 0 rank 0: completed")
        || first.get(0).contains("PeerFailureException"), first.get(0));
  }
}

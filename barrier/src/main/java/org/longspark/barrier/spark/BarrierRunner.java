package org.longspark.barrier.spark;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.longspark.barrier.comm.TcpCommunicator;
import org.longspark.barrier.comm.TcpOptions;
import scala.Function1;
import scala.collection.Iterator;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Runs a {@link RankFunction} on P Spark barrier tasks (rank = partition id): each task exchanges
 * its listening address once through the barrier all-gather, connects a {@link TcpCommunicator}
 * to the others, runs the function and always closes the communicator (so a failing rank makes
 * the others fail at once instead of waiting for the timeout).
 *
 * <p>A shuffle follows the barrier stage, which makes it a shuffle-map stage: when a task fails,
 * Spark retries the whole barrier stage (up to {@code spark.stage.maxConsecutiveAttempts}), where a
 * failed barrier result stage would simply fail the job. The ranks end with a barrier on their own
 * connections, so an attempt succeeds on all ranks or on none: Spark (4.2.0) keeps the output of
 * a task that succeeds just after its stage failed and then re-runs only the other partitions.
 * Dynamic allocation is rejected up front: Spark cannot run barrier stages with it.
 */
public final class BarrierRunner {
  static final String DYNAMIC_ALLOCATION = "spark.dynamicAllocation.enabled";

  private final JavaSparkContext spark;
  private final Duration timeout;
  private final String host;

  private BarrierRunner(JavaSparkContext spark, Duration timeout, String host) {
    this.spark = spark;
    this.timeout = timeout;
    this.host = host;
  }

  /**
   * A runner whose communicators time out after {@code timeout} without progress and listen on
   * the address Spark knows each executor by.
   */
  public static BarrierRunner on(JavaSparkContext spark, Duration timeout) {
    checkBarrierCompatible(spark.getConf());
    return new BarrierRunner(spark, timeout, null);
  }

  /** The same runner listening on {@code newHost} in every task (127.0.0.1 in tests). */
  public BarrierRunner listeningOn(String newHost) {
    return new BarrierRunner(spark, timeout, newHost);
  }

  /** Fails with the setting to change when the configuration cannot run barrier stages. */
  public static void checkBarrierCompatible(SparkConf conf) {
    if (conf.getBoolean(DYNAMIC_ALLOCATION, false)) {
      throw new IllegalStateException("barrier training cannot run with dynamic allocation: set "
          + DYNAMIC_ALLOCATION + "=false (Spark refuses barrier stages when executors may come "
          + "and go; all ranks must run at once)");
    }
  }

  /** Runs {@code fn} on {@code ranks} barrier tasks and returns their results in rank order. */
  public <T extends Serializable> List<T> run(int ranks, RankFunction<T> fn) {
    if (ranks < 1) {
      throw new IllegalArgumentException("need at least one rank, got " + ranks);
    }
    checkBarrierCompatible(spark.getConf());
    JavaRDD<Integer> seeds = spark.parallelize(IntStream.range(0, ranks).boxed().toList(), ranks);
    @SuppressWarnings("unchecked")
    ClassTag<RankResult<T>> tag = (ClassTag<RankResult<T>>) (ClassTag<?>) ClassTag$.MODULE$
        .apply(RankResult.class);
    RDD<RankResult<T>> results = seeds.rdd().barrier()
        .mapPartitions(new RankTask<>(ranks, timeout, host, fn), false, tag);
    List<RankResult<T>> collected = new ArrayList<>(
        JavaRDD.fromRDD(results, tag).repartition(1).collect());
    collected.sort(Comparator.comparingInt(RankResult::rank));
    if (collected.size() != ranks) {
      throw new IllegalStateException("expected " + ranks + " rank results, got "
          + collected.size());
    }
    return collected.stream().map(RankResult::value).toList();
  }

  /** One task's result, tagged with its rank for ordering after the shuffle. */
  record RankResult<T>(int rank, T value) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** The body of a barrier task (a Scala function, as RDDBarrier wants). */
  private static final class RankTask<T extends Serializable>
      implements Function1<Iterator<Integer>, Iterator<RankResult<T>>>, Serializable {
    private static final long serialVersionUID = 1L;
    private final int ranks;
    private final Duration timeout;
    private final String host;
    private final RankFunction<T> fn;

    RankTask(int ranks, Duration timeout, String host, RankFunction<T> fn) {
      this.ranks = ranks;
      this.timeout = timeout;
      this.host = host;
      this.fn = fn;
    }

    @Override
    public Iterator<RankResult<T>> apply(Iterator<Integer> partition) {
      BarrierTaskContext ctx = BarrierTaskContext.get();
      int rank = ctx.partitionId();
      int attempt = ctx.stageAttemptNumber();
      if (ctx.getTaskInfos().length != ranks) {
        throw new IllegalStateException("rank " + rank + ": stage attempt " + attempt + " runs "
            + ctx.getTaskInfos().length + " of the " + ranks + " ranks (Spark re-ran only some "
            + "partitions of the barrier stage); the ranks cannot form a group");
      }
      String listen = host != null ? host : hostOf(ctx.getTaskInfos()[rank].address());
      TcpOptions options = TcpOptions.on(listen, timeout);
      try (TcpCommunicator comm = TcpCommunicator.connect(new SparkRendezvous(ctx), options)) {
        T value = fn.run(new RankContext(rank, ranks, attempt, comm));
        // all or none: a rank that finished while another failed must fail too, or Spark would
        // keep its output and retry only the other partitions, which then cannot form a group
        comm.barrier();
        return scala.collection.Iterator$.MODULE$.single(new RankResult<>(rank, value));
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("rank " + rank + " (stage attempt " + attempt
            + ") failed: " + e, e);
      }
    }

  }

  /** The host of an executor address as Spark gives it: "host:port", "[v6]:port" or "host". */
  static String hostOf(String address) {
    if (address.startsWith("[")) {
      return address.substring(1, address.indexOf(']'));
    }
    int colon = address.lastIndexOf(':');
    return colon > 0 && address.indexOf(':') == colon ? address.substring(0, colon) : address;
  }
}

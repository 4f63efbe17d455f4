package org.longspark.barrier.spark;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.longspark.barrier.comm.CommunicatorException;
import org.longspark.barrier.comm.Rendezvous;

/**
 * The rendezvous of a Spark barrier stage: rank = partition id, and one
 * {@link BarrierTaskContext#allGather} per call. Spark polls it with one-second sleeps (about a
 * second per call on Spark 4.2.0), so callers exchange everything they need in one call.
 */
public final class SparkRendezvous implements Rendezvous {
  private final BarrierTaskContext context;

  public SparkRendezvous(BarrierTaskContext context) {
    this.context = context;
  }

  @Override
  public int rank() {
    return context.partitionId();
  }

  @Override
  public int size() {
    return context.getTaskInfos().length;
  }

  @Override
  public List<byte[]> allGather(byte[] mine) {
    String[] all = context.allGather(Base64.getEncoder().encodeToString(mine));
    if (all.length != size()) {
      throw new CommunicatorException("rank " + rank() + ": barrier all-gather returned "
          + all.length + " messages for " + size() + " tasks");
    }
    List<byte[]> out = new ArrayList<>(all.length);
    for (String s : all) {
      out.add(Base64.getDecoder().decode(s));
    }
    return out;
  }
}

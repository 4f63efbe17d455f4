package org.longspark.barrier.comm;

import java.util.List;

/**
 * How ranks find each other before any connection exists: one all-gather of a small byte array per
 * rank (host and port for TCP; an NCCL unique id later). Implementations: inside a Spark barrier
 * task ({@code org.longspark.barrier.spark.SparkRendezvous}, about a second per call, so call it
 * once), in-process threads ({@link LocalRendezvous}), or a known server ({@link TcpRendezvous}).
 */
public interface Rendezvous {
  int rank();

  int size();

  /** Every rank's {@code mine}, indexed by rank. */
  List<byte[]> allGather(byte[] mine);
}

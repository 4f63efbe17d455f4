package org.longspark.barrier.comm;

import java.nio.ByteBuffer;

/**
 * Collectives among the ranks of one group, over host buffers (direct {@link ByteBuffer}s; float
 * data in native byte order). Every rank of the group must make the same calls in the same order
 * with matching sizes; a mismatch is reported as an error, not a hang.
 *
 * <p>Buffers: the bytes from {@code position} to {@code limit} are the data; positions and limits
 * of the caller's buffers are left as they were. Every call blocks until this rank's part is done,
 * and fails (with {@link PeerFailureException} or {@link CommunicatorTimeoutException}) when a peer
 * dies, a connection breaks or no byte moves for the communicator's timeout. After a failure the
 * communicator is unusable: it closes its connections so that the other ranks fail promptly too.
 *
 * <p>A communicator (with its groups) is used by one thread at a time: the rank's own.
 */
public interface Communicator extends AutoCloseable {
  /** This rank's index in the group, 0 .. size-1. */
  int rank();

  int size();

  /**
   * Equal blocks: {@code send} holds size() blocks of b bytes, block j for rank j; {@code recv}
   * (same length) receives block i from rank i.
   */
  void allToAll(ByteBuffer send, ByteBuffer recv);

  /**
   * Variable blocks: {@code sendBytes[j]} bytes for rank j, consecutive in rank order in
   * {@code send}; {@code recvBytes[i]} bytes from rank i, consecutive in {@code recv}.
   */
  void allToAllv(ByteBuffer send, int[] sendBytes, ByteBuffer recv, int[] recvBytes);

  /** Every rank's {@code send} (same length everywhere) into {@code recv}, in rank order. */
  void allGather(ByteBuffer send, ByteBuffer recv);

  /**
   * Elementwise sum over all ranks, in place. Each element is summed in rank order (0, 1, ...) by
   * one rank and sent to all, so every rank ends with bit-identical results.
   */
  void allReduce(ByteBuffer data, ElementType type);

  /** Root's {@code data} into every rank's {@code data} (same length everywhere). */
  void broadcast(ByteBuffer data, int root);

  /** One message to a peer; the peer must {@link #recv} exactly as many bytes. */
  void send(ByteBuffer data, int peer);

  /** One message from a peer, filling {@code data}. */
  void recv(ByteBuffer data, int peer);

  /** Returns once every rank of the group has called it. */
  void barrier();

  /**
   * The sub-group of the given ranks (of this group), in that order; every member calls it with the
   * same array. It shares this communicator's connections, so closing it does nothing.
   */
  Communicator group(int[] ranks);

  /** Bytes and messages moved so far on this rank (payload plus framing), all groups together. */
  TrafficStats stats();

  @Override
  void close();
}

package org.longspark.barrier.comm;

import java.util.List;

/**
 * Peers closed their connections or the connections broke (the peers died, or failed first). All
 * peers of the call found closed at that moment are named: when one rank dies, others fail and
 * close too, and the one that died is among those a waiting rank finds closed.
 */
public class PeerFailureException extends CommunicatorException {
  private static final long serialVersionUID = 1L;
  private final List<Integer> peers;

  public PeerFailureException(List<Integer> peers, String message, Throwable cause) {
    super(message, cause);
    this.peers = List.copyOf(peers);
  }

  /** The peers (world ranks, ascending) whose connections were found closed or broken. */
  public List<Integer> peers() {
    return peers;
  }
}

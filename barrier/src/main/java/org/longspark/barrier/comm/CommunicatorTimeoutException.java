package org.longspark.barrier.comm;

import java.util.List;

/** No byte moved for the timeout while waiting on the listed peers. */
public class CommunicatorTimeoutException extends CommunicatorException {
  private static final long serialVersionUID = 1L;
  private final List<Integer> peers;

  public CommunicatorTimeoutException(List<Integer> peers, String message) {
    super(message);
    this.peers = List.copyOf(peers);
  }

  /** The world ranks still owing or owed bytes when the timeout fired. */
  public List<Integer> peers() {
    return peers;
  }
}

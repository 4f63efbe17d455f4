package org.longspark.barrier.comm;

/** A peer closed its connection or the connection broke (the peer died or failed first). */
public class PeerFailureException extends CommunicatorException {
  private static final long serialVersionUID = 1L;
  private final int peer;

  public PeerFailureException(int peer, String message, Throwable cause) {
    super(message, cause);
    this.peer = peer;
  }

  /** The peer's rank in the world group. */
  public int peer() {
    return peer;
  }
}

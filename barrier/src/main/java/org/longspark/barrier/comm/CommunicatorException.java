package org.longspark.barrier.comm;

/** A collective or connection setup failed; the message names the rank, the operation, the peer. */
public class CommunicatorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CommunicatorException(String message) {
    super(message);
  }

  public CommunicatorException(String message, Throwable cause) {
    super(message, cause);
  }
}

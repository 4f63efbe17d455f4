package org.longspark.barrier.comm;

/** What a rank has moved: bytes include each message's framing header. */
public record TrafficStats(long bytesSent, long bytesReceived, long messagesSent,
    long messagesReceived) {
  public static final TrafficStats ZERO = new TrafficStats(0, 0, 0, 0);

  /** The traffic between an earlier snapshot and this one. */
  public TrafficStats minus(TrafficStats earlier) {
    return new TrafficStats(bytesSent - earlier.bytesSent, bytesReceived - earlier.bytesReceived,
        messagesSent - earlier.messagesSent, messagesReceived - earlier.messagesReceived);
  }
}

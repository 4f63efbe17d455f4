package org.longspark.barrier.comm;

import java.time.Duration;

/**
 * Settings of {@link TcpCommunicator}: the host to listen on and publish (127.0.0.1 in tests, the
 * executor's address on a cluster), the timeout of every blocking call (a call fails when no byte
 * moves for this long, and connection setup must finish within it) and the socket buffer size (0:
 * the system's default).
 */
public record TcpOptions(String host, Duration timeout, int socketBufferBytes) {
  public TcpOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("TCP communicator host must be set");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("TCP communicator timeout must be positive, got "
          + timeout);
    }
    if (socketBufferBytes < 0) {
      throw new IllegalArgumentException("socket buffer bytes must be >= 0, got "
          + socketBufferBytes);
    }
  }

  /** Listening on {@code host}, with 4 MiB socket buffers. */
  public static TcpOptions on(String host, Duration timeout) {
    return new TcpOptions(host, timeout, 4 << 20);
  }

  /** Listening on 127.0.0.1 (tests, benchmarks). */
  public static TcpOptions loopback(Duration timeout) {
    return on("127.0.0.1", timeout);
  }
}

package org.longspark.barrier.comm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The full mesh of non-blocking connections of one rank and the progress engine that moves one
 * round of messages over them: all sends and receives of a round advance together from one thread
 * (no rank can block another by filling a socket buffer), each write bounded to {@link #CHUNK}
 * bytes so that peers are served in turn.
 *
 * <p>Each message is framed by a 16-byte header: its sequence number on that connection and its
 * length. The receiver checks both against what it expects, so ranks that disagree on the order or
 * size of collectives get an error naming the peer and the sizes instead of corrupted data or a
 * hang. A round fails when no byte moves for the timeout; any failure closes every connection so
 * that the peers fail promptly too.
 */
final class TcpTransport implements AutoCloseable {
  static final int HEADER = 16;
  static final int CHUNK = 1 << 20;

  private final int rank;
  private final SocketChannel[] channels;
  private final Selector selector;
  private final SelectionKey[] keys;
  private final long timeoutNanos;
  private final long[] sentSeq;
  private final long[] receivedSeq;
  private final ByteBuffer[] headerOut;
  private final ByteBuffer[] headerIn;
  private final boolean[] headerChecked;
  private final ByteBuffer[][] writePair;
  private final ByteBuffer[][] readPair;
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong bytesReceived = new AtomicLong();
  private final AtomicLong messagesSent = new AtomicLong();
  private final AtomicLong messagesReceived = new AtomicLong();
  private long rounds;
  private volatile String failure;
  private volatile boolean closed;

  /** Takes ownership of connected channels (index = peer rank, null at this rank). */
  TcpTransport(int rank, SocketChannel[] channels, long timeoutNanos) throws IOException {
    int size = channels.length;
    this.rank = rank;
    this.channels = channels;
    this.timeoutNanos = timeoutNanos;
    this.selector = Selector.open();
    this.keys = new SelectionKey[size];
    this.sentSeq = new long[size];
    this.receivedSeq = new long[size];
    this.headerOut = new ByteBuffer[size];
    this.headerIn = new ByteBuffer[size];
    this.headerChecked = new boolean[size];
    this.writePair = new ByteBuffer[size][];
    this.readPair = new ByteBuffer[size][];
    for (int p = 0; p < size; p++) {
      if (p == rank) {
        continue;
      }
      channels[p].configureBlocking(false);
      keys[p] = channels[p].register(selector, 0);
      headerOut[p] = ByteBuffer.allocateDirect(HEADER);
      headerIn[p] = ByteBuffer.allocateDirect(HEADER);
      writePair[p] = new ByteBuffer[2];
      readPair[p] = new ByteBuffer[2];
    }
  }

  int rank() {
    return rank;
  }

  int size() {
    return channels.length;
  }

  TrafficStats stats() {
    return new TrafficStats(bytesSent.get(), bytesReceived.get(), messagesSent.get(),
        messagesReceived.get());
  }

  /**
   * One round: {@code out[p]} (bytes position..limit) goes to peer p and {@code in[p]} is filled
   * from peer p, for every non-null entry (index = world rank). The buffers' positions advance.
   */
  void exchange(String op, ByteBuffer[] out, ByteBuffer[] in) {
    checkUsable(op);
    long round = ++rounds;
    String what = op + " (round " + round + ")";
    int size = channels.length;
    boolean[] sending = new boolean[size];
    boolean[] receiving = new boolean[size];
    long[] expected = new long[size];
    int pending = 0;
    for (int p = 0; p < size; p++) {
      if ((out[p] != null || in[p] != null) && p == rank) {
        throw new IllegalArgumentException("rank " + rank + ": " + what + " addresses itself");
      }
      if (out[p] != null) {
        ByteBuffer h = headerOut[p].clear();
        h.putLong(sentSeq[p]++).putLong(out[p].remaining()).flip();
        writePair[p][0] = h;
        writePair[p][1] = out[p];
        sending[p] = true;
        pending++;
      }
      if (in[p] != null) {
        headerIn[p].clear();
        headerChecked[p] = false;
        readPair[p][0] = headerIn[p];
        readPair[p][1] = in[p];
        expected[p] = in[p].remaining();
        receiving[p] = true;
        pending++;
      }
    }
    try {
      long lastProgress = System.nanoTime();
      while (pending > 0) {
        boolean moved = false;
        for (int p = 0; p < size; p++) {
          if (sending[p]) {
            long n = writeChunk(p, what, expected, receiving);
            if (n > 0) {
              moved = true;
              bytesSent.addAndGet(n);
            }
            if (!writePair[p][0].hasRemaining() && !writePair[p][1].hasRemaining()) {
              sending[p] = false;
              pending--;
              messagesSent.incrementAndGet();
            }
          }
          if (receiving[p]) {
            long n = read(p, what, expected, receiving);
            if (n < 0) {
              throw closed(p, what, expected, receiving, null);
            }
            if (n > 0) {
              moved = true;
              bytesReceived.addAndGet(n);
            }
            if (!headerIn[p].hasRemaining() && checkHeader(p, expected[p], what)
                && !in[p].hasRemaining()) {
              receiving[p] = false;
              pending--;
              messagesReceived.incrementAndGet();
            }
          }
        }
        long now = System.nanoTime();
        if (moved) {
          lastProgress = now;
          continue;
        }
        long left = timeoutNanos - (now - lastProgress);
        if (left <= 0) {
          throw timeout(what, sending, receiving, out, in, expected);
        }
        for (int p = 0; p < size; p++) {
          if (keys[p] != null) {
            keys[p].interestOps((sending[p] ? SelectionKey.OP_WRITE : 0)
                | (receiving[p] ? SelectionKey.OP_READ : 0));
          }
        }
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        selector.selectedKeys().clear();
        if (Thread.currentThread().isInterrupted()) {
          throw new CommunicatorException("rank " + rank + ": interrupted during " + what);
        }
      }
    } catch (CommunicatorException e) {
      fail(e.getMessage());
      throw e;
    } catch (IOException e) {
      String msg = "rank " + rank + ": " + what + ": selector failed: " + e;
      fail(msg);
      throw new CommunicatorException(msg, e);
    } catch (RuntimeException e) {
      fail("rank " + rank + ": " + what + " failed: " + e);
      throw e;
    }
  }

  /** Writes at most CHUNK payload bytes (plus what is left of the header) to peer p. */
  private long writeChunk(int p, String what, long[] expected, boolean[] receiving) {
    ByteBuffer body = writePair[p][1];
    int limit = body.limit();
    body.limit(Math.min(limit, body.position() + CHUNK));
    try {
      return channels[p].write(writePair[p]);
    } catch (IOException e) {
      throw closed(p, what, expected, receiving, e);
    } finally {
      body.limit(limit);
    }
  }

  private long read(int p, String what, long[] expected, boolean[] receiving) {
    try {
      return channels[p].read(readPair[p]);
    } catch (IOException e) {
      throw closed(p, what, expected, receiving, e);
    }
  }

  /**
   * Peer p's connection ended (closed, or broken with {@code cause}). When one rank dies, the ranks
   * that notice first fail and close too, so this rank may see such a follower before the rank
   * that died: every other peer it still receives from is probed once, and all found closed are
   * named.
   */
  private PeerFailureException closed(int p, String what, long[] expected, boolean[] receiving,
      IOException cause) {
    List<Integer> peers = new ArrayList<>();
    StringBuilder detail = new StringBuilder();
    for (int q = 0; q < channels.length; q++) {
      boolean ended = q == p;
      if (!ended && receiving[q]) {
        try {
          ended = channels[q].read(readPair[q]) < 0;
        } catch (IOException e) {
          ended = true;
        }
      }
      if (ended) {
        peers.add(q);
        detail.append(detail.length() == 0 ? "" : "; ").append("peer ").append(q)
            .append(receiving[q] ? ": received " + received(q, expected[q]) + " of "
                + expected[q] + " bytes" : ": while sending");
      }
    }
    String who = peers.size() == 1 ? "peer " + p + " closed the connection"
        : "peers " + peers + " closed their connections";
    return new PeerFailureException(peers, "rank " + rank + ": " + who + " during " + what
        + " (" + detail + (cause != null ? "; " + cause : "") + ")", cause);
  }

  /** Validates a complete header (once per message); throws on a mismatch. */
  private boolean checkHeader(int p, long expected, String what) {
    if (headerChecked[p]) {
      return true;
    }
    ByteBuffer h = headerIn[p];
    long seq = h.getLong(0);
    long length = h.getLong(8);
    if (seq != receivedSeq[p]) {
      throw new CommunicatorException("rank " + rank + ": " + what + ": message " + seq
          + " from peer " + p + " where message " + receivedSeq[p] + " was due (framing lost)");
    }
    if (length != expected) {
      throw new CommunicatorException("rank " + rank + ": " + what + ": peer " + p + " sent "
          + length + " bytes where " + expected + " were expected (ranks called different "
          + "collectives or passed different sizes)");
    }
    receivedSeq[p]++;
    headerChecked[p] = true;
    return true;
  }

  private static long received(ByteBuffer header, ByteBuffer payload, long expected) {
    return header.hasRemaining() ? 0 : expected - payload.remaining();
  }

  private long received(int p, long expected) {
    return received(headerIn[p], readPair[p][1], expected);
  }

  private CommunicatorTimeoutException timeout(String what, boolean[] sending,
      boolean[] receiving, ByteBuffer[] out, ByteBuffer[] in, long[] expected) {
    List<Integer> peers = new ArrayList<>();
    StringBuilder sb = new StringBuilder("rank " + rank + ": " + what + ": no progress for "
        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms, waiting on");
    for (int p = 0; p < sending.length; p++) {
      if (sending[p] || receiving[p]) {
        peers.add(p);
        sb.append(" peer ").append(p).append(" (");
        if (sending[p]) {
          sb.append(out[p].remaining()).append(" bytes unsent");
        }
        if (receiving[p]) {
          sb.append(sending[p] ? ", " : "").append("received ").append(received(p, expected[p]))
              .append(" of ").append(expected[p]).append(" bytes");
        }
        sb.append(")");
      }
    }
    return new CommunicatorTimeoutException(peers, sb.toString());
  }

  private void checkUsable(String op) {
    if (closed) {
      throw new CommunicatorException("rank " + rank + ": " + op + " on a closed communicator"
          + (failure != null ? " (it failed earlier: " + failure + ")" : ""));
    }
  }

  /** Records the failure and closes everything, so that peers see the failure at once. */
  private void fail(String reason) {
    if (failure == null) {
      failure = reason;
    }
    close();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (SocketChannel c : channels) {
      if (c != null) {
        try {
          c.close();
        } catch (IOException ignored) {
          // closing is best effort; the peer sees the connection end either way
        }
      }
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // nothing registered remains open
    }
  }
}

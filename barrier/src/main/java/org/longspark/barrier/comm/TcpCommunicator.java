package org.longspark.barrier.comm;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link Communicator} over TCP: a full mesh of connections between the ranks, set up after one
 * {@link Rendezvous} all-gather of each rank's listening address, driven by {@link TcpTransport}.
 *
 * <p>Algorithms (P ranks, every pair directly connected): all-to-all and all-gather send every
 * peer's block at once; all-reduce is a reduce-scatter (rank j sums segment j over the ranks in
 * rank order) followed by an all-gather of the sums, so results are bit-identical on every rank;
 * broadcast sends from the root to each rank; barrier exchanges empty messages with every peer.
 */
public final class TcpCommunicator implements Communicator {
  private static final int HELLO_MAGIC = 0x4C535443; // "LSTC"
  private static final int HELLO_BYTES = 4 + 8 + 4 + 4;

  private final TcpTransport transport;
  private final int[] members;
  private final int rank;
  private final boolean owner;
  private ByteBuffer scratch = ByteBuffer.allocateDirect(0);

  private TcpCommunicator(TcpTransport transport, int[] members, int rank, boolean owner) {
    this.transport = transport;
    this.members = members;
    this.rank = rank;
    this.owner = owner;
  }

  /**
   * Connects rank {@code rendezvous.rank()} to all others: listens on the options' host (port
   * chosen by the system), all-gathers the addresses once, connects to the lower ranks and accepts
   * the higher ones. Fails with the missing peers named when they do not show up in time.
   */
  public static TcpCommunicator connect(Rendezvous rendezvous, TcpOptions options) {
    int rank = rendezvous.rank();
    int size = rendezvous.size();
    long deadline = System.nanoTime() + options.timeout().toNanos();
    SocketChannel[] channels = new SocketChannel[size];
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(options.host(), 0), size);
      int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
      long nonce = new SecureRandom().nextLong();
      List<byte[]> all = rendezvous.allGather(address(nonce, options.host(), port));
      long session = nonceOf(all.get(0), 0);
      for (int p = 0; p < rank; p++) {
        channels[p] = dial(rank, p, all.get(p), session, size, options, deadline);
      }
      acceptHigher(server, rank, size, session, channels, options, deadline);
      return new TcpCommunicator(new TcpTransport(rank, channels, options.timeout().toNanos()),
          identity(size), rank, true);
    } catch (IOException | RuntimeException e) {
      for (SocketChannel c : channels) {
        closeQuietly(c);
      }
      if (e instanceof CommunicatorException ce) {
        throw ce;
      }
      throw new CommunicatorException("rank " + rank + " of " + size
          + ": connection setup failed: " + e, e);
    }
  }

  /** The rendezvous payload: nonce, then "host:port" in UTF-8. */
  private static byte[] address(long nonce, String host, int port) {
    byte[] text = (host + ":" + port).getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + text.length).putLong(nonce).put(text).array();
  }

  private static long nonceOf(byte[] payload, int from) {
    if (payload.length < 9) {
      throw new CommunicatorException("rendezvous payload of rank " + from + " is "
          + payload.length + " bytes, not a TCP address");
    }
    return ByteBuffer.wrap(payload).getLong();
  }

  private static InetSocketAddress socketAddress(byte[] payload, int from) {
    nonceOf(payload, from);
    String text = new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8);
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new CommunicatorException("rank " + from + " published a bad address '" + text + "'");
    }
    return new InetSocketAddress(text.substring(0, colon),
        Integer.parseInt(text.substring(colon + 1)));
  }

  private static SocketChannel dial(int rank, int peer, byte[] payload, long session, int size,
      TcpOptions options, long deadline) throws IOException {
    InetSocketAddress to = socketAddress(payload, peer);
    SocketChannel ch = SocketChannel.open();
    try {
      configure(ch, options);
      int millis = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      ch.socket().connect(to, millis);
      ch.configureBlocking(false);
      ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES).putInt(HELLO_MAGIC).putLong(session)
          .putInt(rank).putInt(size).flip();
      moveFully(ch, hello, true, deadline,
          "rank " + rank + ": hello to peer " + peer + " at " + to);
      return ch;
    } catch (IOException | RuntimeException e) {
      closeQuietly(ch);
      if (e instanceof CommunicatorException ce) {
        throw ce;
      }
      throw new PeerFailureException(List.of(peer), "rank " + rank + ": cannot connect to peer "
          + peer
          + " at " + to + ": " + e, e);
    }
  }

  private static void acceptHigher(ServerSocketChannel server, int rank, int size, long session,
      SocketChannel[] channels, TcpOptions options, long deadline) throws IOException {
    int missing = size - 1 - rank;
    server.configureBlocking(false);
    try (Selector sel = Selector.open()) {
      server.register(sel, SelectionKey.OP_ACCEPT);
      while (missing > 0) {
        SocketChannel ch = server.accept();
        if (ch == null) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            List<Integer> absent = new ArrayList<>();
            for (int p = rank + 1; p < size; p++) {
              if (channels[p] == null) {
                absent.add(p);
              }
            }
            throw new CommunicatorTimeoutException(absent, "rank " + rank + ": peers " + absent
                + " did not connect within " + options.timeout().toMillis() + " ms");
          }
          sel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          sel.selectedKeys().clear();
          continue;
        }
        configure(ch, options);
        ch.configureBlocking(false);
        ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES);
        moveFully(ch, hello, false, deadline, "rank " + rank + ": hello from "
            + ch.getRemoteAddress());
        hello.flip();
        int magic = hello.getInt();
        long theirSession = hello.getLong();
        int peer = hello.getInt();
        int theirSize = hello.getInt();
        if (magic != HELLO_MAGIC || theirSession != session || theirSize != size || peer <= rank
            || peer >= size || channels[peer] != null) {
          // a stray or stale connection (another session, e.g. an earlier stage attempt)
          closeQuietly(ch);
          continue;
        }
        channels[peer] = ch;
        missing--;
      }
    }
  }

  private static void configure(SocketChannel ch, TcpOptions options) throws IOException {
    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
    if (options.socketBufferBytes() > 0) {
      ch.setOption(StandardSocketOptions.SO_SNDBUF, options.socketBufferBytes());
      ch.setOption(StandardSocketOptions.SO_RCVBUF, options.socketBufferBytes());
    }
  }

  /** Writes or reads all of {@code buf} on a non-blocking channel before the deadline. */
  private static void moveFully(SocketChannel ch, ByteBuffer buf, boolean write, long deadline,
      String what) throws IOException {
    try (Selector sel = Selector.open()) {
      ch.register(sel, write ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
      while (buf.hasRemaining()) {
        int n = write ? ch.write(buf) : ch.read(buf);
        if (n < 0) {
          throw new CommunicatorException(what + ": connection closed");
        }
        if (n == 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new CommunicatorTimeoutException(List.of(), what + ": timed out");
          }
          sel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          sel.selectedKeys().clear();
        }
      }
      ch.keyFor(sel).cancel();
      sel.selectNow(); // deregisters the cancelled key, so the channel can join another selector
    }
  }

  private static void closeQuietly(SocketChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // best effort on an error path; the original error is what gets reported
      }
    }
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    Arrays.setAll(a, i -> i);
    return a;
  }

  // ---------------------------------------------------------------- group

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return members.length;
  }

  @Override
  public Communicator group(int[] ranks) {
    int me = -1;
    int[] world = new int[ranks.length];
    boolean[] seen = new boolean[members.length];
    for (int i = 0; i < ranks.length; i++) {
      int r = ranks[i];
      if (r < 0 || r >= members.length || seen[r]) {
        throw new IllegalArgumentException("group " + Arrays.toString(ranks)
            + ": ranks must be distinct and in [0, " + members.length + ")");
      }
      seen[r] = true;
      world[i] = members[r];
      if (r == rank) {
        me = i;
      }
    }
    if (me < 0) {
      throw new IllegalArgumentException("rank " + rank + " is not a member of group "
          + Arrays.toString(ranks));
    }
    return new TcpCommunicator(transport, world, me, false);
  }

  @Override
  public TrafficStats stats() {
    return transport.stats();
  }

  @Override
  public void close() {
    if (owner) {
      transport.close();
    }
  }

  // ---------------------------------------------------------------- collectives

  private ByteBuffer[] slots() {
    return new ByteBuffer[transport.size()];
  }

  /** Bytes [from, from + n) of {@code b} relative to its position, as an independent buffer. */
  private static ByteBuffer part(ByteBuffer b, long from, long n) {
    ByteBuffer d = b.duplicate();
    int start = Math.toIntExact(b.position() + from);
    d.limit(Math.toIntExact(start + n)).position(start);
    return d;
  }

  private void run(String op, ByteBuffer[] out, ByteBuffer[] in) {
    transport.exchange(op, out, in);
  }

  // Send and receive buffers of one call must not overlap.

  @Override
  public void allToAll(ByteBuffer send, ByteBuffer recv) {
    int n = size();
    if (send.remaining() % n != 0 || recv.remaining() != send.remaining()) {
      throw new IllegalArgumentException("rank " + rank + ": all-to-all needs send (" +
          send.remaining() + " bytes) divisible by " + n + " and recv of the same length ("
          + recv.remaining() + ")");
    }
    int[] counts = new int[n];
    Arrays.fill(counts, send.remaining() / n);
    exchangeBlocks("all-to-all", send, counts, recv, counts);
  }

  @Override
  public void allToAllv(ByteBuffer send, int[] sendBytes, ByteBuffer recv, int[] recvBytes) {
    int n = size();
    if (sendBytes.length != n || recvBytes.length != n) {
      throw new IllegalArgumentException("rank " + rank + ": all-to-allv needs " + n
          + " counts each way, got " + sendBytes.length + " and " + recvBytes.length);
    }
    long s = 0;
    long r = 0;
    for (int i = 0; i < n; i++) {
      if (sendBytes[i] < 0 || recvBytes[i] < 0) {
        throw new IllegalArgumentException("rank " + rank + ": negative count in all-to-allv");
      }
      s += sendBytes[i];
      r += recvBytes[i];
    }
    if (s != send.remaining() || r != recv.remaining()) {
      throw new IllegalArgumentException("rank " + rank + ": all-to-allv counts sum to " + s
          + " / " + r + " bytes but the buffers hold " + send.remaining() + " / "
          + recv.remaining());
    }
    if (sendBytes[rank] != recvBytes[rank]) {
      throw new IllegalArgumentException("rank " + rank + ": all-to-allv sends itself "
          + sendBytes[rank] + " bytes but expects " + recvBytes[rank]);
    }
    exchangeBlocks("all-to-allv", send, sendBytes, recv, recvBytes);
  }

  private void exchangeBlocks(String op, ByteBuffer send, int[] sendBytes, ByteBuffer recv,
      int[] recvBytes) {
    ByteBuffer[] out = slots();
    ByteBuffer[] in = slots();
    long so = 0;
    long ro = 0;
    for (int i = 0; i < members.length; i++) {
      ByteBuffer s = part(send, so, sendBytes[i]);
      ByteBuffer r = part(recv, ro, recvBytes[i]);
      if (i == rank) {
        r.put(s);
      } else {
        out[members[i]] = s;
        in[members[i]] = r;
      }
      so += sendBytes[i];
      ro += recvBytes[i];
    }
    run(op, out, in);
  }

  @Override
  public void allGather(ByteBuffer send, ByteBuffer recv) {
    int n = size();
    long block = send.remaining();
    if (recv.remaining() != block * n) {
      throw new IllegalArgumentException("rank " + rank + ": all-gather of " + block
          + " bytes needs recv of " + block * n + ", got " + recv.remaining());
    }
    ByteBuffer[] out = slots();
    ByteBuffer[] in = slots();
    for (int i = 0; i < n; i++) {
      ByteBuffer r = part(recv, i * block, block);
      if (i == rank) {
        r.put(send.duplicate());
      } else {
        out[members[i]] = send.duplicate();
        in[members[i]] = r;
      }
    }
    run("all-gather", out, in);
  }

  @Override
  public void allReduce(ByteBuffer data, ElementType type) {
    int n = size();
    int es = type.bytes();
    if (data.remaining() % es != 0) {
      throw new IllegalArgumentException("rank " + rank + ": all-reduce of " + data.remaining()
          + " bytes is not a whole number of " + type + " elements");
    }
    if (n == 1) {
      return;
    }
    long count = data.remaining() / es;
    long[] segStart = new long[n + 1];
    for (int i = 0; i <= n; i++) {
      segStart[i] = count * i / n;
    }
    long mine = segStart[rank + 1] - segStart[rank];
    ByteBuffer contributions = scratch((int) (mine * es * n));
    // reduce-scatter: segment j of every rank goes to rank j
    ByteBuffer[] out = slots();
    ByteBuffer[] in = slots();
    for (int i = 0; i < n; i++) {
      if (i != rank) {
        out[members[i]] = part(data, segStart[i] * es, (segStart[i + 1] - segStart[i]) * es);
        in[members[i]] = part(contributions, i * mine * es, mine * es);
      }
    }
    run("all-reduce/reduce-scatter", out, in);
    ByteBuffer own = part(data, segStart[rank] * es, mine * es);
    part(contributions, rank * mine * es, mine * es).put(own.duplicate());
    sumInRankOrder(contributions, n, (int) mine, type, own);
    // all-gather of the sums
    out = slots();
    in = slots();
    for (int i = 0; i < n; i++) {
      if (i != rank) {
        out[members[i]] = own.duplicate();
        in[members[i]] = part(data, segStart[i] * es, (segStart[i + 1] - segStart[i]) * es);
      }
    }
    run("all-reduce/all-gather", out, in);
  }

  /** dst = c_0 + c_1 + ... in rank order, accumulated in double. */
  private static void sumInRankOrder(ByteBuffer contributions, int n, int count, ElementType type,
      ByteBuffer dst) {
    ByteBuffer c = contributions.duplicate().order(ByteOrder.nativeOrder());
    ByteBuffer d = dst.duplicate().order(ByteOrder.nativeOrder());
    int base = d.position();
    if (type == ElementType.FLOAT32) {
      for (int e = 0; e < count; e++) {
        double s = 0;
        for (int i = 0; i < n; i++) {
          s += c.getFloat((i * count + e) * 4);
        }
        d.putFloat(base + e * 4, (float) s);
      }
    } else {
      for (int e = 0; e < count; e++) {
        double s = 0;
        for (int i = 0; i < n; i++) {
          s += c.getDouble((i * count + e) * 8);
        }
        d.putDouble(base + e * 8, s);
      }
    }
  }

  private ByteBuffer scratch(int bytes) {
    if (scratch.capacity() < bytes) {
      scratch = ByteBuffer.allocateDirect(bytes);
    }
    return scratch.duplicate().clear().limit(bytes);
  }

  @Override
  public void broadcast(ByteBuffer data, int root) {
    if (root < 0 || root >= size()) {
      throw new IllegalArgumentException("rank " + rank + ": broadcast root " + root
          + " outside this group of " + size());
    }
    ByteBuffer[] out = slots();
    ByteBuffer[] in = slots();
    for (int i = 0; i < size(); i++) {
      if (i == rank) {
        continue;
      }
      if (rank == root) {
        out[members[i]] = data.duplicate();
      } else if (i == root) {
        in[members[i]] = data.duplicate();
      }
    }
    run("broadcast from " + root, out, in);
  }

  @Override
  public void send(ByteBuffer data, int peer) {
    checkPeer(peer, "send to");
    ByteBuffer[] out = slots();
    out[members[peer]] = data.duplicate();
    run("send to " + peer, out, slots());
  }

  @Override
  public void recv(ByteBuffer data, int peer) {
    checkPeer(peer, "recv from");
    ByteBuffer[] in = slots();
    in[members[peer]] = data.duplicate();
    run("recv from " + peer, slots(), in);
  }

  private void checkPeer(int peer, String what) {
    if (peer < 0 || peer >= size() || peer == rank) {
      throw new IllegalArgumentException("rank " + rank + ": " + what + " " + peer
          + " is not another rank of this group of " + size());
    }
  }

  @Override
  public void barrier() {
    ByteBuffer empty = ByteBuffer.allocate(0);
    ByteBuffer[] out = slots();
    ByteBuffer[] in = slots();
    for (int i = 0; i < size(); i++) {
      if (i != rank) {
        out[members[i]] = empty.duplicate();
        in[members[i]] = empty.duplicate();
      }
    }
    run("barrier", out, in);
  }

  @Override
  public String toString() {
    return "TcpCommunicator[rank " + rank + " of " + size() + ", world ranks "
        + Arrays.toString(members) + "]";
  }
}

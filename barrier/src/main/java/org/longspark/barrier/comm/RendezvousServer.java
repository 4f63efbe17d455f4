package org.longspark.barrier.comm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The server side of {@link TcpRendezvous}: a known address (a launcher's, or rank 0's) where the
 * ranks of a group started outside Spark meet. It accepts one connection per rank, then serves
 * all-gather rounds until the ranks disconnect, on one daemon thread.
 */
public final class RendezvousServer implements AutoCloseable {
  static final int MAGIC = 0x4C535256; // "LSRV"

  private final ServerSocket server;
  private final int size;
  private final int timeoutMillis;
  private final Thread thread;
  private volatile Throwable failure;

  private RendezvousServer(ServerSocket server, int size, Duration timeout) {
    this.server = server;
    this.size = size;
    this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    this.thread = new Thread(this::serve, "rendezvous-server-" + server.getLocalPort());
    this.thread.setDaemon(true);
  }

  /** Listens on {@code host} (port chosen by the system) for a group of {@code size} ranks. */
  public static RendezvousServer start(String host, int size, Duration timeout) {
    try {
      ServerSocket s = new ServerSocket();
      s.bind(new InetSocketAddress(InetAddress.getByName(host), 0), size);
      s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
      RendezvousServer r = new RendezvousServer(s, size, timeout);
      r.thread.start();
      return r;
    } catch (IOException e) {
      throw new CommunicatorException("rendezvous server cannot listen on " + host + ": " + e, e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  /** The error that ended serving, or null. */
  public Throwable failure() {
    return failure;
  }

  private void serve() {
    List<Socket> ranks = new ArrayList<>();
    try {
      Socket[] byRank = new Socket[size];
      for (int i = 0; i < size; i++) {
        Socket s = server.accept();
        ranks.add(s);
        s.setSoTimeout(timeoutMillis);
        DataInputStream in = new DataInputStream(s.getInputStream());
        int magic = in.readInt();
        int rank = in.readInt();
        int theirSize = in.readInt();
        if (magic != MAGIC || theirSize != size || rank < 0 || rank >= size
            || byRank[rank] != null) {
          throw new IOException("bad hello: rank " + rank + " of " + theirSize + " (group of "
              + size + ")");
        }
        byRank[rank] = s;
      }
      while (true) {
        byte[][] payloads = new byte[size][];
        for (int r = 0; r < size; r++) {
          DataInputStream in = new DataInputStream(byRank[r].getInputStream());
          int n;
          try {
            n = in.readInt();
          } catch (java.io.EOFException e) {
            return; // the ranks are done with the rendezvous
          }
          payloads[r] = in.readNBytes(n);
          if (payloads[r].length != n) {
            throw new IOException("rank " + r + " sent " + payloads[r].length + " of " + n
                + " bytes");
          }
        }
        for (Socket s : byRank) {
          DataOutputStream out = new DataOutputStream(s.getOutputStream());
          for (byte[] p : payloads) {
            out.writeInt(p.length);
            out.write(p);
          }
          out.flush();
        }
      }
    } catch (SocketTimeoutException e) {
      failure = e;
    } catch (IOException e) {
      if (!server.isClosed()) {
        failure = e;
      }
    } finally {
      for (Socket s : ranks) {
        try {
          s.close();
        } catch (IOException ignored) {
          // the clients see the end of the stream either way
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // nothing else to release
    }
  }
}

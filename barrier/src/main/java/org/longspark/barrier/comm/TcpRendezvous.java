package org.longspark.barrier.comm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A rendezvous through a {@link RendezvousServer} at a known address, for ranks started outside
 * Spark (separate processes: benchmarks, a launcher script). Every read has the timeout.
 */
public final class TcpRendezvous implements Rendezvous, AutoCloseable {
  private final int rank;
  private final int size;
  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;

  private TcpRendezvous(int rank, int size, Socket socket) throws IOException {
    this.rank = rank;
    this.size = size;
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = new DataOutputStream(socket.getOutputStream());
  }

  public static TcpRendezvous connect(String host, int port, int rank, int size,
      Duration timeout) {
    Socket s = new Socket();
    try {
      int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
      s.connect(new InetSocketAddress(host, port), millis);
      s.setSoTimeout(millis);
      TcpRendezvous r = new TcpRendezvous(rank, size, s);
      r.out.writeInt(RendezvousServer.MAGIC);
      r.out.writeInt(rank);
      r.out.writeInt(size);
      r.out.flush();
      return r;
    } catch (IOException e) {
      try {
        s.close();
      } catch (IOException ignored) {
        // reporting the connect failure below
      }
      throw new CommunicatorException("rank " + rank + ": cannot reach the rendezvous server at "
          + host + ":" + port + ": " + e, e);
    }
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public List<byte[]> allGather(byte[] mine) {
    try {
      out.writeInt(mine.length);
      out.write(mine);
      out.flush();
      List<byte[]> all = new ArrayList<>(size);
      for (int r = 0; r < size; r++) {
        int n = in.readInt();
        all.add(in.readNBytes(n));
      }
      return all;
    } catch (IOException e) {
      throw new CommunicatorException("rank " + rank + ": rendezvous all-gather failed: " + e, e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // the server sees the end of the stream either way
    }
  }
}

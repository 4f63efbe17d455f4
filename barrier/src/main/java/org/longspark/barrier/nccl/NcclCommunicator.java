package org.longspark.barrier.nccl;

import static org.bytedeco.cuda.global.cudart.cudaErrorNotReady;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamQuery;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;
import static org.bytedeco.cuda.global.nccl.ncclAllGather;
import static org.bytedeco.cuda.global.nccl.ncclAllReduce;
import static org.bytedeco.cuda.global.nccl.ncclBroadcast;
import static org.bytedeco.cuda.global.nccl.ncclChar;
import static org.bytedeco.cuda.global.nccl.ncclCommAbort;
import static org.bytedeco.cuda.global.nccl.ncclCommDestroy;
import static org.bytedeco.cuda.global.nccl.ncclCommGetAsyncError;
import static org.bytedeco.cuda.global.nccl.ncclCommInitRank;
import static org.bytedeco.cuda.global.nccl.ncclDouble;
import static org.bytedeco.cuda.global.nccl.ncclFloat;
import static org.bytedeco.cuda.global.nccl.ncclGroupEnd;
import static org.bytedeco.cuda.global.nccl.ncclGroupStart;
import static org.bytedeco.cuda.global.nccl.ncclInProgress;
import static org.bytedeco.cuda.global.nccl.ncclRecv;
import static org.bytedeco.cuda.global.nccl.ncclSend;
import static org.bytedeco.cuda.global.nccl.ncclSuccess;
import static org.bytedeco.cuda.global.nccl.ncclSum;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.nccl.ncclComm;
import org.bytedeco.javacpp.Pointer;
import org.longspark.barrier.comm.Communicator;
import org.longspark.barrier.comm.CommunicatorException;
import org.longspark.barrier.comm.CommunicatorTimeoutException;
import org.longspark.barrier.comm.ElementType;
import org.longspark.barrier.comm.PeerFailureException;
import org.longspark.barrier.comm.Rendezvous;
import org.longspark.barrier.comm.TrafficStats;
import org.longspark.kernels.cuda.CudaDevice;
import org.longspark.kernels.cuda.DeviceBuffer;

/**
 * Collectives over NCCL, one GPU per rank. The GPU-resident methods (taking {@link DeviceBuffer}s)
 * are the training path; the {@link Communicator} methods over host buffers stage the bytes through
 * a device buffer, so that code and tests written against the interface run on NCCL unchanged.
 *
 * <p>Bootstrap: rank 0's NCCL unique id travels through the same {@link Rendezvous} the TCP
 * communicator uses. Each call enqueues NCCL work on this communicator's stream and waits for it
 * while polling NCCL's asynchronous error state: a failed peer, an NCCL error or the timeout
 * aborts the communicator ({@code ncclCommAbort}) and throws, so the other ranks' NCCL calls fail
 * too instead of hanging. The timeout bounds each call's completion (not, as over TCP, the time
 * without progress). Sums follow NCCL's reduction order, which is the same on every rank but not
 * rank order: over several ranks they match a rank-ordered sum up to float rounding.
 *
 * <p>NVLink multicast (NVLS) must stay off on shared hosts: a group of more than one rank is
 * refused unless {@code NCCL_NVLS_ENABLE=0} is in the environment.
 */
public final class NcclCommunicator implements Communicator {
  /** Waiting: spin this long first (a park costs ~50 us of wake-up latency), then park in steps. */
  private static final long SPIN_NANOS = 200_000;
  private static final long POLL_NANOS = 20_000;

  private final int rank;
  private final int size;
  /** World rank of each member, for error messages. */
  private final int[] worldRanks;
  private final CudaDevice device;
  private final Duration timeout;
  private final ncclComm comm;
  private final CUstream_st stream;
  private final boolean child;
  private final Map<List<Integer>, NcclCommunicator> groups = new HashMap<>();
  private DeviceBuffer staging;
  private long bytesSent;
  private long bytesReceived;
  private long messagesSent;
  private long messagesReceived;
  private boolean failed;
  private boolean closed;

  private NcclCommunicator(
      int rank, int[] worldRanks, CudaDevice device, byte[] uniqueId, Duration timeout, boolean child) {
    this.rank = rank;
    this.size = worldRanks.length;
    this.worldRanks = worldRanks;
    this.device = device;
    this.timeout = timeout;
    this.child = child;
    if (size > 1 && !"0".equals(System.getenv("NCCL_NVLS_ENABLE"))) {
      throw new CommunicatorException(
          "rank " + worldRanks[rank] + ": refusing to start NCCL across " + size + " ranks with NVLink"
              + " multicast allowed; set NCCL_NVLS_ENABLE=0 in the environment (spark.executorEnv"
              + ".NCCL_NVLS_ENABLE=0 on a cluster): NVLS can take a shared host's GPUs out of service");
    }
    useDevice();
    this.comm = new ncclComm();
    NcclLibrary.check(
        ncclCommInitRank(comm, size, NcclLibrary.uniqueId(uniqueId), rank),
        "rank " + worldRanks[rank] + ": ncclCommInitRank(" + size + " ranks)");
    this.stream = new CUstream_st();
    cuda(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  }

  /**
   * Joins the group the rendezvous describes, on {@code device}. Rank 0 creates the NCCL unique id
   * and every rank receives it through one {@link Rendezvous#allGather}.
   */
  public static NcclCommunicator connect(Rendezvous rendezvous, CudaDevice device, Duration timeout) {
    NcclLibrary.require();
    byte[] mine = rendezvous.rank() == 0 ? NcclLibrary.newUniqueId() : new byte[0];
    byte[] id = rendezvous.allGather(mine).get(0);
    return new NcclCommunicator(
        rendezvous.rank(), IntStream.range(0, rendezvous.size()).toArray(), device, id, timeout, false);
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return size;
  }

  /** The CUDA stream its NCCL work runs on, for timing that work with CUDA events. */
  public CUstream_st stream() {
    return stream;
  }

  public CudaDevice device() {
    return device;
  }

  // ---------------------------------------------------------------------------------------------
  // GPU-resident collectives

  /** Elementwise sum over all ranks of {@code count} elements at the start of {@code data}, in place. */
  public void allReduce(DeviceBuffer data, long count, ElementType type) {
    requireBytes(data, count * type.bytes(), "allReduce");
    if (count == 0) {
      return;
    }
    Pointer p = address(data, 0);
    int dtype = type == ElementType.FLOAT32 ? ncclFloat : ncclDouble;
    run("allReduce", () -> ncclAllReduce(p, p, count, dtype, ncclSum, comm, stream));
    count(count * type.bytes() * (size - 1), count * type.bytes() * (size - 1), size - 1);
  }

  /**
   * Equal blocks: {@code send} holds size() blocks of {@code blockBytes}, block j for rank j;
   * {@code recv} receives block i from rank i.
   */
  public void allToAll(DeviceBuffer send, DeviceBuffer recv, long blockBytes) {
    requireBytes(send, blockBytes * size, "allToAll send");
    requireBytes(recv, blockBytes * size, "allToAll recv");
    long[] counts = new long[size];
    Arrays.fill(counts, blockBytes);
    exchange(send, 0, counts, recv, 0, counts);
  }

  /** Every rank's first {@code blockBytes} of {@code send} into {@code recv}, in rank order. */
  public void allGather(DeviceBuffer send, DeviceBuffer recv, long blockBytes) {
    requireBytes(send, blockBytes, "allGather send");
    requireBytes(recv, blockBytes * size, "allGather recv");
    gather(send, 0, recv, 0, blockBytes);
  }

  /** ncclAllGather of {@code blockBytes} from {@code send} at one offset to {@code recv} at another. */
  private void gather(DeviceBuffer send, long sendOffset, DeviceBuffer recv, long recvOffset, long blockBytes) {
    if (blockBytes == 0) {
      return;
    }
    Pointer s = address(send, sendOffset);
    Pointer r = address(recv, recvOffset);
    run("allGather", () -> ncclAllGather(s, r, blockBytes, ncclChar, comm, stream));
    count(blockBytes * (size - 1), blockBytes * (size - 1), size - 1);
  }

  /** Root's first {@code bytes} of {@code data} into every rank's {@code data}. */
  public void broadcast(DeviceBuffer data, long bytes, int root) {
    requirePeer(root, "broadcast root");
    requireBytes(data, bytes, "broadcast");
    if (bytes == 0) {
      return;
    }
    Pointer p = address(data, 0);
    run("broadcast from " + worldRanks[root], () -> ncclBroadcast(p, p, bytes, ncclChar, root, comm, stream));
    if (rank == root) {
      count(bytes * (size - 1), 0, size - 1);
    } else {
      count(0, bytes, 1);
    }
  }

  /**
   * Variable point-to-point exchange in one NCCL group: {@code sendCounts[j]} bytes from
   * {@code send} (from byte {@code sendOffset}, consecutive in rank order) to rank j and
   * {@code recvCounts[i]} bytes from rank i into {@code recv} (from {@code recvOffset}).
   */
  private void exchange(
      DeviceBuffer send, long sendOffset, long[] sendCounts, DeviceBuffer recv, long recvOffset, long[] recvCounts) {
    long sent = 0;
    long received = 0;
    for (int j = 0; j < size; j++) {
      sent += j == rank ? 0 : sendCounts[j];
      received += j == rank ? 0 : recvCounts[j];
    }
    Pointer[] to = new Pointer[size];
    Pointer[] from = new Pointer[size];
    long so = sendOffset;
    long ro = recvOffset;
    for (int j = 0; j < size; j++) {
      to[j] = sendCounts[j] == 0 ? null : address(send, so);
      from[j] = recvCounts[j] == 0 ? null : address(recv, ro);
      so += sendCounts[j];
      ro += recvCounts[j];
    }
    run("allToAll", () -> {
      int rc = ncclGroupStart();
      for (int j = 0; j < size && rc == ncclSuccess; j++) {
        // Zero-byte messages are skipped on both sides: both know every count.
        if (sendCounts[j] > 0) {
          rc = ncclSend(to[j], sendCounts[j], ncclChar, j, comm, stream);
        }
        if (rc == ncclSuccess && recvCounts[j] > 0) {
          rc = ncclRecv(from[j], recvCounts[j], ncclChar, j, comm, stream);
        }
      }
      int end = ncclGroupEnd();
      return rc != ncclSuccess ? rc : end;
    });
    count(sent, received, size - 1);
  }

  // ---------------------------------------------------------------------------------------------
  // Communicator over host buffers: staged through a device buffer

  @Override
  public void allToAll(ByteBuffer send, ByteBuffer recv) {
    int n = send.remaining();
    if (n % size != 0 || recv.remaining() != n) {
      throw new IllegalArgumentException(where("allToAll") + ": send has " + n + " bytes, recv "
          + recv.remaining() + "; both must hold " + size + " equal blocks");
    }
    int[] counts = new int[size];
    Arrays.fill(counts, n / size);
    allToAllv(send, counts, recv, counts);
  }

  @Override
  public void allToAllv(ByteBuffer send, int[] sendBytes, ByteBuffer recv, int[] recvBytes) {
    long[] sc = longs(sendBytes, send.remaining(), "allToAllv send");
    long[] rc = longs(recvBytes, recv.remaining(), "allToAllv recv");
    if (sc[rank] != rc[rank]) {
      throw new IllegalArgumentException(where("allToAllv") + ": sends itself " + sc[rank]
          + " bytes but expects " + rc[rank]);
    }
    DeviceBuffer s = staging(send.remaining() + (long) recv.remaining());
    upload(send, s);
    exchange(s, 0, sc, s, send.remaining(), rc);
    download(s, send.remaining(), recv);
  }

  @Override
  public void allGather(ByteBuffer send, ByteBuffer recv) {
    int b = send.remaining();
    if (recv.remaining() != (long) b * size) {
      throw new IllegalArgumentException(where("allGather") + ": recv has " + recv.remaining()
          + " bytes, expected " + size + " x " + b);
    }
    DeviceBuffer s = staging((long) b * (size + 1));
    upload(send, s);
    gather(s, 0, s, b, b);
    download(s, b, recv);
  }

  @Override
  public void allReduce(ByteBuffer data, ElementType type) {
    if (data.remaining() % type.bytes() != 0) {
      throw new IllegalArgumentException(where("allReduce") + ": " + data.remaining()
          + " bytes is not a whole number of " + type);
    }
    DeviceBuffer s = staging(data.remaining());
    upload(data, s);
    allReduce(s, data.remaining() / type.bytes(), type);
    download(s, 0, data);
  }

  @Override
  public void broadcast(ByteBuffer data, int root) {
    DeviceBuffer s = staging(data.remaining());
    upload(data, s);
    broadcast(s, data.remaining(), root);
    download(s, 0, data);
  }

  @Override
  public void send(ByteBuffer data, int peer) {
    requireOther(peer, "send to");
    long[] sc = new long[size];
    sc[peer] = data.remaining();
    DeviceBuffer s = staging(data.remaining());
    upload(data, s);
    exchange(s, 0, sc, s, 0, new long[size]);
  }

  @Override
  public void recv(ByteBuffer data, int peer) {
    requireOther(peer, "recv from");
    long[] rc = new long[size];
    rc[peer] = data.remaining();
    DeviceBuffer s = staging(data.remaining());
    exchange(s, 0, new long[size], s, 0, rc);
    download(s, 0, data);
  }

  @Override
  public void barrier() {
    allReduce(staging(4), 1, ElementType.FLOAT32);
  }

  /**
   * The members' own NCCL communicator (made once per member list and kept): the first member
   * creates a unique id and sends it to the others over this communicator.
   */
  @Override
  public Communicator group(int[] ranks) {
    List<Integer> key = Arrays.stream(ranks).boxed().toList();
    NcclCommunicator existing = groups.get(key);
    if (existing != null) {
      return existing;
    }
    int me = key.indexOf(rank);
    if (me < 0 || key.stream().distinct().count() != ranks.length) {
      throw new IllegalArgumentException(where("group") + ": " + key
          + " must list distinct ranks including this one");
    }
    byte[] id = new byte[NcclLibrary.UNIQUE_ID_BYTES];
    ByteBuffer buffer = ByteBuffer.allocateDirect(id.length);
    if (me == 0) {
      id = NcclLibrary.newUniqueId();
      for (int i = 1; i < ranks.length; i++) {
        send(buffer.clear().put(id).flip(), ranks[i]);
      }
    } else {
      recv(buffer, ranks[0]);
      buffer.get(0, id); // absolute: recv fills the buffer without moving its position
    }
    int[] world = Arrays.stream(ranks).map(r -> worldRanks[r]).toArray();
    NcclCommunicator g = new NcclCommunicator(me, world, device, id, timeout, true);
    groups.put(key, g);
    return g;
  }

  @Override
  public TrafficStats stats() {
    return new TrafficStats(bytesSent, bytesReceived, messagesSent, messagesReceived);
  }

  /** Destroys the NCCL communicator (aborts it after a failure), its groups and its buffers. */
  @Override
  public void close() {
    if (child || closed) {
      return; // a group lives as long as the communicator that made it
    }
    release();
  }

  private void release() {
    closed = true;
    for (NcclCommunicator g : groups.values()) {
      g.release();
    }
    useDevice();
    int rc = failed ? ncclCommAbort(comm) : ncclCommDestroy(comm);
    cudaStreamDestroy(stream);
    if (staging != null) {
      staging.close();
    }
    NcclLibrary.check(rc, where(failed ? "ncclCommAbort" : "ncclCommDestroy"));
  }

  // ---------------------------------------------------------------------------------------------
  // Mechanics

  /** Enqueues NCCL work, then waits for the stream while watching for errors and the timeout. */
  private void run(String op, NcclCall call) {
    if (failed || closed) {
      throw new CommunicatorException(where(op) + ": communicator is " + (closed ? "closed" : "aborted after an earlier failure"));
    }
    useDevice();
    int rc = call.enqueue();
    if (rc != ncclSuccess && rc != ncclInProgress) {
      abort();
      throw new PeerFailureException(peers(), where(op) + ": " + NcclLibrary.describe(rc), null);
    }
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    int[] async = new int[1];
    while (true) {
      int state = cudaStreamQuery(stream);
      if (state == cudaSuccess) {
        return;
      }
      if (state != cudaErrorNotReady) {
        abort();
        throw new CommunicatorException(where(op) + ": CUDA error " + state + " ("
            + cudaGetErrorString(state).getString() + ")");
      }
      NcclLibrary.check(ncclCommGetAsyncError(comm, async), where("ncclCommGetAsyncError"));
      if (async[0] != ncclSuccess && async[0] != ncclInProgress) {
        abort();
        throw new PeerFailureException(peers(), where(op) + ": " + NcclLibrary.describe(async[0]), null);
      }
      if (System.nanoTime() - deadline > 0) {
        abort();
        throw new CommunicatorTimeoutException(peers(), where(op) + ": not finished after "
            + timeout.toMillis() + " ms waiting on peers " + peers() + "; communicator aborted");
      }
      if (System.nanoTime() - start < SPIN_NANOS) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(POLL_NANOS);
      }
    }
  }

  /** Aborting makes the peers' pending NCCL operations fail rather than wait forever. */
  private void abort() {
    if (!failed) {
      failed = true;
      ncclCommAbort(comm);
    }
  }

  @FunctionalInterface
  private interface NcclCall {
    int enqueue();
  }

  private void useDevice() {
    device.makeCurrent();
    cuda(cudaSetDevice(device.ordinal()), "cudaSetDevice(" + device.ordinal() + ")");
  }

  private static void cuda(int result, String what) {
    if (result != cudaSuccess) {
      throw new CommunicatorException(what + " failed: CUDA error " + result + " ("
          + cudaGetErrorString(result).getString() + ")");
    }
  }

  /** A device scratch buffer of at least {@code bytes}, grown on demand and reused. */
  private DeviceBuffer staging(long bytes) {
    if (staging == null || staging.bytes() < bytes) {
      if (staging != null) {
        staging.close();
      }
      staging = DeviceBuffer.allocate(device, Math.max(bytes, 1 << 16));
    }
    return staging;
  }

  private static void upload(ByteBuffer host, DeviceBuffer d) {
    if (host.remaining() > 0) {
      d.copyFromHost(host);
    }
  }

  /** Copies device bytes from {@code offset} into {@code host}'s position..limit. */
  private static void download(DeviceBuffer d, long offset, ByteBuffer host) {
    if (host.remaining() > 0) {
      d.copyToHost(offset, host);
    }
  }

  private static Pointer address(DeviceBuffer b, long offset) {
    long a = b.address() + offset;
    return new Pointer() {
      {
        address = a;
      }
    };
  }

  private long[] longs(int[] counts, int available, String what) {
    if (counts.length != size) {
      throw new IllegalArgumentException(where(what) + ": " + counts.length + " counts for " + size + " ranks");
    }
    long total = 0;
    long[] out = new long[size];
    for (int j = 0; j < size; j++) {
      if (counts[j] < 0) {
        throw new IllegalArgumentException(where(what) + ": negative count " + counts[j] + " for rank " + j);
      }
      out[j] = counts[j];
      total += counts[j];
    }
    if (total != available) {
      throw new IllegalArgumentException(where(what) + ": counts add up to " + total + " bytes but the buffer holds " + available);
    }
    return out;
  }

  private void requireBytes(DeviceBuffer b, long bytes, String what) {
    if (bytes < 0 || b.bytes() < bytes) {
      throw new IllegalArgumentException(where(what) + ": needs " + bytes + " bytes, buffer has " + b.bytes());
    }
  }

  private void requirePeer(int peer, String what) {
    if (peer < 0 || peer >= size) {
      throw new IllegalArgumentException(where(what) + ": rank " + peer + " is not in 0.." + (size - 1));
    }
  }

  /** Point-to-point messages go to another rank, as over TCP (a message to oneself would wait forever). */
  private void requireOther(int peer, String what) {
    requirePeer(peer, what);
    if (peer == rank) {
      throw new IllegalArgumentException(where(what) + ": " + peer + " is this rank, not another rank of the group");
    }
  }

  private void count(long sent, long received, long messages) {
    bytesSent += sent;
    bytesReceived += received;
    messagesSent += sent > 0 ? messages : 0;
    messagesReceived += received > 0 ? messages : 0;
  }

  private List<Integer> peers() {
    List<Integer> out = new ArrayList<>();
    for (int r = 0; r < size; r++) {
      if (r != rank) {
        out.add(worldRanks[r]);
      }
    }
    return out;
  }

  private String where(String op) {
    return "rank " + worldRanks[rank] + " (NCCL, " + size + " ranks, " + device + ") " + op;
  }
}

package org.longspark.barrier.nccl;

import static org.bytedeco.cuda.global.nccl.ncclGetErrorString;
import static org.bytedeco.cuda.global.nccl.ncclGetUniqueId;
import static org.bytedeco.cuda.global.nccl.ncclGetVersion;

import java.util.Optional;
import org.bytedeco.cuda.nccl.ncclUniqueId;
import org.bytedeco.javacpp.BytePointer;
import org.longspark.barrier.comm.CommunicatorException;

/**
 * NCCL through JavaCPP's CUDA presets ({@code org.bytedeco:cuda}): its JNI glue comes from Maven,
 * libnccl.so.2 and libcudart.so.13 from the machine (CUDA 13 with NCCL 2.2x on the GPU hosts).
 */
public final class NcclLibrary {
  /** Bytes of an ncclUniqueId, the token rank 0 hands every rank through the rendezvous. */
  static final int UNIQUE_ID_BYTES = 128;

  private static volatile Optional<String> unavailable;

  private NcclLibrary() {}

  /** Why NCCL cannot be used in this process, or empty when it can. Never throws. */
  public static Optional<String> unavailableReason() {
    Optional<String> r = unavailable;
    if (r == null) {
      try {
        int[] version = new int[1];
        int rc = ncclGetVersion(version);
        r = rc == 0 ? Optional.empty() : Optional.of("ncclGetVersion failed: " + rc);
      } catch (LinkageError e) {
        r = Optional.of("NCCL could not be loaded (libnccl.so.2 and libcudart.so.13 needed): " + e);
      }
      unavailable = r;
    }
    return r;
  }

  /** The NCCL version as NCCL encodes it (22803 for 2.28.3). */
  public static int version() {
    require();
    int[] version = new int[1];
    check(ncclGetVersion(version), "ncclGetVersion");
    return version[0];
  }

  static void require() {
    unavailableReason().ifPresent(reason -> {
      throw new CommunicatorException(reason);
    });
  }

  /** A fresh unique id, as the bytes every rank passes to ncclCommInitRank. */
  static byte[] newUniqueId() {
    ncclUniqueId id = new ncclUniqueId();
    check(ncclGetUniqueId(id), "ncclGetUniqueId");
    byte[] raw = new byte[UNIQUE_ID_BYTES];
    new BytePointer(id).capacity(UNIQUE_ID_BYTES).get(raw);
    return raw;
  }

  static ncclUniqueId uniqueId(byte[] raw) {
    if (raw.length != UNIQUE_ID_BYTES) {
      throw new CommunicatorException(
          "NCCL unique id from rank 0 has " + raw.length + " bytes, expected " + UNIQUE_ID_BYTES);
    }
    ncclUniqueId id = new ncclUniqueId();
    new BytePointer(id).capacity(UNIQUE_ID_BYTES).put(raw);
    return id;
  }

  static void check(int result, String what) {
    if (result != 0) {
      throw new CommunicatorException(what + " failed: " + describe(result));
    }
  }

  static String describe(int result) {
    return "NCCL error " + result + " (" + ncclGetErrorString(result).getString() + ")";
  }
}

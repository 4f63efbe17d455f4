package org.longspark.kernels.gemm;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.driver.CUdeviceptr;
import org.longspark.kernels.cuda.CudaDevice;
import org.longspark.kernels.cuda.CudaKernel;
import org.longspark.kernels.cuda.CudaKernel.StreamOrder;
import org.longspark.kernels.cuda.CudaStream;
import org.longspark.kernels.cuda.DependentLaunch;
import org.longspark.kernels.cuda.DeviceBuffer;
import org.longspark.kernels.cuda.KernelModule;
import org.longspark.kernels.nvfp4.Nvfp4Layout;

/**
 * The GEMM kernels of one device. Every call is stream-ordered: it checks shapes and buffer sizes,
 * launches, and returns without waiting or copying through the host. Row-major matrices, fp32
 * accumulation; the output is {@code m x n} contiguous in {@code out} format.
 *
 * <p>Shape rules (else {@link IllegalArgumentException} naming the rule): n and k multiples of 16,
 * m >= 1 (any); 16-bit buffers hold their matrices contiguously. Kernel choice with
 * {@link GemmVariant#AUTO}: m <= 16 and k % 128 == 0: the small-M kernel (split-K over a cluster of
 * 1, 2 or 4 CTAs, no workspace); NVFP4 with k % 64 != 0: dequantize-then-GEMM (needs a workspace); otherwise the wgmma
 * kernel with a 128 x 256 CTA tile, or 128 x 128 when 128 x 256 tiles would not fill the GPU;
 * NVFP4 with m >= {@link #EXPAND_MIN_M} and a workspace of {@link #workspaceBytes} bytes:
 * dequantize-then-GEMM. Bit-placed weights ({@link #bitPlace}) go to the small-M kernel only.
 *
 * <p>The small-M kernels are launched with programmatic dependent launch where available
 * ({@link DependentLaunch}; {@link #load(CudaDevice, boolean)} turns it off): in a decode step's
 * chain of launches each one's start overlaps the previous kernel's tail. They wait for the kernels
 * before them before touching any memory, so this is safe whatever those kernels write.
 */
public final class GemmKernels {
  static final int SKINNY_MAX_M = 16;
  static final int SKINNY_THREADS = 512; // gemm_skinny.cu: 16 warps per CTA,
  static final int SKINNY_KQ = 2; // two per row group of 16, each half of the CTA's K slice,
  static final int SKINNY_ROWS = 128; // so 128 weight rows per CTA
  static final int SKINNY_K_STEP = 128; // its K slices are multiples of this
  static final int SKINNY_MAX_SPLITS = 4; // K slices = CTAs per cluster: 1, 2 or 4
  static final int SKINNY_STATIC_SHARED = 128; // its static shared memory: the cluster reduction's barrier, padded so that the dynamic part starts on a 128-byte line
  static final int WGMMA_M = 128; // CTA tile rows of gemm_wgmma.cu
  private static final CUdeviceptr NULL = new CUdeviceptr();

  /** The products; each names its operand layout in the method of the same name. */
  public enum Op {
    LINEAR,
    LINEAR_DGRAD,
    LINEAR_WGRAD,
    W4A16,
    W4A4
  }

  /** Shared-memory operand kinds of gemm_wgmma.cu (they size its pipeline stages). */
  enum Operand {
    K16,
    MN16,
    FP4_ROW,
    FP4_TILE
  }

  private final CudaDevice device;
  private final KernelModule wgmmaModule;
  private final KernelModule skinnyModule;
  private final int multiprocessors;
  private final int sharedOptin; // dynamic shared memory a launch may ask for
  private final Map<String, CudaKernel> prepared = new ConcurrentHashMap<>();
  private final StreamOrder skinnyOrder;

  private GemmKernels(CudaDevice device, boolean dependentLaunch) {
    this.device = device;
    this.skinnyOrder = dependentLaunch ? StreamOrder.PROGRAMMATIC : StreamOrder.SERIAL;
    this.wgmmaModule = KernelModule.load(device, "gemm_wgmma");
    this.skinnyModule = KernelModule.load(device, "gemm_skinny");
    this.multiprocessors = device.multiprocessorCount();
    this.sharedOptin = device.sharedMemoryPerBlockOptin();
  }

  /** Loads the kernel modules on {@code device} (once per JVM; cheap afterwards). */
  public static GemmKernels load(CudaDevice device) {
    return load(device, true);
  }

  /**
   * As {@link #load(CudaDevice)}; {@code dependentLaunch} false launches the small-M kernels
   * plainly (each starts when the work before it has finished), as benchmarks compare.
   */
  public static GemmKernels load(CudaDevice device, boolean dependentLaunch) {
    return new GemmKernels(device, dependentLaunch);
  }

  /** Whether this instance's small-M launches overlap the previous kernel's tail (asked for, and available). */
  public boolean dependentLaunch() {
    return skinnyOrder == StreamOrder.PROGRAMMATIC && DependentLaunch.available();
  }

  public CudaDevice device() {
    return device;
  }

  // ---------------------------------------------------------------------------------------------
  // bf16 x bf16: the three products of a linear layer's training step
  // ---------------------------------------------------------------------------------------------

  /** Forward: {@code y[m,n] = x[m,k] w[n,k]^T}. */
  public void linear(
      CudaStream stream, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, int m, int n, int k,
      OutputFormat out, Epilogue epi, GemmVariant variant, GemmWorkspace ws) {
    checkDims(Op.LINEAR, m, n, k);
    requireBytes(x, 2L * m * k, "x (bf16 " + m + "x" + k + ")");
    requireBytes(w, 2L * n * k, "w (bf16 " + n + "x" + k + ")");
    checkOutput(y, m, n, out, epi);
    GemmVariant v = resolve(Op.LINEAR, variant, m, n, k, ws);
    switch (v.kind()) {
      case SKINNY:
        launchSkinny("skinny_bf16", Op.LINEAR, false, stream, x, w, NULL, NULL, NULL, NULL, y, epi, m, n, k, k, k, v.splits(), out);
        break;
      case WGMMA:
        launchWgmma("gemm_bf16_kk", Operand.K16, Operand.K16, v.tileN(), stream, x, w, NULL, NULL, NULL, NULL, y, epi, m, n, k, k, k, out);
        break;
      default:
        throw new IllegalArgumentException(Op.LINEAR + " has no " + v + " variant");
    }
  }

  /** Input gradient: {@code dx[m,k] = dy[m,n] w[n,k]} (w read N-major, no transposed copy). */
  public void linearDgrad(
      CudaStream stream, DeviceBuffer dy, DeviceBuffer w, DeviceBuffer dx, int m, int n, int k,
      OutputFormat out, Epilogue epi, GemmVariant variant) {
    checkDims(Op.LINEAR_DGRAD, m, n, k);
    requireBytes(dy, 2L * m * n, "dy (bf16 " + m + "x" + n + ")");
    requireBytes(w, 2L * n * k, "w (bf16 " + n + "x" + k + ")");
    checkOutput(dx, m, k, out, epi);
    GemmVariant v = resolve(Op.LINEAR_DGRAD, variant, m, k, n, null);
    // GEMM rows m, columns k, reduction n: A = dy [m][n] K-major, B = w [n][k] N-major.
    launchWgmma("gemm_bf16_kn", Operand.K16, Operand.MN16, v.tileN(), stream, dy, w, NULL, NULL, NULL, NULL, dx, epi, m, k, n, n, k, out);
  }

  /** Weight gradient: {@code dw[n,k] = dy[m,n]^T x[m,k]}; m (the tokens) may be any count. */
  public void linearWgrad(
      CudaStream stream, DeviceBuffer dy, DeviceBuffer x, DeviceBuffer dw, int m, int n, int k,
      OutputFormat out, Epilogue epi, GemmVariant variant) {
    checkDims(Op.LINEAR_WGRAD, m, n, k);
    requireBytes(dy, 2L * m * n, "dy (bf16 " + m + "x" + n + ")");
    requireBytes(x, 2L * m * k, "x (bf16 " + m + "x" + k + ")");
    checkOutput(dw, n, k, out, epi);
    GemmVariant v = resolve(Op.LINEAR_WGRAD, variant, n, k, m, null);
    // GEMM rows n, columns k, reduction m: A = dy [m][n] M-major, B = x [m][k] N-major.
    launchWgmma("gemm_bf16_mn", Operand.MN16, Operand.MN16, v.tileN(), stream, dy, x, NULL, NULL, NULL, NULL, dw, epi, n, k, m, n, k, out);
  }

  // ---------------------------------------------------------------------------------------------
  // NVFP4
  // ---------------------------------------------------------------------------------------------

  /** {@code y[m,n] = x[m,k] w[n,k]^T}: bf16 activations, NVFP4 weights (either scale layout). */
  public void w4a16(
      CudaStream stream, DeviceBuffer x, Nvfp4Operand w, DeviceBuffer y, int m, OutputFormat out,
      Epilogue epi, GemmVariant variant, GemmWorkspace ws) {
    int n = w.rows(), k = w.cols();
    checkDims(Op.W4A16, m, n, k);
    requireBytes(x, 2L * m * k, "x (bf16 " + m + "x" + k + ")");
    checkOutput(y, m, n, out, epi);
    GemmVariant v = resolve(Op.W4A16, variant, m, n, k, ws);
    requireCodecOrderUnlessSkinny(Op.W4A16, w, v, m, k);
    boolean tile = w.layout() == Nvfp4Layout.TILE_16x16;
    String lay = tile ? "tile" : "row";
    switch (v.kind()) {
      case SKINNY:
        launchSkinny("skinny_w4a16_" + lay + w.order().kernelSuffix(), Op.W4A16, w.bitPlaced(), stream, x, w.packed(), NULL, w.scales(), NULL, w.globalDecodeScale(), y, epi, m, n, k, k, k, v.splits(), out);
        break;
      case WGMMA:
        launchWgmma("gemm_w4a16_" + lay, Operand.K16, tile ? Operand.FP4_TILE : Operand.FP4_ROW, v.tileN(), stream, x, w.packed(), NULL, w.scales(), NULL, w.globalDecodeScale(), y, epi, m, n, k, k, k, out);
        break;
      case EXPAND: {
        requireScratch(ws, 2L * n * k, Op.W4A16, v);
        CUdeviceptr wb = ws.scratch(0);
        expand("nvfp4_expand_bf16_" + lay, stream, w, n, wb);
        launchWgmma("gemm_bf16_kk", Operand.K16, Operand.K16, v.tileN(), stream, x, wb, NULL, NULL, NULL, w.globalDecodeScale(), y, epi, m, n, k, k, k, out);
        break;
      }
      default:
        throw new IllegalStateException(v.toString());
    }
  }

  /**
   * {@code y[m,n] = x[m,k] w[n,k]^T}: NVFP4 activations (ROW_1x16; the first m rows of x are read)
   * and NVFP4 weights (either scale layout). Both global decode scales are applied in fp32.
   */
  public void w4a4(
      CudaStream stream, Nvfp4Operand x, Nvfp4Operand w, DeviceBuffer y, int m, OutputFormat out,
      Epilogue epi, GemmVariant variant, GemmWorkspace ws) {
    int n = w.rows(), k = w.cols();
    checkDims(Op.W4A4, m, n, k);
    if (x.layout() != Nvfp4Layout.ROW_1x16) {
      throw new IllegalArgumentException("W4A4 activations must use ROW_1x16 scales, got " + x.layout());
    }
    if (x.cols() != k) {
      throw new IllegalArgumentException("W4A4: activations have " + x.cols() + " columns, weights " + k + " (K must agree)");
    }
    if (x.rows() < m) {
      throw new IllegalArgumentException("W4A4: m = " + m + " but the activation operand has " + x.rows() + " rows");
    }
    if (x.bitPlaced()) {
      throw new IllegalArgumentException("W4A4: activations must be in the codec's code order; only weights may be bit-placed");
    }
    checkOutput(y, m, n, out, epi);
    GemmVariant v = resolve(Op.W4A4, variant, m, n, k, ws);
    requireCodecOrderUnlessSkinny(Op.W4A4, w, v, m, k);
    boolean tile = w.layout() == Nvfp4Layout.TILE_16x16;
    String lay = tile ? "tile" : "row";
    switch (v.kind()) {
      case SKINNY:
        launchSkinny("skinny_w4a4_" + lay + w.order().kernelSuffix(), Op.W4A4, w.bitPlaced(), stream, x.packed(), w.packed(), x.scales(), w.scales(), x.globalDecodeScale(), w.globalDecodeScale(), y, epi, m, n, k, k, k, v.splits(), out);
        break;
      case WGMMA:
        launchWgmma("gemm_w4a4_" + lay, Operand.FP4_ROW, tile ? Operand.FP4_TILE : Operand.FP4_ROW, v.tileN(), stream, x.packed(), w.packed(), x.scales(), w.scales(), x.globalDecodeScale(), w.globalDecodeScale(), y, epi, m, n, k, k, k, out);
        break;
      case EXPAND: {
        long aBytes = align256(2L * m * k);
        requireScratch(ws, aBytes + 2L * n * k, Op.W4A4, v);
        CUdeviceptr xa = ws.scratch(0), wb = ws.scratch(aBytes);
        expand("nvfp4_expand_f16_row", stream, x, m, xa);
        expand("nvfp4_expand_f16_" + lay, stream, w, n, wb);
        launchWgmma("gemm_f16_kk", Operand.K16, Operand.K16, v.tileN(), stream, xa, wb, NULL, NULL, x.globalDecodeScale(), w.globalDecodeScale(), y, epi, m, n, k, k, k, out);
        break;
      }
      default:
        throw new IllegalStateException(v.toString());
    }
  }

  /** {@link #bitPlace(CudaStream, Nvfp4Operand, DeviceBuffer, Nvfp4CodeOrder)} with the rows as the codec's. */
  public Nvfp4Operand bitPlace(CudaStream stream, Nvfp4Operand w, DeviceBuffer out) {
    return bitPlace(stream, w, out, Nvfp4CodeOrder.BIT_PLACED);
  }

  /**
   * Writes {@code w}'s codes bit-placed ({@link Nvfp4BitPlacement}) in {@code order} into {@code out}
   * (at least rows x cols / 2 bytes) and returns the operand that reads them with {@code w}'s scales
   * and global scale. Done once per weight matrix (stream-ordered, no host copy): the small-M kernel
   * (m <= 16) then expands it with fewer instructions; the other kernels need the codec's order.
   * {@link Nvfp4CodeOrder#fastestBitPlacedFor} tells which order the kernel of an op reads fastest.
   */
  public Nvfp4Operand bitPlace(CudaStream stream, Nvfp4Operand w, DeviceBuffer out, Nvfp4CodeOrder order) {
    if (w.bitPlaced()) {
      throw new IllegalArgumentException("the operand is already bit-placed (" + w.order() + ")");
    }
    if (!order.bitPlaced()) {
      throw new IllegalArgumentException("bitPlace needs a bit-placed order, got " + order);
    }
    Nvfp4Operand placed = new Nvfp4Operand(out, w.scales(), w.globalDecodeScale(), w.rows(), w.cols(), w.layout(), order);
    requireBytes(out, (long) w.rows() * w.cols() / 2, "bit-placed codes (" + w.rows() + "x" + w.cols() + ")");
    long words = (long) w.rows() * w.cols() / 8;
    prepared(skinnyModule, "nvfp4_bitplace", 0).launch(stream, strideGrid(words), 1, 1, 256, 1, 1, 0, w.packed(), out, w.rows(),
        w.cols(), order == Nvfp4CodeOrder.BIT_PLACED_PAIRED ? 1 : 0);
    return placed;
  }

  // Bit-placed weights are read by the small-M kernel only.
  private static void requireCodecOrderUnlessSkinny(Op op, Nvfp4Operand w, GemmVariant v, int m, int k) {
    if (w.bitPlaced() && v.kind() != GemmVariant.Kind.SKINNY) {
      throw new IllegalArgumentException(op + ": bit-placed weights are read only by the small-M kernel (m <= " + SKINNY_MAX_M
          + ", k % " + SKINNY_K_STEP + " == 0); m = " + m + ", k = " + k + " runs " + v + ", which needs the codec-order operand");
    }
  }

  /** Scratch bytes {@code op} needs with {@code variant} at this shape (0 when none). */
  public long workspaceBytes(Op op, GemmVariant variant, int m, int n, int k) {
    GemmVariant v = resolveWith(op, variant, m, n, k, Long.MAX_VALUE);
    return v.kind() == GemmVariant.Kind.EXPAND ? expandBytes(op, m, n, k) : 0;
  }

  private static long expandBytes(Op op, int m, int n, int k) {
    return op == Op.W4A4 ? align256(2L * m * k) + 2L * n * k : 2L * n * k;
  }

  /**
   * From this many rows AUTO expands NVFP4 operands to 16-bit first when the workspace allows: on
   * H100 the wgmma kernel with in-register expansion is limited by shared-memory traffic (it
   * writes the expanded tiles that wgmma then reads), and at M = 8192 the expand path ran 1.6x
   * faster (docs/kernels-gemm.md); at M = 256 the two were even.
   */
  static final int EXPAND_MIN_M = 512;

  /** The variant a call would run (AUTO resolved, tile width and splits filled in). */
  public GemmVariant resolve(Op op, GemmVariant variant, int m, int n, int k, GemmWorkspace ws) {
    return resolveWith(op, variant, m, n, k, ws == null ? 0 : ws.scratchBytes());
  }

  private GemmVariant resolveWith(Op op, GemmVariant variant, int m, int n, int k, long scratch) {
    boolean nvfp4 = op == Op.W4A16 || op == Op.W4A4;
    boolean skinnyOp = op == Op.LINEAR || nvfp4;
    GemmVariant.Kind kind = variant.kind();
    if (kind == GemmVariant.Kind.AUTO) {
      if (skinnyOp && m <= SKINNY_MAX_M && k % SKINNY_K_STEP == 0) {
        kind = GemmVariant.Kind.SKINNY;
      } else if (nvfp4 && k % 64 != 0) {
        kind = GemmVariant.Kind.EXPAND;
      } else if (nvfp4 && m >= EXPAND_MIN_M && scratch >= expandBytes(op, m, n, k)) {
        kind = GemmVariant.Kind.EXPAND;
      } else {
        kind = GemmVariant.Kind.WGMMA;
      }
    }
    switch (kind) {
      case SKINNY: {
        if (!skinnyOp) {
          throw new IllegalArgumentException(op + " has no small-M kernel");
        }
        if (m > SKINNY_MAX_M) {
          throw new IllegalArgumentException("the small-M kernel needs m <= " + SKINNY_MAX_M + ", got m = " + m);
        }
        if (k % SKINNY_K_STEP != 0) {
          throw new IllegalArgumentException("the small-M kernel needs k % " + SKINNY_K_STEP + " == 0, got k = " + k);
        }
        int splits = variant.splits() > 0 ? variant.splits() : autoSplits(n, k);
        if (splits != 1 && splits != 2 && splits != 4) {
          throw new IllegalArgumentException("the small-M kernel splits K over 1, 2 or 4 CTAs (a cluster), got splits = " + splits);
        }
        return GemmVariant.skinny(effectiveSplits(m, k, splits, op));
      }
      case WGMMA:
        if (nvfp4 && k % 64 != 0) {
          throw new IllegalArgumentException(op + " with NVFP4 expanded in registers needs k % 64 == 0, got k = " + k + " (use EXPAND)");
        }
        return GemmVariant.wgmma(variant.tileN() > 0 ? variant.tileN() : autoTileN(m, n));
      case EXPAND:
        if (!nvfp4) {
          throw new IllegalArgumentException(op + " has no NVFP4 operand to expand");
        }
        return GemmVariant.expand(variant.tileN() > 0 ? variant.tileN() : autoTileN(m, n));
      default:
        throw new IllegalStateException(kind.toString());
    }
  }

  // 128 x 256 tiles unless they leave SMs idle (few output tiles).
  private int autoTileN(int m, int n) {
    long tiles256 = (long) ceilDiv(m, WGMMA_M) * ceilDiv(n, 256);
    return tiles256 >= multiprocessors ? 256 : 128;
  }

  // The most K slices (cluster sizes 1, 2, 4) that still fit in one wave of one CTA per SM: N = K =
  // 8192 gives 64 row tiles x 2 (the fastest on H100, docs/kernels-gemm.md). A cluster of 4 has
  // to find 4 free SMs in one GPC, so fewer of them fit: count 90% of the SMs for it.
  private int autoSplits(int n, int k) {
    int tiles = ceilDiv(n, SKINNY_ROWS), steps = k / SKINNY_K_STEP;
    for (int s = SKINNY_MAX_SPLITS; s > 1; s /= 2) {
      double room = s == 4 ? 0.9 * multiprocessors : multiprocessors;
      if ((long) tiles * s <= room && s <= steps) {
        return s;
      }
    }
    return 1;
  }

  // The staged A slice must fit in shared memory (more slices make it smaller) and every slice must
  // have k (fewer slices); splits is 1, 2 or 4.
  private int effectiveSplits(int m, int k, int splits, Op op) {
    int steps = k / SKINNY_K_STEP;
    int s = splits;
    int room = sharedOptin - SKINNY_STATIC_SHARED;
    // the padded rows of codec-order weights: at least what bit-placed W4A16 needs
    while (s < SKINNY_MAX_SPLITS && skinnyShared(m, sliceOf(k, s), op, false) > room) {
      s *= 2;
    }
    while (s > 1 && (s - 1) * sliceOf(k, s) >= k) {
      s /= 2;
    }
    int smem = skinnyShared(m, sliceOf(k, s), op, false);
    if (smem > room) {
      throw new IllegalArgumentException("the small-M kernel's activations (m = " + m + ", k = " + k + ") need " + smem
          + " bytes of shared memory, the device allows " + room);
    }
    return s;
  }

  private static int sliceOf(int k, int splits) {
    return ceilDiv(k / SKINNY_K_STEP, splits) * SKINNY_K_STEP;
  }

  // gemm_skinny.cuh's skinny_smem: the staged activations (m rows of SkinnyB::row_bytes(kslice): flat
  // rows for bit-placed W4A16, whose activations are copied as they lie; padded ones otherwise),
  // whose space then holds the in-CTA reduction (16 warps x 8 x 32 floats), and after both a tail
  // holding first, for W4A4, the NVFP4 activations as copied (m x kslice / 2 code bytes and
  // m x kslice / 16 scales), then the partial sums of the cluster (16 bytes per lane, warp and
  // token group of 8).
  static int skinnyShared(int m, int kslice, Op op, boolean placed) {
    int words = kslice / 8;
    int rowBytes = op == Op.LINEAR ? words * 16 + 64
        : op == Op.W4A16 && placed ? words * 16 : (words * 18 + 127) / 128 * 128 + 32;
    int reduction = SKINNY_THREADS / 32 * 8 * 32 * 4, partials = (m > 8 ? 2 : 1) * SKINNY_THREADS * 16;
    int raw = op == Op.W4A4 ? m * kslice / 2 + m * kslice / 16 : 0;
    return (Math.max(m * rowBytes, reduction) + 15) / 16 * 16 + Math.max(partials, raw);
  }

  // ---------------------------------------------------------------------------------------------
  // launches
  // ---------------------------------------------------------------------------------------------

  private void launchWgmma(
      String base, Operand a, Operand b, int tileN, CudaStream stream, Object aPtr, Object bPtr,
      Object aScales, Object bScales, Object aGlobal, Object bGlobal, DeviceBuffer d, Epilogue epi,
      int m, int n, int k, int lda, int ldb, OutputFormat out) {
    int smem = wgmmaSharedBytes(a, b, tileN);
    CudaKernel kernel = prepared(wgmmaModule, base + "_n" + tileN, smem);
    long tiles = (long) ceilDiv(m, WGMMA_M) * ceilDiv(n, tileN);
    if (tiles > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("GEMM " + m + "x" + n + " has too many tiles for one launch");
    }
    kernel.launch(stream, (int) tiles, 1, 1, 256, 1, 1, smem,
        aPtr, bPtr, aScales, bScales, aGlobal, bGlobal, d, biasOf(epi), m, n, k, lda, ldb,
        epi.alpha(), epi.accumulate() ? 1f : 0f, out == OutputFormat.BF16 ? 1 : 0);
  }

  // placed: bit-placed weights (skinnyShared sizes bit-placed W4A16's flat activation rows)
  private void launchSkinny(
      String name, Op op, boolean placed, CudaStream stream, Object aPtr, Object bPtr, Object aScales,
      Object bScales, Object aGlobal, Object bGlobal, DeviceBuffer d, Epilogue epi, int m, int n,
      int k, int lda, int ldb, int splits, OutputFormat out) {
    int kslice = sliceOf(k, splits);
    int smem = skinnyShared(m, kslice, op, placed);
    CudaKernel kernel = prepared(skinnyModule, name + "_s" + splits, sharedOptin - SKINNY_STATIC_SHARED);
    kernel.launch(skinnyOrder, stream, ceilDiv(n, SKINNY_ROWS), splits, 1, SKINNY_THREADS, 1, 1, smem,
        aPtr, bPtr, aScales, bScales, aGlobal, bGlobal, d, biasOf(epi), m, n, k, lda, ldb, kslice,
        epi.alpha(), epi.accumulate() ? 1f : 0f, out == OutputFormat.BF16 ? 1 : 0);
  }

  private void expand(String name, CudaStream stream, Nvfp4Operand t, int rows, CUdeviceptr out) {
    long words = (long) rows * t.cols() / 8;
    prepared(skinnyModule, name, 0).launch(stream, strideGrid(words), 1, 1, 256, 1, 1, 0, t.packed(), t.scales(), out, rows, t.cols());
  }

  // CTAs of 256 threads for a grid-stride loop over `items`: one item per thread, at most 16 CTAs per SM.
  private int strideGrid(long items) {
    return (int) Math.max(1, Math.min(ceilDiv(items, 256), 16L * multiprocessors));
  }

  private CudaKernel prepared(KernelModule module, String name, int smem) {
    return prepared.computeIfAbsent(name, key -> {
      CudaKernel kernel = module.kernel(key);
      if (smem > 48 * 1024) {
        int own = kernel.staticSharedBytes();
        if (own > sharedOptin - smem) {
          throw new IllegalStateException(key + " declares " + own + " bytes of static shared memory; "
              + (sharedOptin - smem) + " were allowed for");
        }
        kernel.setMaxDynamicSharedMemory(smem);
      }
      return kernel;
    });
  }

  private static Object biasOf(Epilogue epi) {
    return epi.bias() != null ? epi.bias() : NULL;
  }

  /** Dynamic shared memory of a gemm_wgmma.cu entry point (its BigLayout: 4 stages, 2 expand buffers). */
  static int wgmmaSharedBytes(Operand a, Operand b, int tileN) {
    int aRing = ring(a, WGMMA_M), bRing = ring(b, tileN);
    int aComp = isFp4(a) ? WGMMA_M * 128 : 0, bComp = isFp4(b) ? tileN * 128 : 0;
    return 4 * aRing + 4 * bRing + 2 * aComp + 2 * bComp + 1024;
  }

  private static int ring(Operand o, int rows) {
    switch (o) {
      case K16:
      case MN16:
        return rows * 128;
      case FP4_ROW:
        return round1024(rows * 32 + rows * 4);
      default:
        return round1024(rows * 32 + rows / 16 * 4);
    }
  }

  private static boolean isFp4(Operand o) {
    return o == Operand.FP4_ROW || o == Operand.FP4_TILE;
  }

  // ---------------------------------------------------------------------------------------------
  // checks
  // ---------------------------------------------------------------------------------------------

  static void checkDims(Op op, int m, int n, int k) {
    if (m < 1 || n < 1 || k < 1) {
      throw new IllegalArgumentException(op + ": m, n, k must be positive, got m=" + m + " n=" + n + " k=" + k);
    }
    if (n % 16 != 0) {
      throw new IllegalArgumentException(op + ": n must be a multiple of 16, got " + n);
    }
    if (k % 16 != 0) {
      throw new IllegalArgumentException(op + ": k must be a multiple of 16, got " + k);
    }
  }

  private static void checkOutput(DeviceBuffer d, int rows, int cols, OutputFormat out, Epilogue epi) {
    requireBytes(d, (long) out.bytes() * rows * cols, "output (" + out + " " + rows + "x" + cols + ")");
    if (epi.bias() != null) {
      requireBytes(epi.bias(), 4L * cols, "bias (fp32 x " + cols + ")");
    }
  }

  private static void requireBytes(DeviceBuffer b, long need, String what) {
    if (b == null) {
      throw new IllegalArgumentException(what + ": buffer is null");
    }
    if (b.bytes() < need) {
      throw new IllegalArgumentException(what + " needs " + need + " bytes, buffer has " + b.bytes());
    }
  }

  private static void requireScratch(GemmWorkspace ws, long need, Op op, GemmVariant v) {
    if (ws == null || ws.scratchBytes() < need) {
      throw new IllegalArgumentException(
          op + " " + v + " needs a workspace of " + need + " scratch bytes, got " + (ws == null ? "none" : ws.scratchBytes() + ""));
    }
  }

  static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static int round1024(int x) {
    return (x + 1023) / 1024 * 1024;
  }

  private static long align256(long x) {
    return (x + 255) / 256 * 256;
  }
}

// GEMM for M > 16 on Hopper tensor cores (wgmma, sm_90a):  D[M,N] = op(A) op(B)^T, fp32 accumulation.
//
//   gemm_bf16_kk_*   bf16 A[M,K] x B[N,K]            (forward: Y = X W^T)
//   gemm_bf16_kn_*   bf16 A[M,K] x B[K,N]            (dgrad:   dX = dY W, B = W read N-major)
//   gemm_bf16_mn_*   bf16 A[K,M] x B[K,N]            (wgrad:   dW = dY^T X, both read M/N-major)
//   gemm_f16_kk_*    f16 operands expanded by nvfp4_expand_f16 (the dequantize-then-GEMM path)
//   gemm_w4a16_{row,tile}_*  bf16 A[M,K] x NVFP4 B[N,K] (weights ROW_1x16 or TILE_16x16)
//   gemm_w4a4_{row,tile}_*   NVFP4 A[M,K] (ROW_1x16) x NVFP4 B[N,K]
//   *_n256 / *_n128: CTA tile 128 x 256 or 128 x 128.
//
// Design (docs/kernels-gemm.md): one CTA of 2 warpgroups computes a 128 x BN tile, each warpgroup
// 64 rows with wgmma m64nBNk16 from shared memory. All 256 threads feed a 4-stage cp.async ring
// (prefetch distance 2 K-tiles of 64). NVFP4 operands arrive as packed codes and scales; after a
// tile lands the threads expand it in registers (gemm_common.cuh) into a double-buffered 16-bit
// tile in the wgmma layout, while the tensor cores still work on the previous tile. The epilogue
// applies alpha, the NVFP4 global scales, bias and beta*D from the accumulator registers.
// Weights are used in the codec's layout as is: no pre-arranged copy is needed.
//
// Requirements (checked by the Java wrapper): N % 16 == 0, K % 16 == 0 (bf16), K % 64 == 0 (NVFP4),
// 16-byte aligned rows; any M.
#include "gemm_common.cuh"
#include "wgmma_ops.cuh"

namespace {

constexpr int BM = 128;
constexpr int BKT = 64;  // K elements per pipeline stage: one 128-byte swizzle row of 16-bit values
constexpr int STAGES = 4;
constexpr int THREADS = 256;

constexpr int round1024(int x) { return (x + 1023) / 1024 * 1024; }

// ---- operand loaders -------------------------------------------------------------------------
template <int KIND, int ROWS>
struct Operand;

// 16-bit, K contiguous: the ring stage is the wgmma tile itself.
template <int ROWS>
struct Operand<OP_K16, ROWS> {
  static constexpr int RING = ROWS * 128;
  static constexpr int COMP = 0;
  static constexpr int TRANS = 0;
  DEV static void load(uint32_t st, const void* g, const uint8_t*, int row0, int rows, int k0, int K, int ld,
                       int tid) {
    const uint16_t* p = static_cast<const uint16_t*>(g);
#pragma unroll
    for (int i = 0; i < ROWS * 8 / THREADS; ++i) {
      const int c = tid + i * THREADS;
      const int r = c >> 3, kc = c & 7;
      const int gr = row0 + r, gk = k0 + kc * 8;
      const bool ok = gr < rows && gk < K;
      const uint16_t* src = p + (ok ? static_cast<size_t>(gr) * ld + gk : 0);
      cp_async16(st + r * 128 + ((kc ^ (r & 7)) << 4), src, ok ? 16 : 0);
    }
  }
  DEV static void expand(const uint8_t*, uint8_t*, int) {}
  DEV static uint64_t desc(uint32_t tile, int slab64, int kk) {
    return make_desc(tile + slab64 * 64 * 128 + kk * 32, 16, 1024);
  }
};

// 16-bit, rows (M or N) contiguous: global [K][ld]. Tile = ROWS/64 blocks of [64 K rows][64 elements].
template <int ROWS>
struct Operand<OP_MN16, ROWS> {
  static constexpr int RING = ROWS * 128;
  static constexpr int COMP = 0;
  static constexpr int TRANS = 1;
  DEV static void load(uint32_t st, const void* g, const uint8_t*, int row0, int rows, int k0, int K, int ld,
                       int tid) {
    const uint16_t* p = static_cast<const uint16_t*>(g);
    constexpr int CPR = ROWS / 8;  // 16-byte chunks per K row
#pragma unroll
    for (int i = 0; i < ROWS * 8 / THREADS; ++i) {
      const int c = tid + i * THREADS;
      const int k = c / CPR, mc = c % CPR;
      const int j = mc >> 3, cc = mc & 7;
      const int gk = k0 + k, gm = row0 + mc * 8;
      const bool ok = gk < K && gm < rows;
      const uint16_t* src = p + (ok ? static_cast<size_t>(gk) * ld + gm : 0);
      cp_async16(st + j * (BKT * 128) + k * 128 + ((cc ^ (k & 7)) << 4), src, ok ? 16 : 0);
    }
  }
  DEV static void expand(const uint8_t*, uint8_t*, int) {}
  DEV static uint64_t desc(uint32_t tile, int slab64, int kk) {
    return make_desc(tile + slab64 * (BKT * 128) + kk * 16 * 128, BKT * 128, 1024);
  }
};

// NVFP4 (codes + E4M3 scales). Ring stage = raw codes [ROWS][32 B] then scales; expanded into a
// K-major 16-bit tile (COMP bytes) before the wgmma reads it.
template <int ROWS, bool TILE, bool F16>
struct Fp4Operand {
  static constexpr int SC_ROWS = TILE ? ROWS / 16 : ROWS;
  static constexpr int RING = round1024(ROWS * 32 + SC_ROWS * 4);
  static constexpr int COMP = ROWS * 128;
  static constexpr int TRANS = 0;
  DEV static void load(uint32_t st, const void* g, const uint8_t* sc, int row0, int rows, int k0, int K, int,
                       int tid) {
    const uint8_t* codes = static_cast<const uint8_t*>(g);
    const size_t row_bytes = static_cast<size_t>(K) / 2;
#pragma unroll
    for (int i = 0; i < ROWS * 2 / THREADS; ++i) {
      const int c = tid + i * THREADS;
      const int r = c >> 1, h = c & 1;
      const int gr = row0 + r;
      const bool ok = gr < rows;
      const uint8_t* src = codes + (ok ? gr * row_bytes + k0 / 2 + h * 16 : 0);
      cp_async16(st + r * 32 + h * 16, src, ok ? 16 : 0);
    }
    const size_t sc_row = static_cast<size_t>(K) / 16;
    for (int e = tid; e < SC_ROWS; e += THREADS) {
      const int gr = TILE ? row0 / 16 + e : row0 + e;
      const bool ok = TILE ? (row0 + e * 16) < rows : gr < rows;
      const uint8_t* src = sc + (ok ? gr * sc_row + k0 / 16 : 0);
      cp_async4(st + ROWS * 32 + e * 4, src, ok ? 4 : 0);
    }
  }
  // One 16-element block per iteration: 8 code bytes + 1 scale byte -> 32 bytes (2 swizzled chunks).
  DEV static void expand(const uint8_t* raw, uint8_t* comp, int tid) {
#pragma unroll
    for (int i = 0; i < ROWS * 4 / THREADS; ++i) {
      const int blk = tid + i * THREADS;
      const int r = blk >> 2, b = blk & 3;
      const uint2 w = *reinterpret_cast<const uint2*>(raw + r * 32 + b * 8);
      const uint32_t s = raw[ROWS * 32 + (TILE ? (r >> 4) : r) * 4 + b];
      uint32_t s2, nb2;
      scale_pair<F16>(s, s2, nb2);
      uint32_t lo[4], hi[4];
      dequant8<F16>(w.x, s2, nb2, lo);
      dequant8<F16>(w.y, s2, nb2, hi);
      uint8_t* row = comp + r * 128;
      *reinterpret_cast<uint4*>(row + (((2 * b) ^ (r & 7)) << 4)) = make_uint4(lo[0], lo[1], lo[2], lo[3]);
      *reinterpret_cast<uint4*>(row + (((2 * b + 1) ^ (r & 7)) << 4)) = make_uint4(hi[0], hi[1], hi[2], hi[3]);
    }
  }
  DEV static uint64_t desc(uint32_t tile, int slab64, int kk) {
    return make_desc(tile + slab64 * 64 * 128 + kk * 32, 16, 1024);
  }
};

template <int KIND, int ROWS, bool F16>
struct OperandOf {
  using type = Operand<KIND, ROWS>;
};
template <int ROWS, bool F16>
struct OperandOf<OP_FP4_ROW, ROWS, F16> {
  using type = Fp4Operand<ROWS, false, F16>;
};
template <int ROWS, bool F16>
struct OperandOf<OP_FP4_TILE, ROWS, F16> {
  using type = Fp4Operand<ROWS, true, F16>;
};

template <int BN, bool F16, int TA, int TB>
DEV void wgmma_tile(float (&acc)[BN / 2], uint64_t da, uint64_t db) {
  if constexpr (BN == 256) {
    if constexpr (F16) wgmma_m64n256k16_f16<TA, TB>(acc, da, db, 1);
    else wgmma_m64n256k16_bf16<TA, TB>(acc, da, db, 1);
  } else {
    if constexpr (F16) wgmma_m64n128k16_f16<TA, TB>(acc, da, db, 1);
    else wgmma_m64n128k16_bf16<TA, TB>(acc, da, db, 1);
  }
}

template <int AK, int BK_, int BN, bool F16>
struct BigLayout {
  using OA = typename OperandOf<AK, BM, F16>::type;
  using OB = typename OperandOf<BK_, BN, F16>::type;
  static constexpr int A_RING = round1024(OA::RING);
  static constexpr int B_RING = round1024(OB::RING);
  static constexpr int OFF_B = STAGES * A_RING;
  static constexpr int OFF_AC = OFF_B + STAGES * B_RING;
  static constexpr int OFF_BC = OFF_AC + 2 * OA::COMP;
  static constexpr int BYTES = OFF_BC + 2 * OB::COMP + 1024;  // + 1024 to align the base
  static_assert(BYTES <= 227 * 1024, "shared memory per block on H100");
};

template <int AK, int BK_, int BN, bool F16, int CONST_SCALE>
DEV void big_gemm(const void* A, const void* B, const uint8_t* a_sc, const uint8_t* b_sc, const float* g_a,
                  const float* g_b, void* D, const float* bias, int M, int N, int K, int lda, int ldb, float alpha,
                  float beta, int out_bf16) {
  using L = BigLayout<AK, BK_, BN, F16>;
  using OA = typename L::OA;
  using OB = typename L::OB;
  extern __shared__ uint8_t smem_dyn[];
  uint8_t* smem = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(smem_dyn) + 1023) & ~uintptr_t(1023));
  const uint32_t sbase = smem_u32(smem);

  const int tid = threadIdx.x;
  const int wg = tid >> 7;

  // Grouped rasterization: consecutive CTAs walk 8 row tiles of one column band, so the A and B
  // tiles they share stay in L2.
  const int tiles_m = (M + BM - 1) / BM, tiles_n = (N + BN - 1) / BN;
  constexpr int GROUP = 8;
  const int pid = blockIdx.x;
  const int per_group = GROUP * tiles_n;
  const int first_m = (pid / per_group) * GROUP;
  const int group_m = min(tiles_m - first_m, GROUP);
  const int tm = first_m + (pid % per_group) % group_m;
  const int tn = (pid % per_group) / group_m;
  const int row0 = tm * BM, col0 = tn * BN;

  float acc[BN / 2];
#pragma unroll
  for (int i = 0; i < BN / 2; ++i) acc[i] = 0.0f;

  const int KT = (K + BKT - 1) / BKT;
  auto load_tile = [&](int kt) {
    const int s = kt % STAGES;
    OA::load(sbase + s * L::A_RING, A, a_sc, row0, M, kt * BKT, K, lda, tid);
    OB::load(sbase + L::OFF_B + s * L::B_RING, B, b_sc, col0, N, kt * BKT, K, ldb, tid);
  };

#pragma unroll
  for (int s = 0; s < STAGES - 2; ++s) {
    if (s < KT) load_tile(s);
    cp_async_commit();
  }

  for (int kt = 0; kt < KT; ++kt) {
    const int s = kt % STAGES;
    cp_async_wait<STAGES - 3>();
    fence_proxy_async();
    __syncthreads();  // tile kt landed for everyone; wgmma kt-2 finished in both warpgroups

    uint32_t a_tile = sbase + s * L::A_RING;
    uint32_t b_tile = sbase + L::OFF_B + s * L::B_RING;
    if constexpr (OA::COMP > 0 || OB::COMP > 0) {
      const int buf = kt & 1;
      if constexpr (OA::COMP > 0) {
        OA::expand(smem + s * L::A_RING, smem + L::OFF_AC + buf * OA::COMP, tid);
        a_tile = sbase + L::OFF_AC + buf * OA::COMP;
      }
      if constexpr (OB::COMP > 0) {
        OB::expand(smem + L::OFF_B + s * L::B_RING, smem + L::OFF_BC + buf * OB::COMP, tid);
        b_tile = sbase + L::OFF_BC + buf * OB::COMP;
      }
      fence_proxy_async();
      __syncthreads();  // expanded tile complete
    }

    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < BKT / 16; ++kk) {
      wgmma_tile<BN, F16, OA::TRANS, OB::TRANS>(acc, OA::desc(a_tile, wg, kk), OB::desc(b_tile, 0, kk));
    }
    wgmma_commit();
    wgmma_wait<1>();  // wgmma kt-1 done: its ring stage and 16-bit buffer may be refilled

    if (kt + STAGES - 2 < KT) load_tile(kt + STAGES - 2);
    cp_async_commit();
  }
  wgmma_wait<0>();
#pragma unroll
  for (int i = 0; i < BN / 2; ++i) fence_operand(acc[i]);

  // Accumulator layout of m64nNk16: row = 16*warp + lane/4 (+8), column = 8*j + 2*(lane%4) (+1).
  const float scale = effective_scale(alpha, g_a, g_b, static_cast<float>(CONST_SCALE));
  const int lane = tid & 31, warp = (tid & 127) >> 5;
  const int rbase = row0 + wg * 64 + warp * 16 + (lane >> 2);
  const int cbase = col0 + 2 * (lane & 3);
#pragma unroll
  for (int j = 0; j < BN / 8; ++j) {
    const int col = cbase + 8 * j;
    if (col >= N) continue;
    const float b0 = bias != nullptr ? bias[col] : 0.0f;
    const float b1 = bias != nullptr ? bias[col + 1] : 0.0f;
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      const int row = rbase + 8 * i;
      if (row >= M) continue;
      store_pair(D, out_bf16, static_cast<size_t>(row) * N + col, acc[4 * j + 2 * i] * scale + b0,
                 acc[4 * j + 2 * i + 1] * scale + b1, beta);
    }
  }
}

}  // namespace

// Dynamic shared memory per entry point = BigLayout<...>::BYTES (GemmKernels.java computes the same).
#define BIG_ENTRY(NAME, AK, BK_, BN, F16, CONST)                                                                   \
  extern "C" __global__ void __launch_bounds__(THREADS, 1)                                                         \
      NAME(const void* A, const void* B, const uint8_t* a_sc, const uint8_t* b_sc, const float* g_a,               \
           const float* g_b, void* D, const float* bias, int M, int N, int K, int lda, int ldb, float alpha,        \
           float beta, int out_bf16) {                                                                              \
    big_gemm<AK, BK_, BN, F16, CONST>(A, B, a_sc, b_sc, g_a, g_b, D, bias, M, N, K, lda, ldb, alpha, beta,          \
                                      out_bf16);                                                                    \
  }

BIG_ENTRY(gemm_bf16_kk_n256, OP_K16, OP_K16, 256, false, 1)
BIG_ENTRY(gemm_bf16_kn_n256, OP_K16, OP_MN16, 256, false, 1)
BIG_ENTRY(gemm_bf16_mn_n256, OP_MN16, OP_MN16, 256, false, 1)
BIG_ENTRY(gemm_f16_kk_n256, OP_K16, OP_K16, 256, true, 16)
BIG_ENTRY(gemm_w4a16_row_n256, OP_K16, OP_FP4_ROW, 256, false, 1)
BIG_ENTRY(gemm_w4a16_tile_n256, OP_K16, OP_FP4_TILE, 256, false, 1)
BIG_ENTRY(gemm_w4a4_row_n256, OP_FP4_ROW, OP_FP4_ROW, 256, true, 16)
BIG_ENTRY(gemm_w4a4_tile_n256, OP_FP4_ROW, OP_FP4_TILE, 256, true, 16)

BIG_ENTRY(gemm_bf16_kk_n128, OP_K16, OP_K16, 128, false, 1)
BIG_ENTRY(gemm_bf16_kn_n128, OP_K16, OP_MN16, 128, false, 1)
BIG_ENTRY(gemm_bf16_mn_n128, OP_MN16, OP_MN16, 128, false, 1)
BIG_ENTRY(gemm_f16_kk_n128, OP_K16, OP_K16, 128, true, 16)
BIG_ENTRY(gemm_w4a16_row_n128, OP_K16, OP_FP4_ROW, 128, false, 1)
BIG_ENTRY(gemm_w4a16_tile_n128, OP_K16, OP_FP4_TILE, 128, false, 1)
BIG_ENTRY(gemm_w4a4_row_n128, OP_FP4_ROW, OP_FP4_ROW, 128, true, 16)
BIG_ENTRY(gemm_w4a4_tile_n128, OP_FP4_ROW, OP_FP4_TILE, 128, true, 16)

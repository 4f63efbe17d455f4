// GEMM for M <= 16 (decode): D[M,N] = A[M,K] W[N,K]^T with the weights streamed once from memory.
//
//   skinny_w4a16_{row,tile}   bf16 A x NVFP4 W (ROW_1x16 or TILE_16x16 scales)
//   skinny_w4a4_{row,tile}    NVFP4 A (ROW_1x16) x NVFP4 W
//   skinny_bf16               bf16 A x bf16 W
//   nvfp4_expand_{f16,bf16}_{row,tile}   NVFP4 -> 16-bit matrix (the dequantize-then-GEMM path)
//
// Design (docs/kernels-gemm.md): the time is the weight bytes over memory bandwidth, so every
// weight byte is loaded once, 16 bytes per lane, with several loads in flight per warp. A CTA of
// 8 warps owns 64 weight rows (8 per warp) and one K slice (split-K: gridDim.y slices). It first
// stages its A slice in shared memory as 16-bit values (NVFP4 activations expanded there). Each
// warp then runs mma.sync m16n8k16 with the M rows as the MMA's 16 rows and its 8 weight rows as
// the 8 columns. The MMA's k order is free (a sum), so lane (g, t) takes the 32 consecutive codes
// it loaded (its 16 bytes of weight row g) as its k slots, and reads the matching A values from
// shared memory: no pre-arranged weight layout. Split-K partials go to an fp32 workspace; the last
// CTA of a column tile (atomic counter) sums them in a fixed order and runs the epilogue, so the
// result is deterministic. Counters return to zero for the next launch.
//
// Requirements (checked by the Java wrapper): M <= 16, N % 16 == 0, K % 128 == 0, K slice a
// multiple of 128, workspace of splits*M*N floats and ceil(N/64) zeroed counters when splits > 1.
#include "gemm_common.cuh"

namespace {

constexpr int SK_THREADS = 256;
constexpr int SK_ROWS = 64;  // weight rows per CTA (8 per warp)

template <int BKIND>
struct SkinnyB {
  static constexpr int WPL = BKIND == OP_K16 ? 1 : 4;  // 8-element words per 16-byte lane load
  static constexpr int STEP = 32 * WPL;                 // K elements per warp step (4 lanes in k)
  static constexpr int PAD = WPL == 4 ? 16 : 64;        // row padding of the staged A (bank spread)
};

// Staged-A chunk index -> position: spreads the 4 lanes t of a phase over distinct banks (fp4
// lanes read chunks 4t+q, which would pair t=0 with t=2).
template <int WPL>
DEV int swz(int chunk) {
  if constexpr (WPL == 4) return chunk ^ (((chunk >> 3) & 1) << 1);
  else return chunk;
}

template <int BKIND, int AKIND, bool F16, int CONST_SCALE>
DEV void skinny_gemm(const void* A, const void* B, const uint8_t* a_sc, const uint8_t* b_sc, const float* g_a,
                     const float* g_b, void* D, const float* bias, float* ws, int* counters, int M, int N, int K,
                     int lda, int ldb, int kslice, float alpha, float beta, int out_bf16) {
  using SB = SkinnyB<BKIND>;
  constexpr int WPL = SB::WPL;
  extern __shared__ uint4 smem_a[];
  uint8_t* sa = reinterpret_cast<uint8_t*>(smem_a);

  const int tid = threadIdx.x;
  const int split = blockIdx.y, splits = gridDim.y;
  const int n0 = blockIdx.x * SK_ROWS;
  const int kb = split * kslice;
  const int klen = min(K, kb + kslice) - kb;
  const int rowstride = kslice * 2 + SB::PAD;

  // ---- stage A[0:M, kb:kb+klen) as 16-bit values, natural k order ----
  const int words = klen / 8;
  for (int i = tid; i < M * words; i += SK_THREADS) {
    const int m = i / words, q = i - m * words;
    uint4* dst = reinterpret_cast<uint4*>(sa + m * rowstride + swz<WPL>(q) * 16);
    if constexpr (AKIND == OP_K16) {
      *dst = *reinterpret_cast<const uint4*>(static_cast<const uint16_t*>(A) + static_cast<size_t>(m) * lda + kb + q * 8);
    } else {
      const uint32_t w = *reinterpret_cast<const uint32_t*>(static_cast<const uint8_t*>(A) +
                                                            static_cast<size_t>(m) * (K / 2) + (kb + q * 8) / 2);
      const uint32_t s = a_sc[static_cast<size_t>(m) * (K / 16) + (kb + q * 8) / 16];
      uint32_t s2, nb2, o[4];
      scale_pair<F16>(s, s2, nb2);
      dequant8<F16>(w, s2, nb2, o);
      *dst = make_uint4(o[0], o[1], o[2], o[3]);
    }
  }
  __syncthreads();

  // ---- stream the weights ----
  const int warp = tid >> 5, lane = tid & 31, g = lane >> 2, t = lane & 3;
  const int n = n0 + warp * 8 + g;  // weight row this lane loads (MMA column g)
  const bool nok = n < N;
  const int nsteps = klen / SB::STEP;

  const uint8_t* bp;
  const uint8_t* sp = nullptr;
  size_t step_bytes;
  if constexpr (BKIND == OP_K16) {
    bp = reinterpret_cast<const uint8_t*>(static_cast<const uint16_t*>(B) + static_cast<size_t>(nok ? n : 0) * ldb + kb + t * 8);
    step_bytes = SB::STEP * 2;
  } else {
    bp = static_cast<const uint8_t*>(B) + static_cast<size_t>(nok ? n : 0) * (K / 2) + kb / 2 + t * 16;
    const int srow = BKIND == OP_FP4_TILE ? (nok ? n : 0) / 16 : (nok ? n : 0);
    sp = b_sc + static_cast<size_t>(srow) * (K / 16) + kb / 16 + t * 2;
    step_bytes = SB::STEP / 2;
  }
  const uint8_t* arow0 = sa + g * rowstride;
  const uint8_t* arow1 = sa + (g + 8) * rowstride;
  const bool a0ok = g < M, a1ok = g + 8 < M;

  float c[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  constexpr int U = 4;  // steps per batch; the next batch's loads are in flight during this one
  uint4 bw[U], nbw[U];
  uint32_t bs[U], nbs[U];
  auto load_batch = [&](int s0, uint4 (&w)[U], uint32_t (&sc)[U]) {
#pragma unroll
    for (int u = 0; u < U; ++u) {
      const int s = s0 + u;
      if (nok && s < nsteps) {
        w[u] = ldg_stream128(bp + s * step_bytes);
        if constexpr (BKIND != OP_K16) sc[u] = *reinterpret_cast<const uint16_t*>(sp + s * 8);
        else sc[u] = 0;
      } else {
        w[u] = make_uint4(0, 0, 0, 0);
        sc[u] = 0;
      }
    }
  };
  load_batch(0, bw, bs);
  for (int s0 = 0; s0 < nsteps; s0 += U) {
    load_batch(s0 + U, nbw, nbs);
#pragma unroll
    for (int u = 0; u < U; ++u) {
      const int s = s0 + u;
      if (s >= nsteps) break;  // uniform across the warp
      const uint32_t wv[4] = {bw[u].x, bw[u].y, bw[u].z, bw[u].w};
#pragma unroll
      for (int q = 0; q < WPL; ++q) {
        uint32_t p[4];
        if constexpr (BKIND == OP_K16) {
          p[0] = wv[0]; p[1] = wv[1]; p[2] = wv[2]; p[3] = wv[3];
        } else {
          uint32_t s2, nb2;
          scale_pair<F16>((bs[u] >> (8 * (q >> 1))) & 0xFFu, s2, nb2);
          dequant8<F16>(wv[q], s2, nb2, p);
        }
        const int chunk = swz<WPL>(s * 4 * WPL + t * WPL + q);
        const uint4 lo = a0ok ? *reinterpret_cast<const uint4*>(arow0 + chunk * 16) : make_uint4(0, 0, 0, 0);
        const uint4 hi = a1ok ? *reinterpret_cast<const uint4*>(arow1 + chunk * 16) : make_uint4(0, 0, 0, 0);
        // k slots (2t,2t+1 | 2t+8,2t+9) = word elements (0,1 | 2,3) then (4,5 | 6,7)
        mma16816<F16>(c, lo.x, hi.x, lo.y, hi.y, p[0], p[1]);
        mma16816<F16>(c, lo.z, hi.z, lo.w, hi.w, p[2], p[3]);
      }
    }
#pragma unroll
    for (int u = 0; u < U; ++u) {
      bw[u] = nbw[u];
      bs[u] = nbs[u];
    }
  }

  // ---- epilogue: c0,c1 = (row g, cols 2t,2t+1), c2,c3 = (row g+8, same cols) ----
  const float scale = effective_scale(alpha, g_a, g_b, static_cast<float>(CONST_SCALE));
  const int col = n0 + warp * 8 + 2 * t;
  if (splits == 1) {
    if (col < N) {
      const float b0 = bias != nullptr ? bias[col] : 0.0f, b1 = bias != nullptr ? bias[col + 1] : 0.0f;
      if (a0ok) store_pair(D, out_bf16, static_cast<size_t>(g) * N + col, c[0] * scale + b0, c[1] * scale + b1, beta);
      if (a1ok) store_pair(D, out_bf16, static_cast<size_t>(g + 8) * N + col, c[2] * scale + b0, c[3] * scale + b1, beta);
    }
    return;
  }
  if (col < N) {
    float* part = ws + static_cast<size_t>(split) * M * N;
    if (a0ok) *reinterpret_cast<float2*>(part + static_cast<size_t>(g) * N + col) = make_float2(c[0], c[1]);
    if (a1ok) *reinterpret_cast<float2*>(part + static_cast<size_t>(g + 8) * N + col) = make_float2(c[2], c[3]);
  }
  __threadfence();
  __syncthreads();
  __shared__ int last;
  if (tid == 0) last = atomicAdd(&counters[blockIdx.x], 1) == splits - 1;
  __syncthreads();
  if (!last) return;
  __threadfence();
  for (int i = tid; i < M * SK_ROWS; i += SK_THREADS) {
    const int m = i / SK_ROWS, cn = n0 + (i % SK_ROWS);
    if (cn >= N) continue;
    float sum = 0.0f;
    for (int sidx = 0; sidx < splits; ++sidx) sum += __ldcg(ws + (static_cast<size_t>(sidx) * M + m) * N + cn);
    store_one(D, out_bf16, static_cast<size_t>(m) * N + cn, sum * scale + (bias != nullptr ? bias[cn] : 0.0f), beta);
  }
  if (tid == 0) counters[blockIdx.x] = 0;
}

template <bool F16, bool TILE>
DEV void expand(const uint8_t* codes, const uint8_t* sc, uint4* out, int rows, int cols) {
  const int words_per_row = cols / 8;
  const size_t total = static_cast<size_t>(rows) * words_per_row;
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    const int r = static_cast<int>(i / words_per_row), q = static_cast<int>(i % words_per_row);
    const uint32_t w = *reinterpret_cast<const uint32_t*>(codes + i * 4);
    const uint32_t s = sc[static_cast<size_t>(TILE ? r / 16 : r) * (cols / 16) + q / 2];
    uint32_t s2, nb2, o[4];
    scale_pair<F16>(s, s2, nb2);
    dequant8<F16>(w, s2, nb2, o);
    out[i] = make_uint4(o[0], o[1], o[2], o[3]);
  }
}

}  // namespace

#define SKINNY_ENTRY(NAME, BKIND, AKIND, F16, CONST)                                                                 \
  extern "C" __global__ void __launch_bounds__(SK_THREADS)                                                           \
      NAME(const void* A, const void* B, const uint8_t* a_sc, const uint8_t* b_sc, const float* g_a,                 \
           const float* g_b, void* D, const float* bias, float* ws, int* counters, int M, int N, int K, int lda,      \
           int ldb, int kslice, float alpha, float beta, int out_bf16) {                                              \
    skinny_gemm<BKIND, AKIND, F16, CONST>(A, B, a_sc, b_sc, g_a, g_b, D, bias, ws, counters, M, N, K, lda, ldb,      \
                                          kslice, alpha, beta, out_bf16);                                             \
  }

SKINNY_ENTRY(skinny_w4a16_row, OP_FP4_ROW, OP_K16, false, 1)
SKINNY_ENTRY(skinny_w4a16_tile, OP_FP4_TILE, OP_K16, false, 1)
SKINNY_ENTRY(skinny_w4a4_row, OP_FP4_ROW, OP_FP4_ROW, true, 16)
SKINNY_ENTRY(skinny_w4a4_tile, OP_FP4_TILE, OP_FP4_ROW, true, 16)
SKINNY_ENTRY(skinny_bf16, OP_K16, OP_K16, false, 1)

// Values written: bf16 = v*sf, f16 = v*sf/4 (the same as the fused kernels' registers); the global
// scale is left to the GEMM epilogue.
#define EXPAND_ENTRY(NAME, F16, TILE)                                                                                \
  extern "C" __global__ void NAME(const uint8_t* codes, const uint8_t* sc, uint4* out, int rows, int cols) {         \
    expand<F16, TILE>(codes, sc, out, rows, cols);                                                                   \
  }
EXPAND_ENTRY(nvfp4_expand_f16_row, true, false)
EXPAND_ENTRY(nvfp4_expand_f16_tile, true, true)
EXPAND_ENTRY(nvfp4_expand_bf16_row, false, false)
EXPAND_ENTRY(nvfp4_expand_bf16_tile, false, true)

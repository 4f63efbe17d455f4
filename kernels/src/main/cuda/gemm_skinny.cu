// GEMM for M <= 16 (decode): D[M,N] = A[M,K] W[N,K]^T with the weights streamed once from memory.
//
//   skinny_w4a16_{row,tile}   bf16 A x NVFP4 W (ROW_1x16 or TILE_16x16 scales)
//   skinny_w4a4_{row,tile}    NVFP4 A (ROW_1x16) x NVFP4 W
//   skinny_bf16               bf16 A x bf16 W
//   nvfp4_expand_{f16,bf16}_{row,tile}   NVFP4 -> 16-bit matrix (the dequantize-then-GEMM path)
//
// Design (docs/kernels-gemm.md): the time is the weight bytes over memory bandwidth, so every
// weight byte is loaded once, 16 bytes per lane, with the next loads in flight while the current
// ones are expanded. A CTA of 8 warps owns 128 weight rows (16 per warp) and one K slice (split-K:
// gridDim.y slices). It first stages its A slice in shared memory as 16-bit values (NVFP4
// activations expanded there). Each warp runs mma.sync m16n8k16 with its 16 weight rows as the
// MMA's rows and up to 8 tokens as its columns (a second MMA for tokens 8..15). The MMA's k order
// is free (a sum), so lane (g, t) takes the codes it loaded (16 bytes of weight rows g and g+8)
// as its k slots, expanded by dequant8_pairs (k pairs (i, i+4) of each 8), and reads the matching
// activations, staged in that order, from shared memory: no pre-arranged weight layout. Split-K partials go to an fp32 workspace; the last CTA of a row tile (atomic counter)
// sums them in a fixed order and runs the epilogue, so the result is deterministic. Counters
// return to zero for the next launch.
//
// Requirements (checked by the Java wrapper): M <= 16, N % 16 == 0, K % 128 == 0, K slice a
// multiple of 128, workspace of splits*M*N floats and ceil(N/128) zeroed counters when splits > 1.
// Dynamic shared memory: (M > 8 ? 16 : 8) * row_bytes(kslice) (SkinnyB; GemmKernels.java agrees).
#include "gemm_common.cuh"

namespace {

// Staged A: one row per token (8 rows, or 16 when M > 8; rows >= M are zeros so that every lane
// loads unconditionally), 16-byte chunks of 8 k values. With NVFP4 weights a lane reads chunks
// 16s + 4t + q (step s, lane t, word q); a 16-byte pad after every 8 chunks puts the 4 lanes t of
// a phase on distinct banks with constant strides (18 chunks per step), and rows are 32 bytes
// past a multiple of 128 so that tokens g and g+1 do not collide. bf16 weights: chunks 4s + t,
// rows padded by 64 bytes.
template <int BKIND>
struct SkinnyB {
  static constexpr bool FP4 = BKIND != OP_K16;
  static constexpr int WPL = FP4 ? 4 : 1;              // 8-element words per 16-byte lane load
  static constexpr int STEP = 32 * WPL;                // K elements per warp step (4 lanes in k)
  static constexpr int A_STEP_BYTES = FP4 ? 288 : 64;  // staged-A bytes per step
  DEV static int chunk_pos(int c) { return FP4 ? c + (c >> 3) : c; }
  DEV static int lane_offset(int t) { return FP4 ? 16 * (4 * t + (t >> 1)) : 16 * t; }
  __host__ __device__ static int row_bytes(int kslice) {
    const int words = kslice / 8;
    return FP4 ? (words * 18 + 127) / 128 * 128 + 32 : words * 16 + 64;
  }
};

// One warp's pass over its K slice: NB register sets of U steps in a ring, the loads of the next
// sets requested before the current one is expanded and multiplied. The first NB - 1 sets are
// requested before the CTA stages A (stage() ends with the CTA barrier), so the two overlap.
template <int BKIND, bool F16, int GROUPS, int U, int NB, class Stage>
DEV void skinny_mainloop(const uint8_t* bp0, const uint8_t* bp1, const uint8_t* sp0, const uint8_t* sp1,
                         int step_bytes, const uint8_t* x0p, const uint8_t* x1p, int nsteps, Stage&& stage,
                         float (&acc)[2][2][4]) {
  using SB = SkinnyB<BKIND>;
  constexpr int WPL = SB::WPL;
  constexpr bool FP4 = SB::FP4;
  uint4 w0[NB][U], w1[NB][U];
  uint32_t c0[NB][U], c1[NB][U];
  auto load = [&](int s0, int b) {  // b: a compile-time constant once the callers are unrolled
#pragma unroll
    for (int u = 0; u < U; ++u) {
      const int s = min(s0 + u, nsteps - 1);  // past the end: reload the last step (L2 hit, unused)
      w0[b][u] = ldg_stream128(bp0 + s * step_bytes);
      w1[b][u] = ldg_stream128(bp1 + s * step_bytes);
      if constexpr (FP4) {
        c0[b][u] = *reinterpret_cast<const uint16_t*>(sp0 + s * 8);
        c1[b][u] = BKIND == OP_FP4_TILE ? c0[b][u] : *reinterpret_cast<const uint16_t*>(sp1 + s * 8);
      }
    }
  };
  auto process = [&](int s0, int b) {
#pragma unroll
    for (int u = 0; u < U; ++u) {
      const int s = s0 + u;
      if (s >= nsteps) break;  // uniform across the warp
      const uint32_t wa[4] = {w0[b][u].x, w0[b][u].y, w0[b][u].z, w0[b][u].w};
      const uint32_t wb[4] = {w1[b][u].x, w1[b][u].y, w1[b][u].z, w1[b][u].w};
      uint32_t s2a[2], nba[2], s2b[2], nbb[2];
      if constexpr (FP4) {
        mag_scale_pairs2<F16>(c0[b][u], s2a, nba);
        if constexpr (BKIND == OP_FP4_TILE) {
          s2b[0] = s2a[0]; s2b[1] = s2a[1]; nbb[0] = nba[0]; nbb[1] = nba[1];
        } else {
          mag_scale_pairs2<F16>(c1[b][u], s2b, nbb);
        }
      }
      const uint8_t* xs0 = x0p + s * SB::A_STEP_BYTES;
      const uint8_t* xs1 = x1p + s * SB::A_STEP_BYTES;
#pragma unroll
      for (int q = 0; q < WPL; ++q) {
        uint32_t p[4], r[4];  // weight rows g and g+8, pairs of consecutive k
        if constexpr (!FP4) {
          p[0] = wa[0]; p[1] = wa[1]; p[2] = wa[2]; p[3] = wa[3];
          r[0] = wb[0]; r[1] = wb[1]; r[2] = wb[2]; r[3] = wb[3];
        } else {
          dequant8_pairs<F16>(wa[q], s2a[q >> 1], nba[q >> 1], p);
          dequant8_pairs<F16>(wb[q], s2b[q >> 1], nbb[q >> 1], r);
        }
        // MMA rows (g | g+8) x k slots (2t,2t+1 | 2t+8,2t+9) = register pairs 0 | 1, then 2 | 3:
        // word elements (0,4 | 1,5), then (2,6 | 3,7) for NVFP4 (dequant8_pairs's order, in which
        // the activations are staged), (0,1 | 2,3), (4,5 | 6,7) for bf16; the B column is token g
        // (and g+8 for the second group), same elements.
        const uint4 x0 = *reinterpret_cast<const uint4*>(xs0 + q * 16);
        mma16816<F16>(acc[0][0], p[0], r[0], p[1], r[1], x0.x, x0.y);
        mma16816<F16>(acc[0][1], p[2], r[2], p[3], r[3], x0.z, x0.w);
        if constexpr (GROUPS == 2) {
          const uint4 x1 = *reinterpret_cast<const uint4*>(xs1 + q * 16);
          mma16816<F16>(acc[1][0], p[0], r[0], p[1], r[1], x1.x, x1.y);
          mma16816<F16>(acc[1][1], p[2], r[2], p[3], r[3], x1.z, x1.w);
        }
      }
    }
  };
#pragma unroll
  for (int j = 0; j < NB - 1; ++j) load(j * U, j);
  stage();
  for (int s0 = 0; s0 < nsteps; s0 += NB * U) {
#pragma unroll
    for (int j = 0; j < NB; ++j) {
      load(s0 + (j + NB - 1) * U, (j + NB - 1) % NB);
      process(s0 + j * U, j);
    }
  }
}

template <int BKIND, int AKIND, bool F16, int CONST_SCALE, int WARPS, int U, int NB>
DEV void skinny_gemm(const void* A, const void* B, const uint8_t* a_sc, const uint8_t* b_sc, const float* g_a,
                     const float* g_b, void* D, const float* bias, float* ws, int* counters, int M, int N, int K,
                     int lda, int ldb, int kslice, float alpha, float beta, int out_bf16) {
  using SB = SkinnyB<BKIND>;
  constexpr bool FP4 = SB::FP4;
  constexpr int THREADS = 32 * WARPS, ROWS = 16 * WARPS;
  extern __shared__ uint4 smem_a[];
  uint8_t* sa = reinterpret_cast<uint8_t*>(smem_a);

  const int tid = threadIdx.x;
  const int split = blockIdx.y, splits = gridDim.y;
  const int n0 = blockIdx.x * ROWS;
  const int kb = split * kslice;
  const int klen = min(K, kb + kslice) - kb;
  const int rowstride = SB::row_bytes(kslice);
  const int arows = M > 8 ? 16 : 8;

  // A[0:M, kb:kb+klen) as 16-bit values (NVFP4 weights: each 8 k in dequant8_pairs's order);
  // rows M..arows-1 zero. A thread takes one 8-k chunk of 8 rows at a time, all its loads first, so
  // that the batch costs one memory latency, not eight.
  auto stage = [&]() {
    const int words = klen / 8;
    for (int q = tid; q < words; q += THREADS) {
      for (int m0 = 0; m0 < arows; m0 += 8) {
        uint4 v[8];
        uint32_t sc[8];
#pragma unroll
        for (int j = 0; j < 8; ++j) {
          const int m = m0 + j;
          v[j] = make_uint4(0, 0, 0, 0);
          sc[j] = 0;
          if (m < M) {
            if constexpr (AKIND == OP_K16) {
              v[j] = *reinterpret_cast<const uint4*>(static_cast<const uint16_t*>(A) + static_cast<size_t>(m) * lda + kb + q * 8);
            } else {
              v[j].x = *reinterpret_cast<const uint32_t*>(static_cast<const uint8_t*>(A) + static_cast<size_t>(m) * (K / 2) +
                                                           (kb + q * 8) / 2);
              sc[j] = a_sc[static_cast<size_t>(m) * (K / 16) + (kb + q * 8) / 16];
            }
          }
        }
#pragma unroll
        for (int j = 0; j < 8; ++j) {
          const int m = m0 + j;
          uint4 o = v[j];
          if (m < M) {
            if constexpr (AKIND == OP_K16) {
              if constexpr (FP4) o = pairs_order(o);
            } else {
              uint32_t s2, nb2, r[4];
              mag_scale_pair<F16>(sc[j], s2, nb2);
              dequant8_pairs<F16>(v[j].x, s2, nb2, r);
              o = make_uint4(r[0], r[1], r[2], r[3]);
            }
          }
          *reinterpret_cast<uint4*>(sa + m * rowstride + SB::chunk_pos(q) * 16) = o;
        }
      }
    }
    __syncthreads();
  };

  // ---- stream the weights: lane (g, t) loads rows g and g + 8 of the warp's 16 ----
  const int warp = tid >> 5, lane = tid & 31, g = lane >> 2, t = lane & 3;
  const int wrow = n0 + warp * 16;
  const bool wok = wrow < N;  // N % 16 == 0: a warp's 16 rows are all in range or all out
  const int r0 = wrow + g, r1 = r0 + 8;
  const int rs = wok ? r0 : g;  // rows out of range read row g (valid memory), and do no steps
  const int nsteps = wok ? klen / SB::STEP : 0;

  float acc[2][2][4] = {};
  const uint8_t *bp0, *bp1, *sp0 = nullptr, *sp1 = nullptr;
  int step_bytes;
  if constexpr (!FP4) {
    bp0 = reinterpret_cast<const uint8_t*>(static_cast<const uint16_t*>(B) + static_cast<size_t>(rs) * ldb + kb + t * 8);
    bp1 = bp0 + static_cast<size_t>(8) * ldb * 2;
    step_bytes = SB::STEP * 2;
  } else {
    const size_t rb = static_cast<size_t>(K) / 2, sr = static_cast<size_t>(K) / 16;
    bp0 = static_cast<const uint8_t*>(B) + rs * rb + kb / 2 + t * 16;
    bp1 = bp0 + 8 * rb;
    if constexpr (BKIND == OP_FP4_TILE) {
      sp0 = b_sc + static_cast<size_t>(rs / 16) * sr + kb / 16 + t * 2;  // rows g, g+8 share a tile
      sp1 = sp0;
    } else {
      sp0 = b_sc + rs * sr + kb / 16 + t * 2;
      sp1 = sp0 + 8 * sr;
    }
    step_bytes = SB::STEP / 2;
  }
  const uint8_t* x0p = sa + g * rowstride + SB::lane_offset(t);
  const uint8_t* x1p = x0p + 8 * rowstride;
  if (M > 8) skinny_mainloop<BKIND, F16, 2, U, NB>(bp0, bp1, sp0, sp1, step_bytes, x0p, x1p, nsteps, stage, acc);
  else skinny_mainloop<BKIND, F16, 1, U, NB>(bp0, bp1, sp0, sp1, step_bytes, x0p, x1p, nsteps, stage, acc);

  // ---- epilogue: c0,c1 = (row g, tokens 2t,2t+1), c2,c3 = (row g+8, same tokens); group 1: tokens + 8 ----
  const float scale = effective_scale(alpha, g_a, g_b, static_cast<float>(CONST_SCALE));
  if (splits == 1) {
    if (wok) {
      const float bias0 = bias != nullptr ? bias[r0] : 0.0f, bias1 = bias != nullptr ? bias[r1] : 0.0f;
#pragma unroll
      for (int grp = 0; grp < 2; ++grp)
#pragma unroll
        for (int j = 0; j < 2; ++j) {
          const int tk = grp * 8 + 2 * t + j;
          if (tk >= M) continue;
          store_one(D, out_bf16, static_cast<size_t>(tk) * N + r0, (acc[grp][0][j] + acc[grp][1][j]) * scale + bias0, beta);
          store_one(D, out_bf16, static_cast<size_t>(tk) * N + r1, (acc[grp][0][2 + j] + acc[grp][1][2 + j]) * scale + bias1, beta);
        }
    }
    return;
  }
  if (wok) {
    float* part = ws + static_cast<size_t>(split) * M * N;
#pragma unroll
    for (int grp = 0; grp < 2; ++grp)
#pragma unroll
      for (int j = 0; j < 2; ++j) {
        const int tk = grp * 8 + 2 * t + j;
        if (tk >= M) continue;
        part[static_cast<size_t>(tk) * N + r0] = acc[grp][0][j] + acc[grp][1][j];
        part[static_cast<size_t>(tk) * N + r1] = acc[grp][0][2 + j] + acc[grp][1][2 + j];
      }
  }
  __threadfence();
  __syncthreads();
  __shared__ int last;
  if (tid == 0) last = atomicAdd(&counters[blockIdx.x], 1) == splits - 1;
  __syncthreads();
  if (!last) return;
  __threadfence();
  for (int i = tid; i < M * ROWS; i += THREADS) {
    const int m = i / ROWS, cn = n0 + (i % ROWS);
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

// WARPS: warps per CTA (16 weight rows each); U: steps per register set; NB: register sets in the
// ring; MINB: CTAs per SM the register allocation must allow.
#define SKINNY_ENTRY(NAME, BKIND, AKIND, F16, CONST, WARPS, U, NB, MINB)                                             \
  extern "C" __global__ void __launch_bounds__(32 * WARPS, MINB)                                                     \
      NAME(const void* A, const void* B, const uint8_t* a_sc, const uint8_t* b_sc, const float* g_a,                 \
           const float* g_b, void* D, const float* bias, float* ws, int* counters, int M, int N, int K, int lda,      \
           int ldb, int kslice, float alpha, float beta, int out_bf16) {                                              \
    skinny_gemm<BKIND, AKIND, F16, CONST, WARPS, U, NB>(A, B, a_sc, b_sc, g_a, g_b, D, bias, ws, counters, M, N, K,  \
                                                        lda, ldb, kslice, alpha, beta, out_bf16);                     \
  }

SKINNY_ENTRY(skinny_w4a16_row, OP_FP4_ROW, OP_K16, false, 1, 8, 2, 2, 2)
SKINNY_ENTRY(skinny_w4a16_tile, OP_FP4_TILE, OP_K16, false, 1, 8, 2, 2, 2)
SKINNY_ENTRY(skinny_w4a4_row, OP_FP4_ROW, OP_FP4_ROW, true, 16, 8, 2, 2, 2)
SKINNY_ENTRY(skinny_w4a4_tile, OP_FP4_TILE, OP_FP4_ROW, true, 16, 8, 2, 2, 2)
SKINNY_ENTRY(skinny_bf16, OP_K16, OP_K16, false, 1, 8, 2, 2, 2)
#ifdef GEMM_DEV_VARIANTS  // compared side by side in kernels/bench/cuda/gemm_dev.cu only
// uUnNmB: U steps per register set, N sets in the ring, B CTAs per SM
SKINNY_ENTRY(skinny_w4a16_tile_u2n3m2, OP_FP4_TILE, OP_K16, false, 1, 8, 2, 3, 2)
SKINNY_ENTRY(skinny_w4a16_tile_u2n4m1, OP_FP4_TILE, OP_K16, false, 1, 8, 2, 4, 1)
SKINNY_ENTRY(skinny_w4a4_tile_u2n3m2, OP_FP4_TILE, OP_FP4_ROW, true, 16, 8, 2, 3, 2)
SKINNY_ENTRY(skinny_w4a4_tile_u2n4m1, OP_FP4_TILE, OP_FP4_ROW, true, 16, 8, 2, 4, 1)
#endif

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

// GEMM for M <= 16 (decode): D[M,N] = A[M,K] W[N,K]^T with the weights streamed once from memory.
//
//   skinny_w4a16_{row,tile}[_bp|_bpp]   bf16 A x NVFP4 W (ROW_1x16 or TILE_16x16 scales)
//   skinny_w4a4_{row,tile}[_bp|_bpp]    NVFP4 A (ROW_1x16) x NVFP4 W
//   skinny_bf16                         bf16 A x bf16 W
//   nvfp4_bitplace                      codec-layout codes -> bit-placed codes (the _bp kernels'
//                                       weights; rows paired: the _bpp kernels')
//   nvfp4_expand_{f16,bf16}_{row,tile}   NVFP4 -> 16-bit matrix (the dequantize-then-GEMM path)
//
// Design (docs/kernels-gemm.md): the time is the weight bytes over memory bandwidth, so every
// weight byte is loaded once, 16 bytes per lane, with the next loads in flight while the current
// ones are expanded. A CTA of 16 warps owns 128 weight rows (8 row groups of 16) and one K slice
// (gridDim.y slices); the two warps of a row group each take half of the slice. The CTA first
// stages A's slice in shared memory as 16-bit values (NVFP4 activations copied raw by cp.async,
// then expanded there, while the first weight loads are in flight). Each
// warp runs mma.sync m16n8k16 with its 16 weight rows as the MMA's rows and up to 8 tokens as its
// columns (a second MMA for tokens 8..15), in the lane mapping of gemm_skinny.cuh. Weights are
// read either in the codec's layout or, for the _bp and _bpp entries, bit-placed (a copy made once by
// nvfp4_bitplace, docs/formats.md; _bpp with its rows paired so that a warp's 16-byte loads take
// whole 128-byte lines), which expands with 13 instead of 20 instructions per 8 codes
// (gemm_common.cuh) and lets bf16 A be copied by cp.async while the first weights stream in. With
// several K slices every warp sends its sums by st.async into the shared memory of the CTA of the
// thread-block cluster (one CTA per slice) that owns their share of the tile; with one slice the
// two warps of a row group add in shared memory. No workspace, no atomics, and always the same
// order of additions.
//
// Requirements (checked by the Java wrapper): M <= 16, N % 16 == 0, K % 128 == 0, K slice a
// multiple of 128 with every slice non-empty, gridDim.y equal to the entry's cluster size.
// Dynamic shared memory: skinny_smem(M * SkinnyB::row_bytes(kslice), 16, 2, M, raw bytes), raw
// bytes = skinny_raw_bytes(M, kslice) with NVFP4 activations, else 0 (GemmKernels.java agrees).
#include "gemm_skinny.cuh"

namespace {

// One warp's pass over its K slice: NB register sets of U steps in a ring; a set is refilled as
// soon as it has been expanded and multiplied. All NB sets are requested before the CTA waits for
// the staged A (wait() ends with the CTA barrier), so that the weight stream starts at once.
//
// ptxas moves the wait for A's copies above those loads unless a branch it cannot drop stands
// between them. Bit-placed W4A16 (SB::FLAT) keeps the loads first, and its 16x16 scales are then
// read 16 steps at a time and shuffled: the first steps' 2-byte scale loads, through L1 beside A's
// copies, were what the warps waited on. W4A4 and the codec-order kernels keep the compiler's order
// and per-step scale loads, which measured faster for them (docs/kernels-gemm.md, "Seventh round").
template <int BKIND, class SB, bool F16, int GROUPS, int U, int NB, class Wait>
DEV void skinny_mainloop(const uint8_t* bp0, const uint8_t* bp1, const uint8_t* sp0, const uint8_t* sp1,
                         int step_bytes, const uint8_t* x0p, const uint8_t* x1p, int xw0, int xw1, int nsteps,
                         Wait&& wait, float (&acc)[2][2][4]) {
  constexpr bool FP4 = SB::FP4, LOADS_FIRST = SB::FLAT, TILE_SC = FP4 && op_tile(BKIND) && LOADS_FIRST;
  uint4 w0[NB][U], w1[NB][U];
  uint32_t c0[NB][U], c1[NB][U];
  // TILE_SC: the warp's next 16 steps' scales read at once (8 bytes a step: 4 lanes t x 2 blocks;
  // lane i holds bytes 4i..4i+3), each step's pair taken by a shuffle; the next 16 wait in sc_next
  uint32_t sc_cur = 0, sc_next = 0;
  int lane_t = 0, lane = 0;
  const uint8_t* spw = sp0;
  auto scale_chunk = [&](int c) -> uint32_t {
    return c * 16 + (lane >> 1) < nsteps ? *reinterpret_cast<const uint32_t*>(spw + c * 128 + lane * 4) : 0u;
  };
  if constexpr (TILE_SC) {
    asm("mov.u32 %0, %%laneid;" : "=r"(lane));
    lane_t = lane & 3;
    spw = sp0 - 2 * lane_t;
    sc_cur = scale_chunk(0);
    sc_next = scale_chunk(1);
  }
  auto load = [&](int s0, int b) {  // b: a compile-time constant once the callers are unrolled
#pragma unroll
    for (int u = 0; u < U; ++u) {
      // past the end of a set: reload the last step (L2 hit, unused); a warp without steps reads step 0
      const int s = max(0, min(s0 + u, nsteps - 1));
      w0[b][u] = ldg_stream128(bp0 + s * step_bytes);
      w1[b][u] = ldg_stream128(bp1 + s * step_bytes);
      if constexpr (FP4 && !TILE_SC) {
        c0[b][u] = *reinterpret_cast<const uint16_t*>(sp0 + s * 8);
        c1[b][u] = op_tile(BKIND) ? c0[b][u] : *reinterpret_cast<const uint16_t*>(sp1 + s * 8);
      }
    }
  };
  auto process = [&](int s0, int b) {
#pragma unroll
    for (int u = 0; u < U; ++u) {
      const int s = s0 + u;
      if (s >= nsteps) break;  // uniform across the warp
      const uint8_t* xs0 = x0p + s * SB::A_STEP_BYTES;
      const uint8_t* xs1 = x1p + s * SB::A_STEP_BYTES;
      if constexpr (TILE_SC) {
        const uint32_t c = (__shfl_sync(0xFFFFFFFFu, sc_cur, 2 * (s & 15) + (lane_t >> 1)) >> (16 * (lane_t & 1))) & 0xFFFFu;
        skinny_fp4_step<BKIND, F16, GROUPS>(w0[b][u], w1[b][u], c, c, xs0, xs1, xw0, xw1, acc);
      } else if constexpr (FP4) {
        skinny_fp4_step<BKIND, F16, GROUPS>(w0[b][u], w1[b][u], c0[b][u], c1[b][u], xs0, xs1, xw0, xw1, acc);
      } else {
        // bf16 weights: k slots (0,1 | 2,3), (4,5 | 6,7) of the lane's 8, B column token g (g+8)
        const uint4 p = w0[b][u], r = w1[b][u];
        const uint4 x0 = *reinterpret_cast<const uint4*>(xs0);
        mma16816<F16>(acc[0][0], p.x, r.x, p.y, r.y, x0.x, x0.y);
        mma16816<F16>(acc[0][1], p.z, r.z, p.w, r.w, x0.z, x0.w);
        if constexpr (GROUPS == 2) {
          const uint4 x1 = *reinterpret_cast<const uint4*>(xs1);
          mma16816<F16>(acc[1][0], p.x, r.x, p.y, r.y, x1.x, x1.y);
          mma16816<F16>(acc[1][1], p.z, r.z, p.w, r.w, x1.z, x1.w);
        }
      }
    }
  };
#pragma unroll
  for (int j = 0; j < NB; ++j) load(j * U, j);
  if constexpr (LOADS_FIRST) {
    if (nsteps < 0) __trap();  // never taken: keeps the loads above the wait
  }
  wait();
  for (int s0 = 0; s0 < nsteps; s0 += NB * U) {
    if constexpr (TILE_SC) {
      static_assert(16 % (NB * U) == 0, "a scale chunk holds whole ring turns");
      if (s0 > 0 && (s0 & 15) == 0) {
        sc_cur = sc_next;
        sc_next = scale_chunk(s0 / 16 + 1);
      }
    }
#pragma unroll
    for (int j = 0; j < NB; ++j) {
      process(s0 + j * U, j);
      // none past the end: a barrier's memory fence after the loop would wait for them
      if (s0 + (j + NB) * U < nsteps) load(s0 + (j + NB) * U, j);
    }
  }
}

#ifdef GEMM_DEV_VARIANTS  // where the time goes: clock64 at entry, A staged, each warp's loop done, ...;
                          // globaltimer (one clock for every SM) at entry and exit
__device__ unsigned long long g_dev_times[1024 * 24];
#define DEV_STAMP_SR(i, SR) do { if (STAMP) { unsigned long long c_; asm volatile("mov.u64 %0, %%" SR ";" : "=l"(c_)); \
  g_dev_times[(blockIdx.y * gridDim.x + blockIdx.x) * 24 + (i)] = c_; } } while (0)
#define DEV_STAMP(i) DEV_STAMP_SR(i, "clock64")
#define DEV_GSTAMP(i) DEV_STAMP_SR(i, "globaltimer")
#else
#define DEV_STAMP(i) do { } while (0)
#define DEV_GSTAMP(i) do { } while (0)
#endif
template <int BKIND, int AKIND, bool F16, int CONST_SCALE, int WARPS, int KQ, int U, int NB, int SPLITS, bool STAMP,
          bool PAIRED>
DEV void skinny_gemm(const void* A, const void* B, const uint8_t* a_sc, const uint8_t* b_sc, const float* g_a,
                     const float* g_b, void* D, const float* bias, int M, int N, int K, int lda, int ldb, int kslice,
                     float alpha, float beta, int out_bf16) {
  using SB = SkinnyB<BKIND, op_bitplaced(BKIND) && AKIND == OP_K16>;
  constexpr bool FP4 = SB::FP4;
  constexpr int THREADS = 32 * WARPS, RG = WARPS / KQ, ROWS = 16 * RG;
  extern __shared__ __align__(128) uint4 smem_a[];
  uint8_t* sa = reinterpret_cast<uint8_t*>(smem_a);

  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31, g = lane >> 2, t = lane & 3;
  const int rg = warp % RG, kq = warp / RG;  // the warp's row group, and its share of the K slice
  const int split = blockIdx.y;
  const int n0 = blockIdx.x * ROWS;
  const int kb = split * kslice;
  const int klen = min(K, kb + kslice) - kb;
  const int rowstride = SB::row_bytes(kslice);
  if (tid == 0) DEV_STAMP(0);
  if (tid == 0) DEV_GSTAMP(21);
#ifdef GEMM_DEV_VARIANTS  // the CTA's SM and its dynamic shared memory base
  if (STAMP && tid == 0) {
    unsigned sm;
    asm volatile("mov.u32 %0, %%smid;" : "=r"(sm));
    g_dev_times[(blockIdx.y * gridDim.x + blockIdx.x) * 24 + 18] = sm;
    g_dev_times[(blockIdx.y * gridDim.x + blockIdx.x) * 24 + 23] = smem_u32(sa);
  }
#endif
  __shared__ uint64_t red_bar;  // the cluster reduction's barrier: the partial sums of every warp of the cluster
  if constexpr (SPLITS > 1) {
    if (tid == 0) {
      mbarrier_init_cluster(smem_u32(&red_bar), 1);
      mbarrier_expect_tx(smem_u32(&red_bar), skinny_part_received(M, WARPS, KQ, SPLITS, split));
    }
  }
  // after A: NVFP4 A's raw copy while A is staged, then the partial sums of the cluster
  uint8_t* tail = sa + skinny_part_offset(M * rowstride, WARPS, KQ);

  // ---- stream the weights: lane (g, t) loads rows g and g + 8 of the warp's 16 ----
  const int wrow = n0 + rg * 16;
  const bool wok = wrow < N;  // N % 16 == 0: a warp's 16 rows are all in range or all out
  const int r0 = wrow + g;
  const int rs = wok ? r0 : g;  // rows out of range read row g (valid memory), and do no steps
  const int csteps = klen / SB::STEP, qsteps = (csteps + KQ - 1) / KQ;

  // A's M rows only (lanes of tokens >= M read row M - 1, and their columns are never stored), by
  // cp.async issued before the first weight loads and waited for after them: bf16 A for bit-placed
  // weights as it is, NVFP4 A as raw codes and scales expanded after the wait (the loads would
  // otherwise queue behind the weights' and cost microseconds). bf16 A for codec-order or bf16
  // weights is staged (reordered) after the first weight loads are requested.
  constexpr bool ASYNC_A = op_bitplaced(BKIND) && AKIND == OP_K16, RAW_A = AKIND != OP_K16;
  // Launched with programmatic dependent launch (GemmKernels), this CTA may already run while the
  // kernel before it finishes: nothing above touches global memory, everything below waits for that
  // kernel (its writes, or its reads of what this one writes). The next kernel may start its CTAs
  // now; a decode step's launches thus overlap their start with the previous kernel's tail.
  grid_dependents_launch();
  grid_dependency_wait();
  if constexpr (ASYNC_A) skinny_stage_a_async<SB, THREADS>(sa, A, M, lda, kb, klen, rowstride);
  if constexpr (RAW_A) skinny_raw_a_issue<THREADS>(tail, A, a_sc, M, K, kb, klen);
  auto wait = [&]() {
    if constexpr (ASYNC_A) cp_async_wait<0>();
    else if constexpr (RAW_A) skinny_raw_a_expand<BKIND, F16, THREADS>(sa, tail, M, klen, rowstride);
    else skinny_stage_a<BKIND, THREADS>(sa, A, M, lda, kb, klen, rowstride);
    __syncthreads();
    // this CTA's barrier is set up (its init fence released it) and the raw copy consumed (every
    // value read from it is already in the staged A): the cluster's partial sums may come. Relaxed:
    // a release would wait for the weight loads in flight.
    if constexpr (SPLITS > 1) cluster_arrive_relaxed();
    if (tid == 0) DEV_STAMP(1);
  };
  const int wfirst = min(csteps, kq * qsteps), nsteps = wok ? min(csteps, wfirst + qsteps) - wfirst : 0;
  const int kw = kb + (nsteps > 0 ? wfirst : 0) * SB::STEP;  // the warp's first k (a warp without steps reads valid memory)

  float acc[2][2][4] = {};
  const uint8_t *bp0, *bp1, *sp0 = nullptr, *sp1 = nullptr;
  int step_bytes;
  if constexpr (!FP4) {
    bp0 = reinterpret_cast<const uint8_t*>(static_cast<const uint16_t*>(B) + static_cast<size_t>(rs) * ldb + kw + t * 8);
    bp1 = bp0 + static_cast<size_t>(8) * ldb * 2;
    step_bytes = SB::STEP * 2;
  } else {
    const size_t rb = static_cast<size_t>(K) / 2, sr = static_cast<size_t>(K) / 16;
    if constexpr (PAIRED) {  // rows 2p, 2p+1 in alternate 64-byte pieces (one warp step each): K bytes a pair
      bp0 = static_cast<const uint8_t*>(B) + (rs >> 1) * 2 * rb + kw + (rs & 1) * 64 + t * 16;
    } else {
      bp0 = static_cast<const uint8_t*>(B) + rs * rb + kw / 2 + t * 16;
    }
    bp1 = bp0 + 8 * rb;  // row g + 8 (paired: four pairs on)
    if constexpr (op_tile(BKIND)) {
      sp0 = b_sc + static_cast<size_t>(rs / 16) * sr + kw / 16 + t * 2;  // rows g, g+8 share a tile
      sp1 = sp0;
    } else {
      sp0 = b_sc + rs * sr + kw / 16 + t * 2;
      sp1 = sp0 + 8 * sr;
    }
    step_bytes = PAIRED ? SB::STEP : SB::STEP / 2;
  }
  const int xoff = SB::lane_offset(t) + wfirst * SB::A_STEP_BYTES;
  const int m0 = min(g, M - 1), m1 = min(g + 8, M - 1);
  const uint8_t* x0p = sa + m0 * rowstride + xoff;
  const uint8_t* x1p = sa + m1 * rowstride + xoff;
  const int xw0 = SB::lane_xor(t, m0), xw1 = SB::lane_xor(t, m1);
  if (M > 8) skinny_mainloop<BKIND, SB, F16, 2, U, NB>(bp0, bp1, sp0, sp1, step_bytes, x0p, x1p, xw0, xw1, nsteps, wait, acc);
  else skinny_mainloop<BKIND, SB, F16, 1, U, NB>(bp0, bp1, sp0, sp1, step_bytes, x0p, x1p, xw0, xw1, nsteps, wait, acc);
  if (lane == 0) DEV_STAMP(2 + warp);

  // ---- epilogue: the sums of the KQ warps of a row group and of the SPLITS CTAs of a cluster,
  // always added in the same order ----
  float sum[2][4];
#pragma unroll
  for (int grp = 0; grp < 2; ++grp)
#pragma unroll
    for (int j = 0; j < 4; ++j) sum[grp][j] = acc[grp][0][j] + acc[grp][1][j];
  const float scale = effective_scale(alpha, g_a, g_b, static_cast<float>(CONST_SCALE));
  if constexpr (SPLITS == 1) {  // over the KQ warps in shared memory (A's space)
    if constexpr (KQ > 1) {
      float* red = reinterpret_cast<float*>(smem_a);  // [WARPS][8][32]
      __syncthreads();  // A is no longer read
      if (kq > 0) {
#pragma unroll
        for (int j = 0; j < 8; ++j) red[(warp * 8 + j) * 32 + lane] = sum[j >> 2][j & 3];
      }
      __syncthreads();
      if (kq == 0) {
#pragma unroll
        for (int q = 1; q < KQ; ++q)
#pragma unroll
          for (int j = 0; j < 8; ++j) sum[j >> 2][j & 3] += red[((rg + q * RG) * 8 + j) * 32 + lane];
      }
    }
    if (kq == 0 && wok) skinny_store(D, out_bf16, sum, r0, N, M, t, scale, bias, beta);
  } else {
    // CTA r of the cluster (one per K slice) adds up the r-th share of the tile: the slots (token
    // group grp, row group rg) of 32 lanes x 4 sums (skinny_outputs' order), split evenly. Every
    // warp of the cluster sends each of its slots by one st.async straight into the owner's shared
    // memory (its own CTA's too), counted on the owner's barrier, which has expected all of the
    // bytes since entry; the owner adds the SPLITS x KQ partials in (slice, warp) order and stores.
    // No CTA barrier, no fences, no cluster barrier at the end.
    static_assert(RG % SPLITS == 0 && ((RG / SPLITS) & (RG / SPLITS - 1)) == 0, "slots per owner: a power of two");
    const int groups = M > 8 ? 2 : 1, per = groups * RG / SPLITS;  // slots per owner (RG = 8, SPLITS <= 4)
    // the thread's indices read again: kept across the main loop they cost it registers (ptxas then
    // recomputes the weight pointers inside the loop)
    const int etid = tid_fresh(), lane_e = etid & 31, rg_e = (etid >> 5) % RG, kq_e = (etid >> 5) / RG, t_e = lane_e & 3;
    float4* part = reinterpret_cast<float4*>(tail);                 // [SPLITS][KQ][per][32 lanes]
    cluster_wait();  // every CTA of the cluster has its barrier set up and its raw copy consumed
#pragma unroll
    for (int grp = 0; grp < 2; ++grp) {  // also rows past N (sums of zero): the byte count is fixed
      if (grp >= groups) break;
      if (grp * 8 + 2 * t_e >= M) continue;  // no token of this lane (skinny_part_received)
      const int sl = grp * RG + rg_e, owner = (M > 8 ? sl / (2 * RG / SPLITS) : sl / (RG / SPLITS));  // no division by a runtime value
      float4* slot = part + ((split * KQ + kq_e) * per + (sl & (per - 1))) * 32 + lane_e;
      st_async_v4(mapa_u32(smem_u32(slot), owner), make_float4(sum[grp][0], sum[grp][1], sum[grp][2], sum[grp][3]),
                  mapa_u32(smem_u32(&red_bar), owner));
    }
    if (tid == 0) DEV_STAMP(19);
    mbarrier_wait_cluster(smem_u32(&red_bar), 0);
    for (int i = etid; i < per * 32; i += THREADS) {
      const int sl = split * per + i / 32, lg = (i >> 2) & 7, lt = i & 3;
      const int row = n0 + (sl % RG) * 16 + lg, tk = (sl / RG) * 8 + 2 * lt;
      if (row >= N || tk >= M) continue;  // N % 16 == 0: a row group is in range or not
      float4 v = part[i];
#pragma unroll
      for (int q = 1; q < SPLITS * KQ; ++q) {
        const float4 u = part[q * per * 32 + i];
        v.x += u.x; v.y += u.y; v.z += u.z; v.w += u.w;
      }
      const float b0 = bias != nullptr ? bias[row] : 0.0f, b1 = bias != nullptr ? bias[row + 8] : 0.0f;
      const size_t o = static_cast<size_t>(tk) * N + row;
      store_one(D, out_bf16, o, v.x * scale + b0, beta);
      store_one(D, out_bf16, o + 8, v.z * scale + b1, beta);
      if (tk + 1 < M) {
        store_one(D, out_bf16, o + N, v.y * scale + b0, beta);
        store_one(D, out_bf16, o + N + 8, v.w * scale + b1, beta);
      }
    }
  }
  if (tid == 0) DEV_STAMP(20);
  if (tid == 0) DEV_GSTAMP(22);
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

// SPLITS: K slices = CTAs per cluster (gridDim.y); STAMP: clock stamps for gemm_dev.cu; PAIRED: the
// weights' rows interleaved in pairs (nvfp4_bitplace). Entries NAME_s1, NAME_s2, NAME_s4.
#define SKINNY_KERNEL(NAME, BKIND, AKIND, F16, CONST, SPLITS, ATTR, STAMP, PAIRED)                                    \
  extern "C" __global__ void __launch_bounds__(32 * SKINNY_WARPS, 1) ATTR                                          \
      NAME##_s##SPLITS(const void* A, const void* B, const uint8_t* a_sc, const uint8_t* b_sc, const float* g_a,     \
                       const float* g_b, void* D, const float* bias, int M, int N, int K, int lda, int ldb,          \
                       int kslice, float alpha, float beta, int out_bf16) {                                         \
    skinny_gemm<BKIND, AKIND, F16, CONST, SKINNY_WARPS, SKINNY_KQ, SKINNY_U(BKIND), SKINNY_NB(BKIND), SPLITS, STAMP,   \
                PAIRED>(                                                                                            \
        A, B, a_sc, b_sc, g_a, g_b, D, bias, M, N, K, lda, ldb, kslice, alpha, beta, out_bf16);                     \
  }
#define SKINNY_ENTRY_P(NAME, BKIND, AKIND, F16, CONST, STAMP, PAIRED)                                               \
  SKINNY_KERNEL(NAME, BKIND, AKIND, F16, CONST, 1, , STAMP, PAIRED)                                                 \
  SKINNY_KERNEL(NAME, BKIND, AKIND, F16, CONST, 2, __cluster_dims__(1, 2, 1), STAMP, PAIRED)                        \
  SKINNY_KERNEL(NAME, BKIND, AKIND, F16, CONST, 4, __cluster_dims__(1, 4, 1), STAMP, PAIRED)
#define SKINNY_ENTRY(NAME, BKIND, AKIND, F16, CONST, STAMP) SKINNY_ENTRY_P(NAME, BKIND, AKIND, F16, CONST, STAMP, false)

// 16 warps = 8 row groups (16 weight rows each) x 2 halves of the K slice (KQ): 128 weight rows per
// CTA, one CTA per SM (GemmKernels.SKINNY_* agree). Register ring of NB sets of U steps: bit-placed
// weights 4 sets of 1 step (1.5% faster at M = 1, 5% at M = 16 than 2 of 2, which the codec-order
// kernels keep; docs/kernels-gemm.md).
#define SKINNY_U(BKIND) (op_bitplaced(BKIND) ? 1 : 2)
#define SKINNY_NB(BKIND) (op_bitplaced(BKIND) ? 4 : 2)
#define SKINNY_WARPS 16
#define SKINNY_KQ 2
SKINNY_ENTRY(skinny_w4a16_row, OP_FP4_ROW, OP_K16, false, 1, false)
SKINNY_ENTRY(skinny_w4a16_tile, OP_FP4_TILE, OP_K16, false, 1, false)
SKINNY_ENTRY(skinny_w4a4_row, OP_FP4_ROW, OP_FP4_ROW, true, 16, false)
SKINNY_ENTRY(skinny_w4a4_tile, OP_FP4_TILE, OP_FP4_ROW, true, 16, false)
SKINNY_ENTRY(skinny_bf16, OP_K16, OP_K16, false, 1, false)
// Bit-placed weights (bitplace_word): bf16 MMA for both, the activations of W4A4 expanded to bf16;
// the weights carry a factor 1/256. _bp: rows as the codec's; _bpp: rows paired, which W4A4 reads
// about 2 us faster at M = 16 (N = K = 8192: its activations' expansion no longer waits behind the
// returns of half-line weight loads) and W4A16 0.2..0.35 us slower (docs/kernels-gemm.md, "Ninth round").
SKINNY_ENTRY(skinny_w4a16_row_bp, OP_FP4_ROW_BP, OP_K16, false, 256, false)
SKINNY_ENTRY(skinny_w4a16_tile_bp, OP_FP4_TILE_BP, OP_K16, false, 256, false)
SKINNY_ENTRY(skinny_w4a4_row_bp, OP_FP4_ROW_BP, OP_FP4_ROW, false, 256, false)
SKINNY_ENTRY(skinny_w4a4_tile_bp, OP_FP4_TILE_BP, OP_FP4_ROW, false, 256, false)
SKINNY_ENTRY_P(skinny_w4a16_row_bpp, OP_FP4_ROW_BP, OP_K16, false, 256, false, true)
SKINNY_ENTRY_P(skinny_w4a16_tile_bpp, OP_FP4_TILE_BP, OP_K16, false, 256, false, true)
SKINNY_ENTRY_P(skinny_w4a4_row_bpp, OP_FP4_ROW_BP, OP_FP4_ROW, false, 256, false, true)
SKINNY_ENTRY_P(skinny_w4a4_tile_bpp, OP_FP4_TILE_BP, OP_FP4_ROW, false, 256, false, true)
#ifdef GEMM_DEV_VARIANTS  // the bit-placed 16x16 kernels with clock stamps (gemm_dev.cu stamp)
SKINNY_ENTRY(dev_stamp, OP_FP4_TILE_BP, OP_K16, false, 256, true)
SKINNY_ENTRY(dev_stamp_a4, OP_FP4_TILE_BP, OP_FP4_ROW, false, 256, true)
SKINNY_ENTRY_P(dev_stamp_p, OP_FP4_TILE_BP, OP_K16, false, 256, true, true)
SKINNY_ENTRY_P(dev_stamp_p_a4, OP_FP4_TILE_BP, OP_FP4_ROW, false, 256, true, true)
#endif

// Codec-order codes [rows][cols / 2] -> bit-placed codes (bitplace_word), one 32-bit word (8 codes)
// per step. paired != 0 (rows even, cols % 128 == 0): rows 2p and 2p + 1 interleaved in 64-byte
// pieces, pair p at byte p * cols, piece j of row 2p + e at 128 j + 64 e within it (docs/formats.md).
extern "C" __global__ void nvfp4_bitplace(const uint32_t* in, uint32_t* out, int rows, int cols, int paired) {
  const long long words = static_cast<long long>(rows) * (cols / 8), wpr = cols / 8;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < words;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    long long o = i;
    if (paired) {
      const long long r = i / wpr, q = i % wpr;
      o = (r >> 1) * 2 * wpr + (q >> 4) * 32 + (r & 1) * 16 + (q & 15);
    }
    out[o] = bitplace_word(in[i]);
  }
}

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


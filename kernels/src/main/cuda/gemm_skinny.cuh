// Pieces of the small-M (decode) kernels of gemm_skinny.cu, for weights in the codec's order and
// bit-placed (bitplace_word). Both use the same lane mapping:
// in one warp step, lane L = 4g + t holds 16 bytes (32 codes) of weight rows g and g + 8 of the
// warp's 16, at k = 32t .. 32t + 31 of the step's 128, and runs mma.sync m16n8k16 with the 16
// weight rows as the MMA's rows and up to 8 tokens as its columns (a second MMA for tokens 8..15).
// The MMA's k order is free (a sum), so the lane's codes are its k slots, expanded by
// dequant8_pairs (k pairs (i, i+4) of each 8) or dequant8_bitplaced (natural pairs), and the
// activations are staged in that order.
#pragma once
#include "gemm_common.cuh"

// Staged A: one row per token, 16-byte chunks of 8 k values. With NVFP4 weights a lane reads chunks
// 16s + 4t + q (step s, lane t, word q); a 16-byte pad after every 8 chunks puts the 4 lanes t of
// a phase on distinct banks with constant strides (18 chunks per step), and rows are 32 bytes
// past a multiple of 128 so that tokens g and g+1 do not collide. bf16 weights: chunks 4s + t,
// rows padded by 64 bytes. SWZ (bit-placed W4A16, copied by cp.async): flat rows, so that every
// 128-byte line of A lands whole in one line of shared memory (split lines copy 3x slower); the 8
// chunks of a line are permuted by the line's parity and the token's, which keeps a phase's reads
// on distinct banks (lane t reads line 2s + t/2, chunk (4(t&1) + q) ^ (t>>1) ^ 2(m&1)).
template <int BKIND, bool SWZ = false>
struct SkinnyB {
  static constexpr bool FP4 = BKIND != OP_K16, FLAT = SWZ;  // FLAT: bit-placed W4A16 (flat rows)
  static constexpr int WPL = FP4 ? 4 : 1;              // 8-element words per 16-byte lane load
  static constexpr int STEP = 32 * WPL;                // K elements per warp step (4 lanes in k)
  static constexpr int A_STEP_BYTES = SWZ ? 256 : FP4 ? 288 : 64;  // staged-A bytes per step
  DEV static int chunk_off(int m, int c) {  // byte offset of chunk c in row m (m matters only by its parity)
    if constexpr (SWZ) return (c >> 3) * 128 + (((c & 7) ^ ((c >> 3) & 1) ^ ((m & 1) << 1)) << 4);
    return 16 * (FP4 ? c + (c >> 3) : c);
  }
  DEV static int lane_offset(int t) { return SWZ ? 64 * t : FP4 ? 16 * (4 * t + (t >> 1)) : 16 * t; }
  DEV static int lane_xor(int t, int m) { return SWZ ? (t >> 1) | ((m & 1) << 1) : 0; }
  __host__ __device__ static int row_bytes(int kslice) {
    const int words = kslice / 8;
    return SWZ ? words * 16 : FP4 ? (words * 18 + 127) / 128 * 128 + 32 : words * 16 + 64;
  }
};

// Dynamic shared memory of gemm_skinny.cu's kernels (GemmKernels.java agrees): staged A, whose space
// then holds the in-CTA reduction (one K slice); after both a tail shared by NVFP4 A's raw copy
// (while A is staged) and the partial sums of the cluster (a float4 per lane, token group and warp).
inline __host__ __device__ constexpr int skinny_part_offset(int a_bytes, int warps, int kq) {
  const int red = kq > 1 ? warps * 8 * 32 * 4 : 0;
  return ((a_bytes > red ? a_bytes : red) + 15) / 16 * 16;
}
inline __host__ __device__ constexpr int skinny_part_bytes(int m, int warps) { return (m > 8 ? 2 : 1) * warps * 32 * 16; }
// Of those, the bytes CTA `split` of a cluster of `splits` receives: the owner of slots (token group
// grp, row group rg) grp * rg_count + rg in [split * per, (split + 1) * per) gets them from the kq
// warps of that row group in every CTA; lanes (g, t) send only while token grp * 8 + 2t < m (1..4
// lanes t of 4, times 8 g, times 16 bytes). per divides rg_count, so an owner's slots are all of
// one token group: a closed form (thread 0 computes it before its copies; a loop cost it ~140
// instructions, which delayed its warp's copies and the whole CTA's staging).
inline __host__ __device__ int skinny_part_received(int m, int warps, int kq, int splits, int split) {
  const int rgs = warps / kq, per = (m > 8 ? 2 : 1) * rgs / splits;  // as skinny_gemm's epilogue
  const int left = m - split * per / rgs * 8, lanes_t = (left + 1) / 2 < 4 ? (left + 1) / 2 : 4;
  return per * splits * kq * 8 * 16 * lanes_t;
}
inline __host__ __device__ constexpr int skinny_smem(int a_bytes, int warps, int kq, int m, int raw_bytes) {
  return skinny_part_offset(a_bytes, warps, kq) + (skinny_part_bytes(m, warps) > raw_bytes ? skinny_part_bytes(m, warps) : raw_bytes);
}

// Stages bf16 A[0:M, kb:kb+klen) (codec-layout NVFP4 weights: each 8 k in dequant8_pairs's order;
// bf16 weights: as it is). A thread takes one 8-k chunk of up to 16 rows at a time, all its loads
// first, so that the batch costs one memory latency, not sixteen. The caller synchronizes.
template <int BKIND, int THREADS>
DEV void skinny_stage_a(uint8_t* sa, const void* A, int M, int lda, int kb, int klen, int rowstride) {
  using SB = SkinnyB<BKIND>;
  const int words = klen / 8;
  for (int q = threadIdx.x; q < words; q += THREADS) {
    for (int m0 = 0; m0 < M; m0 += 16) {
      uint4 v[16];
#pragma unroll
      for (int j = 0; j < 16; ++j) {
        const int m = m0 + j;
        if (m >= M) break;
        v[j] = *reinterpret_cast<const uint4*>(static_cast<const uint16_t*>(A) + static_cast<size_t>(m) * lda + kb + q * 8);
      }
#pragma unroll
      for (int j = 0; j < 16; ++j) {
        const int m = m0 + j;
        if (m >= M) break;
        *reinterpret_cast<uint4*>(sa + m * rowstride + SB::chunk_off(m, q)) = SB::FP4 ? pairs_order(v[j]) : v[j];
      }
    }
  }
}

// Index i = threadIdx.x, + THREADS, ... over a [rows][cols] range as (row, col), with one division
// at the start instead of one per step: cols is a runtime value, and a division costs about 25
// instructions, which the staging pays in every thread while the weights wait (docs/kernels-gemm.md).
template <int THREADS>
struct RowWalk {
  int row, col;
  const int cols, drow, dcol;
  DEV explicit RowWalk(int cols_)
      : row(static_cast<int>(threadIdx.x) / cols_), col(static_cast<int>(threadIdx.x) % cols_), cols(cols_),
        drow(THREADS / cols_), dcol(THREADS % cols_) {}
  DEV void next() {
    row += drow;
    col += dcol;
    if (col >= cols) {
      col -= cols;
      ++row;
    }
  }
};

// bf16 A as it is (bit-placed weights pair codes in natural k order), by cp.async; the caller
// waits (cp_async_wait) and synchronizes. A thread copies chunk column c of every row, so that a copy
// costs a few additions (chunk_off depends on the row only through its parity): at M = 16 the
// staging's instructions, issued by all 16 warps at once, cost about 1 us when each copy computed
// its row and column by a division.
template <class SB, int THREADS>
DEV void skinny_stage_a_async(uint8_t* sa, const void* A, int M, int lda, int kb, int klen, int rowstride) {
  for (int c = threadIdx.x; c < klen / 8; c += THREADS) {
    const uint16_t* src = static_cast<const uint16_t*>(A) + kb + c * 8;
    uint32_t even = smem_u32(sa + SB::chunk_off(0, c)), odd = smem_u32(sa + rowstride + SB::chunk_off(1, c));
    for (int m = 0; m < M; m += 2, src += 2 * static_cast<size_t>(lda), even += 2 * rowstride, odd += 2 * rowstride) {
      cp_async16(even, src, 16);
      if (m + 1 < M) cp_async16(odd, src + lda, 16);
    }
  }
  cp_async_commit();
}

// NVFP4 A: the raw codes and scales of A's slice are copied by cp.async before the first weight
// loads (raw: codes [M][klen/2], then scales [M][klen/16], in skinny_smem's tail) and expanded
// after them, in the order the weights need: bit-placed weights natural order, bf16 v * sf;
// codec-order weights dequant8_pairs's order (F16: f16 v * sf / 4). A thread expands the 64-k
// units it copied itself, so it waits for its own copies only; the caller's CTA barrier ends the
// staging.
inline __host__ __device__ constexpr int skinny_raw_bytes(int m, int kslice) { return m * kslice / 2 + m * kslice / 16; }
template <int THREADS>
DEV void skinny_raw_a_issue(uint8_t* raw, const void* A, const uint8_t* a_sc, int M, int K, int kb, int klen) {
  uint8_t* rsc = raw + M * klen / 2;
  for (RowWalk<THREADS> w(klen / 64); w.row < M; w.next()) {
    const int m = w.row, v = w.col;
    const uint8_t* src = static_cast<const uint8_t*>(A) + static_cast<size_t>(m) * (K / 2) + kb / 2 + v * 32;
    cp_async16(smem_u32(raw + m * klen / 2 + v * 32), src, 16);
    cp_async16(smem_u32(raw + m * klen / 2 + v * 32 + 16), src + 16, 16);
    cp_async4(smem_u32(rsc + m * klen / 16 + v * 4), a_sc + static_cast<size_t>(m) * (K / 16) + kb / 16 + v * 4, 4);
  }
  cp_async_commit();
}
template <int BKIND, bool F16, int THREADS>
DEV void skinny_raw_a_expand(uint8_t* sa, const uint8_t* raw, int M, int klen, int rowstride) {
  using SB = SkinnyB<BKIND>;  // padded rows: the expansion's stores of 8 consecutive units meet no bank twice
  cp_async_wait<0>();
  const uint8_t* rsc = raw + M * klen / 2;
  for (RowWalk<THREADS> it(klen / 64); it.row < M; it.next()) {
    const int m = it.row, v = it.col;
    const uint4 c0 = *reinterpret_cast<const uint4*>(raw + m * klen / 2 + v * 32);
    const uint4 c1 = *reinterpret_cast<const uint4*>(raw + m * klen / 2 + v * 32 + 16);
    const uint32_t sc = *reinterpret_cast<const uint32_t*>(rsc + m * klen / 16 + v * 4);
    const uint32_t w[8] = {c0.x, c0.y, c0.z, c0.w, c1.x, c1.y, c1.z, c1.w};
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      const uint32_t e4m3 = (sc >> (8 * (i >> 1))) & 0xFFu;
      uint32_t s2, nb2, r[4];
      if constexpr (op_bitplaced(BKIND)) {
        scale_pair<false>(e4m3, s2, nb2);
        dequant8<false>(w[i], s2, nb2, r);
      } else {
        mag_scale_pair<F16>(e4m3, s2, nb2);
        dequant8_pairs<F16>(w[i], s2, nb2, r);
      }
      *reinterpret_cast<uint4*>(sa + m * rowstride + SB::chunk_off(m, v * 8 + i)) = make_uint4(r[0], r[1], r[2], r[3]);
    }
  }
}

// One warp step of NVFP4 weights: w0 / w1 = the lane's 16 code bytes of rows g / g + 8, c0 / c1 =
// their two E4M3 block scales (bits 0..7, 8..15; equal for TILE_16x16), xs0 / xs1 = the staged
// activations of tokens g / g + 8 at this step. Accumulates into acc[token group][k half of the MMA].
template <int BKIND, bool F16, int GROUPS>
DEV void skinny_fp4_step(const uint4& w0, const uint4& w1, uint32_t c0, uint32_t c1, const uint8_t* xs0,
                         const uint8_t* xs1, int x0, int x1, float (&acc)[2][2][4]) {
  const uint32_t wa[4] = {w0.x, w0.y, w0.z, w0.w};
  const uint32_t wb[4] = {w1.x, w1.y, w1.z, w1.w};
  uint32_t s2a[2], nba[2], s2b[2], nbb[2];
  if constexpr (op_bitplaced(BKIND)) {
    bitplace_scales2(c0, s2a);
    if constexpr (op_tile(BKIND)) {
      s2b[0] = s2a[0]; s2b[1] = s2a[1];
    } else {
      bitplace_scales2(c1, s2b);
    }
  } else {
    mag_scale_pairs2<F16>(c0, s2a, nba);
    if constexpr (op_tile(BKIND)) {
      s2b[0] = s2a[0]; s2b[1] = s2a[1]; nbb[0] = nba[0]; nbb[1] = nba[1];
    } else {
      mag_scale_pairs2<F16>(c1, s2b, nbb);
    }
  }
#pragma unroll
  for (int q = 0; q < 4; ++q) {
    uint32_t p[4], r[4];  // weight rows g and g+8, in the staged activations' order
    if constexpr (op_bitplaced(BKIND)) {
      dequant8_bitplaced(wa[q], s2a[q >> 1], p);
      dequant8_bitplaced(wb[q], s2b[q >> 1], r);
    } else {
      dequant8_pairs<F16>(wa[q], s2a[q >> 1], nba[q >> 1], p);
      dequant8_pairs<F16>(wb[q], s2b[q >> 1], nbb[q >> 1], r);
    }
    // MMA rows (g | g+8) x k slots (2t,2t+1 | 2t+8,2t+9) = register pairs 0 | 1, then 2 | 3: word
    // elements (0,4 | 1,5), then (2,6 | 3,7) (bit-placed: (0,1 | 2,3), then (4,5 | 6,7)); the B
    // column is token g (g+8 for the second group), staged in the same order.
    const uint4 a0 = *reinterpret_cast<const uint4*>(xs0 + 16 * (q ^ x0));
    mma16816<F16>(acc[0][0], p[0], r[0], p[1], r[1], a0.x, a0.y);
    mma16816<F16>(acc[0][1], p[2], r[2], p[3], r[3], a0.z, a0.w);
    if constexpr (GROUPS == 2) {
      const uint4 a1 = *reinterpret_cast<const uint4*>(xs1 + 16 * (q ^ x1));
      mma16816<F16>(acc[1][0], p[0], r[0], p[1], r[1], a1.x, a1.y);
      mma16816<F16>(acc[1][1], p[2], r[2], p[3], r[3], a1.z, a1.w);
    }
  }
}

// The warp's outputs: f(token, row offset 0 or 8, sum) for rows g and g + 8 of its 16 and the
// tokens < M it holds; sum[grp][j] is the MMA accumulator register j of token group grp (j = 0, 1:
// tokens 2t, 2t+1 of row g; 2, 3: the same tokens of row g + 8; group 1 adds 8 to the token).
template <class F>
DEV void skinny_outputs(const float (&sum)[2][4], int M, int t, F&& f) {
#pragma unroll
  for (int grp = 0; grp < 2; ++grp)
#pragma unroll
    for (int j = 0; j < 2; ++j) {
      const int tk = grp * 8 + 2 * t + j;
      if (tk >= M) continue;
      f(tk, 0, sum[grp][j]);
      f(tk, 8, sum[grp][2 + j]);
    }
}

// Epilogue of a warp's 16 rows r0 = row g, r0 + 8, the sums complete.
DEV void skinny_store(void* D, int out_bf16, const float (&sum)[2][4], int r0, int N, int M, int t, float scale,
                      const float* bias, float beta) {
  const float bias0 = bias != nullptr ? bias[r0] : 0.0f, bias1 = bias != nullptr ? bias[r0 + 8] : 0.0f;
  skinny_outputs(sum, M, t, [&](int tk, int dr, float v) {
    store_one(D, out_bf16, static_cast<size_t>(tk) * N + r0 + dr, v * scale + (dr ? bias1 : bias0), beta);
  });
}


// Shared pieces of the GEMM kernels (gemm_wgmma.cu, gemm_skinny.cu): PTX wrappers, the NVFP4
// register dequantization and the epilogue. See docs/kernels-gemm.md for the design.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

#define DEV __device__ __forceinline__

// Operand kinds (template arguments of the kernels).
enum : int {
  OP_K16 = 0,       // 16-bit (bf16/f16) matrix [rows][ld], the reduction dimension contiguous
  OP_MN16 = 1,      // 16-bit matrix [reduction][ld], the row (M or N) dimension contiguous
  OP_FP4_ROW = 2,   // NVFP4 codes [rows][K/2], E4M3 scales [rows][K/16]     (ROW_1x16)
  OP_FP4_TILE = 3,  // NVFP4 codes [rows][K/2], E4M3 scales [rows/16][K/16]  (TILE_16x16)
  OP_FP4_ROW_BP = 4,   // OP_FP4_ROW with the codes bit-placed (bitplace_word; small-M kernel only)
  OP_FP4_TILE_BP = 5,  // OP_FP4_TILE with the codes bit-placed
};
__host__ __device__ constexpr bool op_tile(int kind) { return kind == OP_FP4_TILE || kind == OP_FP4_TILE_BP; }
__host__ __device__ constexpr bool op_bitplaced(int kind) { return kind == OP_FP4_ROW_BP || kind == OP_FP4_TILE_BP; }

// ---------------------------------------------------------------------------------------------
// PTX wrappers
// ---------------------------------------------------------------------------------------------
// threadIdx.x read anew (volatile: not merged with an earlier read, so no register holds it between)
DEV int tid_fresh() {
  int v;
  asm volatile("mov.u32 %0, %%tid.x;" : "=r"(v));
  return v;
}
DEV uint32_t smem_u32(const void* p) { return static_cast<uint32_t>(__cvta_generic_to_shared(p)); }

// 16-byte async copy global -> shared; src_bytes < 16 zero-fills the rest (0: all zeros, used for
// rows and columns outside the matrix so that no branch is needed in the MMA loop).
DEV void cp_async16(uint32_t dst, const void* src, uint32_t src_bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes) : "memory");
}
DEV void cp_async4(uint32_t dst, const void* src, uint32_t src_bytes) {
  asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes) : "memory");
}
DEV void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
template <int N>
DEV void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory"); }

// Ordinary (generic-proxy) shared-memory writes that wgmma (async proxy) reads next need this in
// each writing thread before the barrier.
DEV void fence_proxy_async() { asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory"); }

DEV void wgmma_fence() {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
#endif
}
DEV void wgmma_commit() {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
#endif
}
template <int N>
DEV void wgmma_wait() {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory");
#endif
}
// Keeps the compiler from moving reads of accumulator registers above a wgmma wait.
DEV void fence_operand(float& r) { asm volatile("" : "+f"(r)::"memory"); }

// Shared-memory matrix descriptor for wgmma, 128-byte swizzle (the canonical layouts: K-major
// tiles are rows of 128 bytes, 16-byte chunk c of row r stored at chunk c ^ (r % 8); SBO = 1024
// steps over 8-row groups. M/N-major tiles are blocks of 64 elements x K rows of 128 bytes with
// the same XOR on the K row; LBO steps between 64-element blocks, SBO over 8 K rows).
DEV uint64_t make_desc(uint32_t saddr, uint32_t lbo, uint32_t sbo) {
  uint64_t d = 0;
  d |= static_cast<uint64_t>((saddr & 0x3FFFF) >> 4);
  d |= static_cast<uint64_t>((lbo & 0x3FFFF) >> 4) << 16;
  d |= static_cast<uint64_t>((sbo & 0x3FFFF) >> 4) << 32;
  d |= static_cast<uint64_t>(1) << 62;  // SWIZZLE_128B
  return d;
}

// Thread-block clusters: distributed shared memory and barriers across the cluster's CTAs.
DEV uint32_t mapa_u32(uint32_t saddr, int rank) {  // this CTA's shared address -> the same one in CTA `rank`
  uint32_t d;
  asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(d) : "r"(saddr), "r"(rank));
  return d;
}
DEV void cluster_arrive_relaxed() { asm volatile("barrier.cluster.arrive.relaxed.aligned;" ::: "memory"); }
DEV void cluster_wait() { asm volatile("barrier.cluster.wait.aligned;" ::: "memory"); }
// Barrier init made visible to the cluster (the other CTAs arrive on it remotely).
DEV void mbarrier_init_cluster(uint32_t saddr, int count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(saddr), "r"(count) : "memory");
  asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
}
// This thread's arrival, announcing `bytes` still to come by st.async (or TMA).
DEV void mbarrier_expect_tx(uint32_t saddr, int bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(saddr), "r"(bytes) : "memory");
}
// A store into another CTA's shared memory whose 16 bytes count on that CTA's barrier.
DEV void st_async_v4(uint32_t caddr, float4 v, uint32_t cbar) {
  asm volatile("st.async.shared::cluster.mbarrier::complete_tx::bytes.v4.b32 [%0], {%1,%2,%3,%4}, [%5];" ::"r"(caddr),
               "r"(__float_as_uint(v.x)), "r"(__float_as_uint(v.y)), "r"(__float_as_uint(v.z)), "r"(__float_as_uint(v.w)),
               "r"(cbar)
               : "memory");
}
DEV void mbarrier_wait_cluster(uint32_t saddr, uint32_t parity) {
  uint32_t done = 0;
  while (!done) {
    asm volatile(
        "{\n.reg .pred p;\nmbarrier.try_wait.parity.acquire.cluster.shared::cta.b64 p, [%1], %2;\nselp.u32 %0, 1, 0, p;\n}"
        : "=r"(done)
        : "r"(saddr), "r"(parity)
        : "memory");
  }
}

DEV uint32_t prmt(uint32_t a, uint32_t b, uint32_t sel) {
  uint32_t d;
  asm("prmt.b32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(sel));
  return d;
}
// sel ? b : a, bit by bit
DEV uint32_t select_bits(uint32_t a, uint32_t b, uint32_t sel) {
  uint32_t d;
  asm("lop3.b32 %0, %1, %2, %3, 0xD8;" : "=r"(d) : "r"(a), "r"(b), "r"(sel));
  return d;
}

template <bool F16>
DEV uint32_t fma2(uint32_t a, uint32_t b, uint32_t c) {
  uint32_t d;
  if constexpr (F16) {
    asm("fma.rn.f16x2 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
  } else {
    asm("fma.rn.bf16x2 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
  }
  return d;
}

DEV uint32_t mul_bf16x2(uint32_t a, uint32_t b) {
  uint32_t d;
  asm("mul.rn.bf16x2 %0, %1, %2;" : "=r"(d) : "r"(a), "r"(b));
  return d;
}

template <bool F16>
DEV uint32_t pack2(float lo, float hi) {
  if constexpr (F16) {
    __half2 h = __floats2half2_rn(lo, hi);
    return *reinterpret_cast<uint32_t*>(&h);
  } else {
    __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<uint32_t*>(&h);
  }
}

// ---------------------------------------------------------------------------------------------
// NVFP4 -> 16-bit in registers
//
// Hopper has no FP4 MMA, so codes are expanded to the MMA's 16-bit type. An E2M1 value v times
// an E4M3 scale sf has at most 6 significant bits, so v*sf is exact in bf16 and (with the range
// used here) in f16; the per-tensor global scales are applied in fp32 in the epilogue.
//
// Method (2.4 integer/half ops per element): a byte lookup (prmt over two 4-byte tables, one for
// positive and one for negative codes, picked per byte by the code's sign) gives L = 16 + 2v for
// each code; L becomes the low byte of a 16-bit float whose high byte is fixed (0x43 in bf16:
// 128 + L; 0x64 in f16: 1024 + L), and one fma removes the offset and applies the block scale:
//   bf16: (144 + 2v) * (sf/2) - 144*(sf/2) = v*sf            exact (every term has <= 8 bits)
//   f16 : (1040 + 2v) * (sf/8) - 1040*(sf/8) = v*sf/4        exact, always a normal f16
// so no subnormal 16-bit values and no flush-to-zero questions arise. f16 carries a factor 1/4
// per operand: a product of two f16-expanded operands is 1/16 of the true one (kF16ProductScale).
// ---------------------------------------------------------------------------------------------
constexpr float kF16ProductScale = 16.0f;

// An E4M3 scale byte (bits 0..7 of `bits`) as the float sf * 2^-120, exactly: its bits
// s.eeee.mmm placed at float bits 26..20 read as 2^(e-127)(1+m/8) (or the subnormal m/8*2^-126),
// which times 2^120 is the E4M3 value (scales are positive, never NaN).
DEV float e4m3_times_2m120(uint32_t bits) { return __uint_as_float((bits & 0x7Fu) << 20); }

// Block scale pair (s2 = scale in both halves, nb2 = -offset*scale in both halves) for one E4M3 byte.
template <bool F16>
DEV void scale_pair(uint32_t e4m3, uint32_t& s2, uint32_t& nb2) {
  float s = e4m3_times_2m120(e4m3) * (F16 ? 0x1p117f : 0x1p119f);  // sf/8 or sf/2
  float nb = s * (F16 ? -1040.0f : -144.0f);
  s2 = pack2<F16>(s, s);
  nb2 = pack2<F16>(nb, nb);
}

// 8 codes (one 32-bit word, element 2i in the low nibble of byte i) -> 4 registers of 2 values in
// natural order: out[0] = (e0, e1), out[1] = (e2, e3), out[2] = (e4, e5), out[3] = (e6, e7).
template <bool F16>
DEV void dequant8(uint32_t w, uint32_t s2, uint32_t nb2, uint32_t (&out)[4]) {
  const uint32_t hi = F16 ? 0x64646464u : 0x43434343u;
  const uint32_t kPosLo = 0x13121110u, kPosHi = 0x1C181614u;  // 16 + 2v for v = 0 .. 6
  const uint32_t kNegLo = 0x0D0E0F10u, kNegHi = 0x04080A0Cu;  // 16 - 2v
  const uint32_t w4 = w << 4;      // puts each low nibble's sign bit at its byte's msb
  uint32_t mag = w & 0x77777777u;  // prmt selectors must have bit 3 clear
  // elements 0..3
  uint32_t pos = prmt(kPosLo, kPosHi, mag);
  uint32_t neg = prmt(kNegLo, kNegHi, mag);
  uint32_t sgn = prmt(w4, w, 0xD9C8u);  // sign-replicate mode: 0xFF where the code is negative
  uint32_t lut = select_bits(pos, neg, sgn);
  out[0] = fma2<F16>(prmt(lut, hi, 0x4140u), s2, nb2);
  out[1] = fma2<F16>(prmt(lut, hi, 0x4342u), s2, nb2);
  // elements 4..7
  mag >>= 16;
  pos = prmt(kPosLo, kPosHi, mag);
  neg = prmt(kNegLo, kNegHi, mag);
  sgn = prmt(w4, w, 0xFBEAu);
  lut = select_bits(pos, neg, sgn);
  out[2] = fma2<F16>(prmt(lut, hi, 0x4140u), s2, nb2);
  out[3] = fma2<F16>(prmt(lut, hi, 0x4342u), s2, nb2);
}

// ---------------------------------------------------------------------------------------------
// NVFP4 -> 16-bit for the small-M kernel: magnitudes by lookup, signs by xor (12 integer ops per
// 8 codes instead of dequant8's 15, the integer pipe being the one the small-M kernel fills).
//
// The k order inside a word is free there (the activations are staged in the same order), so the
// codes are paired (i, i+4): their sign bits (word bits 4i+3 and 4i+19) are then 16 apart, and one
// shift puts them on the two halves' sign bits. One prmt looks up L = 2|v| for four magnitudes;
// a second places L under a fixed high byte: f16 0x64LL = 1024 + L, bf16 0x43LL = 128 + L; one
// fma removes the offset and applies the block scale, exactly as in dequant8:
//   f16 : (1024 + 2|v|) * (sf/8) - 128*sf = |v|*sf/4       bf16: (128 + 2|v|) * (sf/2) - 64*sf = |v|*sf
// and an xor with the code's sign bit makes it v*sf/4 (v*sf). No 16-bit subnormal arises.
// ---------------------------------------------------------------------------------------------

// Block scale pairs for dequant8_pairs of two consecutive blocks (E4M3 bytes in bits 0..7, 8..15).
template <bool F16>
DEV void mag_scale_pairs2(uint32_t two, uint32_t (&s2)[2], uint32_t (&nb2)[2]) {
  if constexpr (F16) {
    uint32_t h;
    asm("{\n.reg .b16 t;\ncvt.u16.u32 t, %1;\ncvt.rn.f16x2.e4m3x2 %0, t;\n}" : "=r"(h) : "r"(two));  // exact
    asm("mul.rn.f16x2 %0, %0, %1;" : "+r"(h) : "r"(0x30003000u));  // * 1/8
    s2[0] = prmt(h, h, 0x1010u);
    s2[1] = prmt(h, h, 0x3232u);
#pragma unroll
    for (int i = 0; i < 2; ++i) asm("mul.rn.f16x2 %0, %1, %2;" : "=r"(nb2[i]) : "r"(s2[i]), "r"(0xE400E400u));  // * -1024
  } else {
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      const float s = e4m3_times_2m120(two >> (8 * i)) * 0x1p119f;  // sf/2
      s2[i] = pack2<false>(s, s);
      nb2[i] = mul_bf16x2(s2[i], 0xC300C300u);  // * -128
    }
  }
}

// The same for one block (E4M3 byte in bits 0..7).
template <bool F16>
DEV void mag_scale_pair(uint32_t e4m3, uint32_t& s2, uint32_t& nb2) {
  float s = e4m3_times_2m120(e4m3) * (F16 ? 0x1p117f : 0x1p119f);  // sf/8 or sf/2
  float nb = s * (F16 ? -1024.0f : -128.0f);
  s2 = pack2<F16>(s, s);
  nb2 = pack2<F16>(nb, nb);
}

// 8 codes -> out[0] = (e0, e4), out[1] = (e1, e5), out[2] = (e2, e6), out[3] = (e3, e7).
template <bool F16>
DEV void dequant8_pairs(uint32_t w, uint32_t s2, uint32_t nb2, uint32_t (&out)[4]) {
  const uint32_t hi = F16 ? 0x64646464u : 0x43434343u;
  const uint32_t kLo = 0x03020100u, kHi = 0x0C080604u;      // 2|v| for magnitudes 0..7
  const uint32_t m = prmt(w, w, 0x3120u) & 0x77777777u;      // nibbles: e0 e1 e4 e5 | e2 e3 e6 e7
  const uint32_t la = prmt(kLo, kHi, m);                     // bytes L(e0) L(e1) L(e4) L(e5)
  const uint32_t lb = prmt(kLo, kHi, __umulhi(m, 0x10000u));  // bytes L(e2) L(e3) L(e6) L(e7)
  const uint32_t sgn = 0x80008000u;
  out[0] = fma2<F16>(prmt(la, hi, 0x4240u), s2, nb2) ^ ((w << 12) & sgn);
  out[1] = fma2<F16>(prmt(la, hi, 0x4341u), s2, nb2) ^ ((w << 8) & sgn);
  out[2] = fma2<F16>(prmt(lb, hi, 0x4240u), s2, nb2) ^ ((w << 4) & sgn);
  out[3] = fma2<F16>(prmt(lb, hi, 0x4341u), s2, nb2) ^ (w & sgn);
}

// ---------------------------------------------------------------------------------------------
// Bit-placed NVFP4 -> bf16 (the small-M kernel's pre-arranged weights; docs/formats.md)
//
// An E2M1 code s.e1.e0.m put at bf16 bits 15 (sign), 8..7 (the exponent's two low bits) and 6
// (the mantissa's top bit), all else zero, reads as v * 2^-126 for every code: e >= 1 gives
// 2^(e-127)(1 + m/2) = 2^-126 * 2^(e-1)(1 + m/2), and e = 0 the bf16 subnormal m/2 * 2^-126.
// One bf16x2 multiply by sf * 2^118 (exact: sf has 4 significant bits, v 2) then gives
// v * sf / 256, a normal bf16 for every E4M3 scale; the 256 goes to the epilogue.
//
// bitplace_word stores each 32-bit word of 8 codes (e0..e7, codec order) permuted so that the
// register pairs (e0, e1), (e2, e3), (e4, e5), (e6, e7) (natural order, as bf16 activations lie
// in memory) come out of four rotations by 0, 4, 10 and 6|14 bits and five and-masks: 13 instructions per 8 codes with the
// four multiplies, against 20 for dequant8_pairs (no rotation set puts all four pairs out with
// one mask each; this one needs two masks for the last pair).
// ---------------------------------------------------------------------------------------------
constexpr uint32_t kBitplaceMask = 0x81C081C0u;  // sign, e1, e0, m of both bf16 halves

// The rotation that brings bit b (0 = m, 1 = e0, 2 = e1, 3 = sign) of pair k into place.
__host__ __device__ constexpr int bitplace_rotation(int k, int b) { return k == 0 ? 0 : k == 1 ? 4 : k == 2 ? 10 : b == 2 ? 14 : 6; }

// Codec word (code c in bits 4c..4c+3) -> bit-placed word.
__host__ __device__ inline uint32_t bitplace_word(uint32_t w) {
  uint32_t out = 0;
  for (int c = 0; c < 8; ++c)
    for (int b = 0; b < 4; ++b) {
      const int j = 16 * (c & 1) + (b == 3 ? 15 : 6 + b);  // the bit's place in pair c / 2
      const int dst = (j - bitplace_rotation(c >> 1, b)) & 31;
      out |= ((w >> (4 * c + b)) & 1u) << dst;
    }
  return out;
}

DEV uint32_t rotl(uint32_t w, int r) { return __funnelshift_l(w, w, r); }

// Multipliers sf * 2^118 (both halves) of two consecutive blocks (E4M3 bytes in bits 0..7, 8..15).
DEV void bitplace_scales2(uint32_t two, uint32_t (&c2)[2]) {
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    const float s = e4m3_times_2m120(two >> (8 * i)) * 0x1p119f;  // sf/2: two exact steps of 2^119,
    c2[i] = pack2<false>(s * 0x1p119f, s * 0x1p119f);              // as 2^238 is no float
  }
}

// 8 bit-placed codes -> out[k] = (e_2k, e_2k+1) * sf / 256 in bf16 (natural order).
DEV void dequant8_bitplaced(uint32_t w, uint32_t c2, uint32_t (&out)[4]) {
  out[0] = mul_bf16x2(w & kBitplaceMask, c2);
  out[1] = mul_bf16x2(rotl(w, 4) & kBitplaceMask, c2);
  out[2] = mul_bf16x2(rotl(w, 10) & kBitplaceMask, c2);
  out[3] = mul_bf16x2((rotl(w, 6) & 0x80C080C0u) | (rotl(w, 14) & 0x01000100u), c2);
}

// bf16/f16 values of 8 consecutive k (4 registers, natural order) in dequant8_pairs's order.
DEV uint4 pairs_order(uint4 v) {
  return make_uint4(prmt(v.x, v.z, 0x5410u), prmt(v.x, v.z, 0x7632u), prmt(v.y, v.w, 0x5410u), prmt(v.y, v.w, 0x7632u));
}


// ---------------------------------------------------------------------------------------------
// mma.sync (Ampere-style) for the small-M kernel
// ---------------------------------------------------------------------------------------------
template <bool F16>
DEV void mma16816(float (&c)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t b0, uint32_t b1) {
  if constexpr (F16) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
  } else {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
  }
}

// Weights read once: not kept in L1, and L2 asked to fetch 256-byte runs from DRAM, so that a
// warp's next steps along the same rows are already in L2 (the bit-placed small-M kernel runs 9%
// faster at M = 1 on H100 than without the hint, 3% with 128 bytes; the same hint on the scale
// loads made it slower: docs/kernels-gemm.md).
DEV uint4 ldg_stream128(const void* p) {
  uint4 v;
  asm volatile("ld.global.nc.L1::no_allocate.L2::256B.v4.u32 {%0,%1,%2,%3}, [%4];"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
               : "l"(p));
  return v;
}

// Programmatic dependent launch (sm_90; launches by DependentLaunch.java, cuLaunchKernelEx with
// programmatic stream serialization): once every CTA of this grid has called grid_dependents_launch,
// the next kernel in the stream may start its CTAs on SMs this grid leaves free, and that kernel's
// grid_dependency_wait returns when this grid has finished and its writes are visible. Launched
// plainly, both are no-ops.
DEV void grid_dependents_launch() { asm volatile("griddepcontrol.launch_dependents;" ::: "memory"); }
DEV void grid_dependency_wait() { asm volatile("griddepcontrol.wait;" ::: "memory"); }

// ---------------------------------------------------------------------------------------------
// Epilogue: D = scale * acc + bias[col] + beta * D_old, for two adjacent columns of one row.
// beta == 0 never reads D (it may hold garbage or NaN).
// ---------------------------------------------------------------------------------------------
DEV void store_pair(void* out, int out_bf16, size_t idx, float v0, float v1, float beta) {
  if (out_bf16) {
    __nv_bfloat162* p = reinterpret_cast<__nv_bfloat162*>(static_cast<__nv_bfloat16*>(out) + idx);
    if (beta != 0.0f) {
      float2 old = __bfloat1622float2(*p);
      v0 += beta * old.x;
      v1 += beta * old.y;
    }
    *p = __floats2bfloat162_rn(v0, v1);
  } else {
    float2* p = reinterpret_cast<float2*>(static_cast<float*>(out) + idx);
    if (beta != 0.0f) {
      float2 old = *p;
      v0 += beta * old.x;
      v1 += beta * old.y;
    }
    *p = make_float2(v0, v1);
  }
}

DEV void store_one(void* out, int out_bf16, size_t idx, float v, float beta) {
  if (out_bf16) {
    __nv_bfloat16* p = static_cast<__nv_bfloat16*>(out) + idx;
    if (beta != 0.0f) v += beta * __bfloat162float(*p);
    *p = __float2bfloat16_rn(v);
  } else {
    float* p = static_cast<float*>(out) + idx;
    if (beta != 0.0f) v += beta * *p;
    *p = v;
  }
}

// alpha times the per-tensor decode scales (device pointers, null = 1) and the f16 factor.
DEV float effective_scale(float alpha, const float* g_a, const float* g_b, float constant) {
  float s = alpha * constant;
  if (g_a != nullptr) s *= *g_a;
  if (g_b != nullptr) s *= *g_b;
  return s;
}

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
};

// ---------------------------------------------------------------------------------------------
// PTX wrappers
// ---------------------------------------------------------------------------------------------
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

// Block scale pair (s2 = scale in both halves, nb2 = -offset*scale in both halves) for one E4M3 byte.
template <bool F16>
DEV void scale_pair(uint32_t e4m3, uint32_t& s2, uint32_t& nb2) {
  // E4M3 bits s.eeee.mmm placed at float bits 26..20 read as 2^(e-127)(1+m/8) (or the subnormal
  // m/8*2^-126); times 2^120 that is the E4M3 value exactly (scales are positive, never NaN).
  float raw = __uint_as_float((e4m3 & 0x7Fu) << 20);
  float s = raw * (F16 ? 0x1p117f : 0x1p119f);  // sf/8 or sf/2
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
      const float s = __uint_as_float(((two >> (8 * i)) & 0x7Fu) << 20) * 0x1p119f;  // sf/2
      s2[i] = pack2<false>(s, s);
      asm("mul.rn.bf16x2 %0, %1, %2;" : "=r"(nb2[i]) : "r"(s2[i]), "r"(0xC300C300u));  // * -128
    }
  }
}

// The same for one block (E4M3 byte in bits 0..7).
template <bool F16>
DEV void mag_scale_pair(uint32_t e4m3, uint32_t& s2, uint32_t& nb2) {
  float s = __uint_as_float((e4m3 & 0x7Fu) << 20) * (F16 ? 0x1p117f : 0x1p119f);  // sf/8 or sf/2
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

DEV uint4 ldg_stream128(const void* p) {
  uint4 v;
  asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0,%1,%2,%3}, [%4];"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
               : "l"(p));
  return v;
}

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

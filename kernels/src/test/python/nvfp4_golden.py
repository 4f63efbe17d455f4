#!/usr/bin/env python3
"""Golden NVFP4 vectors from an implementation independent of the Java codec.

numpy float32 arithmetic in DESIGN.md's operation order, with the element and scale casts done by
ml_dtypes (float4_e2m1fn, float8_e4m3fn: round to nearest even; inputs are clipped first because
the project's casts saturate). Stochastic rounding and the Hadamard transform have no ml_dtypes
counterpart and are written here from their definitions (Philox4x32-10 from Salmon et al. 2011).

Usage: python3 nvfp4_golden.py OUTPUT_DIR
Writes OUTPUT_DIR/cases.tsv and, per case, NAME.input.bin (little-endian float32 or bf16 bits) and
NAME.expected.bin (packed codes, scale bytes, then the float32 global decode scale, little-endian).
The Java test NvfpGoldenVectorsTest reads them; they are committed under
kernels/src/test/resources/org/longspark/kernels/nvfp4/golden/.
"""
import os
import sys

import ml_dtypes
import numpy as np

F32 = np.float32
FLT_MAX = F32(np.finfo(np.float32).max)
SIGNS = np.array([1, 1, 1, -1, 1, -1, -1, -1, -1, -1, -1, 1, -1, 1, -1, -1], dtype=np.float32)


def e4m3_bits(v):
    return np.clip(v, F32(-448), F32(448)).astype(ml_dtypes.float8_e4m3fn).view(np.uint8)


def e4m3_value(bits):
    return bits.view(ml_dtypes.float8_e4m3fn).astype(np.float32)


def e2m1_bits(v):
    return np.clip(v, F32(-6), F32(6)).astype(ml_dtypes.float4_e2m1fn).view(np.uint8) & 0xF


def e2m1_value(codes):
    return codes.astype(np.uint8).view(ml_dtypes.float4_e2m1fn).astype(np.float32)


def philox4x32_10(c0, c1, k0, k1):
    """Vectorised over counters c0, c1 (uint64 arrays holding 32-bit values); c2 = c3 = 0."""
    mask = np.uint64(0xFFFFFFFF)
    c = [c0.astype(np.uint64), c1.astype(np.uint64), np.zeros_like(c0, np.uint64), np.zeros_like(c0, np.uint64)]
    k0, k1 = np.uint64(k0), np.uint64(k1)
    for _ in range(10):
        p0 = np.uint64(0xD2511F53) * c[0]
        p1 = np.uint64(0xCD9E8D57) * c[2]
        hi0, lo0 = p0 >> np.uint64(32), p0 & mask
        hi1, lo1 = p1 >> np.uint64(32), p1 & mask
        c = [hi1 ^ c[1] ^ k0, lo1, hi0 ^ c[3] ^ k1, lo0]
        k0 = (k0 + np.uint64(0x9E3779B9)) & mask
        k1 = (k1 + np.uint64(0xBB67AE85)) & mask
    return c


def element_random_bits(n, seed):
    """32 random bits per element index 0..n-1: word (i & 3) of Philox(counter i >> 2, key seed)."""
    idx = np.arange(n, dtype=np.uint64)
    group = idx >> np.uint64(2)
    words = philox4x32_10(group & np.uint64(0xFFFFFFFF), group >> np.uint64(32),
                          seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF)
    stacked = np.stack(words, axis=-1)
    return stacked[np.arange(n), (idx & np.uint64(3)).astype(np.int64)].astype(np.uint32)


def hadamard(x):
    """Sign flip, butterflies with spans 1, 2, 4, 8 ((a, b) -> (a + b, a - b)), then * 0.25."""
    rows, cols = x.shape
    v = x.reshape(rows, cols // 16, 16).copy()
    v = v * SIGNS  # multiplying by +-1 is an exact sign flip
    h = 1
    while h < 16:
        for i in range(16):
            if i & h == 0:
                a = v[..., i].copy()
                b = v[..., i + h].copy()
                v[..., i] = a + b
                v[..., i + h] = a - b
        h <<= 1
    return (v * F32(0.25)).reshape(rows, cols)


def round_stochastic(y, rbits):
    """Magnitude rounded up with probability (a - lo) / step from 24 random bits; saturating."""
    a = np.abs(y)
    step = np.where(a < F32(2), F32(0.5), np.where(a < F32(4), F32(1), F32(2))).astype(np.float32)
    lo = (np.floor(a / step) * step).astype(np.float32)
    frac = ((a - lo) / step).astype(np.float32)
    u = (rbits >> np.uint32(8)).astype(np.float32) * F32(2.0 ** -24)
    mag = np.where(u < frac, lo + step, lo).astype(np.float32)
    mag = np.where(a >= F32(6), F32(6), mag).astype(np.float32)
    # The rounded magnitude is on the grid, so the cast is exact; the sign of y is kept (-0 too).
    return np.where(np.signbit(y), -mag, mag).astype(np.float32)


def quantize(x, layout, rounding, rule, use_hadamard, seed):
    # Overflow to inf (x * FLT_MAX when a block's scale is 0) and the NaN it makes in unused
    # stochastic-rounding branches are expected; the saturating casts and selects handle them.
    with np.errstate(all="ignore"):
        return _quantize(x, layout, rounding, rule, use_hadamard, seed)


def _quantize(x, layout, rounding, rule, use_hadamard, seed):
    rows, cols = x.shape
    if use_hadamard:
        x = hadamard(x)
    amax = F32(np.max(np.abs(x)))
    bound = F32(448 * 6) if rule == "STATIC_6" else F32(256 * 6)
    s_enc = F32(min(F32(bound / amax), FLT_MAX))
    if amax == 0 or s_enc == 0:
        s_enc = F32(1)
    s_dec = F32(F32(1) / s_enc)
    br = 1 if layout == "ROW_1x16" else 16
    # blocks[i, j, r, e]: block row i, block col j, row r in block, element e
    blocks = x.reshape(rows // br, br, cols // 16, 16).transpose(0, 2, 1, 3)
    bamax = np.max(np.abs(blocks), axis=(2, 3)).astype(np.float32)
    rbits = None
    if rounding == "STOCHASTIC":
        rbits = element_random_bits(rows * cols, seed).reshape(rows // br, br, cols // 16, 16).transpose(0, 2, 1, 3)

    def candidate(factor):
        sf = e4m3_bits((bamax * F32(s_enc * factor)).astype(np.float32))
        sfv = e4m3_value(sf)
        mult = np.minimum(F32(1) / (sfv * s_dec), FLT_MAX).astype(np.float32)
        y = (blocks * mult[:, :, None, None]).astype(np.float32)
        if rbits is not None:
            y = round_stochastic(y, rbits)
        codes = e2m1_bits(y)
        deq = ((e2m1_value(codes) * sfv[:, :, None, None]) * s_dec).astype(np.float32)
        diff = (deq - blocks).astype(np.float32)
        sq = (diff * diff).astype(np.float32).reshape(diff.shape[0], diff.shape[1], -1)
        err = np.zeros(sq.shape[:2], np.float32)
        for e in range(sq.shape[2]):  # element order, float32, like the Java and CUDA loops
            err = (err + sq[:, :, e]).astype(np.float32)
        return sf, codes, err

    sf, codes, err = candidate(F32(1) / F32(6))
    if rule == "FOUR_OVER_SIX":
        sf4, codes4, err4 = candidate(F32(1) / F32(4))
        take4 = err4 < err
        sf = np.where(take4, sf4, sf)
        codes = np.where(take4[:, :, None, None], codes4, codes)
    codes = codes.transpose(0, 2, 1, 3).reshape(rows, cols).astype(np.uint8)
    packed = (codes[:, 0::2] | (codes[:, 1::2] << 4)).astype(np.uint8)
    return packed.reshape(-1), sf.astype(np.uint8).reshape(-1), s_dec


def bf16_bits(x):
    return x.astype(ml_dtypes.bfloat16).view(np.uint16)


def cases(rng):
    """(name, input float32 matrix, input kind, layout, rounding, rule, hadamard, seed)."""
    out = []
    combos = [(lay, rnd, rule, had)
              for lay in ("ROW_1x16", "TILE_16x16")
              for rnd in ("NEAREST_EVEN", "STOCHASTIC")
              for rule in ("STATIC_6", "FOUR_OVER_SIX")
              for had in (False, True)]
    for i, (lay, rnd, rule, had) in enumerate(combos):
        for kind in ("fp32", "bf16"):
            x = (rng.standard_normal((64, 128)) * rng.choice([1e-3, 1.0, 30.0])).astype(np.float32)
            if kind == "bf16":
                x = x.astype(ml_dtypes.bfloat16).astype(np.float32)
            name = f"combo{i:02d}_{kind}"
            out.append((name, x, kind, lay, rnd, rule, had, 0x1234_5678_9ABC_DEF0 + i))
    # Ties: S_enc = 1 (amax 2688) and a block of amax 6 holding every E2M1 midpoint.
    t = np.zeros((16, 64), np.float32)
    t[0, 0] = 2688
    t[1, :16] = [0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5, 6, -0.25, -0.75, -1.25, -1.75, -2.5, -3.5, -5, -6]
    t[2, :16] = np.nextafter(t[1, :16], np.float32(np.inf))
    t[3, :16] = np.nextafter(t[1, :16], np.float32(-np.inf))
    t[4, 16:32] = [1e-7, -1e-7, 0.0, -0.0] * 4
    for lay in ("ROW_1x16", "TILE_16x16"):
        out.append((f"ties_{lay}", t, "fp32", lay, "NEAREST_EVEN", "STATIC_6", False, 0))
        out.append((f"ties46_{lay}", t, "fp32", lay, "NEAREST_EVEN", "FOUR_OVER_SIX", False, 0))
    z = np.zeros((16, 32), np.float32)
    z[3, 5] = -0.0
    out.append(("zeros", z, "fp32", "ROW_1x16", "NEAREST_EVEN", "STATIC_6", False, 0))
    out.append(("zeros_tile_sr", z, "fp32", "TILE_16x16", "STOCHASTIC", "STATIC_6", False, 9))
    # Tiny magnitudes: amax subnormal, so S_enc = FLT_MAX; and blocks far below the global amax
    # whose E4M3 scales are subnormal or zero.
    tiny = (rng.standard_normal((32, 64)) * 1e-40).astype(np.float32)
    out.append(("subnormal", tiny, "fp32", "ROW_1x16", "NEAREST_EVEN", "STATIC_6", False, 0))
    mixed = (rng.standard_normal((32, 64)) * np.logspace(-12, 4, 64, dtype=np.float64)).astype(np.float32)
    out.append(("mixed_range", mixed, "fp32", "ROW_1x16", "NEAREST_EVEN", "STATIC_6", False, 0))
    out.append(("mixed_range_tile46_sr", mixed, "fp32", "TILE_16x16", "STOCHASTIC", "FOUR_OVER_SIX", True, 77))
    huge = (rng.standard_normal((16, 48)) * 1e37).astype(np.float32)
    huge[5, 7] = np.float32(3.4e38)
    out.append(("huge", huge, "fp32", "ROW_1x16", "NEAREST_EVEN", "STATIC_6", False, 0))
    outlier = rng.standard_normal((48, 96)).astype(np.float32)
    outlier[17, 33] = 5000
    out.append(("outlier", outlier, "fp32", "TILE_16x16", "NEAREST_EVEN", "STATIC_6", False, 0))
    out.append(("outlier_hadamard", outlier, "fp32", "ROW_1x16", "NEAREST_EVEN", "STATIC_6", True, 0))
    big = rng.standard_normal((256, 512)).astype(np.float32)
    out.append(("big_sr", big, "bf16", "ROW_1x16", "STOCHASTIC", "STATIC_6", False, 2**63 + 12345))
    return out


def check_philox():
    """Random123's known-answer vectors for philox4x32-10 (counter c0..c3, key k0, k1)."""
    one = lambda v: np.array([v], np.uint64)
    assert [int(w[0]) for w in philox4x32_10(one(0), one(0), 0, 0)] == [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]


def main():
    check_philox()
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(20261125)
    lines = ["# name\trows\tcols\tinput\tlayout\trounding\tscale_rule\thadamard\tseed(unsigned 64-bit)"]
    for name, x, kind, lay, rnd, rule, had, seed in cases(rng):
        rows, cols = x.shape
        if kind == "bf16":
            raw = bf16_bits(x)
            x = (raw.astype(np.uint32) << np.uint32(16)).view(np.float32)
        else:
            raw = x
        packed, scales, s_dec = quantize(x, lay, rnd, rule, had, seed)
        raw.astype(raw.dtype.newbyteorder("<")).tofile(os.path.join(out_dir, name + ".input.bin"))
        with open(os.path.join(out_dir, name + ".expected.bin"), "wb") as f:
            f.write(packed.tobytes())
            f.write(scales.tobytes())
            f.write(np.array([s_dec], dtype="<f4").tobytes())
        lines.append(f"{name}\t{rows}\t{cols}\t{kind}\t{lay}\t{rnd}\t{rule}\t{str(had).lower()}\t{seed}")
    with open(os.path.join(out_dir, "cases.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines) - 1} cases to {out_dir} (numpy {np.__version__}, ml_dtypes {ml_dtypes.__version__})")


if __name__ == "__main__":
    main()

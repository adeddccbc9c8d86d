"""A small H.264 encoder in pure Python, for the sandbox's game clips.

It writes Constrained Baseline streams (ITU-T H.264, profile 66, CAVLC) that every browser
plays, using only what a few flat-shaded pictures need:

* every coded macroblock is ``Intra_16x16`` (DC, horizontal or vertical prediction, its
  residual transformed and quantised as the standard says), in I and in P slices;
* every other macroblock of a P slice is ``P_Skip`` (a copy of the previous picture, since
  no coded macroblock carries a motion vector);
* the deblocking filter is off, so the decoder's picture is exactly what
  :class:`Picture` computes here (the encoder runs the decoder's reconstruction, clause 8.3
  and 8.5, to predict the next macroblocks from).

One slice per picture, one reference picture, picture order count type 2 (output order is
decoding order). Macroblocks are coded once per distinct input and context and remembered
(:data:`_MB_CACHE`), so pictures that differ in a few macroblocks cost a few macroblocks.
Clause and table numbers below are those of ITU-T H.264 (08/2021).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MB", "Picture", "Stream", "rgb_to_ycbcr"]

MB = 16  # macroblock size in luma samples
# Quantisers. A macroblock whose residual is flat in every 4x4 block (most of a flat-shaded
# picture) is coded at EXACT_QP, where its DC levels decode to exactly that residual: at
# qP 4 a luma DC level L becomes 4 L (8.5.10), then (4 L + 32) >> 6 (8.5.12), so the
# Hadamard transform of the residual (H R H, integers) decodes to R; chroma likewise. When
# only its luma is flat (4:2:0 chroma blocks cover 8x8 pixels), or a level would be too
# large for CAVLC's escape code, NEAR_QP (luma DC levels H R H / 2: exact when even, else
# off by one at most) or FLAT_QP; anything else (edges, text) is coded at DETAIL_QP.
EXACT_QP = 4
NEAR_QP = 10
FLAT_QP = 16
DETAIL_QP = 28
CHROMA_QP_OFFSET = 0
_MAX_LEVEL = 2000  # |level| that CAVLC codes whatever the suffix length (9.2.2.1)
SLICE_QP = DETAIL_QP  # what each slice starts from (pic_init_qp)
LOG2_MAX_FRAME_NUM = 4  # frame_num counts 0..15: at most 16 pictures per IDR period

# Prediction modes of Intra_16x16 (Table 8-4) and of chroma (Table 7-16).
VERTICAL, HORIZONTAL, DC = 0, 1, 2
_CHROMA_MODE = {DC: 0, HORIZONTAL: 1, VERTICAL: 2}

# 4x4 blocks are flat lists in raster order (index 4 * row + column).
_ZIGZAG = (0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15)  # Table 8-13, frame scan
# luma4x4BlkIdx (6.4.3: 8x8 quadrants, each in raster order) -> (column, row) of the block.
_LUMA_BLOCKS = tuple(((i // 4 % 2) * 2 + i % 2, (i // 8) * 2 + i % 4 // 2) for i in range(16))
# normAdjust4x4 (8.5.9): v[qP % 6][class], class 0 for (even, even), 1 for (odd, odd), else 2.
_NORM = ((10, 16, 13), (11, 18, 14), (13, 20, 16), (14, 23, 18), (16, 25, 20), (18, 29, 23))
_CLASS = tuple(0 if (i // 4) % 2 == 0 and (i % 4) % 2 == 0 else
               1 if (i // 4) % 2 == 1 and (i % 4) % 2 == 1 else 2 for i in range(16))
# Forward quantisation multipliers (the inverse of _NORM up to 2^15 scale, as in the JM).
_MF = ((13107, 5243, 8066), (11916, 4660, 7490), (10082, 4194, 6554), (9362, 3647, 5825),
       (8192, 3355, 5243), (7282, 2893, 4559))
# QPc as a function of qPI >= 30 (Table 8-15); below 30 they are equal.
_QPC = (29, 30, 31, 32, 32, 33, 34, 34, 35, 35, 36, 36, 37, 37, 37, 38, 38, 38, 39, 39, 39, 39)


def _chroma_qp(qp: int) -> int:
    qpi = max(0, min(51, qp + CHROMA_QP_OFFSET))
    return qpi if qpi < 30 else _QPC[qpi - 30]


def rgb_to_ycbcr(r: int, g: int, b: int) -> tuple[int, int, int]:
    """One sRGB colour as 8-bit BT.709 limited-range Y, Cb, Cr (what the SPS announces)."""
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return (round(16 + 219 * y / 255), round(128 + 224 * (b - y) / 255 / 1.8556),
            round(128 + 224 * (r - y) / 255 / 1.5748))


# -- bits -------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def ue(value: int) -> str:
    """Exp-Golomb ue(v) as a string of '0'/'1' (9.1)."""
    code = bin(value + 1)[2:]
    return "0" * (len(code) - 1) + code


def se(value: int) -> str:
    """Signed Exp-Golomb se(v) (9.1.1)."""
    return ue(2 * value - 1 if value > 0 else -2 * value)


def u(bits: int, value: int) -> str:
    return format(value, f"0{bits}b") if bits else ""


_EMULATION = re.compile(b"\x00\x00(?=[\x00-\x03])")


def nal(nal_ref_idc: int, nal_unit_type: int, rbsp_bits: str) -> bytes:
    """A NAL unit: header byte, then the RBSP with its trailing bits and emulation prevention."""
    bits = rbsp_bits + "1"
    bits += "0" * (-len(bits) % 8)
    rbsp = int(bits, 2).to_bytes(len(bits) // 8, "big")
    return bytes([(nal_ref_idc << 5) | nal_unit_type]) + _EMULATION.sub(b"\x00\x00\x03", rbsp)


# -- CAVLC tables (Tables 9-5, 9-7, 9-8, 9-9, 9-10) ----------------------------------------------
# Each code is (length, value); coeff_token is indexed by 4 * TotalCoeff + TrailingOnes.

def _codes(lengths: Sequence[int], values: Sequence[int]) -> tuple[str, ...]:
    return tuple(u(n, v) if n else "" for n, v in zip(lengths, values, strict=True))


_COEFF_TOKEN = tuple(_codes(lens, vals) for lens, vals in (
    ((1, 0, 0, 0, 6, 2, 0, 0, 8, 6, 3, 0, 9, 8, 7, 5, 10, 9, 8, 6, 11, 10, 9, 7, 13, 11, 10, 8,
      13, 13, 11, 9, 13, 13, 13, 10, 14, 14, 13, 11, 14, 14, 14, 13, 15, 15, 14, 14, 15, 15, 15,
      14, 16, 15, 15, 15, 16, 16, 16, 15, 16, 16, 16, 16, 16, 16, 16, 16),
     (1, 0, 0, 0, 5, 1, 0, 0, 7, 4, 1, 0, 7, 6, 5, 3, 7, 6, 5, 3, 7, 6, 5, 4, 15, 6, 5, 4, 11, 14,
      5, 4, 8, 10, 13, 4, 15, 14, 9, 4, 11, 10, 13, 12, 15, 14, 9, 12, 11, 10, 13, 8, 15, 1, 9, 12,
      11, 14, 13, 8, 7, 10, 9, 12, 4, 6, 5, 8)),
    ((2, 0, 0, 0, 6, 2, 0, 0, 6, 5, 3, 0, 7, 6, 6, 4, 8, 6, 6, 4, 8, 7, 7, 5, 9, 8, 8, 6, 11, 9,
      9, 6, 11, 11, 11, 7, 12, 11, 11, 9, 12, 12, 12, 11, 12, 12, 12, 11, 13, 13, 13, 12, 13, 13,
      13, 13, 13, 14, 13, 13, 14, 14, 14, 13, 14, 14, 14, 14),
     (3, 0, 0, 0, 11, 2, 0, 0, 7, 7, 3, 0, 7, 10, 9, 5, 7, 6, 5, 4, 4, 6, 5, 6, 7, 6, 5, 8, 15, 6,
      5, 4, 11, 14, 13, 4, 15, 10, 9, 4, 11, 14, 13, 12, 8, 10, 9, 8, 15, 14, 13, 12, 11, 10, 9,
      12, 7, 11, 6, 8, 9, 8, 10, 1, 7, 6, 5, 4)),
    ((4, 0, 0, 0, 6, 4, 0, 0, 6, 5, 4, 0, 6, 5, 5, 4, 7, 5, 5, 4, 7, 5, 5, 4, 7, 6, 6, 4, 7, 6, 6,
      4, 8, 7, 7, 5, 8, 8, 7, 6, 9, 8, 8, 7, 9, 9, 8, 8, 9, 9, 9, 8, 10, 9, 9, 9, 10, 10, 10, 10,
      10, 10, 10, 10, 10, 10, 10, 10),
     (15, 0, 0, 0, 15, 14, 0, 0, 11, 15, 13, 0, 8, 12, 14, 12, 15, 10, 11, 11, 11, 8, 9, 10, 9, 14,
      13, 9, 8, 10, 9, 8, 15, 14, 13, 13, 11, 14, 10, 12, 15, 10, 13, 12, 11, 14, 9, 12, 8, 10, 13,
      8, 13, 7, 9, 12, 9, 12, 11, 10, 5, 8, 7, 6, 1, 4, 3, 2)),
    # 8 <= nC: a 6-bit fixed-length code, (TotalCoeff - 1) << 2 | TrailingOnes; none is 000011.
    ((6, 0, 0, 0) + (6, 6, 0, 0) + (6, 6, 6, 0) + (6,) * 56,
     (3, 0, 0, 0, 0, 1, 0, 0, 4, 5, 6, 0, *range(8, 64))),
))
_CHROMA_DC_COEFF_TOKEN = _codes(
    (2, 0, 0, 0, 6, 1, 0, 0, 6, 6, 3, 0, 6, 7, 7, 6, 6, 8, 8, 7),
    (1, 0, 0, 0, 7, 1, 0, 0, 4, 6, 1, 0, 3, 3, 2, 5, 2, 3, 2, 0))
_TOTAL_ZEROS = tuple(_codes(lens, vals) for lens, vals in (
    ((1, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 9), (1, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 1)),
    ((3, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 6, 6, 6, 6), (7, 6, 5, 4, 3, 5, 4, 3, 2, 3, 2, 3, 2, 1, 0)),
    ((4, 3, 3, 3, 4, 4, 3, 3, 4, 5, 5, 6, 5, 6), (5, 7, 6, 5, 4, 3, 4, 3, 2, 3, 2, 1, 1, 0)),
    ((5, 3, 4, 4, 3, 3, 3, 4, 3, 4, 5, 5, 5), (3, 7, 5, 4, 6, 5, 4, 3, 3, 2, 2, 1, 0)),
    ((4, 4, 4, 3, 3, 3, 3, 3, 4, 5, 4, 5), (5, 4, 3, 7, 6, 5, 4, 3, 2, 1, 1, 0)),
    ((6, 5, 3, 3, 3, 3, 3, 3, 4, 3, 6), (1, 1, 7, 6, 5, 4, 3, 2, 1, 1, 0)),
    ((6, 5, 3, 3, 3, 2, 3, 4, 3, 6), (1, 1, 5, 4, 3, 3, 2, 1, 1, 0)),
    ((6, 4, 5, 3, 2, 2, 3, 3, 6), (1, 1, 1, 3, 3, 2, 2, 1, 0)),
    ((6, 6, 4, 2, 2, 3, 2, 5), (1, 0, 1, 3, 2, 1, 1, 1)),
    ((5, 5, 3, 2, 2, 2, 4), (1, 0, 1, 3, 2, 1, 1)),
    ((4, 4, 3, 3, 1, 3), (0, 1, 1, 2, 1, 3)),
    ((4, 4, 2, 1, 3), (0, 1, 1, 1, 1)),
    ((3, 3, 1, 2), (0, 1, 1, 1)),
    ((2, 2, 1), (0, 1, 1)),
    ((1, 1), (0, 1)),
))
_CHROMA_DC_TOTAL_ZEROS = tuple(_codes(lens, vals) for lens, vals in (
    ((1, 2, 3, 3), (1, 1, 1, 0)), ((1, 2, 2), (1, 1, 0)), ((1, 1), (1, 0))))
_RUN_BEFORE = tuple(_codes(lens, vals) for lens, vals in (
    ((1, 1), (1, 0)),
    ((1, 2, 2), (1, 1, 0)),
    ((2, 2, 2, 2), (3, 2, 1, 0)),
    ((2, 2, 2, 3, 3), (3, 2, 1, 1, 0)),
    ((2, 2, 3, 3, 3, 3), (3, 2, 3, 2, 1, 0)),
    ((2, 3, 3, 3, 3, 3, 3), (3, 0, 1, 3, 2, 5, 4)),
    ((3, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11), (7, 6, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1)),
))


def _level_bits(level: int, suffix_length: int, lower_by_two: bool) -> str:
    """level_prefix and level_suffix of one coefficient (the inverse of 9.2.2.1)."""
    code = 2 * level - 2 if level > 0 else -2 * level - 1
    if lower_by_two:  # the first level after fewer than 3 trailing ones is never +-1
        code -= 2
    if suffix_length == 0:
        if code < 14:
            return "0" * code + "1"
        if code < 30:
            return "0" * 14 + "1" + u(4, code - 14)
        prefix, suffix = 15, code - 30
    elif code < 15 << suffix_length:
        return "0" * (code >> suffix_length) + "1" + u(suffix_length, code & ((1 << suffix_length) - 1))
    else:
        prefix, suffix = 15, code - (15 << suffix_length)
    if suffix >= 1 << 12:
        raise ValueError(f"level {level} is beyond what Baseline's level_prefix 15 can code")
    return "0" * prefix + "1" + u(12, suffix)


def residual_block(levels: Sequence[int], nc: int) -> tuple[str, int]:
    """residual_block_cavlc (7.3.5.3.2) of ``levels`` in scan order; ``nc`` -1 for chroma DC.

    Returns the bits and TotalCoeff.
    """
    nonzero = [i for i, v in enumerate(levels) if v]
    total = len(nonzero)
    trailing = 0
    for i in reversed(nonzero):
        if trailing == 3 or abs(levels[i]) != 1:
            break
        trailing += 1
    if nc == -1:
        table = _CHROMA_DC_COEFF_TOKEN
    else:
        table = _COEFF_TOKEN[0 if nc < 2 else 1 if nc < 4 else 2 if nc < 8 else 3]
    out = [table[4 * total + trailing]]
    if total == 0:
        return out[0], 0
    high_first = [levels[i] for i in reversed(nonzero)]
    out.extend("1" if v < 0 else "0" for v in high_first[:trailing])
    suffix_length = 1 if total > 10 and trailing < 3 else 0
    for n, level in enumerate(high_first[trailing:]):
        out.append(_level_bits(level, suffix_length, n == 0 and trailing < 3))
        if suffix_length == 0:
            suffix_length = 1
        if abs(level) > 3 << (suffix_length - 1) and suffix_length < 6:
            suffix_length += 1
    max_coeff = len(levels)
    zeros_left = nonzero[-1] + 1 - total
    if total < max_coeff:
        tables = _CHROMA_DC_TOTAL_ZEROS if max_coeff == 4 else _TOTAL_ZEROS
        out.append(tables[total - 1][zeros_left])
    positions = list(reversed(nonzero))
    for k in range(total - 1):
        if zeros_left == 0:
            break
        run = positions[k] - positions[k + 1] - 1
        out.append(_RUN_BEFORE[min(zeros_left, 7) - 1][run])
        zeros_left -= run
    return "".join(out), total


# -- transforms (8.5.12, and their forward counterparts) -----------------------------------------

def _forward4(b: Sequence[int]) -> list[int]:
    """The forward core transform Cf X Cf^T of a 4x4 block."""
    t = [0] * 16
    for r in range(0, 16, 4):
        x0, x1, x2, x3 = b[r], b[r + 1], b[r + 2], b[r + 3]
        s03, d03, s12, d12 = x0 + x3, x0 - x3, x1 + x2, x1 - x2
        t[r], t[r + 1], t[r + 2], t[r + 3] = s03 + s12, 2 * d03 + d12, s03 - s12, d03 - 2 * d12
    out = [0] * 16
    for c in range(4):
        x0, x1, x2, x3 = t[c], t[4 + c], t[8 + c], t[12 + c]
        s03, d03, s12, d12 = x0 + x3, x0 - x3, x1 + x2, x1 - x2
        out[c], out[4 + c], out[8 + c], out[12 + c] = s03 + s12, 2 * d03 + d12, s03 - s12, d03 - 2 * d12
    return out


def _inverse4(d: Sequence[int]) -> list[int]:
    """The inverse transform of 8.5.12.2, with the final (x + 32) >> 6."""
    f = [0] * 16
    for r in range(0, 16, 4):
        d0, d1, d2, d3 = d[r], d[r + 1], d[r + 2], d[r + 3]
        e0, e1, e2, e3 = d0 + d2, d0 - d2, (d1 >> 1) - d3, d1 + (d3 >> 1)
        f[r], f[r + 1], f[r + 2], f[r + 3] = e0 + e3, e1 + e2, e1 - e2, e0 - e3
    out = [0] * 16
    for c in range(4):
        d0, d1, d2, d3 = f[c], f[4 + c], f[8 + c], f[12 + c]
        e0, e1, e2, e3 = d0 + d2, d0 - d2, (d1 >> 1) - d3, d1 + (d3 >> 1)
        out[c], out[4 + c], out[8 + c], out[12 + c] = (
            (e0 + e3 + 32) >> 6, (e1 + e2 + 32) >> 6, (e1 - e2 + 32) >> 6, (e0 - e3 + 32) >> 6)
    return out


def _hadamard4(m: Sequence[int]) -> list[int]:
    """H m H for the 4x4 Hadamard matrix of the luma DC transform (8.5.10)."""
    t = [0] * 16
    for r in range(0, 16, 4):
        x0, x1, x2, x3 = m[r], m[r + 1], m[r + 2], m[r + 3]
        t[r], t[r + 1], t[r + 2], t[r + 3] = x0 + x1 + x2 + x3, x0 + x1 - x2 - x3, \
            x0 - x1 - x2 + x3, x0 - x1 + x2 - x3
    out = [0] * 16
    for c in range(4):
        x0, x1, x2, x3 = t[c], t[4 + c], t[8 + c], t[12 + c]
        out[c], out[4 + c], out[8 + c], out[12 + c] = x0 + x1 + x2 + x3, x0 + x1 - x2 - x3, \
            x0 - x1 - x2 + x3, x0 - x1 + x2 - x3
    return out


def _hadamard2(m: Sequence[int]) -> list[int]:
    a, b, c, d = m
    return [a + b + c + d, a - b + c - d, a + b - c - d, a - b - c + d]


def _dequant_ac(level: int, qp: int, index: int) -> int:
    scale = 16 * _NORM[qp % 6][_CLASS[index]]
    if qp >= 24:
        return (level * scale) << (qp // 6 - 4)
    return (level * scale + (1 << (3 - qp // 6))) >> (4 - qp // 6)


def _quantise(values: Sequence[int], multipliers: Sequence[int], bits: int, rounding: int
              ) -> list[int]:
    return [(v * m + rounding) >> bits if v >= 0 else -((m * -v + rounding) >> bits)
            for v, m in zip(values, multipliers, strict=True)]


_AC_SCAN = _ZIGZAG[1:]


@functools.cache
def _ac_multipliers(rem: int) -> tuple[int, ...]:
    return tuple(_MF[rem][_CLASS[i]] for i in _AC_SCAN)


def _code_plane(residual: list[int], size: int, qp: int, luma: bool
                ) -> tuple[list[int], list[list[int]], list[int] | None]:
    """Transform and quantise the residual of one plane of a macroblock (``size`` x ``size``,
    raster order), then decode it as the decoder will (8.5.10-8.5.12).

    Returns the DC levels (one per 4x4 block, blocks in raster order: 16 for luma, 4 for
    chroma), each block's AC levels in zigzag order (15 each), and the decoded residual plus
    512 in raster order (None when it is all zero).
    """
    blocks_per_row = size // 4
    count = blocks_per_row * blocks_per_row
    if not any(residual):
        return [0] * count, [[0] * 15] * count, None
    per, rem = qp // 6, qp % 6
    bits = 15 + per
    rounding = (1 << bits) // 3  # intra rounding offset, as in the JM
    coeffs: list[list[int] | int | None] = []  # per block: coefficients, or a flat value
    corners = range(0, size * size, 4 * size)
    if _blockwise_flat(residual, size):  # only DC terms (16 x each block's value) are set
        coeffs += [residual[at + x] or None for at in corners for x in range(0, size, 4)]
    else:
        for at in corners:
            for x in range(at, at + size, 4):
                block = (residual[x:x + 4] + residual[x + size:x + size + 4] +
                         residual[x + 2 * size:x + 2 * size + 4] +
                         residual[x + 3 * size:x + 3 * size + 4])
                if block.count(block[0]) == 16:
                    coeffs.append(block[0] or None)
                else:
                    coeffs.append(_forward4(block))
    dc_in = [0 if w is None else 16 * w if isinstance(w, int) else w[0] for w in coeffs]
    mf0 = _MF[rem][0]
    scale = 16 * _NORM[rem][0]
    if luma:
        halves = [v >> 1 if v >= 0 else -((-v) >> 1) for v in _hadamard4(dc_in)]
        dc_levels = _quantise(halves, (mf0,) * 16, bits + 1, 2 * rounding)
        f = _hadamard4(dc_levels)
        if qp >= 36:
            dc_out = [(x * scale) << (per - 6) for x in f]
        else:
            dc_out = [(x * scale + (1 << (5 - per))) >> (6 - per) for x in f]
    else:
        dc_levels = _quantise(_hadamard2(dc_in), (mf0,) * 4, bits + 1, 2 * rounding)
        dc_out = [((x * scale) << per) >> 5 for x in _hadamard2(dc_levels)]
    multipliers = _ac_multipliers(rem)
    ac_levels: list[list[int]] = []
    decoded = [512] * (size * size)
    for n, (w, dc) in enumerate(zip(coeffs, dc_out, strict=True)):
        levels = [0] * 15 if not isinstance(w, list) else \
            _quantise([w[i] for i in _AC_SCAN], multipliers, bits, rounding)
        ac_levels.append(levels)
        if any(levels):
            d = [0] * 16
            d[0] = dc
            for k, level in enumerate(levels):
                if level:
                    index = _AC_SCAN[k]
                    d[index] = _dequant_ac(level, qp, index)
            out = [v + 512 for v in _inverse4(d)]
        elif dc:
            out = [((dc + 32) >> 6) + 512] * 16
        else:
            continue
        at = (n // blocks_per_row) * 4 * size + (n % blocks_per_row) * 4
        for r in range(4):
            decoded[at + r * size:at + r * size + 4] = out[4 * r:4 * r + 4]
    return dc_levels, ac_levels, decoded


# -- pictures ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Coded:
    """One coded macroblock: its bits (mb_qp_delta goes between ``head`` and ``residual``),
    its quantiser, its decoded samples and its blocks' TotalCoeff."""

    head: str
    qp: int
    residual: str
    y: tuple[bytes, ...]  # 16 rows of 16
    cb: tuple[bytes, ...]  # 8 rows of 8
    cr: tuple[bytes, ...]
    luma_counts: tuple[int, ...]  # TotalCoeff of each 4x4 luma block, raster order
    cb_counts: tuple[int, ...]  # of each 4x4 chroma block, raster order
    cr_counts: tuple[int, ...]


_MB_CACHE: dict[tuple[object, ...], _Coded] = {}
_MB_CACHE_LIMIT = 20_000  # about 40 MB at worst; cleared whole when full


def _predict(mode: int, top: bytes | None, left: bytes | None, size: int) -> bytes:
    """Intra prediction (8.3.3) of a size x size square: luma (16), or chroma (8) in the
    horizontal and vertical modes. The samples in raster order."""
    if mode == VERTICAL:
        assert top is not None
        return top * size
    if mode == HORIZONTAL:
        assert left is not None
        return b"".join(bytes([v]) * size for v in left)
    if top is not None and left is not None:
        value = (sum(top) + sum(left) + size) >> (size.bit_length())
    elif top is not None:
        value = (sum(top) + size // 2) >> (size.bit_length() - 1)
    elif left is not None:
        value = (sum(left) + size // 2) >> (size.bit_length() - 1)
    else:
        value = 128
    return bytes([value]) * (size * size)


def _predict_chroma(mode: int, top: bytes | None, left: bytes | None) -> bytes:
    """Chroma prediction of an 8x8 block (8.3.4): in DC mode, each 4x4 block by its own rules."""
    if mode != DC:
        return _predict(mode, top, left, 8)
    values = []
    for by, bx in ((0, 0), (0, 4), (4, 0), (4, 4)):
        t = top[bx:bx + 4] if top is not None else None
        lf = left[by:by + 4] if left is not None else None
        if bx == by:  # the top left and bottom right blocks use both neighbours
            order: tuple[bytes | None, ...] = (t, lf)
            if t is not None and lf is not None:
                values.append((sum(t) + sum(lf) + 4) >> 3)
                continue
        elif by == 0:
            order = (t, lf)
        else:
            order = (lf, t)
        first = next((e for e in order if e is not None), None)
        values.append(128 if first is None else (sum(first) + 2) >> 2)
    a, b, c, d = (bytes([v]) * 4 for v in values)
    return (a + b) * 4 + (c + d) * 4


def _predictions(mode: int, edges: tuple[bytes | None, ...]) -> tuple[bytes, bytes, bytes]:
    top_y, left_y, top_cb, left_cb, top_cr, left_cr = edges
    return (_predict(mode, top_y, left_y, 16), _predict_chroma(mode, top_cb, left_cb),
            _predict_chroma(mode, top_cr, left_cr))


_LUMA_CORNERS = tuple(by * 64 + bx * 4 for by in range(4) for bx in range(4))
_CHROMA_CORNERS = (0, 4, 32, 36)


def _grouped(edge: bytes) -> bool:
    """Whether an edge is constant along each 4 samples (a prediction from it then keeps a
    4x4-flat picture flat)."""
    return all(edge[i:i + 4].count(edge[i]) == 4 for i in range(0, len(edge), 4))


@functools.lru_cache(maxsize=4096)  # a picture's flat regions repeat the same question
def _best_prediction(y: bytes, cb: bytes, cr: bytes, edges: tuple[bytes | None, ...]
                     ) -> tuple[int, tuple[bytes, bytes, bytes]]:
    """The prediction mode (and its predictions) closest to the samples: an exact one if any,
    else the one with the smallest sum of absolute differences at each 4x4 block's corner,
    among those that keep a 4x4-flat plane's residual flat (DC always does)."""
    top, left = edges[0], edges[1]
    modes = [DC]
    # A plane flat in every 4x4 block stays so under DC prediction (one value per block), and
    # under horizontal or vertical prediction only from an edge grouped by four.
    flat_luma = _blockwise_flat(y, 16)
    flat_chroma = _blockwise_flat(cb, 8) and _blockwise_flat(cr, 8)
    for mode, luma_edge, chroma_edges in ((HORIZONTAL, left, edges[3::2]),
                                          (VERTICAL, top, edges[2::2])):
        if luma_edge is None:
            continue
        if flat_luma and not _grouped(luma_edge):
            continue
        if flat_chroma and not all(e is not None and _grouped(e) for e in chroma_edges):
            continue
        modes.append(mode)
    best: tuple[int, int, tuple[bytes, bytes, bytes]] | None = None
    for mode in modes:
        preds = _predictions(mode, edges)
        if preds == (y, cb, cr):
            return mode, preds
        cost = (sum(abs(y[i] - preds[0][i]) for i in _LUMA_CORNERS) +
                sum(abs(cb[i] - preds[1][i]) + abs(cr[i] - preds[2][i]) for i in _CHROMA_CORNERS))
        if best is None or cost < best[0]:
            best = (cost, mode, preds)
    assert best is not None
    return best[1], best[2]


_CLIPPED = bytes([0] * 512 + list(range(256)) + [255] * 512)  # index value + 512


def _blockwise_flat(samples: Sequence[int], size: int) -> bool:
    """Whether every 4x4 block of a size x size square holds a single value: each group of
    four rows repeats its first row, made of runs of four."""
    for at in range(0, size * size, 4 * size):
        row = samples[at:at + size]
        if (samples[at + size:at + 2 * size] != row or samples[at + 2 * size:at + 3 * size] != row
                or samples[at + 3 * size:at + 4 * size] != row):
            return False
        for x in range(0, size, 4):
            if row[x:x + 4].count(row[x]) != 4:
                return False
    return True


def _reconstruct(pred: bytes, residual: list[int] | None, size: int) -> tuple[bytes, ...]:
    """Prediction plus decoded residual (stored plus 512), clipped to 0..255 (8.5.14), as
    rows of bytes."""
    if residual is None:
        samples = pred
    else:
        samples = bytes(map(_CLIPPED.__getitem__, map(operator.add, pred, residual)))
    return tuple(samples[i:i + size] for i in range(0, size * size, size))


def _code_macroblock(p_slice: bool, mode: int, y: bytes, cb: bytes, cr: bytes,
                     preds: tuple[bytes, bytes, bytes],
                     luma_nc: tuple[tuple[int, ...] | None, ...],
                     chroma_nc: tuple[tuple[int, ...] | None, ...]) -> _Coded:
    """Code one Intra_16x16 macroblock (7.3.5) predicted by ``preds`` (luma, Cb, Cr).

    ``luma_nc``/``chroma_nc``: TotalCoeff of the neighbouring blocks (left column, top row:
    4 each for luma, 2 each for Cb then Cr), None where there is no neighbour.
    """
    pred_y = preds[0]
    residuals = [list(map(operator.sub, y, pred_y)), list(map(operator.sub, cb, preds[1])),
                 list(map(operator.sub, cr, preds[2]))]
    if not _blockwise_flat(residuals[0], 16):
        quantisers: tuple[int, ...] = (DETAIL_QP,)
    elif _blockwise_flat(residuals[1], 8) and _blockwise_flat(residuals[2], 8):
        quantisers = (EXACT_QP, NEAR_QP, FLAT_QP)
    else:
        quantisers = (NEAR_QP, FLAT_QP)
    for qp in quantisers:
        dc_y, ac_y, dec_y = _code_plane(residuals[0], 16, qp, luma=True)
        planes = []
        qpc = _chroma_qp(qp)
        for residual, pred in ((residuals[1], preds[1]), (residuals[2], preds[2])):
            dc, ac, decoded = _code_plane(residual, 8, qpc, luma=False)
            planes.append((pred, dc, ac, decoded))
        levels = [*dc_y, *planes[0][1], *planes[1][1]]
        for ac in (ac_y, planes[0][2], planes[1][2]):
            for block in ac:
                levels += block
        if max(map(abs, levels)) <= _MAX_LEVEL:
            break
    any_luma_ac = any(any(levels) for levels in ac_y)
    any_chroma_ac = any(any(levels) for plane in planes for levels in plane[2])
    any_chroma_dc = any(any(plane[1]) for plane in planes)
    cbp_chroma = 2 if any_chroma_ac else 1 if any_chroma_dc else 0
    mb_type = 1 + mode + 4 * cbp_chroma + (12 if any_luma_ac else 0) + (5 if p_slice else 0)
    head = ue(mb_type) + ue(_CHROMA_MODE[mode])
    out: list[str] = []

    left_l, top_l = luma_nc[0], luma_nc[1]
    counts = [0] * 16

    def luma_nc_at(bx: int, by: int) -> int:
        a = counts[by * 4 + bx - 1] if bx > 0 else (left_l[by] if left_l is not None else None)
        b = counts[(by - 1) * 4 + bx] if by > 0 else (top_l[bx] if top_l is not None else None)
        if a is not None and b is not None:
            return (a + b + 1) >> 1
        return a if a is not None else b if b is not None else 0

    dc_scan = [dc_y[i] for i in _ZIGZAG]
    out.append(residual_block(dc_scan, luma_nc_at(0, 0))[0])
    if any_luma_ac:
        for bx, by in _LUMA_BLOCKS:
            bits, total = residual_block(ac_y[by * 4 + bx], luma_nc_at(bx, by))
            counts[by * 4 + bx] = total
            out.append(bits)
    chroma_counts: list[list[int]] = [[0] * 4, [0] * 4]
    if cbp_chroma:
        for plane in planes:
            out.append(residual_block(plane[1], -1)[0])
    if cbp_chroma == 2:
        for c, plane in enumerate(planes):
            left_c, top_c = chroma_nc[2 * c], chroma_nc[2 * c + 1]
            for blk in range(4):
                bx, by = blk % 2, blk // 2
                a = chroma_counts[c][blk - 1] if bx else (left_c[by] if left_c is not None else None)
                b = chroma_counts[c][blk - 2] if by else (top_c[bx] if top_c is not None else None)
                nc = ((a + b + 1) >> 1 if a is not None and b is not None
                      else a if a is not None else b if b is not None else 0)
                bits, total = residual_block(plane[2][blk], nc)
                chroma_counts[c][blk] = total
                out.append(bits)
    # What the decoder reconstructs: prediction plus decoded residual, clipped.
    rows_y = _reconstruct(pred_y, dec_y, 16)
    rows_cb = _reconstruct(planes[0][0], planes[0][3], 8)
    rows_cr = _reconstruct(planes[1][0], planes[1][3], 8)
    return _Coded(head, qp, "".join(out), rows_y, rows_cb, rows_cr, tuple(counts),
                  tuple(chroma_counts[0]), tuple(chroma_counts[1]))


class Picture:
    """A decoded picture (Y, Cb, Cr planes), and the coding of the next one against it."""

    def __init__(self, width: int, height: int) -> None:
        if width % MB or height % MB:
            raise ValueError("width and height must be multiples of 16")
        self.width, self.height = width, height
        self.mbs_wide, self.mbs_high = width // MB, height // MB
        self.y = bytearray(width * height)
        self.cb = bytearray(width * height // 4)
        self.cr = bytearray(width * height // 4)
        count = self.mbs_wide * self.mbs_high
        self.luma_counts: list[tuple[int, ...]] = [(0,) * 16] * count
        self.cb_counts: list[tuple[int, ...]] = [(0,) * 4] * count
        self.cr_counts: list[tuple[int, ...]] = [(0,) * 4] * count

    def copy(self) -> Picture:
        other = Picture(self.width, self.height)
        other.y[:], other.cb[:], other.cr[:] = self.y, self.cb, self.cr
        return other

    def _square(self, plane: bytearray, stride: int, x: int, y: int, size: int) -> bytes:
        start = y * stride + x
        return b"".join([plane[at:at + size] for at in range(start, start + size * stride, stride)])

    def _edges(self, mx: int, my: int) -> tuple[bytes | None, ...]:
        w, cw = self.width, self.width // 2
        out: list[bytes | None] = []
        for plane, stride, size in ((self.y, w, 16), (self.cb, cw, 8), (self.cr, cw, 8)):
            x, y = mx * size, my * size
            top = bytes(plane[(y - 1) * stride + x:(y - 1) * stride + x + size]) if my else None
            left = bytes(plane[y * stride + x - 1:(y + size) * stride:stride]) if mx else None
            out += [top, left]
        return tuple(out)

    def code(self, source: Picture, coded: Sequence[tuple[int, int, int | None]], p_slice: bool
             ) -> str:
        """Code the macroblocks ``coded`` ((column, row, prediction mode or None to choose
        the best)) of ``source`` into this picture, skipping the others: the slice_data bits
        (7.3.4). A skipped macroblock keeps this picture's samples and has no coefficients."""
        if not p_slice and len(coded) != self.mbs_wide * self.mbs_high:
            raise ValueError("an I slice codes every macroblock")
        out: list[str] = []
        qp = SLICE_QP
        w, cw = self.width, self.width // 2
        next_address = 0
        for mx, my, wanted_mode in sorted(coded, key=lambda c: (c[1], c[0])):
            address = my * self.mbs_wide + mx
            if p_slice:
                out.append(ue(address - next_address))  # mb_skip_run
            next_address = address + 1
            left = address - 1 if mx else None
            top = address - self.mbs_wide if my else None
            lc = self.luma_counts
            luma_nc = (lc[left][3::4] if left is not None else None,
                       lc[top][12:] if top is not None else None)
            chroma_nc: list[tuple[int, ...] | None] = []
            for counts in (self.cb_counts, self.cr_counts):
                chroma_nc += [counts[left][1::2] if left is not None else None,
                              counts[top][2:] if top is not None else None]
            y = source._square(source.y, w, mx * 16, my * 16, 16)
            cb = source._square(source.cb, cw, mx * 8, my * 8, 8)
            cr = source._square(source.cr, cw, mx * 8, my * 8, 8)
            edges = self._edges(mx, my)
            if wanted_mode is None:
                mode, preds = _best_prediction(y, cb, cr, edges)
            else:
                mode, preds = wanted_mode, _predictions(wanted_mode, edges)
            # The coding depends on the neighbours only through the prediction and the
            # neighbouring blocks' coefficient counts: equal keys code equally.
            key = (p_slice, mode, y, cb, cr, preds, luma_nc, tuple(chroma_nc))
            result = _MB_CACHE.get(key)
            if result is None:
                if len(_MB_CACHE) >= _MB_CACHE_LIMIT:
                    _MB_CACHE.clear()
                result = _MB_CACHE[key] = _code_macroblock(
                    p_slice, mode, y, cb, cr, preds, luma_nc, tuple(chroma_nc))
            out += [result.head, se(result.qp - qp), result.residual]
            qp = result.qp
            for r, row in enumerate(result.y):
                start = (my * 16 + r) * w + mx * 16
                self.y[start:start + 16] = row
            for plane, rows in ((self.cb, result.cb), (self.cr, result.cr)):
                for r, row in enumerate(rows):
                    start = (my * 8 + r) * cw + mx * 8
                    plane[start:start + 8] = row
            self.luma_counts[address] = result.luma_counts
            self.cb_counts[address] = result.cb_counts
            self.cr_counts[address] = result.cr_counts
        if p_slice and next_address < self.mbs_wide * self.mbs_high:
            out.append(ue(self.mbs_wide * self.mbs_high - next_address))
        return "".join(out)


class Stream:
    """The parameter sets and pictures of one stream of ``width`` x ``height`` pictures."""

    def __init__(self, width: int, height: int, level_idc: int = 30) -> None:
        self.width, self.height = width, height
        self.sps = nal(3, 7, self._sps_bits(level_idc))
        self.pps = nal(3, 8, self._pps_bits())

    def _sps_bits(self, level_idc: int) -> str:
        bits = [u(8, 66), u(8, 0b11000000), u(8, level_idc),  # Constrained Baseline
                ue(0),  # seq_parameter_set_id
                ue(LOG2_MAX_FRAME_NUM - 4), ue(2),  # pic_order_cnt_type 2: output = decoding order
                ue(1), "0",  # one reference frame; no gaps in frame_num
                ue(self.width // 16 - 1), ue(self.height // 16 - 1),
                "1", "1", "0",  # frame_mbs_only, direct_8x8_inference, no cropping
                "1",  # vui_parameters_present_flag
                "0", "0",  # no aspect ratio, no overscan info
                "1", u(3, 5), "0", "1", u(8, 1), u(8, 1), u(8, 1),  # limited-range BT.709
                "0", "0",  # no chroma location, no timing (the container has it)
                "0", "0", "0",  # no NAL or VCL HRD parameters, no pic_struct
                "1", "1", ue(0), ue(0), ue(16), ue(16),  # bitstream_restriction: no reordering
                ue(0), ue(1)]  # max_num_reorder_frames 0, max_dec_frame_buffering 1
        return "".join(bits)

    def _pps_bits(self) -> str:
        return "".join([ue(0), ue(0), "0", "0", ue(0),  # ids, CAVLC, one slice group
                        ue(0), ue(0), "0", u(2, 0),  # one reference index, no weighting
                        se(SLICE_QP - 26), se(0), se(CHROMA_QP_OFFSET),
                        "1", "0", "0"])  # deblocking control present; no constrained intra

    def picture(self, reference: Picture | None, source: Picture,
                coded: Sequence[tuple[int, int, int | None]],
                frame_num: int) -> tuple[bytes, Picture]:
        """One coded picture as a NAL unit, and what it decodes to.

        ``reference`` None: an IDR picture, where ``coded`` must name every macroblock;
        otherwise a P picture that skips every macroblock ``coded`` does not name.
        """
        idr = reference is None
        picture = Picture(self.width, self.height) if reference is None else reference.copy()
        header = [ue(0), ue(7 if idr else 5), ue(0), u(LOG2_MAX_FRAME_NUM, frame_num)]
        if idr:
            header.append(ue(0))  # idr_pic_id: IDR pictures are never adjacent here
        else:
            header += ["0", "0"]  # no num_ref_idx override, no reference list modification
        header.append("00" if idr else "0")  # dec_ref_pic_marking: defaults (sliding window)
        header += [se(0), ue(1)]  # slice_qp_delta; disable_deblocking_filter_idc 1
        data = picture.code(source, coded, p_slice=not idr)
        return nal(3 if idr else 2, 5 if idr else 1, "".join(header) + data), picture

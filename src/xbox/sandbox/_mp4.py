"""An MP4 (ISO/IEC 14496-12 and -15) of one H.264 track whose samples may share bytes.

A sample is a byte range of ``mdat``; nothing in the format says two samples may not be the
same range. The sandbox's clips repeat a few coded pictures (the same picture decodes the
same way after the same reference), so an N-second clip stores each distinct picture once
and only its sample tables grow with N: ``stsz`` (a size per sample), ``stco`` (one chunk
per sample, so each can start anywhere), ``stts`` (durations, run-length coded) and
``stss`` (the IDR pictures, where a player may start decoding after a seek).

``moov`` comes before ``mdat`` so that a browser can start playing before the end.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["Sample", "movie"]

TIMESCALE = 1000  # ticks per second, of the movie and of the track


class Sample(NamedTuple):
    """One access unit: ``size`` bytes at ``offset`` in the stored pictures, shown for
    ``duration`` ticks; ``sync`` for an IDR picture."""

    offset: int
    size: int
    duration: int
    sync: bool


def _box(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return struct.pack(">I4s", 8 + len(body), kind) + body


def _full_box(kind: bytes, version: int, flags: int, *payload: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags), *payload)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _sample_entry(width: int, height: int, sps: bytes, pps: bytes) -> bytes:
    avcc = _box(b"avcC", bytes([1, sps[1], sps[2], sps[3], 0xFF, 0xE1]),
                struct.pack(">H", len(sps)), sps, b"\x01", struct.pack(">H", len(pps)), pps)
    return _box(b"avc1", bytes(6), struct.pack(">H", 1), bytes(16),
                struct.pack(">HHIIIH", width, height, 0x480000, 0x480000, 0, 1),
                bytes(32), struct.pack(">Hh", 0x18, -1), avcc)


def _stts(samples: Sequence[Sample]) -> bytes:
    runs: list[list[int]] = []
    for s in samples:
        if runs and runs[-1][1] == s.duration:
            runs[-1][0] += 1
        else:
            runs.append([1, s.duration])
    return _full_box(b"stts", 0, 0, struct.pack(">I", len(runs)),
                     b"".join(struct.pack(">II", n, d) for n, d in runs))


def _moov(width: int, height: int, sps: bytes, pps: bytes, samples: Sequence[Sample],
          base: int) -> bytes:
    duration = sum(s.duration for s in samples)
    sync = [i + 1 for i, s in enumerate(samples) if s.sync]
    stbl = _box(
        b"stbl",
        _full_box(b"stsd", 0, 0, struct.pack(">I", 1), _sample_entry(width, height, sps, pps)),
        _stts(samples),
        _full_box(b"stss", 0, 0, struct.pack(f">I{len(sync)}I", len(sync), *sync)),
        _full_box(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, 1, 1)),  # every chunk: one sample
        _full_box(b"stsz", 0, 0, struct.pack(f">II{len(samples)}I", 0, len(samples),
                                             *(s.size for s in samples))),
        _full_box(b"stco", 0, 0, struct.pack(f">I{len(samples)}I", len(samples),
                                             *(base + s.offset for s in samples))),
    )
    minf = _box(b"minf", _full_box(b"vmhd", 0, 1, bytes(8)),
                _box(b"dinf", _full_box(b"dref", 0, 0, struct.pack(">I", 1),
                                        _full_box(b"url ", 0, 1))),
                stbl)
    mdia = _box(b"mdia",
                _full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, TIMESCALE, duration,
                                                     0x55C4, 0)),  # language "und"
                _full_box(b"hdlr", 0, 0, bytes(4), b"vide", bytes(12), b"VideoHandler\x00"),
                minf)
    tkhd = _full_box(b"tkhd", 0, 3, struct.pack(">IIIII", 0, 0, 1, 0, duration), bytes(8),
                     struct.pack(">hhHH", 0, 0, 0, 0), _MATRIX,
                     struct.pack(">II", width << 16, height << 16))
    mvhd = _full_box(b"mvhd", 0, 0, struct.pack(">IIII", 0, 0, TIMESCALE, duration),
                     struct.pack(">IH", 0x10000, 0x100), bytes(10), _MATRIX, bytes(24),
                     struct.pack(">I", 2))
    return _box(b"moov", mvhd, _box(b"trak", tkhd, mdia))


def movie(width: int, height: int, sps: bytes, pps: bytes, samples: Sequence[Sample],
          stored: bytes) -> bytes:
    """``ftyp``, ``moov`` and ``mdat`` of a clip whose samples are ranges of ``stored`` (the
    length-prefixed NAL units of every distinct picture, each once)."""
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isomiso2avc1mp41")
    # The size of moov does not depend on the offsets it holds: measure it, then build it.
    head = len(ftyp) + len(_moov(width, height, sps, pps, samples, 0)) + 8
    moov = _moov(width, height, sps, pps, samples, head)
    return ftyp + moov + _box(b"mdat", stored)

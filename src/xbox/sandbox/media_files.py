"""Capture files that open: seeded PNGs and a real MP4, each padded to its seeded size.

The sandbox reports a size for every clip, screenshot and thumbnail (``fileSize``); the bytes
it serves must have exactly that length, and should be what the name promises, so that a
browser, an image viewer or a media check in a client accepts them.

* PNG: a small seeded gradient (real IHDR, zlib IDAT, IEND, correct CRCs), brought to the
  exact size by a private ancillary chunk ``sbFl`` of seeded filler before IEND. Decoders
  skip such chunks. The pixel size is a stand-in, not the capture's ``resolutionWidth``.
* MP4: a one-second 64x36 H.264 clip (``data/clip.mp4``, made once with ffmpeg; see
  ``data/README.md``), then a top-level ``free`` box of seeded filler up to the size.
  Players ignore ``free`` boxes; the video's duration is not the capture's.
"""

from __future__ import annotations

import functools
import hashlib
import random
import struct
import zlib
from importlib import resources

__all__ = ["FILLER_CHUNK", "mp4_file", "png_file"]

FILLER_CHUNK = b"sbFl"  # ancillary, private, safe-to-copy: decoders skip it
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHUNK_OVERHEAD = 12  # length, type, CRC
_BOX_HEADER = 8  # size, type


def _rng(key: str) -> random.Random:
    return random.Random(hashlib.sha256(key.encode()).digest())


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _gradient(rng: random.Random, width: int, height: int) -> bytes:
    """The IDAT payload of a seeded RGB gradient: left to right between two colours, darker
    downwards, each row with the Sub filter so that it compresses to little."""
    left = [rng.randint(0, 255) for _ in range(3)]
    right = [rng.randint(0, 255) for _ in range(3)]
    rows = bytearray()
    for y in range(height):
        shade = 1 - 0.5 * y / max(1, height - 1)
        previous = [0, 0, 0]
        rows.append(1)  # filter type Sub: each byte is stored minus the one to its left
        for x in range(width):
            t = x / max(1, width - 1)
            for i in range(3):
                value = int((left[i] + (right[i] - left[i]) * t) * shade)
                rows.append((value - previous[i]) & 0xFF)
                previous[i] = value
    return zlib.compress(bytes(rows), 9)


def _png(rng: random.Random, width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (_PNG_SIGNATURE + _chunk(b"IHDR", ihdr) +
            _chunk(b"IDAT", _gradient(rng, width, height)))


@functools.lru_cache(maxsize=32)
def png_file(key: str, size: int, width: int = 160, height: int = 90) -> bytes:
    """A valid PNG of exactly ``size`` bytes, the same for the same ``key``.

    The image is ``width`` x ``height`` when it fits in ``size``, else smaller (16x9, then
    1x1). Below the smallest PNG (about 90 bytes) the bytes cannot be a valid PNG: they are
    the start of one.
    """
    iend = _chunk(b"IEND", b"")
    for w, h in ((width, height), (16, 9), (1, 1)):
        head = _png(_rng(key), w, h)
        room = size - len(head) - len(iend) - _CHUNK_OVERHEAD
        if room >= 0:
            filler = _chunk(FILLER_CHUNK, _rng(key + ":filler").randbytes(room))
            return head + filler + iend
    return (head + iend)[:size]


@functools.cache
def _mp4_template() -> bytes:
    return resources.files("xbox.sandbox").joinpath("data", "clip.mp4").read_bytes()


@functools.lru_cache(maxsize=32)
def mp4_file(key: str, size: int) -> bytes:
    """A valid MP4 of exactly ``size`` bytes: the packaged clip, then a ``free`` box of seeded
    filler. Below the clip's own size plus a box header the bytes are the clip cut short."""
    clip = _mp4_template()
    room = size - len(clip) - _BOX_HEADER
    if room < 0:
        return clip[:size]
    if size - len(clip) > 0xFFFFFFFF:  # 64-bit box size
        header = struct.pack(">I4sQ", 1, b"free", size - len(clip))
        room -= 8
    else:
        header = struct.pack(">I4s", size - len(clip), b"free")
    return clip + header + _rng(key + ":filler").randbytes(room)

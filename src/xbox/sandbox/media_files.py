"""Capture files that open and play: seeded pictures and clips, each padded to its seeded size.

The sandbox reports a size for every clip, screenshot and thumbnail (``fileSize``); the bytes
it serves must have exactly that length, and should be what the name promises, so that a
browser, an image viewer or a media check in a client accepts them.

* PNG: a picture of the capture's scene (:class:`~._pictures.Scene`: its game's look, its
  own hills, pillars and ball, the game's name above), a palette image with real IHDR, PLTE,
  zlib IDAT and IEND chunks and correct CRCs, brought to the exact size by a private ancillary
  chunk ``sbFl`` of seeded filler before IEND. Decoders skip such chunks. The pixel size is a
  stand-in (512 x 288 for a screenshot), not the capture's ``resolutionWidth``.
* MP4: the clip's own video (:mod:`._video`: as long as the clip, 256 x 144, a bouncing ball
  and a running clock, H.264 Constrained Baseline written in pure Python), then a top-level
  ``free`` box of seeded filler up to the size. Players ignore ``free`` boxes.

Everything is a function of the capture's id, game, caption, length and size: the same world
serves the same bytes on every run.
"""

from __future__ import annotations

import functools
import hashlib
import random
import struct
import zlib

from ._pictures import Scene
from ._video import clip_video

__all__ = ["FILLER_CHUNK", "Scene", "mp4_file", "png_file"]

FILLER_CHUNK = b"sbFl"  # ancillary, private, safe-to-copy: decoders skip it
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHUNK_OVERHEAD = 12  # length, type, CRC
_BOX_HEADER = 8  # size, type


def _rng(key: str) -> random.Random:
    return random.Random(hashlib.sha256(key.encode()).digest())


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(scene: Scene, width: int, height: int) -> bytes:
    """A PNG of ``scene`` at ``width`` x ``height``, up to its last chunk (IEND) excluded."""
    canvas = scene.picture(width, height)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)  # 8-bit palette
    palette = b"".join(bytes(c) for c in canvas.palette)
    rows = b"".join(b"\x00" + canvas.pixels[y * width:(y + 1) * width] for y in range(height))
    return (_PNG_SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"PLTE", palette) +
            _chunk(b"IDAT", zlib.compress(rows, 9)))


@functools.lru_cache(maxsize=64)
def png_file(key: str, size: int, width: int = 160, height: int = 90, *,
             scene: Scene | None = None) -> bytes:
    """A valid PNG of exactly ``size`` bytes, the same for the same arguments.

    It shows ``scene`` (by default a scene of its own made from ``key``, which also seeds the
    filler) at ``width`` x ``height`` when that fits in ``size``, else smaller (16x9, then
    1x1). Below the smallest PNG (about 100 bytes) the bytes cannot be a valid PNG: they are
    the start of one.
    """
    scene = scene or Scene(key, "")
    iend = _chunk(b"IEND", b"")
    for w, h in ((width, height), (16, 9), (1, 1)):
        head = _png(scene, w, h)
        room = size - len(head) - len(iend) - _CHUNK_OVERHEAD
        if room >= 0:
            filler = _chunk(FILLER_CHUNK, _rng(key + ":filler").randbytes(room))
            return head + filler + iend
    return (head + iend)[:size]


@functools.lru_cache(maxsize=32)
def mp4_file(key: str, size: int, *, scene: Scene | None = None) -> bytes:
    """A valid MP4 of exactly ``size`` bytes: ``scene``'s clip (by default a one-second clip
    of a scene made from ``key``, which also seeds the filler), then a ``free`` box of filler.

    Below the clip's own size plus a box header the bytes are the clip cut short.
    """
    scene = scene or Scene(key, "", duration=1)
    clip = clip_video(scene, size - _BOX_HEADER)
    room = size - len(clip) - _BOX_HEADER
    if room < 0:
        return clip[:size]
    if size - len(clip) > 0xFFFFFFFF:  # 64-bit box size
        header = struct.pack(">I4sQ", 1, b"free", size - len(clip))
        room -= 8
    else:
        header = struct.pack(">I4s", size - len(clip), b"free")
    return clip + header + _rng(key + ":filler").randbytes(room)

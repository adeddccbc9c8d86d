"""A clip's video: as long as the clip, a ball in motion and a running clock, in a few KB.

Every second of a clip starts with the same IDR picture (the scene at 0:00), so a player can
seek to any second. Pictures that then draw the clock follow, each redrawing one digit's
16 x 16 macroblock (ones, tens, minutes, tens of minutes); they are shown for a millisecond
each, the last one for the rest of its frame, and sit just before the second begins, so that
the clock reads right from the second's first millisecond. Then ``fps - 1`` pictures move the
ball through the rest of the second.

A digit picture codes its macroblock against the IDR picture, whatever the other digits show
(its left neighbour, the only one its horizontal prediction reads, is a digit or bar the IDR
drew), so its bytes depend on the digit alone; the ball's pictures never touch or read the
clock's row. Each distinct picture is therefore stored once and every second points at them
(see :mod:`._mp4`): a 5-minute clip stores about 30 pictures and sample tables of about
130 bytes per second. When even that does not fit the clip's size, fewer ball pictures a
second do (:data:`FRAME_RATES`).
"""

from __future__ import annotations

import functools
import struct

from . import _mp4
from ._h264 import HORIZONTAL, Picture, Stream, rgb_to_ycbcr
from ._pictures import COUNTER_COLUMN, HEIGHT, WIDTH, Canvas, Scene

__all__ = ["FRAME_RATES", "clip_video"]

FRAME_RATES = (10, 5, 2)  # pictures a second, best first
_CLOCK_ROW = HEIGHT // 16 - 1
# The clock's digit columns, the one that changes most first: s, 10 s, min, 10 min.
_DIGITS = ((COUNTER_COLUMN + 3, 1), (COUNTER_COLUMN + 2, 10), (COUNTER_COLUMN, 60),
           (COUNTER_COLUMN - 1, 600))
_DIGIT_RANGE = (10, 6, 10, 10)


@functools.cache
def _stream() -> Stream:
    return Stream(WIDTH, HEIGHT)


@functools.lru_cache(maxsize=64)
def _tables(palette: tuple[tuple[int, int, int], ...]) -> tuple[bytes, bytes, bytes]:
    """``bytes.translate`` tables from palette index to Y, Cb and Cr."""
    ycc = [rgb_to_ycbcr(*c) for c in palette] + [(16, 128, 128)] * (256 - len(palette))
    return bytes(c[0] for c in ycc), bytes(c[1] for c in ycc), bytes(c[2] for c in ycc)


def _planes(canvas: Canvas) -> Picture:
    """The canvas as a source picture: Y from every pixel, Cb and Cr from the top left pixel
    of each 2 x 2 square (4:2:0)."""
    tables = _tables(tuple(canvas.palette))
    picture = Picture(canvas.width, canvas.height)
    picture.y[:] = canvas.pixels.translate(tables[0])
    w = canvas.width
    sub = b"".join(canvas.pixels[y * w:(y + 1) * w:2] for y in range(0, canvas.height, 2))
    picture.cb[:] = sub.translate(tables[1])
    picture.cr[:] = sub.translate(tables[2])
    return picture


def _changed(a: Picture, b: Picture) -> list[tuple[int, int, int | None]]:
    """The macroblocks where ``b`` differs from ``a`` (each to be predicted as suits it)."""
    out: list[tuple[int, int, int | None]] = []
    w, cw = a.width, a.width // 2
    for my in range(a.height // 16):
        luma = slice(my * 16 * w, (my + 1) * 16 * w)
        chroma = slice(my * 8 * cw, (my + 1) * 8 * cw)
        if a.y[luma] == b.y[luma] and a.cb[chroma] == b.cb[chroma] and a.cr[chroma] == b.cr[chroma]:
            continue  # the whole row of macroblocks is the same
        for mx in range(w // 16):
            rows = range(my * 16 * w + mx * 16, (my * 16 + 16) * w, w)
            crows = range(my * 8 * cw + mx * 8, (my * 8 + 8) * cw, cw)
            if (any(a.y[r:r + 16] != b.y[r:r + 16] for r in rows)
                    or any(a.cb[r:r + 8] != b.cb[r:r + 8] or a.cr[r:r + 8] != b.cr[r:r + 8]
                           for r in crows)):
                out.append((mx, my, None))
    return out


def _nal(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


@functools.lru_cache(maxsize=256)
def _pictures(scene: Scene, fps: int, digits: int) -> tuple[bytes, list[int], list[dict[int, int]],
                                                            list[int]]:
    """Every distinct coded picture of ``scene``'s clip, each once, one after the other.

    Returns the stored bytes (length-prefixed NAL units), the size of each picture in them
    (the IDR first), and which picture (an index into the sizes) draws each value of each
    digit position, and each of the ball's positions after the first.
    """
    stream = _stream()
    background = scene.background()
    clocked = background.copy()
    scene.clock(clocked, 0)
    sources = []
    for k in range(fps):
        canvas = clocked.copy()
        scene.ball(canvas, k / fps)
        sources.append(_planes(canvas))
    every = [(mx, my, None) for my in range(HEIGHT // 16) for mx in range(WIDTH // 16)]
    idr, decoded = stream.picture(None, sources[0], every, 0)
    stored = [_nal(idr)]
    digit_pictures: list[dict[int, int]] = []
    seconds = range(max(1, scene.duration))
    for position in range(digits):
        column, unit = _DIGITS[position]
        by_value = {}
        for value in sorted({s // unit % _DIGIT_RANGE[position] for s in seconds}):
            scene.clock(clocked, value * unit, only=column)  # the only macroblock coded
            coded, _ = stream.picture(decoded, _planes(clocked), [(column, _CLOCK_ROW, HORIZONTAL)],
                                      1 + position)
            by_value[value] = len(stored)
            stored.append(_nal(coded))
        digit_pictures.append(by_value)
    ball = []
    previous = decoded
    for k in range(1, fps):
        coded, previous = stream.picture(previous, sources[k], _changed(sources[k - 1], sources[k]),
                                         digits + k)
        ball.append(len(stored))
        stored.append(_nal(coded))
    sizes = [len(s) for s in stored]
    return b"".join(stored), sizes, digit_pictures, ball


def _digit_count(duration: int) -> int:
    return 4 if duration > 600 else 3


def _samples(scene: Scene, duration: int, fps: int) -> tuple[list[_mp4.Sample], bytes]:
    digits = _digit_count(duration)
    stored, sizes, digit_pictures, ball = _pictures(scene, fps, digits)
    offsets = [0]
    for size in sizes[:-1]:
        offsets.append(offsets[-1] + size)
    frame = 1000 // fps
    hidden = digits  # the IDR and every digit picture but the last show for a tick
    samples = []
    for second in range(duration):
        first = second == 0
        last = second == duration - 1
        samples.append(_mp4.Sample(offsets[0], sizes[0], 1, True))
        for position in range(digits):
            value = second // _DIGITS[position][1] % _DIGIT_RANGE[position]
            index = digit_pictures[position][value]
            shown = 1 if position < digits - 1 else frame - (hidden if first else 0)
            samples.append(_mp4.Sample(offsets[index], sizes[index], shown, False))
        for k, index in enumerate(ball):
            shown = frame - (hidden if k == len(ball) - 1 and not last else 0)
            if k == len(ball) - 1:
                shown += 1000 - fps * frame  # 1000 // fps may leave a remainder (fps 3, 7, ...)
            samples.append(_mp4.Sample(offsets[index], sizes[index], shown, False))
    return samples, stored


@functools.lru_cache(maxsize=256)
def clip_video(scene: Scene, room: int) -> bytes:
    """The MP4 of ``scene``'s clip (``scene.duration`` seconds, at least one) in at most
    ``room`` bytes if any frame rate allows, else at the lowest frame rate (longer)."""
    duration = max(1, scene.duration)
    stream = _stream()
    movie = b""
    for fps in FRAME_RATES:
        samples, stored = _samples(scene, duration, fps)
        movie = _mp4.movie(WIDTH, HEIGHT, stream.sps, stream.pps, samples, stored)
        if len(movie) <= room:
            break
    return movie

"""The files behind captures are real: PNGs that decode, MP4s whose boxes add up and whose
sample tables make a clip as long as its metadata says, each exactly the size the metadata
reports, and each showing its own capture.

Checked with the standard library only (zlib, struct): chunk CRCs, the IDAT stream, the
MP4 boxes and sample tables. That the video plays, for that long and in motion, is checked in
a browser (test_media_playback.py); that the H.264 bits are what the standard says, on the
standard's own example here and by that browser.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from xbox.sandbox import JOE_XUID, Sandbox
from xbox.sandbox._h264 import residual_block
from xbox.sandbox.media_files import FILLER_CHUNK, Scene, mp4_file, png_file

CLIPS = "/gameclipsmetadata.xboxlive.com"
SHOTS = "/screenshotsmetadata.xboxlive.com"
MEDIAHUB = "/mediahub.xboxlive.com"

SANDBOX = {"era": "2018", "clock": lambda: 1_793_534_400.0}  # the sb fixture's (conftest.py)
SMALLEST_CLIP = 40_000  # the world's clip sizes run from 40,000 to 400,000 bytes
LONGEST_CLIP = 300  # and its clips from 5 to 300 seconds, drawn apart


def _client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                        headers={"Authorization": sb.authorization_for()})


def _get(client: httpx.Client, url: str) -> bytes:
    r = client.get("/" + url.split("://", 1)[1])
    assert r.status_code == 200, url
    return r.content


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, checking the signature, lengths and CRCs."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, i = [], 8
    while i < len(data):
        (length,) = struct.unpack(">I", data[i:i + 4])
        kind, body = data[i + 4:i + 8], data[i + 8:i + 8 + length]
        (crc,) = struct.unpack(">I", data[i + 8 + length:i + 12 + length])
        assert crc == zlib.crc32(kind + body), f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        i += 12 + length
    assert i == len(data)
    return chunks


def decode_png(data: bytes) -> list[list[tuple[int, int, int]]]:
    """The RGB pixels of an 8-bit RGB or palette PNG (filters None, Sub, Up)."""
    chunks = png_chunks(data)
    kinds = [k for k, _ in chunks]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and colour in (2, 3) and interlace == 0
    channels = 3 if colour == 2 else 1
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = channels * width
    assert len(raw) == height * (1 + stride)
    lines: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (1 + stride)], bytearray(raw[y * (1 + stride) + 1:(y + 1) * (1 + stride)])
        assert kind in (0, 1, 2)
        for x in range(stride):
            if kind == 1 and x >= channels:
                line[x] = (line[x] + line[x - channels]) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + previous[x]) & 0xFF
        lines.append(line)
        previous = line
    if colour == 2:
        return [[(line[x], line[x + 1], line[x + 2]) for x in range(0, stride, 3)] for line in lines]
    (plte,) = [body for kind, body in chunks if kind == b"PLTE"]
    assert kinds.index(b"PLTE") < kinds.index(b"IDAT") and len(plte) % 3 == 0
    palette = [tuple(plte[i:i + 3]) for i in range(0, len(plte), 3)]
    assert max(max(line) for line in lines) < len(palette)
    return [[palette[i] for i in line] for line in lines]  # type: ignore[misc]


def mp4_boxes(data: bytes) -> list[tuple[bytes, int]]:
    """(type, size) of every top-level box; the sizes must add up to the file."""
    boxes, i = [], 0
    while i < len(data):
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        if size == 1:
            (size,) = struct.unpack(">Q", data[i + 8:i + 16])
        assert size >= 8, f"bad box size at {i}"
        boxes.append((kind, size))
        i += size
    assert i == len(data), "box sizes do not add up to the file"
    return boxes


def _children(data: bytes, start: int, end: int) -> dict[bytes, tuple[int, int]]:
    """The boxes in data[start:end] by type: (start of payload, end)."""
    out, i = {}, start
    while i < end:
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        assert 8 <= size <= end - i, kind
        out[kind] = (i + 8, i + size)
        i += size
    return out


def _path(data: bytes, *kinds: bytes) -> tuple[int, int]:
    start, end = 0, len(data)
    for kind in kinds:
        start, end = _children(data, start, end)[kind]
    return start, end


@dataclass
class Track:
    """What a player reads from an MP4's one video track."""

    seconds: float  # mvhd's duration
    width: int
    height: int
    durations: list[int]  # each sample's, in the track's ticks
    timescale: int
    sizes: list[int]
    offsets: list[int]
    sync: list[int]  # 1-based sample numbers
    mdat: tuple[int, int]  # start and end of mdat's payload


def read_track(data: bytes) -> Track:
    """The track of an MP4 whose samples each form a chunk (stsc: 1 sample per chunk)."""
    def table(kind: bytes, fmt: str = ">I", skip: int = 8) -> list[Any]:
        start, end = _path(data, b"moov", b"trak", b"mdia", b"minf", b"stbl", kind)
        (count,) = struct.unpack(">I", data[start + skip - 4:start + skip])
        item = struct.calcsize(fmt)
        rows = [struct.unpack(fmt, data[start + skip + i * item:start + skip + (i + 1) * item])
                for i in range(count)]
        assert start + skip + count * item == end
        return [r[0] if len(r) == 1 else r for r in rows]

    mvhd, _ = _path(data, b"moov", b"mvhd")
    movie_scale, movie_duration = struct.unpack(">II", data[mvhd + 12:mvhd + 20])
    mdhd, _ = _path(data, b"moov", b"trak", b"mdia", b"mdhd")
    timescale, track_duration = struct.unpack(">II", data[mdhd + 12:mdhd + 20])
    stsd, _ = _path(data, b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd")
    avc1 = stsd + 8
    assert data[avc1 + 4:avc1 + 8] == b"avc1"
    width, height = struct.unpack(">HH", data[avc1 + 32:avc1 + 36])
    assert table(b"stsc", ">III") == [(1, 1, 1)]
    start, _ = _path(data, b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsz")
    assert struct.unpack(">I", data[start + 4:start + 8]) == (0,)  # a size per sample
    durations = [d for n, d in table(b"stts", ">II") for _ in range(n)]
    assert sum(durations) == track_duration
    assert track_duration * movie_scale == movie_duration * timescale
    return Track(movie_duration / movie_scale, width, height, durations, timescale,
                 table(b"stsz", skip=12), table(b"stco"), table(b"stss"),
                 (_path(data, b"mdat")))


def check_png(data: bytes, size: int) -> list[list[tuple[int, int, int]]]:
    assert len(data) == size
    kinds = [k for k, _ in png_chunks(data)]
    assert kinds[-2:] == [FILLER_CHUNK, b"IEND"]
    # The filler chunk is ancillary (bit 5 of byte 0), private (byte 1), reserved-bit clear
    # (byte 2) and safe to copy (byte 3): every decoder skips it.
    assert FILLER_CHUNK[0] & 32 and FILLER_CHUNK[1] & 32 and not FILLER_CHUNK[2] & 32
    pixels = decode_png(data)
    assert len({p for row in pixels for p in row}) > 10  # a picture, not a flat colour
    return pixels


def check_mp4(data: bytes, size: int, seconds: int | None = None) -> Track:
    """A complete MP4 padded to ``size``, whose samples lie in ``mdat``; as long as
    ``seconds`` if given, with a sync sample (an IDR picture) at the start of each second."""
    assert len(data) == size
    boxes = mp4_boxes(data)
    kinds = [k for k, _ in boxes]
    assert kinds[0] == b"ftyp" and data[8:12] == b"isom"
    # moov before mdat (a browser can start before the end); the padding is the last box.
    assert kinds == [b"ftyp", b"moov", b"mdat", b"free"]
    track = read_track(data)
    assert (track.width, track.height) == (256, 144)
    assert len(track.sizes) == len(track.offsets) == len(track.durations)
    for offset, sample_size in zip(track.offsets, track.sizes, strict=True):
        assert track.mdat[0] <= offset and offset + sample_size <= track.mdat[1]
        # Each sample is length-prefixed NAL units: here one, a coded picture (slice NAL).
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        assert length + 4 == sample_size and data[offset + 4] & 0x1F in (1, 5)
    idr = [i + 1 for i, o in enumerate(track.offsets) if data[o + 4] & 0x1F == 5]
    assert track.sync == idr and track.sync[0] == 1
    if seconds is not None:
        assert track.seconds == seconds and sum(track.durations) == seconds * track.timescale
        starts = [sum(track.durations[:i - 1]) for i in track.sync]
        assert len(starts) == seconds
        # Each second's IDR picture comes a few ticks before the second (then the clock).
        assert all(0 <= s * track.timescale - start < 10 for s, start in enumerate(starts))
    return track


def test_screenshots_and_their_thumbnails_are_pngs(sb: Sandbox) -> None:
    client = _client(sb)
    shots = client.get(f"{SHOTS}/users/me/screenshots", params={"maxItems": "100"}).json()
    assert len(shots["screenshots"]) == 40
    for shot in shots["screenshots"][:10]:
        (download,) = shot["screenshotUris"]
        check_png(_get(client, download["uri"]), download["fileSize"])
        for thumb in shot["thumbnails"]:
            check_png(_get(client, thumb["uri"]), thumb["fileSize"])


def test_clips_are_mp4s_as_long_as_their_metadata_says(sb: Sandbox) -> None:
    client = _client(sb)
    clips = client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "20"}).json()["gameClips"]
    published = [c for c in clips if c["state"] == "Published"]
    assert len({c["durationInSeconds"] for c in published}) > 10
    for clip in published:
        (download,) = clip["gameClipUris"]
        data = _get(client, download["uri"])
        check_mp4(data, download["fileSize"], clip["durationInSeconds"])
        capture = sb.world.captures_by_id[clip["gameClipId"]]
        thumb = _get(client, clip["thumbnails"][0]["uri"])  # 2017+: one file, fileSize 0
        check_png(thumb, capture.thumb_large_size)


def test_2014_thumbnail_sizes_and_mediahub_files(sb: Sandbox) -> None:
    old = Sandbox(seed=0, rate_limits=False, era="2014", clock=lambda: 1_793_534_400.0)
    client = _client(old)
    clip = next(c for c in client.get(f"{CLIPS}/users/me/clips").json()["gameClips"]
                if c["state"] == "Published")
    for thumb in clip["thumbnails"]:  # 2014: a file per size, with its size
        pixels = check_png(_get(client, thumb["uri"]), thumb["fileSize"])
        assert (len(pixels[0]), len(pixels)) == ((64, 36) if thumb["thumbnailType"] == "Small"
                                                 else (128, 72))
    check_mp4(_get(client, clip["gameClipUris"][-1]["uri"]), clip["gameClipUris"][-1]["fileSize"],
              clip["durationInSeconds"])
    hub = client.post(f"{MEDIAHUB}/screenshots/search",
                      json={"max": 3, "query": f"OwnerXuid eq {JOE_XUID}"}).json()["values"]
    for value in hub:
        download: dict[str, Any] = value["contentLocators"][0]
        check_png(_get(client, download["uri"]), download["fileSize"])


def test_a_long_clip_stores_a_few_pictures_and_points_every_second_at_them(sb: Sandbox) -> None:
    clip = max((c for c in sb.world.joe.clips if c.state == "Published"), key=lambda c: c.duration)
    assert clip.duration > 280
    track = check_mp4(clip.media_bytes(), clip.size, clip.duration)
    assert len(track.sizes) >= 8 * clip.duration  # the IDR, the clock's digits, the ball...
    stored = {(o, n) for o, n in zip(track.offsets, track.sizes, strict=True)}
    assert len(stored) < 40 and sum(n for _, n in stored) < 15_000
    assert track.mdat[1] - track.mdat[0] == sum(n for _, n in stored)  # nothing else stored


def test_the_longest_clip_fits_the_smallest_file() -> None:
    scene = Scene("k", "Super Mega Baseball: Extra Innings", LONGEST_CLIP, "What a goal!")
    track = check_mp4(mp4_file("k", SMALLEST_CLIP, scene=scene), SMALLEST_CLIP, LONGEST_CLIP)
    assert len(track.sizes) >= 5 * LONGEST_CLIP  # fewer ball pictures a second, still moving


def test_the_video_is_constrained_baseline_avc(sb: Sandbox) -> None:
    data = sb.world.joe.clips[0].media_bytes()
    stsd, _ = _path(data, b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd")
    avcc = data.index(b"avcC", stsd) + 4
    # configurationVersion 1, profile 66 (Baseline), constraint_set0 and 1 (Constrained
    # Baseline, what every browser decodes: "avc1.42C01E"), level 3.0, 4-byte NAL lengths.
    assert data[avcc:avcc + 5] == bytes([1, 0x42, 0xC0, 0x1E, 0xFF])


def test_a_screenshot_is_its_game_scene(sb: Sandbox) -> None:
    shot = sb.world.joe.screenshots[0]
    pixels = decode_png(shot.media_bytes())
    assert (len(pixels[0]), len(pixels)) == (512, 288)
    bar = pixels[0][0]
    assert all(p == bar for row in pixels[:10] for p in row)  # the overlay's bar, empty above
    assert len({p for row in pixels[10:24] for p in row[:100]}) >= 2  # ...the game's name
    sky = [pixels[y][0] for y in range(32, 80)]
    assert len(set(sky)) >= 4  # the sky fades, in bands, lighter or darker all the way
    luma = [round(0.2126 * r + 0.7152 * g + 0.0722 * b) for r, g, b in sky]
    assert luma == sorted(luma) or luma == sorted(luma, reverse=True)


def _shrink(pixels: list[list[tuple[int, int, int]]], factor: int) -> list[list[tuple[int, ...]]]:
    """The picture with each factor x factor square averaged."""
    out = []
    for y in range(0, len(pixels), factor):
        row = []
        for x in range(0, len(pixels[0]), factor):
            square = [pixels[y + j][x + i] for j in range(factor) for i in range(factor)]
            row.append(tuple(sum(p[c] for p in square) // len(square) for c in range(3)))
        out.append(row)
    return out


def _distance(a: list[list[tuple[int, ...]]], b: list[list[tuple[int, int, int]]]) -> float:
    """The mean absolute difference of two pictures of the same size, per channel."""
    total = sum(abs(p[c] - q[c]) for ra, rb in zip(a, b, strict=True)
                for p, q in zip(ra, rb, strict=True) for c in range(3))
    return total / (3 * len(a) * len(a[0]))


def test_a_thumbnail_is_its_capture_smaller(sb: Sandbox) -> None:
    first, second = sb.world.joe.screenshots[:2]
    shrunk = _shrink(decode_png(first.media_bytes()), 4)
    own = decode_png(first.thumbnail_bytes("Large"))
    other = decode_png(second.thumbnail_bytes("Large"))
    assert _distance(shrunk, own) < 12 < 2 * 12 < _distance(shrunk, other)


def test_files_are_seeded_and_distinct(sb: Sandbox) -> None:
    a, b = sb.world.joe.clips[0], sb.world.joe.clips[1]
    again = Sandbox(seed=0).world.captures_by_id[a.id]
    assert again.media_bytes() == a.media_bytes()
    assert again.thumbnail_bytes("Small") == a.thumbnail_bytes("Small")
    assert a.media_bytes()[-1000:] != b.media_bytes()[-1000:]
    assert a.thumbnail_bytes("Small") != a.thumbnail_bytes("Large")
    # The videos themselves differ (their first pictures), not only the padding.
    first = [data[t.offsets[0]:t.offsets[0] + t.sizes[0]]
             for data in (a.media_bytes(), b.media_bytes()) for t in [read_track(data)]]
    assert first[0] != first[1]
    shots = sb.world.joe.screenshots[:2]
    assert decode_png(shots[0].media_bytes()) != decode_png(shots[1].media_bytes())


def test_the_clock_and_the_ball_are_coded_once_for_every_second(sb: Sandbox) -> None:
    """Samples that draw the same digit, or move the ball the same way, are the same bytes."""
    clip = next(c for c in sb.world.joe.clips if c.state == "Published" and c.duration > 60)
    track = read_track(clip.media_bytes())
    per_second = len(track.sizes) // clip.duration
    seconds = [track.offsets[s * per_second:(s + 1) * per_second] for s in range(clip.duration)]
    assert all(len(set(second)) == per_second for second in seconds)  # each picture new...
    assert len({second[0] for second in seconds}) == 1  # ...the same IDR every second,
    assert len({tuple(second[4:]) for second in seconds}) == 1  # the same ball's flight,
    assert len({second[1] for second in seconds}) == 10  # ten pictures of the seconds' digit
    assert seconds[3][1] == seconds[13][1] != seconds[4][1]


def test_cavlc_codes_the_standards_example() -> None:
    """The 4x4 block of the classic worked example of CAVLC (Richardson, "H.264 and MPEG-4
    Video Compression", 6.4.13.2 example 1: zigzag 0, 3, 0, 1, -1, -1, 0, 1, then zeros)."""
    bits, total = residual_block([0, 3, 0, 1, -1, -1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], 0)
    assert total == 5 and bits == "000010001110010111101101"


@pytest.mark.parametrize("size", [0, 1, 50, 100, 700, 2000, 7000, 70_000])
def test_any_size_is_met_exactly(size: int) -> None:
    assert len(png_file("k", size)) == size
    assert len(mp4_file("k", size)) == size
    if size >= 200:
        check_png(png_file("k", size), size)
    if size >= 7000:  # a second of video (some 6,500 bytes) and a free box
        check_mp4(mp4_file("k", size), size, 1)

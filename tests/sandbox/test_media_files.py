"""The files behind captures are real: PNGs that decode, MP4s whose boxes add up, each exactly
the size the metadata reports.

Checked with the standard library only (zlib, struct): chunk CRCs, the IDAT stream, the
top-level MP4 boxes.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

import httpx
import pytest

from xbox.sandbox import JOE_XUID, Sandbox
from xbox.sandbox.media_files import FILLER_CHUNK, mp4_file, png_file

CLIPS = "/gameclipsmetadata.xboxlive.com"
SHOTS = "/screenshotsmetadata.xboxlive.com"
MEDIAHUB = "/mediahub.xboxlive.com"

SANDBOX = {"era": "2018", "clock": lambda: 1_793_534_400.0}  # the sb fixture's (conftest.py)


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
    """The RGB pixels of an 8-bit RGB PNG (filters None, Sub, Up; all the sandbox writes)."""
    chunks = png_chunks(data)
    kinds = [k for k, _ in chunks]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour, interlace) == (8, 2, 0)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = 3 * width
    assert len(raw) == height * (1 + stride)
    rows: list[list[tuple[int, int, int]]] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (1 + stride)], bytearray(raw[y * (1 + stride) + 1:(y + 1) * (1 + stride)])
        assert kind in (0, 1, 2)
        for x in range(stride):
            if kind == 1 and x >= 3:
                line[x] = (line[x] + line[x - 3]) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + previous[x]) & 0xFF
        rows.append([(line[x], line[x + 1], line[x + 2]) for x in range(0, stride, 3)])
        previous = line
    return rows


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


def check_mp4(data: bytes, size: int) -> None:
    assert len(data) == size
    boxes = mp4_boxes(data)
    kinds = [k for k, _ in boxes]
    assert kinds[0] == b"ftyp" and data[8:12] == b"isom"
    # moov before mdat (a browser can start before the end); the padding is the last box.
    assert kinds.index(b"moov") < kinds.index(b"mdat") and kinds[-1] == b"free"
    moov = data[sum(s for _, s in boxes[:kinds.index(b"moov")]):][:dict(boxes)[b"moov"]]
    for inner in (b"mvhd", b"trak", b"avc1", b"avcC", b"stsz"):
        assert inner in moov, inner
    assert dict(boxes)[b"mdat"] > 8


def test_screenshots_and_their_thumbnails_are_pngs(sb: Sandbox) -> None:
    client = _client(sb)
    shots = client.get(f"{SHOTS}/users/me/screenshots", params={"maxItems": "100"}).json()
    assert len(shots["screenshots"]) == 40
    for shot in shots["screenshots"][:10]:
        (download,) = shot["screenshotUris"]
        check_png(_get(client, download["uri"]), download["fileSize"])
        for thumb in shot["thumbnails"]:
            check_png(_get(client, thumb["uri"]), thumb["fileSize"])


def test_clips_are_mp4s_and_their_thumbnails_pngs(sb: Sandbox) -> None:
    client = _client(sb)
    clips = client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "20"}).json()["gameClips"]
    published = [c for c in clips if c["state"] == "Published"]
    for clip in published:
        (download,) = clip["gameClipUris"]
        check_mp4(_get(client, download["uri"]), download["fileSize"])
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
    check_mp4(_get(client, clip["gameClipUris"][-1]["uri"]), clip["gameClipUris"][-1]["fileSize"])
    hub = client.post(f"{MEDIAHUB}/screenshots/search",
                      json={"max": 3, "query": f"OwnerXuid eq {JOE_XUID}"}).json()["values"]
    for value in hub:
        download: dict[str, Any] = value["contentLocators"][0]
        check_png(_get(client, download["uri"]), download["fileSize"])


def test_a_gradient_from_left_to_right(sb: Sandbox) -> None:
    shot = sb.world.joe.screenshots[0]
    pixels = decode_png(shot.media_bytes())
    assert (len(pixels[0]), len(pixels)) == (160, 90)
    top = pixels[0]
    for channel in range(3):
        values = [p[channel] for p in top]
        assert values == sorted(values) or values == sorted(values, reverse=True)
    # Darker towards the bottom.
    assert sum(pixels[-1][0]) <= sum(pixels[0][0])


def test_files_are_seeded_and_distinct(sb: Sandbox) -> None:
    a, b = sb.world.joe.clips[0], sb.world.joe.clips[1]
    again = Sandbox(seed=0).world.captures_by_id[a.id]
    assert again.media_bytes() == a.media_bytes()
    assert again.thumbnail_bytes("Small") == a.thumbnail_bytes("Small")
    assert a.media_bytes()[-1000:] != b.media_bytes()[-1000:]
    assert a.thumbnail_bytes("Small") != a.thumbnail_bytes("Large")


@pytest.mark.parametrize("size", [0, 1, 50, 100, 700, 2000, 70_000])
def test_any_size_is_met_exactly(size: int) -> None:
    assert len(png_file("k", size)) == size
    assert len(mp4_file("k", size)) == size
    if size >= 200:
        check_png(png_file("k", size), size)
    if size >= 2400:
        check_mp4(mp4_file("k", size), size)

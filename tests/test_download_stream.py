"""How a download's body reaches the disk: cut into ``chunk_size`` pieces without a copy, one
gathered write each, hashed as written (the prefix of an earlier run hashed once), progress per
piece; over real HTTP from the sandbox served on 127.0.0.1, and the pure and disk parts alone."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import itertools
import os
import random
from pathlib import Path
from typing import Any

import pytest

import xbox
from xbox.download import disk as _disk
from xbox.download.rules import Pieces, piece_size
from xbox.exceptions import DownloadError
from xbox.models import Clip
from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, JOE_XUID, Fault, Sandbox

CHUNK = 16 * 1024


def _media_requests(sb: Sandbox) -> list[Any]:
    return [r for r in sb.requests if "content-d" in str(r.url)]


def _media(sb: Sandbox, clip: Clip) -> bytes:
    return sb.world.captures_by_id[clip.id.lower()].media_bytes()


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


# -- the pure part: pieces ----------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 7, 4096, 65536, 262144])
def test_pieces_are_exactly_chunk_size_and_keep_every_byte(size: int) -> None:
    rng = random.Random(size)
    chunks = [rng.randbytes(rng.choice([0, 1, 100, 4096, 65536, 70000])) for _ in range(60)]
    cutter = Pieces(size)
    pieces = [p for chunk in chunks for p in cutter.add(chunk)]
    rest = cutter.rest()
    assert all(piece_size(p) == size for p in pieces)
    assert piece_size(rest) < size
    assert b"".join(b"".join(bytes(b) for b in p) for p in [*pieces, rest]) == b"".join(chunks)
    assert cutter.rest() == []  # taken away


def test_pieces_do_not_copy_the_received_bytes() -> None:
    data = os.urandom(10_000)
    cutter = Pieces(4096)
    pieces = cutter.add(data)
    assert len(pieces) == 2
    for buffer in [*pieces[0], *pieces[1], *cutter.rest()]:
        assert isinstance(buffer, memoryview) and buffer.obj is data  # views, not copies
    small = os.urandom(100)
    assert cutter.add(small) == [] and cutter.rest() == [small]  # kept as it came


def test_pieces_refuse_an_empty_size() -> None:
    with pytest.raises(ValueError):
        Pieces(0)


# -- the disk part ------------------------------------------------------------------------------


def test_write_all_writes_every_buffer_in_order(tmp_path: Path) -> None:
    # More buffers than one writev takes (1024), empty ones and views among them.
    data = os.urandom(300_000)
    buffers: list[Any] = [memoryview(data)[i:i + 97] for i in range(0, len(data), 97)]
    buffers[5:5] = [b"", memoryview(b"")]
    path = tmp_path / "out"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        _disk.write_all(fd, buffers)
    finally:
        os.close(fd)
    assert path.read_bytes() == data


def test_write_all_goes_on_after_short_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A real file, with the kernel's right to write less than asked (a signal, a nearly full
    # disk) used every time: at most 1000 bytes per call, often ending inside a buffer.
    real = os.writev

    def short_writev(fd: int, buffers: list[memoryview]) -> int:
        return real(fd, [b"".join(bytes(b) for b in buffers)[:1000]])

    monkeypatch.setattr(os, "writev", short_writev)
    data = os.urandom(50_000)
    path = tmp_path / "out"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        _disk.write_all(fd, [data[:333], memoryview(data)[333:40_000], data[40_000:]])
    finally:
        os.close(fd)
    assert path.read_bytes() == data


def test_part_file_hashes_an_earlier_prefix_once_then_what_it_writes(tmp_path: Path) -> None:
    data = os.urandom(200_000)
    part = _disk.PartFile(tmp_path / "clip.mp4")
    part.path.write_bytes(data[:70_000])  # an earlier run's bytes
    fd = part.open(70_000)
    try:
        cutter = Pieces(CHUNK)
        part.write(fd, [*cutter.add(data[70_000:150_000]), cutter.rest()])
        part.write(fd, [[data[150_000:]]])
    finally:
        os.close(fd)
    assert part.path.read_bytes() == data
    assert part.hashed == len(data)
    assert part._hash.hexdigest() == hashlib.sha256(data).hexdigest()


async def test_async_writer_keeps_order_and_raises_a_job_error_on_the_next_wait(
        tmp_path: Path) -> None:
    writer = _disk.AsyncWriter()
    path = tmp_path / "out"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        for i in range(50):
            await writer.start(_disk.write_all, fd, [str(i).encode() + b","])
        await writer.wait()
        await writer.start(os.write, -1, b"x")  # EBADF on the thread
        with pytest.raises(OSError):
            await writer.wait()
    finally:
        await writer.finally_run(os.close, fd)
        await writer.close()
    assert path.read_bytes() == b"".join(str(i).encode() + b"," for i in range(50))


# -- over HTTP ----------------------------------------------------------------------------------


def _served_clip(client: xbox.Client) -> Clip:
    client.authenticate(JOE_EMAIL, JOE_PASSWORD)
    # A clip of several hundred KiB, so that a body comes in many network reads.
    clips = [c for c in client.clips.recent(JOE_XUID) if c.state == "Published"]
    return max(clips[:20], key=lambda c: c.download.file_size)  # type: ignore[union-attr]


async def _served_clip_async(xbl: xbox.AsyncClient) -> Clip:
    """:func:`_served_clip` for the async client."""
    await xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
    clips = [c async for c in xbl.clips.recent(JOE_XUID) if c.state == "Published"]
    return max(clips[:20], key=lambda c: c.download.file_size)  # type: ignore[union-attr]


def test_progress_is_reported_per_chunk_size_piece_once_written(tmp_path: Path) -> None:
    sb = Sandbox(seed=0, rate_limits=False)
    seen: list[tuple[int, int | None]] = []
    with sb.serve() as served, xbox.Client(base_url=served.base_url, token_store=None) as client:
        clip = _served_clip(client)
        dest = tmp_path / "clip.mp4"

        def progress(done: int, total: int | None) -> None:
            seen.append((done, total))
            assert dest.with_name("clip.mp4.part").stat().st_size >= done  # on disk already

        result = client.download(clip, dest, progress=progress, chunk_size=CHUNK)
    data = _media(sb, clip)
    assert len(data) > 10 * CHUNK
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    done = [d for d, _ in seen]
    assert done[0] == 0 and done[-1] == len(data)
    steps = [b - a for a, b in itertools.pairwise(done)]
    assert steps[:-1] == [CHUNK] * (len(steps) - 1)  # every report one whole piece...
    assert 0 < steps[-1] <= CHUNK  # ...but the last, the file's tail
    assert {t for _, t in seen} == {len(data)}


async def test_async_progress_per_piece_and_resume_from_a_prefix(tmp_path: Path) -> None:
    sb = Sandbox(seed=0, rate_limits=False)
    with sb.serve() as served:
        async with xbox.AsyncClient(base_url=served.base_url, token_store=None) as xbl:
            clip = await _served_clip_async(xbl)
            data = _media(sb, clip)
            dest = tmp_path / "clip.mp4"
            prefix = 123_457  # an earlier run's bytes, not on a piece boundary
            dest.with_name("clip.mp4.part").write_bytes(data[:prefix])
            seen: list[int] = []
            result = await xbl.download(clip, dest, chunk_size=CHUNK,
                                        progress=lambda done, total: seen.append(done))
    assert dest.read_bytes() == data
    assert result.sha256 == hashlib.sha256(data).hexdigest()  # the prefix hashed from disk
    assert result.resumed and result.attempts == 1
    assert _media_requests(sb)[-1].headers["Range"] == f"bytes={prefix}-"
    assert seen[0] == prefix and seen[-1] == len(data)
    steps = [b - a for a, b in itertools.pairwise(seen)]
    assert steps[:-1] == [CHUNK] * (len(steps) - 1) and 0 < steps[-1] <= CHUNK


def test_interrupted_twice_resumes_with_the_right_hash(tmp_path: Path) -> None:
    sb = Sandbox(seed=0, rate_limits=False)
    with sb.serve() as served, xbox.Client(base_url=served.base_url, token_store=None,
                                           sleep=lambda s: None) as client:
        clip = _served_clip(client)
        sb.faults.append(Fault(kind="truncated", at=100_001, path_contains=f"{clip.id}.MP4",
                               times=2))
        result = client.download(clip, tmp_path / "clip.mp4", chunk_size=CHUNK)
    data = _media(sb, clip)
    assert (tmp_path / "clip.mp4").read_bytes() == data
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.attempts == 3
    assert [r.headers.get("Range") for r in _media_requests(sb)] == [
        None, "bytes=100001-", "bytes=200002-"]


def test_a_file_longer_than_reported_is_refused_and_not_kept(tmp_path: Path) -> None:
    sb = Sandbox(seed=0, rate_limits=False)
    with sb.serve() as served, xbox.Client(base_url=served.base_url, token_store=None,
                                           sleep=lambda s: None) as client:
        clip = _served_clip(client)
        raw: dict[str, Any] = copy.deepcopy(clip.raw or {})
        raw["gameClipUris"][0]["fileSize"] -= 10  # Xbox Live's size is 10 bytes short
        with pytest.raises(DownloadError, match="size mismatch") as info:
            client.download(Clip.from_wire(raw), tmp_path / "clip.mp4", chunk_size=CHUNK)
    assert "without progress" in str(info.value)  # each answer tried again, then given up
    assert not (tmp_path / "clip.mp4").exists()
    assert not (tmp_path / "clip.mp4.part").exists()


def test_bodies_that_keep_ending_early_fail_clearly_and_keep_the_part(tmp_path: Path) -> None:
    sb = Sandbox(seed=0, rate_limits=False)
    with sb.serve() as served, xbox.Client(base_url=served.base_url, token_store=None,
                                           sleep=lambda s: None) as client:
        clip = _served_clip(client)
        # The first answer brings 50,000 bytes; every later one none at all.
        sb.faults.append(Fault(kind="truncated", at=50_000, path_contains=f"{clip.id}.MP4"))
        sb.faults.append(Fault(kind="truncated", at=0, path_contains=f"{clip.id}.MP4",
                               times=100))
        with pytest.raises(DownloadError, match="without progress") as info:
            client.download(clip, tmp_path / "clip.mp4", chunk_size=CHUNK)
    assert "50000 bytes are kept" in str(info.value)
    assert not (tmp_path / "clip.mp4").exists()
    assert (tmp_path / "clip.mp4.part").read_bytes() == _media(sb, clip)[:50_000]


async def test_a_cancelled_download_leaves_a_clean_prefix_that_resumes(tmp_path: Path) -> None:
    sb = Sandbox(seed=0, rate_limits=False)
    with sb.serve() as served:
        async with xbox.AsyncClient(base_url=served.base_url, token_store=None) as xbl:
            clip = await _served_clip_async(xbl)
            data = _media(sb, clip)
            dest = tmp_path / "clip.mp4"
            # A slow body, so that the task is cancelled while bytes are still arriving.
            sb.faults.append(Fault(kind="slow_drip", rate=200_000, path_contains=f"{clip.id}.MP4"))
            fds = _open_fds()
            started = asyncio.Event()

            def progress(done: int, total: int | None) -> None:
                if done >= 2 * CHUNK:
                    started.set()

            task = asyncio.create_task(xbl.download(clip, dest, chunk_size=CHUNK,
                                                    progress=progress))
            await asyncio.wait_for(started.wait(), 30)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(0.2)  # the disk thread finishes the batch it had
            part = dest.with_name("clip.mp4.part").read_bytes()
            assert 2 * CHUNK <= len(part) < len(data)
            assert part == data[:len(part)]  # every byte in order, none twice
            result = await xbl.download(clip, dest)
    assert _open_fds() <= fds  # the .part's descriptor was closed
    assert dest.read_bytes() == data
    assert result.resumed and result.sha256 == hashlib.sha256(data).hexdigest()

"""Client.download / AsyncClient.download against the sandbox: streamed, resumable, verified."""

from __future__ import annotations

import copy
import errno
import hashlib
import os
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

import xbox
import xbox.download.disk
from xbox.exceptions import DownloadError
from xbox.models import Clip, Screenshot
from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, JOE_XUID, Fault, Lifetimes, Sandbox
from xbox.sandbox.world import Capture as WorldCapture


async def _no_sleep(seconds: float) -> None:
    return None


def _world(sb: Sandbox, capture: Clip | Screenshot) -> WorldCapture:
    return sb.world.captures_by_id[capture.id.lower()]


def _media_requests(sb: Sandbox) -> list[httpx.Request]:
    return [r for r in sb.requests if "content-d" in str(r.url)]


@pytest.fixture
def sb() -> Sandbox:
    return Sandbox(seed=0, rate_limits=False)


@pytest.fixture
async def xbl(sb: Sandbox) -> AsyncIterator[xbox.AsyncClient]:
    async with xbox.AsyncClient(base_url=sb.base_url, transport=sb.transport(), token_store=None,
                                sleep=_no_sleep) as client:
        await client.authenticate(JOE_EMAIL, JOE_PASSWORD)
        yield client


async def _first_clip(xbl: xbox.AsyncClient) -> Clip:
    async for clip in xbl.clips.recent(JOE_XUID):
        if clip.state == "Published":
            return clip
    raise AssertionError("Joe has no published clip")


async def test_full_download_is_the_sandbox_bytes(sb: Sandbox, xbl: xbox.AsyncClient,
                                                  tmp_path: Path) -> None:
    clip = await _first_clip(xbl)
    seen: list[tuple[int, int | None]] = []
    result = await xbl.download(clip, tmp_path / "clip.mp4",
                                progress=lambda done, total: seen.append((done, total)),
                                chunk_size=16 * 1024)
    data = _world(sb, clip).media_bytes()
    assert (tmp_path / "clip.mp4").read_bytes() == data
    assert result.size == len(data) == clip.download.file_size  # type: ignore[union-attr]
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.content_type == "video/mp4"
    assert not result.resumed and result.refreshed == 0
    assert not (tmp_path / "clip.mp4.part").exists()
    assert seen[-1] == (len(data), len(data))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # monotonic
    assert len(seen) > 3  # chunked: progress moves during the download
    media = _media_requests(sb)
    assert len(media) == 1
    assert "Authorization" not in media[0].headers  # the signature is in the URL


def test_sync_client_downloads_screenshot_and_thumbnails(sb: Sandbox, tmp_path: Path) -> None:
    with xbox.Client(base_url=sb.base_url, transport=sb.transport(), token_store=None) as client:
        client.authenticate(JOE_EMAIL, JOE_PASSWORD)
        shot = next(iter(client.screenshots.recent(JOE_XUID, limit=1)))
        result = client.download(shot, tmp_path / "shot.png")
        small = client.download(shot, tmp_path / "small.png", thumbnail="Small")
        large = client.download(shot, tmp_path / "large.png", thumbnail="Large")
    world = _world(sb, shot)
    assert (tmp_path / "shot.png").read_bytes() == world.media_bytes()
    assert result.content_type == "image/png"
    assert (tmp_path / "small.png").read_bytes() == world.thumbnail_bytes("Small")
    assert (tmp_path / "large.png").read_bytes() == world.thumbnail_bytes("Large")
    assert small.size == shot.thumbnail("Small").file_size  # type: ignore[union-attr]
    assert large.size != small.size


async def test_resume_after_truncated_body(sb: Sandbox, xbl: xbox.AsyncClient, tmp_path: Path) -> None:
    clip = await _first_clip(xbl)
    sb.faults.append(Fault(truncate_at=5000, path_contains=f"{clip.id}.MP4"))
    result = await xbl.download(clip, tmp_path / "clip.mp4")
    assert (tmp_path / "clip.mp4").read_bytes() == _world(sb, clip).media_bytes()
    assert result.resumed and result.attempts == 2
    media = _media_requests(sb)
    assert "Range" not in media[0].headers
    assert media[1].headers["Range"] == "bytes=5000-"


def test_resume_after_connection_drop_over_http(tmp_path: Path) -> None:
    sb = Sandbox(seed=0, rate_limits=False)
    with sb.serve() as served, xbox.Client(base_url=served.base_url, token_store=None,
                                           sleep=lambda s: None) as client:
        client.authenticate(JOE_EMAIL, JOE_PASSWORD)
        clip = next(c for c in client.clips.recent(JOE_XUID) if c.state == "Published")
        sb.faults.append(Fault(truncate_at=30000, path_contains=f"{clip.id}.MP4", times=2))
        result = client.download(clip, tmp_path / "clip.mp4")
    assert (tmp_path / "clip.mp4").read_bytes() == _world(sb, clip).media_bytes()
    assert result.resumed and result.attempts == 3
    ranges = [r.headers.get("Range") for r in _media_requests(sb)]
    assert ranges[0] is None and ranges[1:] == ["bytes=30000-", "bytes=60000-"]


async def test_expired_url_is_refreshed_before_download(tmp_path: Path) -> None:
    now = [1_800_000_000.0]
    sb = Sandbox(seed=0, rate_limits=False, clock=lambda: now[0])
    async with xbox.AsyncClient(base_url=sb.base_url, transport=sb.transport(), token_store=None,
                                clock=lambda: now[0], sleep=_no_sleep) as xbl:
        await xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
        clip = await _first_clip(xbl)
        now[0] += sb.lifetimes.sas + 1  # the listing's URL is dead now
        result = await xbl.download(clip, tmp_path / "clip.mp4")
    assert result.refreshed == 1
    assert (tmp_path / "clip.mp4").read_bytes() == _world(sb, clip).media_bytes()
    singles = [r for r in sb.requests if f"/clips/{clip.id}" in str(r.url)]
    assert len(singles) == 1  # one re-GET of the single clip
    assert len(_media_requests(sb)) == 1  # and no wasted request with the stale URL


async def test_403_mid_download_refetches_url_and_resumes(tmp_path: Path) -> None:
    server = [1_800_000_000.0]
    sb = Sandbox(seed=0, rate_limits=False, clock=lambda: server[0])
    # The client's clock lags: it believes the URL is fresh, the media host knows better.
    async with xbox.AsyncClient(base_url=sb.base_url, transport=sb.transport(), token_store=None,
                                clock=lambda: 1_800_000_000.0, sleep=_no_sleep) as xbl:
        await xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
        clip = await _first_clip(xbl)
        sb.faults.append(Fault(truncate_at=20000, path_contains=f"{clip.id}.MP4"))

        def expire_on_first_bytes(done: int, total: int | None) -> None:
            if done >= 20000:
                server[0] = 1_800_000_000.0 + sb.lifetimes.sas + 60

        result = await xbl.download(clip, tmp_path / "clip.mp4", progress=expire_on_first_bytes)
    assert (tmp_path / "clip.mp4").read_bytes() == _world(sb, clip).media_bytes()
    assert result.refreshed == 1 and result.resumed
    media = _media_requests(sb)
    assert [r.headers.get("Range") for r in media] == [None, "bytes=20000-", "bytes=20000-"]
    assert [sb.handle(r).status_code for r in media[1:2]] == [403]  # the stale one is refused


async def test_azure_error_xml_is_never_saved(tmp_path: Path) -> None:
    # Every signed URL the sandbox issues is already expired, and the client's clock is
    # behind, so only the media host's 403 tells: refreshing cannot help.
    sb = Sandbox(seed=0, rate_limits=False, lifetimes=Lifetimes(sas=-600))
    async with xbox.AsyncClient(base_url=sb.base_url, transport=sb.transport(), token_store=None,
                                clock=lambda: sb.now() - 3600, sleep=_no_sleep) as xbl:
        await xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
        clip = await _first_clip(xbl)
        with pytest.raises(DownloadError) as info:
            await xbl.download(clip, tmp_path / "clip.mp4")
    assert "signed URL expired and could not be refreshed" in str(info.value)
    assert "AuthenticationFailed" in str(info.value)
    assert not (tmp_path / "clip.mp4").exists()
    part = tmp_path / "clip.mp4.part"
    assert not part.exists() or b"<?xml" not in part.read_bytes()
    refused = [sb.handle(r) for r in _media_requests(sb)[:1]]
    assert refused[0].status_code == 403 and b"AuthenticationFailed" in refused[0].content


async def test_error_page_with_200_is_refused(sb: Sandbox, xbl: xbox.AsyncClient, tmp_path: Path) -> None:
    clip = await _first_clip(xbl)
    sb.faults.append(Fault(status=200, path_contains=f"{clip.id}.MP4", body="<html>Sign in</html>",
                           headers={"Content-Type": "text/html"}))
    with pytest.raises(DownloadError, match="error page instead of media"):
        await xbl.download(clip, tmp_path / "clip.mp4")
    assert not (tmp_path / "clip.mp4").exists()
    assert not (tmp_path / "clip.mp4.part").exists()


async def test_bytes_that_are_not_mp4_are_refused(sb: Sandbox, xbl: xbox.AsyncClient,
                                                  tmp_path: Path) -> None:
    clip = await _first_clip(xbl)
    size = clip.download.file_size  # type: ignore[union-attr]
    sb.faults.append(Fault(status=200, path_contains=f"{clip.id}.MP4", body="x" * size,
                           headers={"Content-Type": "video/mp4"}))
    with pytest.raises(DownloadError, match="not an MP4"):
        await xbl.download(clip, tmp_path / "clip.mp4")
    assert not (tmp_path / "clip.mp4").exists()


async def test_size_mismatch_is_detected(sb: Sandbox, xbl: xbox.AsyncClient, tmp_path: Path) -> None:
    clip = await _first_clip(xbl)
    raw: dict[str, Any] = copy.deepcopy(clip.raw)
    raw["gameClipUris"][0]["fileSize"] += 10
    lying = Clip.from_wire(raw)
    with pytest.raises(DownloadError, match="size mismatch"):
        await xbl.download(lying, tmp_path / "clip.mp4")
    assert not (tmp_path / "clip.mp4").exists()


async def test_pending_upload_has_no_media(xbl: xbox.AsyncClient, tmp_path: Path) -> None:
    pending = [c async for c in xbl.clips.recent(JOE_XUID) if c.state == "PendingUpload"]
    assert pending
    with pytest.raises(DownloadError, match="still uploading"):
        await xbl.download(pending[0], tmp_path / "clip.mp4")


def _disk_filling_writer(budget: int) -> Callable[[int, Sequence[Any]], None]:
    """``disk.write_all`` on a disk with ``budget`` bytes free: it writes what fits, then
    fails with ENOSPC, as a real full disk does."""
    left = [budget]

    def write(fd: int, buffers: Sequence[Any]) -> None:
        data = b"".join(buffers)
        if len(data) > left[0]:
            os.write(fd, data[:left[0]])
            left[0] = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.write(fd, data)
        left[0] -= len(data)

    return write


@pytest.mark.parametrize("flavour", ["async", "sync"])
async def test_full_disk_keeps_part_and_a_rerun_completes(sb: Sandbox, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          flavour: str) -> None:
    dest = tmp_path / "clip.mp4"
    monkeypatch.setattr(xbox.download.disk, "write_all", _disk_filling_writer(50_000))
    if flavour == "async":
        client: Any = xbox.AsyncClient(base_url=sb.base_url, transport=sb.transport(),
                                       token_store=None, sleep=_no_sleep)
        await client.authenticate(JOE_EMAIL, JOE_PASSWORD)
        clip = await _first_clip(client)
        with pytest.raises(DownloadError) as info:
            await client.download(clip, dest, chunk_size=8192)
    else:
        client = xbox.Client(base_url=sb.base_url, transport=sb.transport(), token_store=None)
        client.authenticate(JOE_EMAIL, JOE_PASSWORD)
        clip = next(c for c in client.clips.recent(JOE_XUID) if c.state == "Published")
        with pytest.raises(DownloadError) as info:
            client.download(clip, dest, chunk_size=8192)
    assert "disk is full" in str(info.value)
    assert not dest.exists()
    assert (tmp_path / "clip.mp4.part").stat().st_size == 50_000
    monkeypatch.undo()  # space freed
    if flavour == "async":
        result = await client.download(clip, dest)
        await client.aclose()
    else:
        result = client.download(clip, dest)
        client.close()
    assert result.resumed
    assert dest.read_bytes() == _world(sb, clip).media_bytes()
    assert _media_requests(sb)[-1].headers["Range"] == "bytes=50000-"


async def test_gives_up_after_bounded_attempts(sb: Sandbox, xbl: xbox.AsyncClient, tmp_path: Path) -> None:
    clip = await _first_clip(xbl)
    sb.faults.append(Fault(error=httpx.ConnectError, path_contains=f"{clip.id}.MP4", times=100))
    with pytest.raises(DownloadError, match="could not reach"):
        await xbl.download(clip, tmp_path / "clip.mp4")
    assert len(_media_requests(sb)) == xbox.RetryPolicy().max_attempts
    assert not (tmp_path / "clip.mp4").exists()

"""Streamed, resumable, verified download of clips, screenshots and their thumbnails.

The rules, each from a failure users have hit (xbox2local#29, GuardianTheater#69):

* The signed ``Download`` URL lives about an hour. It is fetched anew (a re-GET of the single
  capture) just before downloading when it is missing or expires within two minutes, and
  again when the media host answers 401/403 mid-way.
* Bytes collect in ``<dest>.part``. After a transport error, a truncated body or a 403 the
  download continues with ``Range: bytes=N-``; attempts that make no progress are bounded.
* Nothing reaches ``dest`` before it is verified: status 200/206, a media ``Content-Type``
  (never XML/HTML/JSON), the size Xbox Live reported, and MP4/PNG magic bytes. Then the
  ``.part`` is fsynced and renamed over ``dest`` atomically.
* Media hosts never see an ``Authorization`` header: the signature is in the URL.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from .._core.retry import RETRY_STATUSES, parse_retry_after
from ..download import (
    DEFAULT_CHUNK_SIZE,
    DownloadResult,
    ProgressCallback,
    SavedCapture,
    content_type_problem,
    magic_problem,
    needs_refresh,
    part_path,
)
from ..exceptions import DownloadError, NotFoundException, TransportError, XboxException
from ..models.captures import Capture, Clip

if TYPE_CHECKING:
    from datetime import datetime

    from .client import AsyncClient

__all__ = ["download", "save_capture"]

log = logging.getLogger("xbox")

#: Attempts in a row that may fail without adding a byte before the download gives up.
MAX_STALLED_ATTEMPTS = 5
#: Fresh signed URLs fetched per download before giving up.
MAX_REFRESHES = 3
_HEAD_BYTES = 64
_DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (a module function so tests can inject ENOSPC)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _kind(capture: Capture) -> str:
    return "clip" if isinstance(capture, Clip) else "screenshot"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(_HEAD_BYTES)


def _sha256_and_sync(path: Path) -> str:
    """The file's sha256; fsync it on the way, so the rename never publishes lost bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
        os.fsync(fh.fileno())
    return digest.hexdigest()


def _sync_dir(path: Path) -> None:
    # The rename itself must survive a power cut; not every platform can open a directory.
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _content_range(value: str | None) -> tuple[int, int | None] | None:
    """(first byte, total or None) from ``Content-Range: bytes a-b/total``."""
    if not value or not value.startswith("bytes "):
        return None
    span, _, total = value[6:].partition("/")
    first, _, _ = span.partition("-")
    try:
        return int(first), (int(total) if total.strip() not in ("", "*") else None)
    except ValueError:
        return None


def _locator(capture: Capture, thumbnail: str | None) -> tuple[str | None, int | None, datetime | None]:
    """(url, expected size or None, expiration) of the file asked for."""
    if thumbnail is not None:
        thumb = capture.thumbnail(thumbnail)
        if thumb is None:
            return None, None, None
        return thumb.uri, thumb.file_size or None, None
    media = capture.download
    if media is None:
        return None, None, None
    # fileSize 0 means "not reported" (streaming manifests, 2017+ thumbnails).
    return media.uri, media.file_size or None, media.expiration


def _disk_error(exc: OSError, dest: Path, done: int, total: int | None) -> DownloadError:
    of = f" of {total}" if total else ""
    if exc.errno in _DISK_FULL:
        return DownloadError(
            f"the disk is full: wrote {done}{of} bytes of {dest.name} to {part_path(dest).name}; "
            f"free some space and run again to resume")
    return DownloadError(f"cannot write {part_path(dest)}: {exc.strerror or exc}")


class _Download:
    """One file's download: the state that survives from attempt to attempt."""

    def __init__(self, client: AsyncClient, capture: Capture, dest: Path, thumbnail: str | None,
                 progress: ProgressCallback | None, chunk_size: int, max_attempts: int) -> None:
        self.client = client
        self.capture = capture
        self.dest = dest
        self.part = part_path(dest)
        self.thumbnail = thumbnail
        self.progress = progress
        self.chunk_size = chunk_size
        self.max_attempts = max_attempts
        self.requests = 0
        self.refreshes = 0
        self.stalled = 0
        self.resumed = False
        self.content_type: str | None = None
        what = f"{_kind(capture)} {capture.id}"
        self.label = f"{thumbnail.lower()} thumbnail of {what}" if thumbnail else what

    async def refresh(self, why: str) -> None:
        """Fetch the capture anew for a fresh signed URL."""
        if self.refreshes >= MAX_REFRESHES:
            raise DownloadError(f"{self.label}: signed URL expired and could not be refreshed ({why})")
        capture = self.capture
        self.refreshes += 1
        log.debug("%s: fetching a fresh signed URL (%s)", self.label, why)
        resource: Any = self.client.clips if capture.kind == "clip" else self.client.screenshots
        try:
            fresh: Capture = await resource.refresh(capture)
        except NotFoundException:
            raise DownloadError(f"{self.label} no longer exists on Xbox Live") from None
        except XboxException as exc:
            raise DownloadError(f"{self.label}: signed URL expired and could not be refreshed: {exc}",
                                status_code=exc.status_code, service=exc.service) from exc
        self.capture = fresh

    async def backoff(self, retry_after: float | None = None) -> None:
        """Count an attempt that added no byte; wait before the next one, or give up."""
        self.stalled += 1
        if self.stalled >= self.max_attempts:
            kept = _size(self.part)
            raise DownloadError(
                f"could not download {self.label} after {self.stalled} attempts without progress"
                + (f"; {kept} bytes are kept in {self.part.name} for the next run" if kept else ""))
        policy = self.client.retry
        delay = min(policy.max_backoff, policy.backoff * (2 ** (self.stalled - 1)))
        await self.client._sleep(max(delay, retry_after or 0.0))

    def report(self, done: int, total: int | None) -> None:
        if self.progress is not None:
            self.progress(done, total)

    async def run(self) -> DownloadResult:
        self.dest.parent.mkdir(parents=True, exist_ok=True)
        while True:
            url, expected, expiration = _locator(self.capture, self.thumbnail)
            if url is None:
                if self.capture.state == "PendingUpload":
                    raise DownloadError(f"{self.label} has no media yet: it is still uploading "
                                        f"(state PendingUpload)")
                if self.refreshes == 0:
                    await self.refresh("the capture has no download URL")
                    continue
                raise DownloadError(f"{self.label} has no download URL")
            if needs_refresh(expiration, self.client.clock()):
                await self.refresh("the signed URL expires within two minutes")
                continue
            offset = _size(self.part)
            if expected is not None and offset > expected:
                self.part.unlink()  # longer than the file can be: start over
                offset = 0
            if expected is not None and offset == expected:
                break  # an earlier run fetched every byte; only verification is left
            if await self.attempt(url, offset, expected):
                break
        return self.finish(expected)

    async def attempt(self, url: str, offset: int, expected: int | None) -> bool:
        """One request; True when every byte is in the ``.part``, False to go round again."""
        # identity: Range offsets must count the bytes as stored, not as decoded.
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        request = self.client.build_request("GET", url, headers=headers)
        self.requests += 1
        try:
            response = await self.client._transport_send(request, stream=True)
        except TransportError as exc:
            log.debug("%s: %s; will resume", self.label, exc)
            await self.backoff()
            return False
        try:
            return await self.consume(response, offset, expected)
        finally:
            await response.aclose()

    async def consume(self, response: httpx.Response, offset: int, expected: int | None) -> bool:
        status = response.status_code
        if status in (401, 403):
            # Azure's AuthenticationFailed XML: the signature expired. It is read (to free the
            # connection) and dropped, never written.
            await response.aread()
            code = response.headers.get("x-ms-error-code", "")
            await self.refresh(f"the media host answered {status} {code}".strip())
            return False
        if status == 416:
            # The .part claims bytes the server does not have: it belongs to another file.
            self.part.unlink(missing_ok=True)
            await self.backoff()
            return False
        if status in (404, 410):
            raise DownloadError(f"{self.label}: the media file is gone (HTTP {status})",
                                status_code=status)
        if status in RETRY_STATUSES:
            await self.backoff(parse_retry_after(response.headers.get("Retry-After")))
            return False
        if status not in (200, 206):
            raise DownloadError(f"{self.label}: the media host answered HTTP {status}",
                                status_code=status)
        content_type = response.headers.get("Content-Type")
        problem = content_type_problem(content_type)
        if problem is not None:
            raise DownloadError(f"{self.label}: {problem}", status_code=status)
        self.content_type = content_type.split(";", 1)[0].strip() if content_type else None
        length = response.headers.get("Content-Length")
        total: int | None = None
        if status == 206:
            span = _content_range(response.headers.get("Content-Range"))
            if span is None or span[0] != offset:
                # Not the bytes asked for: start the file again rather than splice wrong data.
                self.part.unlink(missing_ok=True)
                await self.backoff()
                return False
            total = span[1]
            self.resumed = True
        else:
            offset = 0  # the server ignored Range (or none was sent): the body is the whole file
            encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
            total = int(length) if length and length.isdigit() and not encoded else None
        if expected is not None and total is not None and total != expected:
            self.part.unlink(missing_ok=True)
            raise DownloadError(f"{self.label}: size mismatch: the media host has {total} bytes "
                                f"but Xbox Live reported {expected}")
        want = expected if expected is not None else total
        done = offset
        self.report(done, want)
        flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0)
        flags |= os.O_APPEND if offset else os.O_TRUNC
        fd = os.open(self.part, flags, 0o644)
        try:
            try:
                # aiter_bytes, not aiter_raw: in-process transports hand over bodies already
                # read ("identity" was asked for, so these are the stored bytes). No chunk size
                # is passed to httpx: it would buffer bytes that a dropped connection then loses.
                async for received in response.aiter_bytes():
                    for start in range(0, len(received), self.chunk_size):
                        chunk = received[start:start + self.chunk_size]
                        _write_all(fd, chunk)
                        done += len(chunk)
                        self.report(done, want)
                    if want is not None and done > want:
                        break
            except OSError as exc:
                raise _disk_error(exc, self.dest, done, want) from None
            except httpx.TransportError as exc:
                log.debug("%s: connection lost after %d bytes (%s); will resume", self.label, done,
                          type(exc).__name__)
                if done == offset:
                    await self.backoff()
                else:
                    self.stalled = 0
                return False
        finally:
            os.close(fd)
        if want is not None and done > want:
            self.part.unlink(missing_ok=True)
            raise DownloadError(f"{self.label}: size mismatch: got more than the {want} bytes "
                                f"reported")
        if want is not None and done < want:
            # A body that ended early without an error: resume from what arrived.
            log.debug("%s: body ended at %d of %d bytes; will resume", self.label, done, want)
            if done == offset:
                await self.backoff()
            else:
                self.stalled = 0
            return False
        return True

    def finish(self, expected: int | None) -> DownloadResult:
        size = _size(self.part)
        if expected is not None and size != expected:
            raise DownloadError(f"{self.label}: size mismatch: got {size} of {expected} bytes")
        problem = magic_problem(_head(self.part), _kind(self.capture),
                                thumbnail=self.thumbnail is not None)
        if problem is not None:
            self.part.unlink(missing_ok=True)
            raise DownloadError(f"{self.label}: {problem}")
        sha256 = _sha256_and_sync(self.part)
        os.replace(self.part, self.dest)
        _sync_dir(self.dest.parent)
        log.debug("%s: saved %d bytes to %s", self.label, size, self.dest)
        return DownloadResult(path=self.dest, size=size, sha256=sha256,
                              content_type=self.content_type, resumed=self.resumed,
                              attempts=self.requests, refreshed=self.refreshes)


async def download(client: AsyncClient, capture: Capture, dest: str | os.PathLike[str], *,
                   thumbnail: str | None = None, progress: ProgressCallback | None = None,
                   chunk_size: int = DEFAULT_CHUNK_SIZE,
                   max_attempts: int = MAX_STALLED_ATTEMPTS) -> DownloadResult:
    """Download a clip's or screenshot's file (or one of its thumbnails), verified, to ``dest``.

    Args:
        client: a signed-in client (needed only to refresh an expired signed URL).
        capture: a :class:`~xbox.models.Clip` or :class:`~xbox.models.Screenshot`.
        dest: the final path; bytes collect in ``<dest>.part`` until verified.
        thumbnail: ``"Small"`` or ``"Large"`` for a thumbnail instead of the media file.
        progress: called as ``progress(bytes_done, bytes_total)`` after every chunk.
        chunk_size: most bytes per write and per progress report.
        max_attempts: attempts in a row without progress before giving up.

    Returns:
        The verified file's path, size, sha256 and content type.

    Raises:
        DownloadError: the capture has no media (still uploading), the signed URL could not
            be refreshed, the server sent an error page, the size or magic bytes are wrong,
            the disk is full (the ``.part`` is kept for a later resume), or every attempt failed.
    """
    if thumbnail is not None and thumbnail not in ("Small", "Large"):
        raise ValueError(f"thumbnail must be 'Small' or 'Large', not {thumbnail!r}")
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    job = _Download(client, capture, Path(dest), thumbnail, progress, chunk_size, max_attempts)
    return await job.run()


def _complete(path: Path, expected: int | None, kind: str, thumbnail: bool) -> DownloadResult | None:
    """A file left under its final name by an interrupted run, if it is whole.

    Only verified files are ever renamed to a final name, so the right size and magic bytes
    are enough to trust it.
    """
    if expected is None or _size(path) != expected:
        return None
    if magic_problem(_head(path), kind, thumbnail=thumbnail) is not None:
        return None
    return DownloadResult(path=path, size=expected, sha256=_sha256_and_sync(path),
                          content_type=None, attempts=0)


def _write_json(path: Path, data: object) -> None:
    part = part_path(path)
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n"
    try:
        with part.open("w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise _disk_error(exc, path, 0, None) from None
    os.replace(part, path)


async def save_capture(client: AsyncClient, capture: Capture, media_path: str | os.PathLike[str], *,
                       thumbnail_paths: Mapping[str, str | os.PathLike[str]] | None = None,
                       sidecar_path: str | os.PathLike[str] | None = None,
                       progress: ProgressCallback | None = None,
                       chunk_size: int = DEFAULT_CHUNK_SIZE) -> SavedCapture:
    """Save one capture completely: media, thumbnails, a JSON sidecar, mtimes at capture time.

    A media file or thumbnail already complete under its final name (an interrupted earlier
    run) is kept rather than fetched again.

    Args:
        client: a signed-in client.
        capture: the clip or screenshot.
        media_path: where the media file goes.
        thumbnail_paths: ``{"Small": path, "Large": path}``; thumbnails the capture lacks are skipped.
        sidecar_path: where the metadata (``capture.raw``) goes as JSON (None: ``<media>.json``).
        progress: ``progress(bytes_done, bytes_total)`` for the media file.
        chunk_size: most bytes per write and per progress report.

    Returns:
        What was written.

    Raises:
        DownloadError: see :func:`download`.
    """
    media_file = Path(media_path)
    _url, expected, _exp = _locator(capture, None)
    media = _complete(media_file, expected, _kind(capture), False)
    reused = media is not None
    if media is None:
        media = await download(client, capture, media_file, progress=progress, chunk_size=chunk_size)
    elif progress is not None:
        progress(media.size, media.size)
    thumbs: dict[str, DownloadResult] = {}
    for size, where in (thumbnail_paths or {}).items():
        url, thumb_size, _ = _locator(capture, size)
        if url is None:
            continue
        thumb_file = Path(where)
        done = _complete(thumb_file, thumb_size, _kind(capture), True)
        thumbs[size] = done or await download(client, capture, thumb_file, thumbnail=size,
                                              chunk_size=chunk_size)
    sidecar = Path(sidecar_path) if sidecar_path is not None else media_file.with_name(
        media_file.name + ".json")
    _write_json(sidecar, capture.raw if capture.raw is not None else capture.model_dump(by_alias=True))
    recorded = capture.recorded
    if recorded is not None:
        # Photo tools sort by mtime: make it the moment of capture (xbox2local PR #24).
        stamp = recorded.timestamp()
        for path in (media.path, sidecar, *(t.path for t in thumbs.values())):
            os.utime(path, (stamp, stamp))
    return SavedCapture(media=media, thumbnails=thumbs, sidecar=sidecar, reused=reused)

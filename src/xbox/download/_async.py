"""Streamed, resumable, verified download of clips, screenshots and their thumbnails.

The rules, each from a failure users have hit (xbox2local#29, GuardianTheater#69):

* The signed ``Download`` URL lives about an hour. It is fetched anew (the capture is read
  again from the service that listed it) just before downloading when it is missing or
  expires within two minutes, and again when the media host answers 401/403 mid-way.
* Every request goes through the client's one send path (transport errors and 5xx retried
  by its :class:`~xbox.RetryPolicy`). Bytes collect in ``<dest>.part``; a body that drops or
  stalls (``RetryPolicy.stall_timeout`` without a byte) is resumed with ``Range: bytes=N-``,
  and ``max_attempts`` attempts in a row without a new byte give up.
* Nothing reaches ``dest`` before it is verified: status 200/206, a media ``Content-Type``
  (never XML/HTML/JSON), the size Xbox Live reported, and MP4/PNG magic bytes. The sha256 is
  computed while writing; the ``.part`` is fsynced once and renamed over ``dest`` atomically.
* Media hosts never see an ``Authorization`` header: the signature is in the URL.

The pure decisions are :mod:`xbox.download.rules`', the disk work :mod:`xbox.download.disk`'s
(run off the event loop here). This module is the source of truth; ``_sync.py`` beside it is
generated from it by ``scripts/unasync.py``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._concurrency import async_run_blocking
from .._core.call import Call
from .._core.retry import retry_delay
from ..exceptions import DownloadError, InvalidArgument, NotFoundException, XboxException
from .disk import AsyncWriter, DownloadState, existing, set_capture_time, write_json
from .rules import (
    DEFAULT_CHUNK_SIZE,
    HANDOFF_BYTES,
    DownloadResult,
    Pieces,
    ProgressCallback,
    SavedCapture,
    disk_error,
    locator,
    media_answer,
    needs_refresh,
    piece_size,
)

if TYPE_CHECKING:
    import httpx

    from .._async.client import AsyncClient
    from ..models.captures import Capture

__all__ = ["download", "save_capture"]

log = logging.getLogger("xbox")

#: Fresh signed URLs fetched per download before giving up.
MAX_REFRESHES = 3


class _Download(DownloadState):
    """One file's download (:class:`~xbox.download.disk.DownloadState`) over the client."""

    client: AsyncClient
    disk: AsyncWriter

    async def refresh(self, why: str) -> None:
        """Read the capture anew for a fresh signed URL."""
        if self.refreshes >= MAX_REFRESHES:
            raise DownloadError(f"{self.label}: signed URL expired and could not be refreshed ({why})")
        self.refreshes += 1
        log.debug("%s: fetching a fresh signed URL (%s)", self.label, why)
        capture = self.capture
        resource: Any = self.client.clips if capture.kind == "clip" else self.client.screenshots
        try:
            self.capture = await resource.refresh(capture)
        except NotFoundException:
            raise DownloadError(f"{self.label} no longer exists on Xbox Live") from None
        except XboxException as exc:
            raise DownloadError(f"{self.label}: signed URL expired and could not be refreshed: {exc}",
                                status_code=exc.status_code, service=exc.service) from exc

    async def no_progress(self, why: str) -> None:
        """An attempt added no byte: wait as the retry policy says, or give up."""
        self.stalled += 1
        delay = retry_delay(self.client.retry, attempt=self.stalled, remaining=None,
                            idempotent=True, transport_error=True)
        if delay is None:
            kept = self.file.size()
            raise DownloadError(
                f"could not download {self.label} after {self.stalled} attempts without progress "
                f"({why})" + (f"; {kept} bytes are kept in {self.file.path.name} for the next run"
                              if kept else ""))
        log.debug("%s: %s; trying again in %.2f s", self.label, why, delay)
        await self.client._sleep(delay)

    async def run(self) -> DownloadResult:
        # The .part's work, in order, on a thread of its own (see AsyncWriter).
        self.disk = AsyncWriter()
        try:
            return await self.fetch()
        except OSError as exc:  # the folder, the .part or the rename: a DiskError with its errno
            raise disk_error(exc, self.dest) from None
        finally:
            await self.disk.close()

    async def fetch(self) -> DownloadResult:
        await async_run_blocking(self.dest.parent.mkdir, parents=True, exist_ok=True)
        while True:
            url, expected, expiration = locator(self.capture, self.thumbnail)
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
            offset = await self.disk.run(self.file.size)
            if expected is not None and offset > expected:
                offset = await self.disk.run(self.file.restart)  # longer than the file can be
            if expected is not None and offset == expected:
                break  # an earlier run fetched every byte; only verification is left
            if await self.attempt(url, offset, expected):
                break
        size, sha256 = await self.disk.run(self.file.publish, expected, self.capture.kind,
                                           self.thumbnail is not None, self.label)
        log.debug("%s: saved %d bytes to %s", self.label, size, self.dest)
        return self.result(size, sha256)

    async def attempt(self, url: str, offset: int, expected: int | None) -> bool:
        """One request; True when every byte is in the ``.part``, False to go round again."""
        # identity: Range offsets must count the bytes as stored, not as decoded.
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        self.requests += 1
        try:
            response = await self.client._send(Call(
                "GET", url, headers=headers, stream=True,
                read_timeout=self.client.retry.stall_timeout))
        except XboxException as exc:  # retried by the send path already
            raise DownloadError(f"could not download {self.label}: {exc}",
                                status_code=exc.status_code, service=exc.service) from None
        try:
            return await self.consume(response, offset, expected)
        finally:
            await response.aclose()

    async def consume(self, response: httpx.Response, offset: int, expected: int | None) -> bool:
        import httpx  # loaded by the send that brought `response`; not at `import xbox`

        answer = media_answer(response.status_code, response.headers, offset=offset,
                              expected=expected)
        if answer.action == "refresh":
            await self.refresh(answer.reason)  # Azure's error XML is dropped, never written
            return False
        if answer.action == "restart":
            await self.disk.run(self.file.restart)
            await self.no_progress(answer.reason)
            return False
        if answer.action == "fail":
            raise DownloadError(f"{self.label}: {answer.reason}", status_code=response.status_code)
        self.content_type = answer.content_type
        self.resumed = self.resumed or answer.resumed
        offset = answer.offset
        want = expected if expected is not None else answer.total
        fd = await self.disk.run(self.file.open, offset)
        sink = _Sink(self, fd, offset, want)
        received = offset
        try:
            try:
                # aiter_bytes, not aiter_raw: in-process transports hand over bodies already
                # read ("identity" was asked for, so these are the stored bytes). No chunk
                # size is passed to httpx, which would copy every byte once more and hold
                # back bytes a dropped connection then loses: what arrived is written, even
                # when the connection drops.
                async for data in response.aiter_bytes():
                    received += len(data)
                    if want is not None and received > want:
                        break  # more than the file has: not written (see below)
                    await sink.add(data)
                await sink.finish()
            except OSError as exc:
                raise disk_error(exc, self.dest, await self.disk.run(self.file.size), want) from None
            except httpx.DecodingError:
                raise DownloadError(f"{self.label}: the media host sent a body that could not "
                                    "be decoded") from None
            except httpx.HTTPError as exc:
                try:
                    await sink.finish()
                except OSError as disk:
                    raise disk_error(disk, self.dest, await self.disk.run(self.file.size),
                                     want) from None
                return await self.interrupted(f"connection lost ({type(exc).__name__})",
                                              sink.done, offset)
        finally:
            await self.disk.finally_run(os.close, fd)
        if want is not None and received > want:
            await self.disk.run(self.file.restart)
            raise DownloadError(f"{self.label}: size mismatch: got more than the {want} bytes "
                                f"reported")
        if want is not None and sink.done < want:
            return await self.interrupted(f"the body ended at {sink.done} of {want} bytes",
                                          sink.done, offset)
        return True

    async def interrupted(self, why: str, done: int, offset: int) -> bool:
        """A body cut short: resume at once if it brought bytes, else count it as stalled."""
        if done == offset:
            await self.no_progress(why)
        else:
            log.debug("%s: %s; will resume", self.label, why)
            self.stalled = 0
        return False


class _Sink:
    """Where a body's bytes go: cut into ``chunk_size`` pieces (no copy), handed to the disk
    thread a batch at a time: at once while the thread is idle (a slow network: progress as
    the bytes come), else once :data:`~xbox.download.rules.HANDOFF_BYTES` are ready (a slow disk:
    one thread hop per MiB, never per network read); the sync client's writer writes each
    piece at once. The progress is reported per piece once it is written."""

    def __init__(self, download: _Download, fd: int, offset: int, want: int | None) -> None:
        self.download = download
        self.fd = fd
        self.want = want
        self.pieces = Pieces(download.chunk_size)
        self.ready: list[list[bytes | memoryview]] = []  # whole pieces not handed over yet
        self.ready_bytes = 0
        self.writing: list[int] = []  # the sizes of the pieces the thread is writing
        self.done = offset  # bytes on disk
        download.report(offset, want)

    async def add(self, data: bytes) -> None:
        for piece in self.pieces.add(data):
            self.ready.append(piece)
            self.ready_bytes += self.download.chunk_size
        if self.ready and (self.ready_bytes >= HANDOFF_BYTES or not self.download.disk.busy()):
            await self.hand_over()

    async def hand_over(self) -> None:
        """Wait for the batch being written (reporting it), then hand the ready one over."""
        await self.download.disk.wait()
        self.written()
        batch, self.ready, self.ready_bytes = self.ready, [], 0
        self.writing = [piece_size(piece) for piece in batch]
        await self.download.disk.start(self.download.file.write, self.fd, batch)
        if not self.download.disk.busy():  # written already (the sync client writes at once)
            await self.download.disk.wait()
            self.written()

    async def finish(self) -> None:
        """Everything received, the short last piece too, on disk and reported."""
        rest = self.pieces.rest()
        if rest:
            self.ready.append(rest)
        if self.ready:
            await self.hand_over()
        await self.download.disk.wait()
        self.written()

    def written(self) -> None:
        for size in self.writing:
            self.done += size
            self.download.report(self.done, self.want)
        self.writing = []


async def download(client: AsyncClient, capture: Capture, dest: str | os.PathLike[str], *,
                   thumbnail: str | None = None, progress: ProgressCallback | None = None,
                   chunk_size: int = DEFAULT_CHUNK_SIZE) -> DownloadResult:
    """Download a clip's or screenshot's file (or one of its thumbnails), verified, to ``dest``.

    Args:
        client: a signed-in client (needed only to refresh an expired signed URL).
        capture: a :class:`~xbox.models.Clip` or :class:`~xbox.models.Screenshot`.
        dest: the final path; bytes collect in ``<dest>.part`` until verified.
        thumbnail: ``"Small"`` or ``"Large"`` for a thumbnail instead of the media file.
        progress: called as ``progress(bytes_done, bytes_total)`` after every chunk.
        chunk_size: bytes per disk write and per progress report (the last piece may be
            shorter); the network is read in the blocks the connection delivers.

    Returns:
        The verified file's path, size, sha256 and content type.

    Raises:
        InvalidArgument: a ``thumbnail`` or ``chunk_size`` that cannot be right.
        DownloadError: the capture has no media (still uploading), the signed URL could not
            be refreshed, the server sent an error page, the size or magic bytes are wrong,
            or every attempt failed.
        DiskError: (a :class:`DownloadError`) the file could not be written: the disk is
            full (the ``.part`` is kept for a later resume), the name is too long for the
            filesystem, an I/O error.
    """
    if thumbnail is not None and thumbnail not in ("Small", "Large"):
        raise InvalidArgument(f"thumbnail must be 'Small' or 'Large', not {thumbnail!r}")
    if chunk_size <= 0:
        raise InvalidArgument("chunk_size must be positive")
    return await _Download(client, capture, Path(dest), thumbnail, progress, chunk_size).run()


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
        chunk_size: see :func:`download`.

    Returns:
        What was written.

    Raises:
        DownloadError: see :func:`download`; :class:`~xbox.exceptions.DiskError` when a file
            could not be written.
    """
    media_file = Path(media_path)
    media = await async_run_blocking(existing, capture, media_file)
    reused = media is not None
    if media is None:
        media = await download(client, capture, media_file, progress=progress, chunk_size=chunk_size)
    elif progress is not None:
        progress(media.size, media.size)
    thumbs: dict[str, DownloadResult] = {}
    for size, where in (thumbnail_paths or {}).items():
        url, _size, _expiration = locator(capture, size)
        if url is None:
            continue
        thumb_file = Path(where)
        done = await async_run_blocking(existing, capture, thumb_file, thumbnail=size)
        thumbs[size] = done or await download(client, capture, thumb_file, thumbnail=size,
                                              chunk_size=chunk_size)
    sidecar = Path(sidecar_path) if sidecar_path is not None else media_file.with_name(
        media_file.name + ".json")
    raw = capture.raw if capture.raw is not None else capture.model_dump(by_alias=True)
    sidecar_sha256 = await async_run_blocking(write_json, sidecar, raw)
    try:
        await async_run_blocking(set_capture_time, capture, media.path, sidecar,
                                 *(t.path for t in thumbs.values()))
    except OSError as exc:
        raise disk_error(exc, sidecar) from None
    return SavedCapture(media=media, thumbnails=thumbs, sidecar=sidecar, reused=reused,
                        sidecar_sha256=sidecar_sha256)

"""The disk side of downloads: ``.part`` files, hashing, fsync, the atomic rename, sidecars,
the files already there, and what one file's download keeps between attempts.

Blocking file work, shared by both clients. In :class:`xbox.AsyncClient` a download's
``.part`` work runs on one worker thread of its own (:class:`AsyncWriter`), in order, while
the task goes on receiving, so the event loop never waits on a disk; the sync client's
:class:`Writer` has the same interface and runs it at once. The rest runs through
``_concurrency.async_run_blocking``. What the bytes must be is :mod:`xbox.download.rules`'.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..exceptions import DownloadError
from .rules import (
    DownloadResult,
    ProgressCallback,
    complete,
    disk_error,
    locator,
    magic_problem,
    part_path,
)

if TYPE_CHECKING:
    from typing_extensions import Buffer

    from ..models.captures import Capture

__all__ = ["AsyncWriter", "DownloadState", "PartFile", "Writer", "existing", "head", "open_part", "publish",
           "set_capture_time", "set_mtimes", "sha256_of", "size", "write_all", "write_json"]

R = TypeVar("R")

_HEAD_BYTES = 64
# Buffers per gathered write (POSIX guarantees at least 16; Linux and macOS take 1024).
_IOV_MAX = 1024


def size(path: Path) -> int:
    """The file's size (0 when it does not exist)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def head(path: Path) -> bytes:
    """The first bytes of a file, enough for :func:`~xbox.download.magic_problem`."""
    with path.open("rb") as fh:
        return fh.read(_HEAD_BYTES)


def sha256_of(path: Path, limit: int | None = None) -> Any:
    """A sha256 object fed with the file (its first ``limit`` bytes if given)."""
    digest = hashlib.sha256()
    left = limit
    with path.open("rb") as fh:
        while left is None or left > 0:
            block = fh.read(1024 * 1024 if left is None else min(left, 1024 * 1024))
            if not block:
                break
            digest.update(block)
            if left is not None:
                left -= len(block)
    return digest


def open_part(part: Path, *, append: bool) -> int:
    """The ``.part`` file's descriptor, for appending (a resume) or from empty; never through
    a symbolic link (the bytes must land in the folder asked for)."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    flags |= os.O_APPEND if append else os.O_TRUNC
    return os.open(part, flags, 0o644)


def write_all(fd: int, buffers: Sequence[Buffer]) -> None:
    """Write every byte of ``buffers``, in order, to ``fd``: one gathered write (``writev``)
    where the platform has it, never a copy (one place, so tests can inject ENOSPC)."""
    views = [memoryview(b).cast("B") for b in buffers]
    writev = getattr(os, "writev", None)
    first = 0
    while first < len(views):
        if not views[first]:
            first += 1
            continue
        written = (os.write(fd, views[first]) if writev is None
                   else writev(fd, views[first:first + _IOV_MAX]))
        # A short write (a signal, a nearly full disk): go on from the first byte not written.
        while written and written >= len(views[first]):
            written -= len(views[first])
            first += 1
        if written:
            views[first] = views[first][written:]


def publish(part: Path, dest: Path) -> None:
    """fsync the ``.part`` once and rename it over ``dest``: the final name only ever holds
    verified bytes, and the rename itself survives a power cut."""
    fd = os.open(part, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(part, dest)
    # Not every platform can open a directory.
    with contextlib.suppress(OSError):
        dir_fd = os.open(dest.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class PartFile:
    """The ``.part`` of one download and the sha256 of what is in it, kept as bytes are
    written: the bytes an earlier run left are hashed once, never the whole file again.
    """

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.path = part_path(dest)
        self._hash: Any = None  # sha256 of the file's first `hashed` bytes
        self.hashed = 0

    def size(self) -> int:
        return size(self.path)

    def restart(self) -> int:
        """Drop the file: the next attempt starts from byte 0 (returned)."""
        self.path.unlink(missing_ok=True)
        self._hash, self.hashed = None, 0
        return 0

    def open(self, offset: int) -> int:
        """A descriptor to write at ``offset`` (appending), the hash caught up to it."""
        if offset == 0 or self._hash is None or self.hashed != offset:
            self._hash = sha256_of(self.path, offset) if offset else hashlib.sha256()
            self.hashed = offset
        return open_part(self.path, append=offset > 0)

    def write(self, fd: int, pieces: Iterable[Sequence[Buffer]]) -> None:
        """Append each piece (one gathered write each), hashing it once it is written."""
        for piece in pieces:
            write_all(fd, piece)
            for buffer in piece:
                self._hash.update(buffer)
                self.hashed += memoryview(buffer).nbytes

    def publish(self, expected: int | None, kind: str, thumbnail: bool, label: str) -> tuple[int, str]:
        """Verify size and magic bytes, then fsync and rename over ``dest``.

        Returns:
            The size and the sha256 (hex).

        Raises:
            DownloadError: the size is not ``expected``, or the bytes are not media.
        """
        got = size(self.path)
        if expected is not None and got != expected:
            raise DownloadError(f"{label}: size mismatch: got {got} of {expected} bytes")
        problem = magic_problem(head(self.path), kind, thumbnail=thumbnail)
        if problem is not None:
            self.restart()
            raise DownloadError(f"{label}: {problem}")
        if self._hash is None or self.hashed != got:  # every byte came from an earlier run
            self._hash, self.hashed = sha256_of(self.path), got
        publish(self.path, self.dest)
        return got, str(self._hash.hexdigest())


class Writer:
    """The sync client's twin of :class:`AsyncWriter`, with its interface: the work runs in
    the caller's thread, at once.

    Measured (bench row 6): a worker thread here did not overlap the network with the disk
    (the GIL and h11's parsing keep the reading thread busy) and cost ~10 % more CPU in
    thread switches; without an event loop to keep free, there is nothing else to gain.
    """

    def busy(self) -> bool:
        """Whether a job handed over is still running (never: each runs at once)."""
        return False

    def wait(self) -> None:
        """Nothing to wait for."""

    def start(self, fn: Callable[..., Any], *args: Any) -> None:
        """``fn(*args)``, now."""
        fn(*args)

    def run(self, fn: Callable[..., R], *args: Any) -> R:
        """``fn(*args)``, now; its result."""
        return fn(*args)

    def finally_run(self, fn: Callable[..., Any], *args: Any) -> None:
        """``fn(*args)``, now (closing the file in a ``finally`` block)."""
        fn(*args)

    def close(self) -> None:
        """Nothing to let go."""


class AsyncWriter:
    """A download's disk work for :class:`xbox.AsyncClient`, on one worker thread of its own,
    strictly in order, so the event loop never blocks on the disk.

    :meth:`start` hands a job over and returns once the previous job finished, so the task
    goes on reading the network while the thread writes and hashes; :meth:`run` awaits its
    job. One thread hop per batch of pieces, not per network read.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xbox-disk")
        self._job: Future[Any] | None = None

    def busy(self) -> bool:
        """Whether a job handed over is still running."""
        return self._job is not None and not self._job.done()

    async def wait(self) -> None:
        """Wait for the job handed over last, raising what it raised."""
        job, self._job = self._job, None
        if job is not None:
            await asyncio.wrap_future(job)

    async def start(self, fn: Callable[..., Any], *args: Any) -> None:
        """Hand ``fn(*args)`` over, after the previous job (whose error is raised here)."""
        await self.wait()
        self._job = self._pool.submit(fn, *args)

    async def run(self, fn: Callable[..., R], *args: Any) -> R:
        """``fn(*args)`` on the thread, after the previous job; its result."""
        await self.wait()
        result: R = await asyncio.wrap_future(self._pool.submit(fn, *args))
        return result

    async def finally_run(self, fn: Callable[..., Any], *args: Any) -> None:
        """``fn(*args)`` after the previous job, whatever that raised (see :class:`Writer`).

        The job is queued behind the running one on the same thread before anything is
        awaited: even when the task is cancelled here, the file is closed only after the
        last write.
        """
        self._job = None
        job = self._pool.submit(fn, *args)
        # shield: a cancellation must not cancel the queued job (the descriptor would leak).
        await asyncio.shield(asyncio.wrap_future(job))

    async def close(self) -> None:
        """Let the thread go once the work handed over is done (without waiting for it)."""
        self._pool.shutdown(wait=False)


def existing(capture: Capture, path: str | os.PathLike[str], *,
             thumbnail: str | None = None) -> DownloadResult | None:
    """The file at ``path`` if it already holds ``capture``'s media (or its ``thumbnail``,
    ``"Small"``/``"Large"``) whole, by :func:`~xbox.download.rules.complete`: its size and
    sha256, read now. None when there is no such file, or it is not that whole file.

    For a program that saves captures under names of its own (``xbox download``, the
    archiver): a file fetched before need not be fetched again.
    """
    target = Path(path)
    _url, expected, _expiration = locator(capture, thumbnail)
    try:
        if not target.is_file() or not complete(size(target), head(target), expected,
                                                capture.kind, thumbnail=thumbnail is not None):
            return None
        found = size(target)
        return DownloadResult(path=target, size=found, sha256=sha256_of(target).hexdigest(),
                              content_type=None, attempts=0)
    except OSError:  # unreadable: not something to trust
        return None


def write_json(path: Path, data: object) -> str:
    """``data`` as a JSON sidecar, written to a ``.part`` and renamed (never half a file).

    Returns:
        The sha256 (hex) of the file written.

    Raises:
        DiskError: the file could not be written.
    """
    part = part_path(path)
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n"
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" in the service's JSON): escaped
        encoded = (json.dumps(data, indent=2, sort_keys=True, default=str) + "\n").encode()
    try:
        with part.open("wb") as fh:
            fh.write(encoded)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise disk_error(exc, path) from None
    return hashlib.sha256(encoded).hexdigest()


def set_mtimes(paths: Iterable[Path], stamp: float) -> None:
    """Photo tools sort by mtime: make it the moment of capture (xbox2local PR #24)."""
    for path in paths:
        os.utime(path, (stamp, stamp))


def set_capture_time(capture: Capture, *paths: str | os.PathLike[str]) -> None:
    """Give the files of ``capture`` its time of capture as their modification time (photo
    tools sort by it); nothing when Xbox Live does not say when it was recorded."""
    if capture.recorded is not None:
        set_mtimes([Path(p) for p in paths], capture.recorded.timestamp())


class DownloadState:
    """What one file's download remembers from attempt to attempt (the clients' download
    loops add the network and the disk): its ``.part`` file (``file``) and counters.

    Attributes:
        requests: media requests sent; refreshes: fresh signed URLs fetched; stalled:
            attempts in a row that brought no byte; resumed: a ``Range`` request was
            answered; content_type: the media host's.
    """

    def __init__(self, client: Any, capture: Capture, dest: Path, thumbnail: str | None,
                 progress: ProgressCallback | None, chunk_size: int) -> None:
        self.client = client
        self.capture = capture
        self.dest = dest
        self.file = PartFile(dest)
        self.thumbnail = thumbnail
        self.progress = progress
        self.chunk_size = chunk_size
        self.requests = 0
        self.refreshes = 0
        self.stalled = 0
        self.resumed = False
        self.content_type: str | None = None
        what = f"{capture.kind} {capture.id}"
        self.label = f"{thumbnail.lower()} thumbnail of {what}" if thumbnail else what

    def report(self, done: int, total: int | None) -> None:
        if self.progress is not None:
            self.progress(done, total)

    def result(self, size: int, sha256: str) -> DownloadResult:
        return DownloadResult(path=self.dest, size=size, sha256=sha256,
                              content_type=self.content_type, resumed=self.resumed,
                              attempts=self.requests, refreshed=self.refreshes)

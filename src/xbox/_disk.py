"""The disk side of downloads: ``.part`` files, hashing, fsync, the atomic rename, sidecars.

Blocking file work, shared by both clients; :class:`xbox.AsyncClient` runs it in worker
threads (``_concurrency.async_run_blocking``) so the event loop never waits on a disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .download import DownloadResult, disk_error, magic_problem, part_path
from .exceptions import DownloadError

__all__ = ["PartFile", "complete_file", "head", "open_part", "publish", "set_mtimes", "sha256_of",
           "size", "write_all", "write_json"]

_HEAD_BYTES = 64


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
    """The ``.part`` file's descriptor, for appending (a resume) or from empty."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0)
    flags |= os.O_APPEND if append else os.O_TRUNC
    return os.open(part, flags, 0o644)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (one place, so tests can inject ENOSPC)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


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

    def write(self, fd: int, chunk: bytes) -> None:
        write_all(fd, chunk)
        self._hash.update(chunk)
        self.hashed += len(chunk)

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


def complete_file(path: Path, expected: int | None, kind: str,
                  thumbnail: bool) -> DownloadResult | None:
    """A file left under its final name by an interrupted run, if it is whole.

    Only verified files are ever renamed to a final name, so the right size and magic bytes
    are enough to trust it.
    """
    if expected is None or size(path) != expected:
        return None
    if magic_problem(head(path), kind, thumbnail=thumbnail) is not None:
        return None
    return DownloadResult(path=path, size=expected, sha256=sha256_of(path).hexdigest(),
                          content_type=None, attempts=0)


def write_json(path: Path, data: object) -> None:
    """``data`` as a JSON sidecar, written to a ``.part`` and renamed (never half a file)."""
    part = part_path(path)
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n"
    try:
        with part.open("w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise disk_error(exc, path, 0, None) from None
    os.replace(part, path)


def set_mtimes(paths: Iterable[Path], stamp: float) -> None:
    """Photo tools sort by mtime: make it the moment of capture (xbox2local PR #24)."""
    for path in paths:
        os.utime(path, (stamp, stamp))

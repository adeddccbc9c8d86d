"""The rate-limit ledger: one budget for every process signed in to the same account.

Xbox Live counts requests per user per service, whichever program sends them. Processes
that use the same token store therefore keep their bookings in one small file per (xuid,
service) beside the token files: ``<token store folder>/<xuid>.<service>.ratelimit``. A
client sent elsewhere (a base URL: a served sandbox) counts with that server, not with
Xbox Live, so its files are that server's own: ``<xuid>.<service>.<digest>.ratelimit``,
the digest naming the base URL (a sandbox served on a new port each time leaves files
behind; a server's files untouched for a day are removed when a client of another server
starts booking). It
holds no secret, only times and counts: when the service last told us to wait
(``Retry-After``), the limit a 429's body stated, and the time of each request booked in
the last sustain window (with whether it was refused). Every read-modify-write happens
under an exclusive lock on the file itself (``fcntl.flock``; ``filelock`` where there is no
``fcntl``), so concurrent processes never interleave; a booking is one ``open``, one lock,
one read and one write of a few hundred bytes.

A ledger that cannot be used (unreadable, corrupt, locked for too long, another format)
raises :class:`LedgerUnavailable`; the governor then books in its own process only, says so
in one log line and never touches that file again.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import struct
import time
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from filelock import FileLock, Timeout

from ._core.budget import MAX_ENTRIES, Budget, LedgerUnavailable

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: filelock's lock file instead
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_TIMEOUT", "STALE_SECONDS", "Ledger", "decode", "encode", "file_name", "sweep"]

T = TypeVar("T")

_MAGIC = b"XBRL"
_VERSION = 1
# magic, version, blocked_until, learned burst, learned sustain (0: none), entry count
_HEADER = struct.Struct("<4sHdIII")
# Then three columns: the times (f64), the tags (u64: who booked it), whether each counts
# toward burst (u8: 0 for a refused request, which counts toward sustain only).
_ENTRY_SIZE = 8 + 8 + 1
_MAX_BYTES = _HEADER.size + MAX_ENTRIES * _ENTRY_SIZE
#: How long to wait for another process's lock before giving up on the ledger (it holds
#: the lock for microseconds; only a stopped process holds it longer).
LOCK_TIMEOUT = 2.0


def encode(budget: Budget) -> bytes:
    """The ledger file's bytes for ``budget`` (this machine's byte order: the file is
    local, and the header's magic would not match on another)."""
    n = min(len(budget.times), MAX_ENTRIES)
    return b"".join((
        _HEADER.pack(_MAGIC, _VERSION, budget.blocked_until, budget.learned_burst,
                     budget.learned_sustain, n),
        array("d", budget.times[-n:] if n else ()).tobytes(),
        array("Q", budget.tags[-n:] if n else ()).tobytes(),
        bytes(budget.burst[-n:] if n else b"")))


def decode(data: bytes) -> Budget:
    """A ledger file's budget (empty bytes: a new, empty budget).

    Raises:
        ValueError: not a ledger of this format (corrupt, truncated, another version).
    """
    if not data:
        return Budget()
    if len(data) < _HEADER.size:
        raise ValueError("truncated")
    magic, version, blocked, burst, sustain, n = _HEADER.unpack_from(data)
    if magic != _MAGIC or version != _VERSION:
        raise ValueError("not a rate-limit ledger of this version")
    if n > MAX_ENTRIES or len(data) != _HEADER.size + n * _ENTRY_SIZE:
        raise ValueError("truncated or padded")
    view = memoryview(data)[_HEADER.size:]
    times, tags = array("d"), array("Q")
    times.frombytes(view[:8 * n])
    tags.frombytes(view[8 * n:16 * n])
    flags = bytearray(view[16 * n:])
    if not math.isfinite(blocked + sum(times)) or flags.strip(b"\x00\x01"):
        raise ValueError("not a time where a time belongs")  # NaN, inf, or a flag not 0/1
    return Budget(times.tolist(), tags.tolist(), flags, blocked, burst, sustain)


class Ledger:
    """The ledger files of one token store's folder: the
    :class:`~xbox._core.budget.SharedBudgets` of every client on that store.

    Args:
        folder: returns the folder (the token store's; read at first use, as the store
            reads ``$XBOX_HOME``).
        server: returns the base URL requests go to instead of Xbox Live (None: Xbox Live
            itself), also read at first use: each server keeps its own budgets.
    """

    def __init__(self, folder: Callable[[], Path],
                 server: Callable[[], str | None] | None = None) -> None:
        self._folder = folder
        self._server = server
        self._paths: dict[tuple[str, str], Path] = {}
        self._swept = False

    def path(self, user: str, service: str) -> Path:
        """The ledger file of one budget (the folder is read once per budget)."""
        path = self._paths.get((user, service))
        if path is None:
            folder = self._folder()
            server = self._server() if self._server is not None else None
            path = self._paths[user, service] = folder / file_name(user, service, server)
            if server is not None and not self._swept:
                self._swept = True
                sweep(folder, keep=path.name)
        return path

    def transact(self, user: str, service: str, change: Callable[[Budget], T]) -> T:
        """Read the budget under the file's lock, apply ``change``, write it back, unlock.

        Raises:
            LedgerUnavailable: the file cannot be opened, locked, read, decoded or written.
        """
        path = self.path(user, service)
        fd = self._open(path)
        try:
            unlock = _lock(fd, path)
            try:
                try:
                    data = os.pread(fd, _MAX_BYTES + 1, 0)
                except OSError as exc:
                    raise LedgerUnavailable(f"cannot read {path}: {exc.strerror}") from None
                try:
                    budget = decode(data)
                except ValueError as exc:
                    raise LedgerUnavailable(f"{path} is not a rate-limit ledger xbox can "
                                            f"read ({exc})") from None
                result = change(budget)
                out = encode(budget)
                if out != data:
                    try:
                        os.pwrite(fd, out, 0)
                        if len(out) < len(data):
                            os.ftruncate(fd, len(out))
                    except OSError as exc:
                        raise LedgerUnavailable(f"cannot write {path}: {exc.strerror}") from None
                return result
            finally:
                unlock()
        finally:
            os.close(fd)

    def forget(self, user: str, service: str) -> None:
        """Empty one budget (a fresh start for every process sharing it)."""
        self.transact(user, service, _clear)

    @staticmethod
    def _open(path: Path) -> int:
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            return os.open(path, flags, 0o600)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise LedgerUnavailable(f"cannot open {path}: {exc.strerror}") from None
        # The folder is missing: create it as the token store does (private; a folder that
        # already exists keeps its mode).
        try:
            for folder in (path.parent.parent, path.parent):
                if not folder.is_dir():
                    folder.mkdir(parents=True, exist_ok=True)
                    os.chmod(folder, 0o700)
            return os.open(path, flags, 0o600)
        except OSError as exc:
            raise LedgerUnavailable(f"cannot create {path}: {exc.strerror}") from None


def file_name(user: str, service: str, server: str | None = None) -> str:
    """A budget's file name: ``XUID.SERVICE.ratelimit`` for Xbox Live, and for another
    server (a base URL) ``XUID.SERVICE.DIGEST.ratelimit``, the digest the first 12 hex
    digits of the URL's SHA-256 (a name that fits any file system, whatever the URL)."""
    if server is None:
        return f"{user}.{service}.ratelimit"
    digest = hashlib.sha256(server.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{user}.{service}.{digest}.ratelimit"


#: A server's ledger file untouched for this long is removed (its bookings are long out of
#: every window; the server, a sandbox on a port of the day, is likely gone).
STALE_SECONDS = 86_400.0


def sweep(folder: Path, *, keep: str = "", now: float | None = None) -> None:
    """Remove the other servers' ledger files (``XUID.SERVICE.DIGEST.ratelimit``) untouched
    for :data:`STALE_SECONDS`; Xbox Live's own (``XUID.SERVICE.ratelimit``) always stay. A
    file that cannot be removed stays (nothing depends on it being gone)."""
    limit = (time.time() if now is None else now) - STALE_SECONDS
    try:
        candidates = list(folder.glob("*.*.*.ratelimit"))
    except OSError:
        return
    for path in candidates:
        if path.name == keep:
            continue
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


def _clear(budget: Budget) -> None:
    budget.times, budget.tags, budget.burst = [], [], bytearray()
    budget.blocked_until = 0.0
    budget.learned_burst = budget.learned_sustain = 0


def _lock(fd: int, path: Path) -> Callable[[], None]:
    """Take the exclusive lock (bounded wait); return the release."""
    if fcntl is None:  # pragma: no cover - Windows
        lock = FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT)
        try:
            lock.acquire()
        except Timeout:
            raise LedgerUnavailable(f"{path} stayed locked for {LOCK_TIMEOUT:g} s") from None
        return lock.release
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        ends = time.monotonic() + LOCK_TIMEOUT
        while True:  # bounded: LOCK_TIMEOUT
            time.sleep(0.0005)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > ends:
                    raise LedgerUnavailable(
                        f"{path} stayed locked for {LOCK_TIMEOUT:g} s") from None
    except OSError as exc:
        raise LedgerUnavailable(f"cannot lock {path}: {exc.strerror}") from None
    return _nothing  # closing the file (the caller does, right after) releases the lock


def _nothing() -> None:
    pass

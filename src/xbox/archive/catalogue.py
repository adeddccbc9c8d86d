"""The archive's SQLite catalogue: every capture seen, and which ones are safely on disk.

``<dest>/.xbox-archive.sqlite``, WAL mode (a reader such as ``xbox archive status`` never
blocks a running archiver, and a killed process loses nothing committed).

The catalogue is input too: a person may edit it, another program may write it. Every row
is checked as it is read (:meth:`Catalogue.rows`): a path that would leave the archive
folder, a status, date or size that no run writes, is a :class:`~xbox.exceptions.CatalogueError`
naming the capture, the column and the value, never a traceback, and never a file read,
written or deleted outside the folder. A row becomes
``done`` only after its files were verified and renamed to their final names, so the
catalogue never claims a file that is not there; the reverse (a file on disk whose row was
not committed before a crash) is healed by the next run, which finds the complete file and
adopts it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from ..exceptions import CatalogueError, InvalidArgument, MalformedResponse
from .planner import KnownCapture, PlannedCapture, relative_path

__all__ = [
    "CATALOGUE_NAME",
    "DONE",
    "FAILED",
    "PENDING",
    "UPLOADING",
    "ArchiveStatus",
    "Catalogue",
    "CatalogueRow",
    "Unreadable",
    "status",
]

CATALOGUE_NAME = ".xbox-archive.sqlite"
PENDING = "pending"  # listed, not archived yet
DONE = "done"  # verified and on disk
FAILED = "failed"  # the last attempt failed (``error`` says why); retried next run
UPLOADING = "uploading"  # PendingUpload on Xbox Live: no media yet
STATUSES = (PENDING, DONE, FAILED, UPLOADING)

#: An unreadable record's JSON is kept whole up to this many characters; a larger one (a
#: hostile or broken service) is kept as ``{"truncated": true, "chars": N, "start": TEXT}``,
#: which reads back as JSON too.
MAX_UNREADABLE_CHARS = 1_000_000
_UNREADABLE_START = 20_000
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    xuid TEXT,
    gamertag TEXT,
    title TEXT,
    recorded TEXT,
    size INTEGER,
    sha256 TEXT,
    path TEXT,
    files TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    saved INTEGER NOT NULL DEFAULT 0,
    expires_at TEXT,
    updated TEXT NOT NULL,
    error TEXT,
    sources TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS captures_status_expiry ON captures (status, expires_at);
CREATE TABLE IF NOT EXISTS unreadable (
    key TEXT PRIMARY KEY,
    xuid TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    error TEXT NOT NULL,
    body TEXT NOT NULL,
    seen TEXT NOT NULL
);
"""
# Columns added after the first release, for catalogues made before them.
_ADDED_COLUMNS = {
    "sources": "TEXT NOT NULL DEFAULT '[]'",
    "duration": "REAL",  # a clip's length in seconds (the gallery shows it)
    "thumbnail_bytes": "INTEGER",  # the thumbnails written with a done row
    "listed": "TEXT",  # when a listing last showed the capture
    "file_sha256": "TEXT",  # {relative path: sha256} of the thumbnails and sidecar (done rows)
    "lost": "TEXT",  # why an archived capture was set back to pending (its files went bad)
}


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _from_iso(value: str | None) -> datetime | None:
    """A time the catalogue wrote (aware, UTC); one without a zone is taken as UTC."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _now_iso(now: float | None = None) -> str:
    return datetime.fromtimestamp(time.time() if now is None else now, UTC).isoformat()


@dataclass(frozen=True)
class CatalogueRow:
    """One capture as the catalogue knows it.

    Attributes:
        path: the media file relative to the archive folder (POSIX separators).
        files: the thumbnails and sidecar written with it (relative paths).
        size: of the media file, set when ``status`` is ``done``.
        sha256: of the media file, set when ``status`` is ``done``.
        expires_at: when Xbox Live is assumed to delete it (``xbox.archive.planner``).
        error: why the last attempt failed, for ``failed`` rows.
        sources: the lists that have shown it (``"metadata"``, ``"mediahub"``).
        duration: a clip's length in seconds (None for screenshots, or unknown).
        thumbnail_bytes: the size of the thumbnails written with it (``done`` rows).
        listed: when a listing of Xbox Live last showed it.
        file_sha256: ``{relative path: sha256}`` of the thumbnails and sidecar, recorded
            when they were saved (empty for rows archived before this was recorded).
        lost: for a capture archived once and then set back to pending because its files
            went missing or bad: when and why (None otherwise); cleared once it is archived
            again. ``archive verify`` reports such a capture until then.
    """

    id: str
    kind: str
    xuid: str | None
    gamertag: str | None
    title: str | None
    recorded: datetime | None
    size: int | None
    sha256: str | None
    path: str | None
    files: tuple[str, ...]
    status: str
    saved: bool
    expires_at: datetime | None
    updated: datetime | None
    error: str | None
    sources: tuple[str, ...] = ()
    duration: float | None = None
    thumbnail_bytes: int | None = None
    listed: datetime | None = None
    file_sha256: dict[str, str] = field(default_factory=dict)
    lost: str | None = None

    def days_left(self, now: float) -> float | None:
        """Days until the assumed deletion (negative when past), or None if unknown."""
        if self.expires_at is None:
            return None
        return (self.expires_at.timestamp() - now) / 86400

    def overdue(self, now: float) -> bool:
        """Past the assumed deletion date (:mod:`xbox.archive.planner`'s assumption)."""
        return self.expires_at is not None and self.expires_at.timestamp() <= now

    @property
    def still_listed(self) -> bool:
        """Xbox Live listed it after its assumed deletion date: overdue, but still there
        (the retention assumption was early, and it can still be fetched)."""
        return (self.expires_at is not None and self.listed is not None
                and self.listed >= self.expires_at)

    def retention(self, now: float) -> str:
        """What to tell a person: ``"3.2 days left"``, ``"overdue, still listed"`` or
        ``"overdue, not listed since 2026-10-01"``; never a negative count of days."""
        left = self.days_left(now)
        if left is None:
            return "unknown"
        if left > 0:
            return f"{left:.1f} days left"
        if self.still_listed:
            return "overdue, still listed"
        if self.listed is not None:
            return f"overdue, not listed since {self.listed:%Y-%m-%d}"
        return "overdue"


class _BadValue(ValueError):
    """One column of a row holds what no run writes (see :func:`_row`)."""

    def __init__(self, column: str, value: object, why: str) -> None:
        self.column, self.value, self.why = column, value, why
        super().__init__(why)


def _text(column: str, value: object, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise _BadValue(column, value, "not text" if value is not None else "empty")
    return value


def _count(column: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _BadValue(column, value, "not a count of bytes")
    return value


def _when(column: str, value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return _from_iso(value)
    raise _BadValue(column, value, "not a date and time (ISO 8601)")


def _json_list(column: str, value: object, item: Callable[[object], object]) -> list[Any]:
    if value is None or value == "":
        return []
    try:
        items = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        items = None
    if not isinstance(items, list):
        raise _BadValue(column, value, "not a JSON list")
    try:
        return [item(v) for v in items]
    except ValueError as exc:
        raise _BadValue(column, value, str(exc)) from None


def _path_text(value: object) -> str:
    return relative_path(value).as_posix()


def _plain_text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("an entry is not text")
    return value


def _hashes(value: object) -> dict[str, str]:
    if value is None or value == "":
        return {}
    try:
        found = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        found = None
    if not isinstance(found, dict) or not all(
            isinstance(v, str) and _SHA256.fullmatch(v) for v in found.values()):
        raise _BadValue("file_sha256", value, "not a JSON object of sha256 digests")
    try:
        return {_path_text(k): v for k, v in found.items()}
    except ValueError as exc:
        raise _BadValue("file_sha256", value, str(exc)) from None


def _row(r: sqlite3.Row) -> CatalogueRow:
    """A row as a :class:`CatalogueRow`, every value checked (see the module docstring).

    Raises:
        _BadValue: a value no run writes.
    """
    keys = r.keys()  # a read-only catalogue of an older release lacks the newer columns

    def extra(name: str) -> object:
        return r[name] if name in keys else None

    kind = r["kind"]
    if kind not in ("clip", "screenshot"):
        raise _BadValue("kind", kind, "neither 'clip' nor 'screenshot'")
    status = r["status"]
    if status not in STATUSES:
        raise _BadValue("status", status, f"not one of {', '.join(STATUSES)}")
    path = r["path"]
    if path is not None:
        try:
            path = _path_text(path)
        except ValueError as exc:
            raise _BadValue("path", path, str(exc)) from None
    sha256 = _text("sha256", r["sha256"])
    if sha256 is not None and not _SHA256.fullmatch(sha256):
        raise _BadValue("sha256", sha256, "not a sha256 digest")
    saved = r["saved"]
    if saved not in (0, 1):
        raise _BadValue("saved", saved, "neither 0 nor 1")
    duration = extra("duration")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int | float)
                                 or not math.isfinite(duration) or duration < 0):
        raise _BadValue("duration", duration, "not a number of seconds")
    return CatalogueRow(
        id=str(_text("id", r["id"], required=True)), kind=kind, xuid=_text("xuid", r["xuid"]),
        gamertag=_text("gamertag", r["gamertag"]), title=_text("title", r["title"]),
        recorded=_when("recorded", r["recorded"]), size=_count("size", r["size"]),
        sha256=sha256, path=path,
        files=tuple(_json_list("files", r["files"], _path_text)), status=status,
        saved=bool(saved), expires_at=_when("expires_at", r["expires_at"]),
        updated=_when("updated", r["updated"]), error=_text("error", r["error"]),
        sources=tuple(_json_list("sources", r["sources"], _plain_text)),
        duration=float(duration) if duration is not None else None,
        thumbnail_bytes=_count("thumbnail_bytes", extra("thumbnail_bytes")),
        listed=_when("listed", extra("listed")),
        file_sha256=_hashes(extra("file_sha256")), lost=_text("lost", extra("lost")))


@dataclass(frozen=True)
class Unreadable:
    """A record a listing set aside: it could not be read (no id, no usable address...).

    Attributes:
        kind: ``"clip"`` or ``"screenshot"``.
        source: ``"metadata"`` or ``"mediahub"``.
        error: why, in a sentence.
        body: the record as the service sent it.
    """

    kind: str
    source: str
    error: str
    body: object = None

    @classmethod
    def of(cls, kind: str, source: str, exc: MalformedResponse) -> Unreadable:
        return cls(kind, source, exc.message, exc.body)

    @property
    def key(self) -> str:
        """A stable name for the record (a hash of what was sent): the same drift is one row."""
        text = json.dumps([self.kind, self.source, self.body], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


class Catalogue:
    """The SQLite catalogue of an archive folder.

    Args:
        dest: the archive folder.
        readonly: open without creating or changing anything (a missing file reads as empty).
    """

    def __init__(self, dest: str | Path, *, readonly: bool = False) -> None:
        self.dest = Path(dest)
        self.path = self.dest / CATALOGUE_NAME
        self.readonly = readonly
        self._conn: sqlite3.Connection | None = None
        try:
            self._open()
        except sqlite3.Error as exc:
            # SQLite says "unable to open database file" without saying which: a read-only
            # folder, a full disk, a file that is not a catalogue. Name the file.
            self.close()
            raise OSError(errno.EIO, f"cannot open the archive catalogue ({exc})",
                          str(self.path)) from None
        if self._conn is not None:
            self._conn.row_factory = sqlite3.Row

    def _open(self) -> None:
        if self.readonly:
            if self.path.exists():
                self._conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                             check_same_thread=False)
                self._conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return
        self.dest.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is safe in WAL mode against a killed process; a power cut can lose the
        # last commits, which the next run heals by adopting the complete files.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        columns = {r[1] for r in self._conn.execute("PRAGMA table_info(captures)")}
        for name, kind in _ADDED_COLUMNS.items():
            if name not in columns:
                self._conn.execute(f"ALTER TABLE captures ADD COLUMN {name} {kind}")
        self._conn.commit()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _writable(self) -> sqlite3.Connection:
        if self._conn is None or self.readonly:
            raise RuntimeError("the catalogue is open read-only")
        return self._conn

    @contextlib.contextmanager
    def _transaction(self, conn: sqlite3.Connection) -> Iterator[None]:
        """One transaction; a full disk is said as such (SQLite says "database or disk is
        full" without naming either), as an :class:`OSError` naming the file."""
        try:
            with conn:
                yield
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) == getattr(sqlite3, "SQLITE_FULL", 13):
                raise OSError(errno.ENOSPC, "the disk is full: the archive catalogue cannot be "
                              "written; free some space and run again", str(self.path)) from None
            raise

    # -- reading ------------------------------------------------------------------------------
    def _checked(self, r: sqlite3.Row) -> CatalogueRow:
        try:
            return _row(r)
        except _BadValue as bad:
            who = r["id"] if isinstance(r["id"], str) else repr(r["id"])
            shown = repr(bad.value)
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            raise CatalogueError(
                f"the archive catalogue {self.path} has a value no run wrote: capture {who}, "
                f"{bad.column} = {shown} ({bad.why}); correct or delete that row, or move the "
                f"catalogue away to start it anew", path=str(self.path)) from None

    def rows(self) -> list[CatalogueRow]:
        """Every row, soonest expiry first.

        Raises:
            CatalogueError: a row holds a value no run writes (a path outside the folder, a
                status, date or size that is not one): the message names it.
        """
        if self._conn is None:
            return []
        cur = self._conn.execute(
            "SELECT * FROM captures ORDER BY expires_at IS NULL, expires_at, recorded, id")
        return [self._checked(r) for r in cur.fetchall()]

    def __iter__(self) -> Iterator[CatalogueRow]:
        return iter(self.rows())

    def get(self, capture_id: str) -> CatalogueRow | None:
        if self._conn is None:
            return None
        r = self._conn.execute("SELECT * FROM captures WHERE id = ?", (capture_id,)).fetchone()
        return self._checked(r) if r is not None else None

    def known(self) -> dict[str, KnownCapture]:
        """What the planner needs, by capture id."""
        return {r.id: KnownCapture(r.id, r.status, r.path, r.size) for r in self.rows()}

    def count(self, status: str | None = None) -> int:
        if self._conn is None:
            return 0
        if status is None:
            return int(self._conn.execute("SELECT COUNT(*) FROM captures").fetchone()[0])
        return int(self._conn.execute("SELECT COUNT(*) FROM captures WHERE status = ?",
                                      (status,)).fetchone()[0])

    # -- writing ------------------------------------------------------------------------------
    def record_seen(self, items: Iterable[PlannedCapture], *, uploading: Iterable[str] = (),
                    sources: dict[str, tuple[str, ...]] | None = None,
                    now: float | None = None) -> None:
        """Insert or refresh the metadata of listed captures (one transaction).

        Archived rows keep their status, path and checksum; others take the planned path.
        ``sources`` (by capture id) adds to the lists each capture was ever seen in.
        """
        conn = self._writable()
        stamp = _now_iso(now)
        pending_upload = set(uploading)
        items = list(items)
        with self._transaction(conn):
            before = {r[0]: json.loads(r[1] or "[]") for r in conn.execute(
                "SELECT id, sources FROM captures")} if sources else {}
            conn.executemany(
                """INSERT INTO captures (id, kind, xuid, gamertag, title, recorded, path, status,
                                         saved, expires_at, updated, duration, listed)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(id) DO UPDATE SET
                       kind = excluded.kind, xuid = excluded.xuid, gamertag = excluded.gamertag,
                       title = excluded.title, recorded = excluded.recorded,
                       saved = excluded.saved, expires_at = excluded.expires_at,
                       updated = excluded.updated, listed = excluded.listed,
                       duration = COALESCE(excluded.duration, captures.duration),
                       path = CASE WHEN captures.status = 'done' THEN captures.path
                                   ELSE excluded.path END,
                       status = CASE WHEN captures.status = 'done' THEN 'done'
                                     WHEN captures.status = 'failed'
                                          AND excluded.status = 'pending' THEN 'failed'
                                     ELSE excluded.status END""",
                [(item.id, item.kind, _storable(item.capture.xuid), _storable(item.gamertag),
                  _storable(item.title), _iso(item.recorded), item.path.as_posix(),
                  UPLOADING if item.id in pending_upload else PENDING, int(item.saved),
                  _iso(item.expires_at), stamp, _duration(item), stamp) for item in items])
            if sources:
                conn.executemany(
                    "UPDATE captures SET sources = ? WHERE id = ?",
                    [(json.dumps(sorted({*before.get(item.id, ()), *sources.get(item.id, ())})),
                      item.id) for item in items])

    def record_unreadable(self, xuid: str, records: Iterable[Unreadable], *,
                          now: float | None = None) -> None:
        """Replace the records of ``xuid`` that the last listing could not read."""
        conn = self._writable()
        stamp = _now_iso(now)
        with self._transaction(conn):
            conn.execute("DELETE FROM unreadable WHERE xuid = ?", (xuid,))
            conn.executemany(
                "INSERT OR REPLACE INTO unreadable (key, xuid, kind, source, error, body, seen)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(r.key, xuid, r.kind, r.source, _storable(r.error[:2000]), _stored_body(r.body),
                  stamp) for r in records])

    def unreadable(self) -> list[Unreadable]:
        """Records the last listing of each user could not read."""
        if self._conn is None:
            return []
        try:
            rows = self._conn.execute(
                "SELECT kind, source, error, body FROM unreadable ORDER BY seen, key").fetchall()
        except sqlite3.OperationalError:  # a read-only catalogue older than this table
            return []
        return [Unreadable(str(r["kind"]), str(r["source"]), str(r["error"]), _read_body(r["body"]))
                for r in rows]

    def mark_done(self, item: PlannedCapture, *, size: int, sha256: str, files: Iterable[str],
                  thumbnail_bytes: int | None = None, file_sha256: dict[str, str] | None = None,
                  now: float | None = None) -> None:
        """Record a capture as archived: only call after its files have their final names.

        ``file_sha256`` is ``{relative path: sha256}`` of its thumbnails and sidecar, for
        ``archive verify`` to find one changed in place.
        """
        conn = self._writable()
        with self._transaction(conn):
            conn.execute(
                """UPDATE captures SET status = 'done', size = ?, sha256 = ?, path = ?, files = ?,
                                       thumbnail_bytes = ?, file_sha256 = ?, updated = ?,
                                       error = NULL, lost = NULL
                   WHERE id = ?""",
                (size, sha256, item.path.as_posix(), json.dumps(sorted(files)), thumbnail_bytes,
                 json.dumps(file_sha256 or {}, sort_keys=True), _now_iso(now), item.id))

    def mark_failed(self, capture_id: str, error: str, *, now: float | None = None) -> None:
        conn = self._writable()
        with self._transaction(conn):
            conn.execute("UPDATE captures SET status = 'failed', error = ?, updated = ? WHERE id = ?",
                         (_storable(error[:2000]), _now_iso(now), capture_id))

    def reset(self, capture_ids: Iterable[str], *, now: float | None = None,
              why: str = "its files were missing or damaged") -> None:
        """Forget that captures were archived (their files are gone or damaged): they are
        fetched again, and :attr:`CatalogueRow.lost` says why until they are."""
        conn = self._writable()
        stamp = _now_iso(now)
        with self._transaction(conn):
            conn.executemany(
                "UPDATE captures SET status = 'pending', sha256 = NULL, updated = ?, lost = ?"
                " WHERE id = ?", [(stamp, f"{why} ({stamp[:16].replace('T', ' ')} UTC)", i)
                                  for i in capture_ids])


_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(text: str | None) -> str | None:
    """Text SQLite can store: a lone surrogate ("\\ud800" in the service's JSON, which no
    UTF-8 can hold) becomes U+FFFD, instead of failing the whole run."""
    return _SURROGATE.sub("\ufffd", text) if text is not None else None


def _stored_body(body: object) -> str:
    """An unreadable record's body as stored: its JSON whole, or, past
    :data:`MAX_UNREADABLE_CHARS`, a JSON object holding its start (never JSON cut short)."""
    text = json.dumps(body, default=str)
    if len(text) <= MAX_UNREADABLE_CHARS:
        return text
    return json.dumps({"truncated": True, "chars": len(text), "start": text[:_UNREADABLE_START]})


def _read_body(stored: object) -> object:
    """A stored body read back; text that is not JSON (catalogues written before bodies were
    kept whole cut them at 20,000 characters) reads back as that text."""
    if not isinstance(stored, str):
        return stored
    try:
        return json.loads(stored)
    except ValueError:
        return stored


def _duration(item: PlannedCapture) -> float | None:
    seconds = getattr(item.capture, "duration_in_seconds", None)
    return float(seconds) if isinstance(seconds, int | float) and seconds > 0 else None


def _thumbnail_bytes(dest: Path, row: CatalogueRow) -> int:
    """A done row's thumbnail bytes: recorded since this was counted, else read from disk."""
    if row.thumbnail_bytes is not None:
        return row.thumbnail_bytes
    total = 0
    for rel in row.files:  # (each checked by relative_path as the row was read)
        if rel.endswith(".png"):
            with contextlib.suppress(OSError):
                total += (dest / rel).stat().st_size
    return total


@dataclass
class ArchiveStatus:
    """What an archive holds and what is at risk.

    Attributes:
        total: captures the catalogue knows (listed by some run).
        archived: of those, safely on disk.
        archived_bytes: media bytes archived (the clips and screenshots themselves).
        thumbnail_bytes: bytes of their thumbnails, counted apart.
        pending: captures listed but not archived yet.
        failed: captures whose last attempt failed (retried next run).
        uploading: captures still uploading to Xbox Live (no media yet).
        at_risk: not archived and expiring within ``within_days`` (or already past the
            assumed expiry), soonest first.
        within_days: the horizon ``at_risk`` used.
        now: the time the status was computed for (seconds since the epoch).
        unreadable: records the last runs' listings set aside as unreadable.
    """

    total: int = 0
    archived: int = 0
    archived_bytes: int = 0
    thumbnail_bytes: int = 0
    pending: int = 0
    failed: int = 0
    uploading: int = 0
    at_risk: list[CatalogueRow] = field(default_factory=list)
    within_days: float = 7
    now: float = 0.0
    unreadable: list[Unreadable] = field(default_factory=list)

    @property
    def expired(self) -> list[CatalogueRow]:
        """At-risk captures already past their assumed deletion date (maybe gone for good)."""
        return [r for r in self.at_risk if (r.days_left(self.now) or 0) < 0]

    @property
    def overdue_still_listed(self) -> list[CatalogueRow]:
        """Expired captures that Xbox Live still listed after the date: fetch them now."""
        return [r for r in self.expired if r.still_listed]


def status(dest: str | Path, *, within_days: float = 7, now: float | None = None) -> ArchiveStatus:
    """Summarise an archive folder from its catalogue, without touching the network.

    Args:
        dest: the archive folder.
        within_days: how far ahead counts as "at risk".
        now: seconds since the epoch (default: the system clock).

    Returns:
        Counts by status and the at-risk captures, soonest deletion first.
    """
    when = time.time() if now is None else now
    try:
        horizon = datetime.fromtimestamp(when, UTC) + timedelta(days=within_days)
    except (OverflowError, ValueError, OSError):  # nan, inf, past year 9999
        raise InvalidArgument(f"within_days must be a number of days within the calendar, "
                              f"not {within_days!r}") from None
    with Catalogue(dest, readonly=True) as cat:
        rows = cat.rows()
        unreadable = cat.unreadable()
    report = ArchiveStatus(total=len(rows), within_days=within_days, now=when,
                           unreadable=unreadable)
    for r in rows:
        if r.status == DONE:
            report.archived += 1
            report.archived_bytes += r.size or 0
            report.thumbnail_bytes += _thumbnail_bytes(Path(dest), r)
            continue
        if r.status == UPLOADING:
            report.uploading += 1
            continue
        if r.status == FAILED:
            report.failed += 1
        else:
            report.pending += 1
        if r.expires_at is not None and r.expires_at <= horizon:
            report.at_risk.append(r)
    return report

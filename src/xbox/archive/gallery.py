"""The archive's gallery: ``index.html`` at the archive root, to browse what was saved.

Static files, no server, no network, nothing from outside the folder (the page's
Content-Security-Policy forbids it); open ``index.html`` from the file manager or ``file://``:

* ``index.html``: the page, its styles and script, and no capture (it is the same from run
  to run);
* ``.gallery/manifest.js``: each month's counts by game and kind, and a hash of its data;
* ``.gallery/status.js``: the banner of what is at risk;
* ``.gallery/m/YYYY-MM.js``: one month's captures (``unknown.js``: those without a date).

The page shows the newest month at once and loads the others as they are scrolled to or
searched, so it opens as fast with 50,000 captures as with 50. It groups by month or by
game, filters by game, kind and months, searches captions and games, and keeps the choice in
the URL; its viewer shows one capture at a time with its caption, date, game, length and
size, with the arrow keys for the next and previous and Escape to close.

Writing it costs what changed: each month's data carries a fingerprint of the catalogue rows
it is made from, and a file is rewritten only when its bytes differ (each atomically:
``.part``, then a rename). :func:`update_gallery` says which files it wrote. A run that knows
which months it touched passes them as ``months``, and only those are read from the
catalogue; the others keep what the manifest says of them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from ._gallery_page import index_page
from .catalogue import DONE, FAILED, PENDING, UPLOADING, ArchiveStatus, Catalogue, CatalogueRow

__all__ = ["GALLERY_DATA", "GALLERY_NAME", "GalleryUpdate", "render_gallery", "update_gallery",
           "write_gallery"]

GALLERY_NAME = "index.html"
GALLERY_DATA = ".gallery"  # beside index.html: a name no gamertag or template folder takes
AT_RISK_SHOWN = 12  # the banner lists this many at-risk captures, then counts the rest
UNKNOWN_MONTH = "unknown"
#: Bumped when the data files' format changes: every month is written again once.
FORMAT = 1
SIDECAR_MAX = 1_000_000  # bytes of a sidecar read for its caption (a larger one: no caption)
_MANIFEST = "manifest.js"
_STATUS = "status.js"
_MONTHS = "m"


@dataclass
class GalleryUpdate:
    """What :func:`update_gallery` did.

    Attributes:
        page: ``index.html``.
        written: the files rewritten (paths relative to the archive folder), in the order
            written; empty when nothing changed.
        removed: data files of months that no longer hold a capture.
        months: how many months the gallery holds.
    """

    page: Path
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    months: int = 0


def _url(rel: str) -> str:
    """A file's path relative to the page, as a URL (spaces, ``#``, ``®``... encoded)."""
    return quote(PurePosixPath(rel).as_posix(), safe="/")


def _thumbnail(row: CatalogueRow) -> str | None:
    """The small thumbnail if it was saved, else the large one (None: neither)."""
    pngs = [f for f in row.files if f.endswith(".png")]
    for size in (".small.png", ".large.png"):
        for rel in pngs:
            if rel.endswith(size):
                return rel
    return pngs[0] if pngs else None


def _sidecar(row: CatalogueRow) -> str | None:
    return next((f for f in row.files if f.endswith(".json")), None)


def _month(row: CatalogueRow) -> str:
    return f"{row.recorded.astimezone(UTC):%Y-%m}" if row.recorded is not None else UNKNOWN_MONTH


def _title(row: CatalogueRow) -> str:
    return row.title or "Unknown title"


def _when(row: CatalogueRow) -> str:
    return f"{row.recorded.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}" if row.recorded else ""


#: The catalogue's columns a month's data is made of, as the catalogue stores them.
_FINGERPRINTED = ("id", "kind", "title", "recorded", "duration", "size", "path", "files",
                  "gamertag", "file_sha256")


# A ``recorded`` value as every run writes it (UTC ISO 8601): its month is its first seven
# characters. Any other value (a person's edit) is read in Python, row by row.
_CANONICAL_SQL = ("(recorded GLOB '[0-9][0-9][0-9][0-9]-0[1-9]-*' OR recorded GLOB "
                  "'[0-9][0-9][0-9][0-9]-1[0-2]-*') AND (recorded GLOB '*+00:00' OR "
                  "recorded GLOB '*Z')")
_CANONICAL = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])-.*(\+00:00|Z)", re.DOTALL)
_DONE_SQL = "status = ? AND path IS NOT NULL AND path != ''"


def _new_digest() -> Any:
    return hashlib.sha256(f"format {FORMAT}\n".encode())


def _fingerprints(cat: Catalogue, months: set[str] | None) -> dict[str, str]:
    """``{month: fingerprint}`` of the archived rows (of ``months`` only, when given): what
    each month's data file is made of, from the catalogue's stored values, joined by SQLite
    (no row decoded, no file read). A month whose fingerprint is the one it had is not even
    rebuilt. The caption comes from the sidecar, written once with the capture: its path (and
    checksum, where the catalogue has one) stands for it."""
    conn = cat._conn  # (the catalogue's own connection, read-only)
    if conn is None:
        return {}
    digests: dict[str, Any] = {}
    where, params = _month_filter(months)
    fields = "||char(31)||".join(f"quote({c})" for c in _FINGERPRINTED)
    query = (f"SELECT m, group_concat(f, char(30)) FROM (SELECT substr(recorded, 1, 7) AS m,"
             f" {fields} AS f FROM captures WHERE {_DONE_SQL} AND {_CANONICAL_SQL}{where}"
             f" ORDER BY recorded DESC, id DESC) GROUP BY m")
    for key, text in conn.execute(query, [DONE, *params]):
        if months is None or key in months:
            digests.setdefault(key, _new_digest()).update(text.encode("utf-8", "replace"))
    odd = (f"SELECT * FROM captures WHERE {_DONE_SQL} AND (recorded IS NULL OR NOT "
           f"({_CANONICAL_SQL})) ORDER BY recorded DESC, id DESC")
    for r in conn.execute(odd, [DONE]):
        key = _month_of_text(r["recorded"])
        if months is None or key in months:
            digests.setdefault(key, _new_digest()).update(
                repr(tuple(r[c] for c in _FINGERPRINTED)).encode("utf-8", "replace"))
    return {key: d.hexdigest()[:16] for key, d in digests.items()}


def _month_of_text(recorded: object) -> str:
    """The month of a stored ``recorded`` value, as :func:`_month` gives it for the decoded
    row (a value that is not a date goes to "unknown", whose file is then rebuilt, where
    decoding the row says what is wrong with it)."""
    if not recorded or not isinstance(recorded, str):
        return UNKNOWN_MONTH
    if _CANONICAL.fullmatch(recorded):
        return recorded[:7]  # UTC, as every run writes it
    try:
        when = datetime.fromisoformat(recorded)
    except ValueError:
        return UNKNOWN_MONTH
    return f"{(when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC):%Y-%m}"


def _caption(folder: Path, row: CatalogueRow) -> str:
    """The caption the player gave the capture, from its JSON sidecar ("" when none)."""
    sidecar = _sidecar(row)
    if sidecar is None:
        return ""
    try:
        with (folder / sidecar).open("rb") as fh:
            raw = fh.read(SIDECAR_MAX + 1)
        record = json.loads(raw) if len(raw) <= SIDECAR_MAX else None
    except (OSError, ValueError):
        return ""
    if not isinstance(record, dict):
        return ""
    for key in ("userCaption", "user_caption", "caption"):
        value = record.get(key)
        if isinstance(value, str):
            return " ".join(value.split())[:500]
    return ""


def _record(folder: Path, row: CatalogueRow) -> list[Any]:
    """One capture as the page reads it (``_gallery_page.RECORD_FIELDS``)."""
    assert row.path is not None
    thumb, sidecar = _thumbnail(row), _sidecar(row)
    return [row.id, "c" if row.kind == "clip" else "s", _title(row), _when(row),
            row.duration or 0, row.size or 0, _url(row.path), _url(thumb) if thumb else "",
            _url(sidecar) if sidecar else "", _caption(folder, row), row.gamertag or ""]


def _order(rows: list[CatalogueRow]) -> list[CatalogueRow]:
    far = datetime.min.replace(tzinfo=UTC)
    return sorted(rows, key=lambda r: (r.recorded or far, r.id), reverse=True)


def _js(call: str, *args: object) -> str:
    """A data file: one call with JSON arguments (``</script>`` and friends cannot close a
    tag: this is loaded with ``<script src>``, and ``<`` is escaped all the same)."""
    text = ",".join(json.dumps(a, ensure_ascii=False, separators=(",", ":")) for a in args)
    return f"XG.{call}({text.replace('<', chr(92) + 'u003c')});\n"


def _read_js(path: Path, call: str) -> Any:
    """The argument of a data file this module wrote (None: missing, or not ours)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    head, tail = f"XG.{call}(", ");\n"
    if not (text.startswith(head) and text.endswith(tail)):
        return None
    try:
        return json.loads(text[len(head):-len(tail)])
    except ValueError:
        return None


def _summary(key: str, rows: list[CatalogueRow], fingerprint: str, data: str) -> dict[str, Any]:
    games: dict[str, list[int]] = {}
    for r in rows:
        counts = games.setdefault(_title(r), [0, 0])
        counts[0] += 1
        counts[1] += r.kind == "clip"
    return {"key": key, "n": len(rows), "clips": sum(1 for r in rows if r.kind == "clip"),
            "games": games, "owners": sorted({r.gamertag for r in rows if r.gamertag}),
            "fingerprint": fingerprint, "hash": hashlib.sha256(data.encode()).hexdigest()[:12]}


def _month_order(key: str) -> tuple[int, str]:
    return (0, key) if key != UNKNOWN_MONTH else (1, "")


# -- the banner ---------------------------------------------------------------------------------
def _open_status(cat: Catalogue, *, within_days: float, now: float) -> ArchiveStatus:
    """What the banner needs, without reading the archived rows (only counts of them)."""
    report = ArchiveStatus(within_days=within_days, now=now)
    conn = cat._conn  # (the catalogue's own connection, read-only)
    if conn is None:
        return report
    counts = dict(conn.execute("SELECT status, COUNT(*) FROM captures GROUP BY status").fetchall())
    report.archived = int(counts.get(DONE, 0))
    report.pending = int(counts.get(PENDING, 0))
    report.failed = int(counts.get(FAILED, 0))
    report.uploading = int(counts.get(UPLOADING, 0))
    report.total = sum(int(v) for v in counts.values())
    horizon = (datetime.fromtimestamp(now, UTC) + timedelta(days=within_days)).isoformat()
    # expires_at is stored as UTC ISO text: text order is time order.
    rows = conn.execute("SELECT * FROM captures WHERE status IN (?, ?) AND expires_at IS NOT NULL"
                        " AND expires_at <= ? ORDER BY expires_at, recorded, id",
                        (PENDING, FAILED, horizon)).fetchall()
    report.at_risk = [cat._checked(r) for r in rows]
    report.unreadable = cat.unreadable()
    return report


def _status(report: ArchiveStatus) -> dict[str, Any]:
    """The banner as data; the days left are counted by the page when it is read, so that
    the file changes only when a capture crosses a line (archived, at risk, overdue)."""
    at_risk, now = report.at_risk, report.now
    still = report.overdue_still_listed
    soon = [r for r in at_risk if not r.overdue(now)]
    lines: list[str] = []
    if soon:
        lines.append(f"{len(soon)} not archived yet that Xbox Live is expected to delete within "
                     f"{report.within_days:g} days")
    if still:
        lines.append(f"{len(still)} past their expected deletion but still listed: fetch them now")
    gone = len(report.expired) - len(still)
    if gone:
        lines.append(f"{gone} past their expected deletion and not listed since: may be lost")
    if report.failed:
        lines.append(f"{report.failed} failed on the last run (retried on the next)")
    if report.unreadable:
        lines.append(f"{len(report.unreadable)} records Xbox Live sent could not be read")
    archived = report.archived
    if not lines:
        level = "ok"
        heading = (f"All {archived} captures Xbox Live listed are archived" if not report.pending
                   else f"{archived} archived; {report.pending} waiting for the next run, "
                        "none at risk")
    else:
        level = "bad" if (gone or still or soon) else "warn"
        heading = f"{archived} archived; at risk:"
    shown = []
    for r in at_risk[:AT_RISK_SHOWN]:
        overdue = r.overdue(now)
        shown.append({"id": r.id, "kind": r.kind, "title": r.title or "unknown title",
                      "gamertag": r.gamertag or "", "expires": _iso(r.expires_at),
                      "still_listed": overdue and r.still_listed,
                      "listed": f"{r.listed:%Y-%m-%d}" if overdue and r.listed and not
                      r.still_listed else ""})
    return {"level": level, "heading": heading, "lines": lines, "at_risk": shown,
            "at_risk_total": len(at_risk)}


def _iso(value: datetime | None) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}" if value is not None else ""


# -- reading the catalogue ----------------------------------------------------------------------
def _month_filter(months: set[str] | None) -> tuple[str, list[object]]:
    """An SQL condition (`` AND (...)``) for the rows that may be recorded in ``months``
    (a day's margin each side: each row is then put in its month as its text says)."""
    if months is None:
        return "", []
    clauses: list[str] = []
    params: list[object] = []
    for key in sorted(months):
        if key == UNKNOWN_MONTH:
            clauses.append(f"recorded IS NULL OR NOT ({_CANONICAL_SQL})")
            continue
        start = datetime.strptime(key, "%Y-%m").replace(tzinfo=UTC)
        end = (start + timedelta(days=32)).replace(day=1)
        clauses.append("(recorded >= ? AND recorded < ?)")
        params += [(start - timedelta(days=1)).isoformat(), (end + timedelta(days=1)).isoformat()]
    return f" AND ({' OR '.join(clauses) or '0'})", params


def _done_rows(cat: Catalogue, months: set[str] | None) -> dict[str, list[sqlite3.Row]]:
    """The archived rows as stored, by month: all of them, or those recorded in ``months``
    only. Decoded (and checked) by the caller, for the months it rebuilds."""
    conn = cat._conn
    if conn is None:
        return {}
    where, params = _month_filter(months)
    by_month: dict[str, list[sqlite3.Row]] = {}
    for r in conn.execute(f"SELECT * FROM captures WHERE {_DONE_SQL}{where}", [DONE, *params]):
        key = _month_of_text(r["recorded"])
        if months is None or key in months:
            by_month.setdefault(key, []).append(r)
    return by_month


def _valid_month(key: object) -> bool:
    if key == UNKNOWN_MONTH:
        return True
    try:
        datetime.strptime(str(key), "%Y-%m")
    except ValueError:
        return False
    return True


# -- writing --------------------------------------------------------------------------------------
def _write_if_changed(folder: Path, rel: str, text: str, update: GalleryUpdate) -> None:
    """Write ``rel`` atomically unless it already holds ``text`` exactly."""
    target = folder / rel
    data = text.encode("utf-8", errors="replace")
    with contextlib.suppress(OSError):
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    try:
        with part.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, target)
    except OSError:
        part.unlink(missing_ok=True)  # a full disk: no .part left behind
        raise
    update.written.append(rel)


def _month_file(key: str) -> str:
    return f"{GALLERY_DATA}/{_MONTHS}/{key}.js"


def _build(folder: Path, *, months: Iterable[str] | None, now: float, within_days: float,
           reuse: bool = True) -> tuple[dict[str, str], dict[str, Any], set[str]]:
    """Every file to be written that may have changed: {relative path: text}, the manifest
    and the months that no longer hold a capture. With ``reuse``, month files whose
    fingerprint is the one the manifest on disk has are left out (not rebuilt, not read)."""
    previous = _read_js(folder / GALLERY_DATA / _MANIFEST, "manifest") if reuse else None
    before: dict[str, dict[str, Any]] = {}
    if isinstance(previous, dict) and previous.get("format") == FORMAT and isinstance(
            previous.get("months"), list):
        before = {m["key"]: m for m in previous["months"]
                  if isinstance(m, dict) and _valid_month(m.get("key"))}
    asked = None if months is None or not before else {m for m in months if _valid_month(m)}
    files: dict[str, str] = {}
    summaries = {} if asked is None else {k: v for k, v in before.items() if k not in asked}
    with Catalogue(folder, readonly=True) as cat:
        fingerprints = _fingerprints(cat, asked)
        report = _open_status(cat, within_days=within_days, now=now)
        stale = set()
        for key, fingerprint in fingerprints.items():
            old = before.get(key)
            if (old is not None and old.get("fingerprint") == fingerprint
                    and (folder / _month_file(key)).is_file()):
                summaries[key] = old
            else:
                stale.add(key)
        every = asked is None and stale == set(fingerprints)
        for key, stored in _done_rows(cat, None if every else stale).items() if stale else ():
            items = _order([cat._checked(r) for r in stored])
            data = _js("month", key, [_record(folder, r) for r in items])
            files[_month_file(key)] = data
            summaries[key] = _summary(key, items, fingerprints.get(key, ""), data)
    gone = set(before) - set(summaries)
    # Newest month first, the captures without a date last.
    keys = sorted((k for k in summaries if k != UNKNOWN_MONTH), reverse=True)
    ordered = [summaries[k] for k in keys + ([UNKNOWN_MONTH] if UNKNOWN_MONTH in summaries else [])]
    manifest = {"format": FORMAT,
                "owners": sorted({o for m in ordered for o in m.get("owners", ())}),
                "clips": sum(int(m["clips"]) for m in ordered),
                "screenshots": sum(int(m["n"]) - int(m["clips"]) for m in ordered),
                "months": ordered}
    files[f"{GALLERY_DATA}/{_STATUS}"] = _js("status", _status(report))
    files[f"{GALLERY_DATA}/{_MANIFEST}"] = _js("manifest", manifest)
    files[GALLERY_NAME] = index_page(folder.name or str(folder))
    return files, manifest, gone


def update_gallery(dest: str | os.PathLike[str], *, months: Iterable[str] | None = None,
                   now: float | None = None, within_days: float = 7) -> GalleryUpdate:
    """Bring the gallery up to date with the catalogue, rewriting only the files that changed.

    Args:
        dest: the archive folder.
        months: the months (``"YYYY-MM"``, or ``"unknown"``) whose captures may have changed,
            when the caller knows (an archive run does: the months of what it archived). Only
            those are read from the catalogue. None (the default): every month is checked,
            each against the fingerprint kept in the manifest, and only those that differ are
            rebuilt.
        now: seconds since the epoch (default: the system clock), for the at-risk banner.
        within_days: how far ahead counts as "at risk".

    Returns:
        What was written: nothing at all when nothing changed.
    """
    folder = Path(dest)
    when = time.time() if now is None else now
    files, manifest, gone = _build(folder, months=months, now=when, within_days=within_days)
    update = GalleryUpdate(page=folder / GALLERY_NAME, months=len(manifest["months"]))
    # Month data first, the manifest that names them after it, the page last: a browser
    # that opens the page mid-way finds every month the manifest names.
    for rel in sorted(files, key=lambda p: (p == GALLERY_NAME, p.endswith(_MANIFEST), p)):
        _write_if_changed(folder, rel, files[rel], update)
    for key in sorted(gone):
        stale = folder / _month_file(key)
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
            update.removed.append(_month_file(key))
    return update


def write_gallery(dest: str | os.PathLike[str], *, now: float | None = None,
                  within_days: float = 7, months: Iterable[str] | None = None) -> Path:
    """Write the gallery (``index.html`` and its ``.gallery`` data) and return the page.

    ``xbox archive`` calls this after every run; call it after
    :meth:`~xbox.archive.Archive.archive_user` to do the same from Python. Only the files
    that changed are rewritten (see :func:`update_gallery`).
    """
    return update_gallery(dest, months=months, now=now, within_days=within_days).page


def render_gallery(dest: str | os.PathLike[str], *, now: float | None = None,
                   within_days: float = 7) -> dict[str, str]:
    """Every file of the gallery as it would be written now, ``{relative path: text}``,
    from the catalogue alone (nothing is written, nothing already written is used)."""
    folder = Path(dest)
    files, _, _ = _build(folder, months=None, now=time.time() if now is None else now,
                         within_days=within_days, reuse=False)
    return files

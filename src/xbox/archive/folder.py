"""An archive folder: its catalogue and files, and what a run reports.

The run itself (resolve, list, plan, download N at once, record) is written once, async,
in ``xbox/archive/_async.py`` (:class:`~xbox.archive.AsyncArchive`), and generated for
threads in ``_sync.py`` beside it (:class:`~xbox.archive.Archive`); both build on
:class:`ArchiveFolder` here, which does everything that is not network.

Crash safety, the invariant every step keeps: a final file name only ever holds verified
bytes (downloads go to ``.part`` files renamed atomically), and a catalogue row is ``done``
only after all its files have their final names. On start, :meth:`Archive.reconcile` resets
``done`` rows whose files are missing or the wrong size, keeps ``.part`` files that a pending
capture will resume, and removes every other ``.part``. A run killed at any moment (SIGKILL
included) and started again therefore finishes with no partial file under a final name, no
duplicate, and a catalogue that matches the disk.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from types import TracebackType

from ..download import SavedCapture, part_path
from ..exceptions import InvalidArgument, MalformedResponse, XboxException
from ..models.captures import Capture
from .catalogue import DONE, ArchiveStatus, Catalogue, Unreadable, status
from .planner import DEFAULT_TEMPLATE, Plan, PlannedCapture, companion_paths, plan_captures

__all__ = [
    "KINDS",
    "ArchiveEvent",
    "ArchiveFolder",
    "ArchiveProgress",
    "ArchiveReport",
    "Listing",
    "ReconcileReport",
    "check_options",
]

log = logging.getLogger("xbox")

KINDS = ("clip", "screenshot")


@dataclass(frozen=True)
class ArchiveEvent:
    """One thing that happened during a run, for progress displays.

    ``type`` is one of:

    * ``"planned"``: planning is over; ``plan`` holds it (``len(plan.fetch)`` items,
      ``plan.bytes_to_fetch`` bytes).
    * ``"start"``: ``item`` starts downloading.
    * ``"progress"``: ``bytes_done`` of ``bytes_total`` (None: unknown) of ``item``'s media.
    * ``"done"``: ``item`` is archived (``saved`` says what was written).
    * ``"failed"``: ``item`` failed; ``message`` says why. The run goes on.

    With ``concurrency > 1`` :class:`~xbox.archive.Archive` calls the callback from worker
    threads; :class:`~xbox.archive.AsyncArchive` calls it on the event loop.
    """

    type: str
    item: PlannedCapture | None = None
    bytes_done: int = 0
    bytes_total: int | None = None
    message: str | None = None
    plan: Plan | None = None
    saved: SavedCapture | None = None


ArchiveProgress = Callable[[ArchiveEvent], None]


@dataclass
class ReconcileReport:
    """What :meth:`Archive.reconcile` repaired.

    Attributes:
        reset: ids of ``done`` rows whose files were missing or the wrong size.
        removed_parts: ``.part`` files that no pending capture will resume (deleted).
        kept_parts: ``.part`` files kept for a pending capture to resume.
    """

    reset: list[str] = field(default_factory=list)
    removed_parts: list[Path] = field(default_factory=list)
    kept_parts: list[Path] = field(default_factory=list)


@dataclass
class ArchiveReport:
    """The outcome of :meth:`Archive.archive_user`.

    Attributes:
        dest: the archive folder.
        gamertag: whose captures.
        xuid: their owner's xuid.
        dry_run: nothing was written.
        plan: what was planned (``plan.fetch`` in rescue order).
        downloaded: archived by this run.
        failed: ``{capture id: reason}``; these are retried next run.
        bytes_downloaded: bytes fetched from the network (media and thumbnails).
        media_bytes: media bytes this run added to the archive (what
            :attr:`ArchiveStatus.archived_bytes <xbox.archive.ArchiveStatus>` counts),
            whether fetched now or adopted from an interrupted run.
        thumbnail_bytes: thumbnail bytes this run added, counted apart.
        reconciled: what the start-of-run check repaired.
        unreadable: records a listing set aside because they could not be read (no id,
            no usable download address); see :attr:`~xbox.archive.Unreadable.error`.
        source_errors: ``{"mediahub clips": reason}`` for a list that could not be read at
            all (mediahub refusing the sign-in, say): its captures may be missing.
        sources: which lists saw each capture (``"metadata"``, ``"mediahub"``).
    """

    dest: Path
    gamertag: str
    xuid: str
    dry_run: bool
    plan: Plan
    downloaded: list[PlannedCapture] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    bytes_downloaded: int = 0
    media_bytes: int = 0
    thumbnail_bytes: int = 0
    reconciled: ReconcileReport = field(default_factory=ReconcileReport)
    unreadable: list[Unreadable] = field(default_factory=list)
    source_errors: dict[str, str] = field(default_factory=dict)
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def up_to_date(self) -> list[PlannedCapture]:
        return self.plan.up_to_date

    @property
    def skipped_uploading(self) -> list[PlannedCapture]:
        """Captures still uploading to Xbox Live (no media yet), skipped."""
        return self.plan.uploading

    @property
    def ok(self) -> bool:
        """True when every capture listed was archived or is up to date: nothing failed,
        no record was unreadable, and every list could be read."""
        return not self.failed and not self.unreadable and not self.source_errors


def in_since(capture: Capture, since: datetime | None) -> bool:
    return since is None or capture.recorded is None or capture.recorded >= since


@dataclass
class Listing:
    """Every capture the lists gave for one user, each once (by id), with its sources.

    A capture both the metadata lists and mediahub know is kept as the metadata record
    (which says whether it was saved, and has a SCID); mediahub's alone are kept as they are.
    """

    captures: dict[str, Capture] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)
    unreadable: list[Unreadable] = field(default_factory=list)
    source_errors: dict[str, str] = field(default_factory=dict)

    def add(self, capture: Capture, source: str) -> None:
        key = capture.id.lower()
        seen = self.sources.setdefault(key, [])
        if source not in seen:
            seen.append(source)
        self.captures.setdefault(key, capture)

    def set_aside(self, kind: str, source: str, errors: Iterable[MalformedResponse]) -> None:
        self.unreadable.extend(Unreadable.of(kind, source, exc) for exc in errors)


class ArchiveFolder:
    """An archive folder: media files organised by a path template, plus the catalogue.

    Everything here is disk and catalogue work; :class:`~xbox.archive.Archive` and
    :class:`~xbox.archive.AsyncArchive` add the network run on top.

    Args:
        dest: the folder (created on the first real run; a dry run creates nothing).

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, dest: str | os.PathLike[str]) -> None:
        self.dest = Path(dest)
        self._catalogue: Catalogue | None = None
        self._lock = threading.Lock()
        #: When set, a run fetches only these captures again, into the paths the catalogue
        #: has for them (``xbox archive verify --repair``): see :meth:`repairing`.
        self.repair_ids: frozenset[str] | None = None

    @property
    def catalogue(self) -> Catalogue:
        """The writable catalogue (creating the folder and the file)."""
        if self._catalogue is None:
            self._catalogue = Catalogue(self.dest)
        return self._catalogue

    def close(self) -> None:
        if self._catalogue is not None:
            self._catalogue.close()
            self._catalogue = None

    def __enter__(self) -> ArchiveFolder:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def status(self, *, within_days: float = 7, now: float | None = None) -> ArchiveStatus:
        """Counts by status and what is at risk; see :func:`xbox.archive.status`."""
        return status(self.dest, within_days=within_days, now=now)

    # -- crash recovery -----------------------------------------------------------------------
    def _present(self, rel: PurePosixPath | str, size: int | None) -> bool:
        path = self.dest / Path(*PurePosixPath(rel).parts)
        try:
            st = path.stat()
        except OSError:
            return False
        return path.is_file() and (size is None or st.st_size == size)

    def reconcile(self) -> ReconcileReport:
        """Make the catalogue match the disk after a crash or a user's deletions.

        ``done`` rows whose media file is missing or the wrong size, or whose thumbnails or
        sidecar are missing, go back to pending. ``.part`` files of pending captures are kept
        (the next download resumes them); every other ``.part`` is removed.

        Returns:
            What was repaired.
        """
        report = ReconcileReport()
        cat = self.catalogue
        rows = cat.rows()
        for row in rows:
            if row.status != DONE:
                continue
            if not row.path or not self._present(row.path, row.size) or not all(
                    self._present(f, None) for f in row.files):
                report.reset.append(row.id)
        if report.reset:
            log.info("archive: %d archived captures are missing or damaged on disk; fetching "
                     "them again", len(report.reset))
            cat.reset(report.reset)
        resumable: set[Path] = set()
        reset = set(report.reset)
        for row in rows:
            if row.path and (row.status != DONE or row.id in reset):
                rel = PurePosixPath(row.path)
                for target in (rel, *companion_paths(rel).all()):
                    resumable.add(part_path(self.dest / Path(*target.parts)))
        if self.dest.is_dir():
            for part in sorted(self.dest.rglob("*.part")):
                if part in resumable:
                    report.kept_parts.append(part)
                elif part.is_file():
                    part.unlink(missing_ok=True)
                    report.removed_parts.append(part)
        return report

    # -- planning -----------------------------------------------------------------------------
    def plan(self, captures: Iterable[Capture], *, gamertag: str, template: str = DEFAULT_TEMPLATE,
             since: datetime | None = None, limit: int | None = None,
             readonly: bool = False) -> Plan:
        """Plan a run over listed captures (pure apart from reading the catalogue and disk)."""
        if readonly:
            with Catalogue(self.dest, readonly=True) as cat:
                known = cat.known()
        else:
            known = self.catalogue.known()
        present: Callable[[PurePosixPath, int | None], bool] = self._present
        if self.repair_ids is not None:
            # Captures being repaired go back where the catalogue has them (whatever the
            # template), and count as absent whatever is on disk.
            repair = self.repair_ids
            known = {k: (replace(v, status=DONE) if k in repair and v.path else v)
                     for k, v in known.items()}
            again = {PurePosixPath(v.path) for k, v in known.items() if k in repair and v.path}

            def absent_if_repaired(rel: PurePosixPath, size: int | None) -> bool:
                return PurePosixPath(rel) not in again and self._present(rel, size)

            present = absent_if_repaired
            captures = [c for c in captures if c.id in repair]
        return plan_captures(captures, gamertag=gamertag, known=known, present=present,
                             template=template, since=since, limit=limit)

    def repairing(self, capture_ids: Iterable[str]) -> ArchiveFolder:
        """Make the next runs fetch only ``capture_ids`` again (damaged or missing files
        that :func:`xbox.archive.verify` found), each into the path the catalogue has for
        it. Returns the folder, for ``with archive.repairing(ids): ...`` style chaining."""
        self.repair_ids = frozenset(capture_ids)
        return self

    def prepare(self, listing: Listing, gamertag: str, xuid: str, *, template: str,
                since: datetime | None, limit: int | None, dry_run: bool) -> ArchiveReport:
        """Reconcile the folder, plan the run over ``listing`` and record what was seen."""
        reconciled = ReconcileReport() if dry_run else self.reconcile()
        plan = self.plan(listing.captures.values(), gamertag=gamertag, template=template,
                         since=since, limit=limit, readonly=dry_run)
        sources = {c.id: tuple(listing.sources[key]) for key, c in listing.captures.items()}
        if not dry_run:
            with self._lock:
                self.catalogue.record_seen(plan.all(), uploading=[i.id for i in plan.uploading],
                                           sources=sources)
                self.catalogue.record_unreadable(xuid, listing.unreadable)
        return ArchiveReport(self.dest, gamertag, xuid, dry_run, plan, reconciled=reconciled,
                             unreadable=list(listing.unreadable),
                             source_errors=dict(listing.source_errors), sources=sources)

    # -- one capture --------------------------------------------------------------------------
    def targets(self, item: PlannedCapture) -> tuple[Path, dict[str, Path], Path]:
        def local(rel: PurePosixPath) -> Path:
            return self.dest / Path(*rel.parts)

        thumbs = {size: local(p) for size, p in item.companions.thumbnails.items()}
        return local(item.path), thumbs, local(item.companions.sidecar)

    def record(self, item: PlannedCapture, saved: SavedCapture, report: ArchiveReport) -> None:
        """Mark ``item`` archived (its files have their final names) and count it."""
        files = [p.relative_to(self.dest).as_posix()
                 for p in (saved.sidecar, *(t.path for t in saved.thumbnails.values()))]
        thumbnail_bytes = sum(t.size for t in saved.thumbnails.values())
        with self._lock:
            self.catalogue.mark_done(item, size=saved.media.size, sha256=saved.media.sha256,
                                     files=files, thumbnail_bytes=thumbnail_bytes)
            report.downloaded.append(item)
            report.media_bytes += saved.media.size
            report.thumbnail_bytes += thumbnail_bytes
            fetched = [t for t in saved.thumbnails.values() if t.attempts]
            report.bytes_downloaded += sum(t.size for t in fetched)
            if not saved.reused:
                report.bytes_downloaded += saved.media.size

    def fail(self, item: PlannedCapture, exc: XboxException, report: ArchiveReport) -> None:
        """Mark ``item`` failed (it is retried next run) and say why in the report."""
        message = str(exc)
        log.warning("archive: %s %s failed: %s", item.kind, item.id, message)
        with self._lock:
            self.catalogue.mark_failed(item.id, message)
            report.failed[item.id] = message

    @staticmethod
    def byte_progress(item: PlannedCapture,
                       progress: ArchiveProgress | None) -> Callable[[int, int | None], None] | None:
        if progress is None:
            return None

        def report(done: int, total: int | None) -> None:
            progress(ArchiveEvent("progress", item=item, bytes_done=done, bytes_total=total))

        return report



def check_options(kinds: Sequence[str], since: datetime | None,
                  concurrency: int) -> tuple[tuple[str, ...], datetime | None]:
    """The run's options checked: kinds de-duplicated, ``since`` made aware (UTC)."""
    chosen = tuple(dict.fromkeys(kinds))
    unknown = [k for k in chosen if k not in KINDS]
    if unknown or not chosen:
        raise InvalidArgument(f"kinds must be among {KINDS}, not {tuple(kinds)!r}")
    if concurrency < 1:
        raise InvalidArgument("concurrency must be at least 1")
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return chosen, since

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

One writer per folder: a run holds ``<dest>/.xbox-archive.lock`` (:meth:`ArchiveFolder.lock`)
from its first write to :meth:`~ArchiveFolder.close`; a second run waits for it (``wait``
seconds, 300 by default), then gives up with :class:`~xbox.exceptions.ArchiveBusy`. Reading
(``status``, ``verify``, a dry run) takes no lock and is never blocked.

One capture never stops a run: whatever belongs to one capture (its download, a disk error
writing its files, a name the filesystem refuses, a record that cannot be planned) is
recorded against it and the run goes on. A full disk is the exception: the capture that
found it is recorded as failed, its partial files are removed (so that they never keep the
disk full for the next run), and the run starts nothing more (:attr:`ArchiveReport.stopped`);
the captures left are fetched by the next run, once there is room.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from types import TracebackType

from filelock import FileLock, Timeout

from ..download import SavedCapture, part_path
from ..download.rules import disk_error
from ..exceptions import ArchiveBusy, DiskError, InvalidArgument, MalformedResponse, XboxException
from ..models.captures import Capture
from .catalogue import DONE, ArchiveStatus, Catalogue, Unreadable, status
from .planner import (
    DEFAULT_TEMPLATE,
    NAME_MAX,
    Plan,
    PlannedCapture,
    companion_paths,
    kind_of,
    plan_captures,
    relative_path,
)

__all__ = [
    "DISK_RESERVE",
    "KINDS",
    "LOCK_NAME",
    "LOCK_WAIT",
    "ArchiveEvent",
    "ArchiveFolder",
    "ArchiveProgress",
    "ArchiveReport",
    "Listing",
    "ReconcileReport",
    "check_options",
    "free_space",
    "inside",
    "name_max",
]

log = logging.getLogger("xbox")

KINDS = ("clip", "screenshot")
_SURROGATE = re.compile("[\ud800-\udfff]")

#: Bytes a run keeps free on the archive's disk for what every run writes besides media: the
#: catalogue (SQLite's write-ahead log grows by up to 4 MiB between checkpoints), sidecars
#: and the gallery. A capture that would leave less is not started.
DISK_RESERVE = 8 * 1024 * 1024
#: The lock file that lets one run at a time write an archive folder.
LOCK_NAME = ".xbox-archive.lock"
#: Seconds a run waits for another run to let go of the folder, by default.
LOCK_WAIT = 300.0


def _existing(folder: Path) -> Path:
    """``folder``, or the nearest folder above it that exists."""
    for candidate in (folder, *folder.parents):
        if candidate.is_dir():
            return candidate
    return Path(".")


def name_max(folder: Path) -> int:
    """The longest file name, in bytes, the filesystem under ``folder`` allows (255 where it
    does not say, and never more: an archive may be copied to another disk)."""
    try:
        found = os.pathconf(_existing(folder), "PC_NAME_MAX")
    except (AttributeError, ValueError, OSError):  # Windows has no pathconf
        return NAME_MAX
    return min(found, NAME_MAX) if found and found > 0 else NAME_MAX


def free_space(folder: Path) -> int | None:
    """Bytes free for this user on the disk under ``folder`` (None when it cannot be told)."""
    try:
        return shutil.disk_usage(_existing(folder)).free
    except OSError:
        return None


def inside(dest: Path, rel: str | PurePosixPath) -> Path:
    """``dest / rel`` for a path the catalogue or a report names, checked first to stay
    inside ``dest`` (:func:`~xbox.archive.planner.relative_path`): every use of such a path
    goes through here, so that no row can make a run touch a file outside the archive.

    Raises:
        ValueError: ``rel`` would leave ``dest``.
    """
    return dest.joinpath(*relative_path(PurePosixPath(rel).as_posix()).parts)


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
        stopped: why the run stopped before fetching everything it planned (the disk is
            full), or None.
        left: the planned captures a stopped run did not start (fetched next run).
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
    stopped: str | None = None
    left: list[PlannedCapture] = field(default_factory=list)

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
        no record was unreadable, every list could be read, and the run was not stopped."""
        return (not self.failed and not self.unreadable and not self.source_errors
                and self.stopped is None)


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
        if _SURROGATE.search(capture.id):
            # An id that is not text (a lone "\ud800" in the service's JSON) names no file
            # and no row: the record is set aside, like one without an id.
            self.unreadable.append(Unreadable(
                kind_of(capture), source, "the capture's id is not valid text",
                capture.raw if capture.raw is not None else capture.model_dump(mode="json")))
            return
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
        wait: seconds to wait for another run to let go of the folder before giving up
            with :class:`~xbox.exceptions.ArchiveBusy` (0: do not wait).

    Use as a context manager, or call :meth:`close` (which lets go of the folder).
    """

    def __init__(self, dest: str | os.PathLike[str], *, wait: float = LOCK_WAIT) -> None:
        if not wait >= 0:  # (nan too)
            raise InvalidArgument(f"wait must be zero or more seconds, not {wait!r}")
        self.dest = Path(dest)
        self.wait = wait
        self._catalogue: Catalogue | None = None
        self._folder_lock: FileLock | None = None
        self._freed: list[Path] = []  # .part files removed to make room before opening
        self._lock = threading.Lock()
        #: When set, a run fetches only these captures again, into the paths the catalogue
        #: has for them (``xbox archive verify --repair``): see :meth:`repairing`.
        self.repair_ids: frozenset[str] | None = None

    def lock(self, wait: float | None = None, on_wait: Callable[[str], None] | None = None) -> None:
        """Hold the folder for this run: one writer at a time (a second ``xbox archive`` from
        cron, say, would download the same captures and trip over the first one's ``.part``
        files). Every write takes it; call it first to wait at a time of your choosing.

        Args:
            wait: seconds to wait for another run to let go (default: the folder's ``wait``).
            on_wait: told once, in a sentence, when the folder is busy and this waits.

        Raises:
            ArchiveBusy: another run still holds the folder after ``wait`` seconds.
        """
        if self._folder_lock is not None:
            return
        limit = self.wait if wait is None else wait
        self.dest.mkdir(parents=True, exist_ok=True)
        # Not thread-local: the async archiver takes it in a worker thread and lets go on
        # the event loop's.
        held = FileLock(str(self.dest / LOCK_NAME), thread_local=False)
        try:
            held.acquire(timeout=0)
        except Timeout:
            if limit > 0:
                message = (f"another run is using the archive {self.dest}; waiting up to "
                           f"{limit:g} s for it to finish")
                log.info("archive: %s", message)
                if on_wait is not None:
                    on_wait(message)
            try:
                held.acquire(timeout=limit)
            except Timeout:
                raise ArchiveBusy(
                    f"another run (xbox archive, or archive verify --repair) is using the "
                    f"archive {self.dest}" + (f" and did not finish within {limit:g} s" if limit
                                              else "") + "; run again once it has finished",
                    path=str(self.dest)) from None
        self._folder_lock = held

    @property
    def catalogue(self) -> Catalogue:
        """The writable catalogue (holding the folder: :meth:`lock`)."""
        if self._catalogue is None:
            self.lock()
            # On a full disk SQLite cannot even open the catalogue (its write-ahead log is
            # a file of its own): partial downloads give their room first.
            free = free_space(self.dest)
            if free is not None and free <= DISK_RESERVE and self.dest.is_dir():
                self._freed += self._make_room(sorted(self.dest.rglob("*.part")))
            self._catalogue = Catalogue(self.dest)
        return self._catalogue

    def close(self) -> None:
        """Close the catalogue and let go of the folder."""
        if self._catalogue is not None:
            self._catalogue.close()
            self._catalogue = None
        if self._folder_lock is not None:
            self._folder_lock.release()
            self._folder_lock = None

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
        try:
            path = inside(self.dest, rel)
            st = path.stat()
        except (OSError, ValueError):
            return False
        return path.is_file() and (size is None or st.st_size == size)

    def reconcile(self) -> ReconcileReport:
        """Make the catalogue match the disk after a crash or a user's deletions.

        ``done`` rows whose media file is missing or the wrong size, or whose thumbnails or
        sidecar are missing, go back to pending. ``.part`` files of pending captures are kept
        (the next download resumes them), unless the disk has no more than
        :data:`DISK_RESERVE` free: then they go too, largest first, so that a ``.part`` left
        by a full disk never keeps the disk full for this run. Every other ``.part`` is
        removed.

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
        resumable: set[Path] = set()
        reset = set(report.reset)
        for row in rows:
            if row.path and (row.status != DONE or row.id in reset):
                rel = PurePosixPath(row.path)
                for target in (rel, *companion_paths(rel).all()):
                    resumable.add(part_path(inside(self.dest, target)))
        report.removed_parts += self._freed
        self._freed = []
        if self.dest.is_dir():
            for part in sorted(self.dest.rglob("*.part")):
                if part in resumable:
                    report.kept_parts.append(part)
                elif part.is_file():
                    part.unlink(missing_ok=True)
                    report.removed_parts.append(part)
        for part in self._make_room(report.kept_parts):
            report.kept_parts.remove(part)
            report.removed_parts.append(part)
        if report.reset:  # (after the disk work: a full disk may need the room to write this)
            log.info("archive: %d archived captures are missing or damaged on disk; fetching "
                     "them again", len(report.reset))
            cat.reset(report.reset)
        return report

    def _make_room(self, parts: Iterable[Path]) -> list[Path]:
        """When the disk has no more than :data:`DISK_RESERVE` free, remove ``parts`` (partial
        downloads), largest first, until it has more; returns those removed."""
        free = free_space(self.dest)
        parts = list(parts)
        if free is None or free > DISK_RESERVE or not parts:
            return []
        sizes = {}
        for part in parts:
            try:
                sizes[part] = part.stat().st_size
            except OSError:
                sizes[part] = 0
        removed = []
        for part in sorted(parts, key=lambda p: -sizes[p]):
            part.unlink(missing_ok=True)
            removed.append(part)
            free += sizes[part]
            if free > DISK_RESERVE:
                break
        log.info("archive: the disk is full: removed %d partial downloads to make room "
                 "(they are fetched again)", len(removed))
        return removed

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
                             template=template, since=since, limit=limit,
                             name_max=name_max(self.dest))

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
        # A record that could not even be planned (a date past year 9999...) is set aside as
        # unreadable, like one the listing could not read: the others go on.
        unreadable = list(listing.unreadable) + [
            Unreadable(kind, (sources.get(capture.id) or ("metadata",))[0], why,
                       capture.raw if capture.raw is not None else capture.model_dump(mode="json"))
            for capture, kind, why in plan.unplannable]
        if not dry_run:
            with self._lock:
                self.catalogue.record_seen(plan.all(), uploading=[i.id for i in plan.uploading],
                                           sources=sources)
                self.catalogue.record_unreadable(xuid, unreadable)
        return ArchiveReport(self.dest, gamertag, xuid, dry_run, plan, reconciled=reconciled,
                             unreadable=unreadable,
                             source_errors=dict(listing.source_errors), sources=sources)

    # -- one capture --------------------------------------------------------------------------
    def targets(self, item: PlannedCapture) -> tuple[Path, dict[str, Path], Path]:
        """Where ``item``'s media, thumbnails and sidecar go (each checked to stay inside)."""
        thumbs = {size: inside(self.dest, p) for size, p in item.companions.thumbnails.items()}
        return inside(self.dest, item.path), thumbs, inside(self.dest, item.companions.sidecar)

    def check_room(self, item: PlannedCapture) -> None:
        """Before fetching ``item``: is there room for it on the disk, with
        :data:`DISK_RESERVE` to spare?

        Raises:
            DiskError: the disk has less than the reserve free (``disk_full``: nothing more
                fits), or not enough for this capture's reported size (a smaller one may fit).
        """
        media = inside(self.dest, item.path)
        free = free_space(media.parent)
        if free is None:
            return
        if free <= DISK_RESERVE:
            raise DiskError(f"the disk is full: {_size(free)} free on the disk of {self.dest} "
                            f"(a run keeps {_size(DISK_RESERVE)} free for the catalogue); free "
                            f"some space and run again", errno=errno.ENOSPC, path=str(media))
        try:  # a resume needs only the rest; a file complete already, nothing
            have = media.stat().st_size if self._present(item.path, item.size) else (
                part_path(media).stat().st_size)
        except OSError:
            have = 0
        need = max(0, (item.size or 0) - have)
        if need > free - DISK_RESERVE:
            raise DiskError(f"not enough space for it: it needs {_size(need)}, the disk of "
                            f"{self.dest} has {_size(free)} free (keeping "
                            f"{_size(DISK_RESERVE)})", path=str(media))

    def record(self, item: PlannedCapture, saved: SavedCapture, report: ArchiveReport) -> None:
        """Mark ``item`` archived (its files have their final names) and count it."""
        files = [p.relative_to(self.dest).as_posix()
                 for p in (saved.sidecar, *(t.path for t in saved.thumbnails.values()))]
        hashes = {t.path.relative_to(self.dest).as_posix(): t.sha256
                  for t in saved.thumbnails.values()}
        if saved.sidecar_sha256 is not None:
            hashes[saved.sidecar.relative_to(self.dest).as_posix()] = saved.sidecar_sha256
        thumbnail_bytes = sum(t.size for t in saved.thumbnails.values())
        with self._lock:
            self.catalogue.mark_done(item, size=saved.media.size, sha256=saved.media.sha256,
                                     files=files, thumbnail_bytes=thumbnail_bytes,
                                     file_sha256=hashes)
            report.downloaded.append(item)
            report.media_bytes += saved.media.size
            report.thumbnail_bytes += thumbnail_bytes
            fetched = [t for t in saved.thumbnails.values() if t.attempts]
            report.bytes_downloaded += sum(t.size for t in fetched)
            if not saved.reused:
                report.bytes_downloaded += saved.media.size

    def fail(self, item: PlannedCapture, exc: XboxException | OSError | ValueError,
             report: ArchiveReport) -> None:
        """Mark ``item`` failed (it is retried next run) and say why in the report.

        On a full disk, ``item``'s partial files are removed first, so that the failure can
        be recorded and their room is not lost to this run or the next. If the disk is
        still full then (no more than :data:`DISK_RESERVE` free), the run stops
        (:attr:`ArchiveReport.stopped`); if giving back that room was enough, only this
        capture was too large for the room there is (one whose size Xbox Live does not
        state), and the run goes on.
        """
        if isinstance(exc, OSError):  # the archiver's own disk work for this capture
            exc = disk_error(exc, self.dest / item.path.name)
        message = str(exc) or type(exc).__name__
        full = isinstance(exc, DiskError) and exc.disk_full
        with self._lock:
            if full:
                media, thumbs, sidecar = self.targets(item)
                for target in (media, *thumbs.values(), sidecar):
                    part_path(target).unlink(missing_ok=True)
                free = free_space(self.dest)
                where = Path(exc.path).name if isinstance(exc, DiskError) and exc.path else ""
                if free is not None and free > DISK_RESERVE and "wrote" in message:
                    message = (f"the disk ran full while writing {where}: this capture needs "
                               f"more room than the {_size(free)} free; free some space and "
                               f"run again")
                else:
                    if "wrote" in message:  # its partial files went: say where it stopped
                        message = (f"the disk is full (writing {where}); free some space and "
                                   f"run again")
                    if report.stopped is None:
                        report.stopped = message
            log.warning("archive: %s %s failed: %s", item.kind, item.id, message)
            self.catalogue.mark_failed(item.id, message)
            report.failed[item.id] = message

    def starting(self, item: PlannedCapture, report: ArchiveReport) -> bool:
        """Whether to start ``item``: not once the run has stopped (it is then left for the
        next run, in :attr:`ArchiveReport.left`)."""
        with self._lock:
            if report.stopped is None:
                return True
            report.left.append(item)
            return False

    @staticmethod
    def byte_progress(item: PlannedCapture,
                       progress: ArchiveProgress | None) -> Callable[[int, int | None], None] | None:
        if progress is None:
            return None

        def report(done: int, total: int | None) -> None:
            progress(ArchiveEvent("progress", item=item, bytes_done=done, bytes_total=total))

        return report


def _size(count: int) -> str:
    """Bytes in MiB or KiB, for a message."""
    return f"{count / 1048576:.1f} MiB" if count >= 1048576 else f"{count / 1024:.0f} KiB"


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

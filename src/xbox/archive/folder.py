"""Running an archive: reconcile, list, plan, download (concurrently), record.

Crash safety, the invariant every step keeps: a final file name only ever holds verified
bytes (downloads go to ``.part`` files renamed atomically), and a catalogue row is ``done``
only after all its files have their final names. On start, :meth:`Archive.reconcile` resets
``done`` rows whose files are missing or the wrong size, keeps ``.part`` files that a pending
capture will resume, and removes every other ``.part``. A run killed at any moment (SIGKILL
included) and started again therefore finishes with no partial file under a final name, no
duplicate, and a catalogue that matches the disk.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..download import SavedCapture, part_path
from ..exceptions import AuthenticationException, XboxException
from ..models.captures import Capture
from .catalogue import DONE, ArchiveStatus, Catalogue, status
from .planner import DEFAULT_TEMPLATE, Plan, PlannedCapture, companion_paths, plan_captures

if TYPE_CHECKING:
    from .._async.client import AsyncClient
    from .._sync.client import Client

__all__ = [
    "Archive",
    "ArchiveEvent",
    "ArchiveProgress",
    "ArchiveReport",
    "ReconcileReport",
    "archive_user",
    "archive_user_async",
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

    With ``concurrency > 1`` the sync runner calls the callback from worker threads.
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
        reconciled: what the start-of-run check repaired.
    """

    dest: Path
    gamertag: str
    xuid: str
    dry_run: bool
    plan: Plan
    downloaded: list[PlannedCapture] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    bytes_downloaded: int = 0
    reconciled: ReconcileReport = field(default_factory=ReconcileReport)

    @property
    def up_to_date(self) -> list[PlannedCapture]:
        return self.plan.up_to_date

    @property
    def skipped_uploading(self) -> list[PlannedCapture]:
        """Captures still uploading to Xbox Live (no media yet), skipped."""
        return self.plan.uploading

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failed


def _is_xuid(who: str) -> bool:
    return who.isdigit() and len(who) >= 15


def _in_since(capture: Capture, since: datetime | None) -> bool:
    return since is None or capture.recorded is None or capture.recorded >= since


class Archive:
    """An archive folder: media files organised by a path template, plus the catalogue.

    Args:
        dest: the folder (created on the first real run; a dry run creates nothing).

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, dest: str | os.PathLike[str]) -> None:
        self.dest = Path(dest)
        self._catalogue: Catalogue | None = None
        self._lock = threading.Lock()

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

    def __enter__(self) -> Archive:
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
        return plan_captures(captures, gamertag=gamertag, known=known, present=self._present,
                             template=template, since=since, limit=limit)

    def _prepare(self, captures: list[Capture], gamertag: str, *, template: str,
                 since: datetime | None, limit: int | None, dry_run: bool,
                 progress: ArchiveProgress | None) -> tuple[Plan, ReconcileReport]:
        reconciled = ReconcileReport() if dry_run else self.reconcile()
        plan = self.plan(captures, gamertag=gamertag, template=template, since=since, limit=limit,
                         readonly=dry_run)
        if not dry_run:
            self.catalogue.record_seen(plan.all(), uploading=[i.id for i in plan.uploading])
        if progress is not None:
            progress(ArchiveEvent("planned", plan=plan))
        return plan, reconciled

    # -- one capture --------------------------------------------------------------------------
    def _targets(self, item: PlannedCapture) -> tuple[Path, dict[str, Path], Path]:
        def local(rel: PurePosixPath) -> Path:
            return self.dest / Path(*rel.parts)

        thumbs = {size: local(p) for size, p in item.companions.thumbnails.items()}
        return local(item.path), thumbs, local(item.companions.sidecar)

    def _record(self, item: PlannedCapture, saved: SavedCapture, report: ArchiveReport,
                progress: ArchiveProgress | None) -> None:
        files = [p.relative_to(self.dest).as_posix()
                 for p in (saved.sidecar, *(t.path for t in saved.thumbnails.values()))]
        with self._lock:
            self.catalogue.mark_done(item, size=saved.media.size, sha256=saved.media.sha256,
                                     files=files)
            report.downloaded.append(item)
            fetched = [t for t in saved.thumbnails.values() if t.attempts]
            report.bytes_downloaded += sum(t.size for t in fetched)
            if not saved.reused:
                report.bytes_downloaded += saved.media.size
        if progress is not None:
            progress(ArchiveEvent("done", item=item, saved=saved))

    def _fail(self, item: PlannedCapture, exc: XboxException, report: ArchiveReport,
              progress: ArchiveProgress | None) -> None:
        message = str(exc)
        log.warning("archive: %s %s failed: %s", item.kind, item.id, message)
        with self._lock:
            self.catalogue.mark_failed(item.id, message)
            report.failed[item.id] = message
        if progress is not None:
            progress(ArchiveEvent("failed", item=item, message=message))

    @staticmethod
    def _byte_progress(item: PlannedCapture,
                       progress: ArchiveProgress | None) -> Callable[[int, int | None], None] | None:
        if progress is None:
            return None

        def report(done: int, total: int | None) -> None:
            progress(ArchiveEvent("progress", item=item, bytes_done=done, bytes_total=total))

        return report

    # -- sync ---------------------------------------------------------------------------------
    def archive_user(self, client: Client, who: str, *, kinds: Sequence[str] = KINDS,
                     since: datetime | None = None, limit: int | None = None,
                     dry_run: bool = False, concurrency: int = 4,
                     template: str = DEFAULT_TEMPLATE,
                     progress: ArchiveProgress | None = None) -> ArchiveReport:
        """Archive every clip and screenshot of a user into this folder (incremental).

        Args:
            client: a signed-in :class:`xbox.Client`.
            who: a gamertag or an xuid.
            kinds: ``"clip"`` and/or ``"screenshot"``.
            since: only captures recorded at or after this time (naive means UTC).
            limit: download at most this many captures this run (soonest deletion first).
            dry_run: list and plan only; write nothing (no folder, no catalogue).
            concurrency: downloads at once (worker threads).
            template: the path template (``xbox.archive.DEFAULT_TEMPLATE``).
            progress: called with an :class:`ArchiveEvent` as things happen.

        Returns:
            The report; failures of single captures are in ``report.failed``, not raised.

        Raises:
            ValueError: bad arguments or template.
            XboxException: the user could not be found or listed, or sign-in failed.
        """
        kinds, since = _check(kinds, since, concurrency)
        from .._sync.download import save_capture

        xuid, gamertag = self._resolve_sync(client, who)
        captures = self._list_sync(client, xuid, kinds, since)
        plan, reconciled = self._prepare(captures, gamertag, template=template, since=since,
                                         limit=limit, dry_run=dry_run, progress=progress)
        report = ArchiveReport(self.dest, gamertag, xuid, dry_run, plan, reconciled=reconciled)
        if dry_run:
            return report

        def job(item: PlannedCapture) -> None:
            if progress is not None:
                progress(ArchiveEvent("start", item=item, bytes_total=item.size))
            media, thumbs, sidecar = self._targets(item)
            try:
                saved = save_capture(client, item.capture, media, thumbnail_paths=thumbs,
                                     sidecar_path=sidecar,
                                     progress=self._byte_progress(item, progress))
            except AuthenticationException:
                raise  # every other capture would fail the same way
            except XboxException as exc:
                self._fail(item, exc, report, progress)
                return
            self._record(item, saved, report, progress)

        if concurrency == 1 or len(plan.fetch) <= 1:
            for item in plan.fetch:
                job(item)
            return report
        pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="xbox-archive")
        futures: list[Future[None]] = []
        try:
            futures = [pool.submit(job, item) for item in plan.fetch]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for fut in done:
                fut.result()  # re-raise a fatal error (sign-in) in the caller's thread
        finally:
            # On an error or Ctrl-C, queued captures are dropped; running ones finish (their
            # .part files resume next run either way).
            pool.shutdown(wait=True, cancel_futures=True)
        return report

    @staticmethod
    def _resolve_sync(client: Client, who: str) -> tuple[str, str]:
        profile = client.profiles.get(xuid=who) if _is_xuid(who) else client.profiles.get(who)
        return profile.xuid, profile.gamertag or who

    @staticmethod
    def _list_sync(client: Client, xuid: str, kinds: Sequence[str],
                   since: datetime | None) -> list[Capture]:
        out: list[Capture] = []
        for kind in kinds:
            resource: Any = client.clips if kind == "clip" else client.screenshots
            for capture in resource.recent(xuid, page_size=100):
                if not _in_since(capture, since):
                    break  # lists come newest first: everything after is older
                out.append(capture)
        return out

    # -- async --------------------------------------------------------------------------------
    async def archive_user_async(self, client: AsyncClient, who: str, *,
                                 kinds: Sequence[str] = KINDS, since: datetime | None = None,
                                 limit: int | None = None, dry_run: bool = False,
                                 concurrency: int = 4, template: str = DEFAULT_TEMPLATE,
                                 progress: ArchiveProgress | None = None) -> ArchiveReport:
        """:meth:`archive_user` over an :class:`xbox.AsyncClient`; downloads run as tasks,
        at most ``concurrency`` at once, paced by the client's rate-limit governor.

        Args, Returns, Raises: as :meth:`archive_user`.
        """
        kinds, since = _check(kinds, since, concurrency)
        from .._async.download import save_capture

        if _is_xuid(who):
            profile = await client.profiles.get(xuid=who)
        else:
            profile = await client.profiles.get(who)
        xuid, gamertag = profile.xuid, profile.gamertag or who
        captures: list[Capture] = []
        for kind in kinds:
            resource: Any = client.clips if kind == "clip" else client.screenshots
            async for capture in resource.recent(xuid, page_size=100):
                if not _in_since(capture, since):
                    break
                captures.append(capture)
        plan, reconciled = self._prepare(captures, gamertag, template=template, since=since,
                                         limit=limit, dry_run=dry_run, progress=progress)
        report = ArchiveReport(self.dest, gamertag, xuid, dry_run, plan, reconciled=reconciled)
        if dry_run:
            return report
        # Semaphore waiters are woken first come, first served: rescue order holds.
        gate = asyncio.Semaphore(concurrency)

        async def job(item: PlannedCapture) -> None:
            async with gate:
                if progress is not None:
                    progress(ArchiveEvent("start", item=item, bytes_total=item.size))
                media, thumbs, sidecar = self._targets(item)
                try:
                    saved = await save_capture(client, item.capture, media, thumbnail_paths=thumbs,
                                               sidecar_path=sidecar,
                                               progress=self._byte_progress(item, progress))
                except AuthenticationException:
                    raise
                except XboxException as exc:
                    self._fail(item, exc, report, progress)
                    return
                self._record(item, saved, report, progress)

        try:
            async with asyncio.TaskGroup() as group:
                for item in plan.fetch:
                    group.create_task(job(item))
        except BaseExceptionGroup as group_error:
            # One fatal error cancels the rest; hand the caller that error, not a group.
            raise group_error.exceptions[0] from None
        return report


def _check(kinds: Sequence[str], since: datetime | None,
           concurrency: int) -> tuple[tuple[str, ...], datetime | None]:
    chosen = tuple(dict.fromkeys(kinds))
    unknown = [k for k in chosen if k not in KINDS]
    if unknown or not chosen:
        raise ValueError(f"kinds must be among {KINDS}, not {tuple(kinds)!r}")
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return chosen, since


def archive_user(client: Client, who: str, dest: str | os.PathLike[str], **options: Any) -> ArchiveReport:
    """``Archive(dest).archive_user(client, who, **options)``, closing the catalogue after.

    See :meth:`Archive.archive_user` for the options.
    """
    with Archive(dest) as archive:
        return archive.archive_user(client, who, **options)


async def archive_user_async(client: AsyncClient, who: str, dest: str | os.PathLike[str],
                             **options: Any) -> ArchiveReport:
    """``await Archive(dest).archive_user_async(client, who, **options)``, closing after."""
    with Archive(dest) as archive:
        return await archive.archive_user_async(client, who, **options)


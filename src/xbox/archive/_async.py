"""The archiver's run, written once: resolve the user, list, plan, download N at once, record.

This is the source of truth; ``_sync.py`` beside it is generated from it (threads instead of
tasks). Everything that is not network (the catalogue, the disk, the plan) is
:class:`~xbox.archive.folder.ArchiveFolder`'s; blocking parts of it run off the event loop.

Which lists are read: a user's clips and screenshots from the metadata services, and, when
the user is the signed-in one, also from mediahub, which has the captures of newer titles
that the metadata lists leave out. The union is archived, each capture once (by id), and
the catalogue records which lists saw it. A list that cannot be read at all (mediahub
refusing the sign-in) is reported in :attr:`ArchiveReport.source_errors`, never taken for
"no captures".
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .._concurrency import async_each_limited, async_run_blocking
from ..download._async import save_capture
from ..exceptions import AuthenticationException, XboxException
from ..ids import looks_like_xuid
from .folder import (
    KINDS,
    ArchiveEvent,
    ArchiveFolder,
    ArchiveProgress,
    ArchiveReport,
    Listing,
    check_options,
    in_since,
)
from .planner import DEFAULT_TEMPLATE, PlannedCapture

if TYPE_CHECKING:
    from .._async.client import AsyncClient

__all__ = ["AsyncArchive"]


class AsyncArchive(ArchiveFolder):
    """An archive folder and the run that fills it, over an :class:`xbox.AsyncClient`.

    Args:
        dest: the folder (created on the first real run; a dry run creates nothing).
        wait: seconds to wait for another run to let go of the folder (see
            :meth:`~xbox.archive.ArchiveFolder.lock`).

    Use as a context manager (``async with`` or ``with``), or call :meth:`close`.
    """

    async def __aenter__(self) -> AsyncArchive:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.close()

    async def archive_user(self, client: AsyncClient, who: str, *, kinds: Sequence[str] = KINDS,
                           since: datetime | None = None, limit: int | None = None,
                           dry_run: bool = False, concurrency: int = 4,
                           template: str = DEFAULT_TEMPLATE,
                           progress: ArchiveProgress | None = None) -> ArchiveReport:
        """Archive every clip and screenshot of a user into this folder (incremental).

        Args:
            client: a signed-in client.
            who: a gamertag or an xuid.
            kinds: ``"clip"`` and/or ``"screenshot"``.
            since: only captures recorded at or after this time (naive means UTC).
            limit: download at most this many captures this run (soonest deletion first).
            dry_run: list and plan only; write nothing (no folder, no catalogue).
            concurrency: downloads at once.
            template: the path template (``xbox.archive.DEFAULT_TEMPLATE``).
            progress: called with an :class:`~xbox.archive.ArchiveEvent` as things happen.

        Returns:
            The report. Failures of single captures (their downloads, a disk error writing
            their files) are in ``report.failed``, unreadable records in
            ``report.unreadable``, unreadable lists in ``report.source_errors``; none of
            them is raised. A full disk stops the run: ``report.stopped`` says so and
            ``report.left`` holds the captures not started. ``report.ok`` is False when
            any of them happened.

        Raises:
            ValueError: bad arguments or template.
            ArchiveBusy: another run holds the folder (see :meth:`lock`).
            CatalogueError: the catalogue holds a value no run wrote.
            XboxException: the user could not be found or listed, or sign-in failed.
        """
        kinds, since = check_options(kinds, since, concurrency)
        if not dry_run:  # one writer at a time: wait for the folder before listing
            await async_run_blocking(self.lock)
        if looks_like_xuid(who):
            profile = await client.profiles.get(xuid=who)
        else:
            profile = await client.profiles.get(who)
        gamertag = profile.gamertag or who
        listing = await self._list(client, profile.xuid, kinds, since)
        report = await async_run_blocking(self.prepare, listing, gamertag, profile.xuid,
                                          template=template, since=since, limit=limit,
                                          dry_run=dry_run)
        if progress is not None:
            progress(ArchiveEvent("planned", plan=report.plan))
        if dry_run:
            return report

        async def job(item: PlannedCapture) -> None:
            if not self.starting(item, report):
                return  # the run stopped (the disk is full): left for the next run
            if progress is not None:
                progress(ArchiveEvent("start", item=item, bytes_total=item.size))
            try:
                media, thumbs, sidecar = self.targets(item)
                await async_run_blocking(self.check_room, item)
                saved = await save_capture(client, item.capture, media, thumbnail_paths=thumbs,
                                           sidecar_path=sidecar,
                                           progress=self.byte_progress(item, progress))
            except AuthenticationException:
                raise  # every other capture would fail the same way
            except (XboxException, OSError, ValueError) as exc:
                # This capture's own: its download, a disk error writing its files, a name
                # the filesystem refuses. Recorded against it; the run goes on.
                await async_run_blocking(self.fail, item, exc, report)
                if progress is not None:
                    progress(ArchiveEvent("failed", item=item, message=str(exc)))
                return
            await async_run_blocking(self.record, item, saved, report)
            if progress is not None:
                progress(ArchiveEvent("done", item=item, saved=saved))

        await async_each_limited(report.plan.fetch, job, concurrency)
        return report

    async def _list(self, client: AsyncClient, xuid: str, kinds: Sequence[str],
                    since: datetime | None) -> Listing:
        """Every capture of ``xuid`` the lists know, each once."""
        listing = Listing()
        mine = xuid == client.xuid
        for kind in kinds:
            resource: Any = client.clips if kind == "clip" else client.screenshots
            pager = resource.recent(xuid, page_size=100)
            async for capture in pager:
                if not in_since(capture, since):
                    break  # the metadata lists come newest first: everything after is older
                listing.add(capture, "metadata")
            listing.set_aside(kind, "metadata", pager.errors)
            if not mine:
                continue
            hub = resource.mine()
            try:
                async for capture in hub:
                    if in_since(capture, since):  # mediahub's order is not documented
                        listing.add(capture, "mediahub")
            except XboxException as exc:
                listing.source_errors[f"mediahub {kind}s"] = str(exc)
            listing.set_aside(kind, "mediahub", hub.errors)
        return listing


async def archive_user(client: AsyncClient, who: str, dest: str | os.PathLike[str],
                       **options: Any) -> ArchiveReport:
    """``AsyncArchive(dest).archive_user(client, who, **options)``, closing the catalogue after.

    See :meth:`AsyncArchive.archive_user` for the options.
    """
    async with AsyncArchive(dest) as archive:
        return await archive.archive_user(client, who, **options)

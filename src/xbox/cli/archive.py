"""``archive``: mirror users' captures into a folder (incremental, resumable, verified), and
``archive status``: what an archive holds and what is about to be deleted by Xbox Live.

All the deciding (what to fetch, in which order, where it goes) is :mod:`xbox.archive`'s;
this module parses options, shows progress and reports.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .app import EXIT_FAILURE, State, cli, pass_state
from .params import USER, UserRef
from .users import resolve

if TYPE_CHECKING:
    from ..archive import ArchiveEvent, ArchiveReport, ArchiveStatus
    from ..archive.planner import PlannedCapture

_KINDS = {"clips": "clip", "screenshots": "screenshot"}


class _DefaultRunGroup(click.Group):
    """``archive GAMERTAG ...`` runs the archiver; ``archive status ...`` is a subcommand.

    Click groups cannot take arguments and subcommands at once, so anything that is not a
    subcommand's name (or help) is handed to the hidden ``run`` subcommand. A user whose
    gamertag is literally "status" can be archived by xuid.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)


@cli.group(cls=_DefaultRunGroup)
def archive() -> None:
    """Mirror captures into a folder: `xbox archive GAMERTAG... --dest DIR`.

    Incremental (only what is new), resumable (a stopped run continues where it was) and
    verified (sizes and file types are checked). Captures that Xbox Live will delete soonest
    are fetched first. `xbox archive status --dest DIR` shows what is at risk.
    """


def _planned(item: PlannedCapture) -> dict[str, Any]:
    return {"id": item.id, "kind": item.kind, "path": item.path.as_posix(), "size": item.size,
            "recorded": item.recorded, "expires_at": item.expires_at, "saved": item.saved}


def _report_json(report: ArchiveReport) -> dict[str, Any]:
    plan = report.plan
    return {
        "gamertag": report.gamertag, "xuid": report.xuid, "dest": str(report.dest),
        "dry_run": report.dry_run,
        "planned": [_planned(i) for i in plan.fetch],
        "downloaded": [i.id for i in report.downloaded],
        "up_to_date": len(plan.up_to_date), "uploading": len(plan.uploading),
        "deferred": len(plan.deferred), "failed": report.failed,
        "bytes_downloaded": report.bytes_downloaded,
        "reset": report.reconciled.reset,
        "unreadable": [{"kind": u.kind, "source": u.source, "error": u.error}
                       for u in report.unreadable],
        "source_errors": report.source_errors,
    }


@contextlib.contextmanager
def _progress(state: State) -> Iterator[Any]:
    """Progress on stderr, only for a person at a terminal: one bar overall, and one per
    capture while it downloads."""
    if state.out.json_mode or state.out.quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TransferSpeedColumn

    done: dict[str, int] = {}
    files: dict[str, TaskID] = {}
    lock = threading.Lock()  # events come from the archiver's worker threads
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), console=Console(stderr=True), transient=True) as bar:
        overall = bar.add_task("archiving", total=None)

        def on_event(event: ArchiveEvent) -> None:
            with lock:
                item = event.item
                if event.type == "planned" and event.plan is not None:
                    bar.update(overall, total=event.plan.bytes_to_fetch or None)
                elif event.type == "start" and item is not None:
                    files[item.id] = bar.add_task(f"  {item.path.name}", total=event.bytes_total)
                elif event.type == "progress" and item is not None:
                    done[item.id] = event.bytes_done
                    bar.update(overall, completed=sum(done.values()))
                    if item.id in files:
                        bar.update(files[item.id], completed=event.bytes_done)
                elif event.type in ("done", "failed") and item is not None:
                    if item.id in files:
                        bar.remove_task(files.pop(item.id))
                    if event.type == "failed":
                        bar.console.print(f"failed: {item.id}: {event.message}")

        yield on_event


def _human(state: State, report: ArchiveReport) -> None:
    plan = report.plan
    if report.dry_run:
        state.out.table(["ID", "Kind", "Path", "Bytes", "Expires"],
                        [[i.id, i.kind, i.path.as_posix(), i.size, i.expires_at] for i in plan.fetch],
                        title=f"{report.gamertag}: {len(plan.fetch)} captures to fetch "
                              f"({plan.bytes_to_fetch} bytes; dry run, nothing written)")
    else:
        state.out.line(f"{report.gamertag}: {len(report.downloaded)} downloaded "
                       f"({report.bytes_downloaded} bytes), {len(plan.up_to_date)} up to date, "
                       f"{len(plan.uploading)} still uploading, {len(plan.deferred)} left for "
                       f"next time, {len(report.failed)} failed -> {report.dest}")
    for capture_id, reason in report.failed.items():
        state.out.error(f"{capture_id}: {reason}")
    for source, reason in report.source_errors.items():
        state.out.error(f"{report.gamertag}: could not read the {source} ({reason}); captures "
                        "only that list has may be missing from this archive")
    if report.unreadable:
        count = len(report.unreadable)
        state.out.error(f"{report.gamertag}: {count} capture record{'s' if count != 1 else ''} "
                        f"could not be read and {'were' if count != 1 else 'was'} not archived "
                        f"(first: {report.unreadable[0].error}); `xbox archive status` lists them")


@archive.command(hidden=True)
@click.argument("users", nargs=-1, required=True, type=USER, metavar="GAMERTAG|XUID...")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The archive folder.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), default=None,
              help="Only captures recorded on or after this date (UTC).")
@click.option("--dry-run", is_flag=True, help="Show what would be fetched; write nothing.")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="Fetch at most N captures per user this run (soonest deletion first).")
@click.option("--only", type=click.Choice(sorted(_KINDS)), default=None,
              help="Only clips or only screenshots.")
@click.option("-o", "--template", default=None,
              help="Path template inside DEST (default: "
                   "{gamertag}/{title}/{date:%Y-%m-%d}_{time:%H%M%S}_{id}.{ext}).")
@click.option("--concurrency", type=click.IntRange(1, 16), default=4, show_default=True,
              help="Downloads at once.")
@pass_state
def run(state: State, users: Sequence[UserRef], dest: Path, since: datetime | None, dry_run: bool,
        limit: int | None, only: str | None, template: str | None, concurrency: int) -> None:
    """Archive users' clips and screenshots into DEST."""
    from ..archive import DEFAULT_TEMPLATE, Archive

    client = state.client()
    kinds = (_KINDS[only],) if only else ("clip", "screenshot")
    reports: list[ArchiveReport] = []
    for who in users:
        # Resolving here first gives a mistyped gamertag its "did you mean" suggestions.
        xuid = who.xuid or resolve(client, who).xuid
        with Archive(dest) as folder, _progress(state) as progress:
            report = folder.archive_user(client, xuid, kinds=kinds, since=since, limit=limit,
                                         dry_run=dry_run, concurrency=concurrency,
                                         template=template or DEFAULT_TEMPLATE, progress=progress)
        reports.append(report)
        if not state.out.json_mode:
            _human(state, report)
    if state.out.json_mode:
        state.out.json([_report_json(r) for r in reports])
    if not all(r.ok for r in reports):
        # Failed captures are retried next run, unreadable records and lists are reported:
        # a non-zero exit tells cron that the archive is not complete.
        click.get_current_context().exit(EXIT_FAILURE)


def _status_json(report: ArchiveStatus) -> dict[str, Any]:
    return {
        "total": report.total, "archived": report.archived,
        "archived_bytes": report.archived_bytes, "pending": report.pending,
        "failed": report.failed, "uploading": report.uploading,
        "within_days": report.within_days,
        "at_risk": [{"id": r.id, "kind": r.kind, "gamertag": r.gamertag, "title": r.title,
                     "status": r.status, "expires_at": r.expires_at,
                     "days_left": r.days_left(report.now), "error": r.error}
                    for r in report.at_risk],
        "unreadable": [{"kind": u.kind, "source": u.source, "error": u.error, "body": u.body}
                       for u in report.unreadable],
    }


@archive.command()
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The archive folder.")
@click.option("--within", "within_days", type=click.FloatRange(min=0), default=7, show_default=True,
              metavar="DAYS", help="Captures expiring within DAYS count as at risk.")
@pass_state
def status(state: State, dest: Path, within_days: float) -> None:
    """Show what an archive holds and which captures are about to be deleted (offline)."""
    from ..archive import CATALOGUE_NAME
    from ..archive import status as archive_status

    if not (dest / CATALOGUE_NAME).is_file():
        state.out.info(f"{dest} is not an archive yet (no {CATALOGUE_NAME}); "
                       f"run `xbox archive GAMERTAG --dest {dest}`")
    report = archive_status(dest, within_days=within_days)
    if state.out.json_mode:
        state.out.json(_status_json(report))
        return
    state.out.fields([
        ("Captures known", report.total), ("Archived", report.archived),
        ("Archived bytes", report.archived_bytes), ("Pending", report.pending),
        ("Failed", report.failed), ("Still uploading", report.uploading),
        (f"At risk ({within_days:g} days)", len(report.at_risk)),
        ("Unreadable records", len(report.unreadable)),
    ], title=str(dest))
    if report.at_risk:
        state.out.table(["ID", "Kind", "Gamertag", "Title", "Status", "Days left"],
                        [[r.id, r.kind, r.gamertag, r.title, r.status,
                          f"{r.days_left(report.now):.1f}" if r.days_left(report.now) is not None
                          else ""] for r in report.at_risk],
                        title="At risk, soonest deletion first")
    if report.unreadable:
        state.out.table(["Kind", "Source", "Why it could not be read"],
                        [[u.kind, u.source, u.error] for u in report.unreadable],
                        title="Records the last runs could not read (not archived)")

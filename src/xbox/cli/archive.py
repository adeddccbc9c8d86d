"""``archive``: mirror users' captures into a folder (incremental, resumable, verified), and
``archive status``: what an archive holds and what Xbox Live is about to delete
(``archive verify`` is in :mod:`.archive_verify`).

All the deciding (what to fetch, in which order, where it goes) is :mod:`xbox.archive`'s;
this module parses options, shows progress and reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..exceptions import NotFoundException
from .app import EXIT_FAILURE, EXIT_NOT_FOUND, State, pass_state
from .app import cli as root
from .groups import DefaultGroup, default_of
from .output import Bytes, Col, human_bytes
from .params import SINCE, USER, UserRef
from .progress import archive_bars
from .users import resolve

if TYPE_CHECKING:
    from ..archive import ArchiveReport, ArchiveStatus
    from ..archive.planner import PlannedCapture

_KINDS = {"clips": "clip", "screenshots": "screenshot"}
class _ArchiveGroup(DefaultGroup):
    """``archive GAMERTAG ...`` runs the archiver; ``archive status|verify`` are subcommands.

    Click groups cannot take arguments and subcommands at once, so any word that is not a
    subcommand's name (or help) goes to the default command, whose options this group's
    help lists as its own. A user whose gamertag is literally "status" or "verify" can be
    archived by xuid. Unlike other default groups, a bare ``xbox archive`` is not a run:
    it shows the usage (there is nobody to archive).
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args:
            return click.Group.parse_args(self, ctx, args)
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] GAMERTAG|XUID... --dest DIR")
        formatter.write_usage(ctx.command_path, "status|verify --dest DIR [OPTIONS]", prefix="   or: ")


@root.group(cls=_ArchiveGroup, invoke_without_command=False)
def archive() -> None:
    """Mirror users' captures into a folder: `xbox archive GAMERTAG... --dest DIR`.

    Incremental (only what is new), resumable (a stopped run continues where it was) and
    verified (sizes, signatures and checksums). Captures that Xbox Live will delete soonest
    are fetched first. Every run writes DIR/index.html, a gallery to open in a browser.
    `xbox archive status --dest DIR` shows what is at risk, `xbox archive verify --dest DIR`
    re-reads every file.

    Exit codes: 1 when a capture failed, a record or a list could not be read (retried next
    run); 3 when a user does not exist (the others are archived all the same); 130 on Ctrl-C
    (run the same command again to resume).
    """


# -- reports --------------------------------------------------------------------------------

def _planned(item: PlannedCapture) -> dict[str, Any]:
    return {"id": item.id, "kind": item.kind, "title": item.title, "path": item.path.as_posix(),
            "size": item.size, "recorded": item.recorded, "expires_at": item.expires_at,
            "saved": item.saved}


def _report_json(user: str, report: ArchiveReport | None, *, error: str | None = None,
                 gallery: Path | None = None) -> dict[str, Any]:
    """One user's outcome; the same keys whether the user was found or not."""
    plan = report.plan if report is not None else None
    return {
        "user": user,
        "found": report is not None,
        "error": error,
        "gamertag": report.gamertag if report else None,
        "xuid": report.xuid if report else None,
        "dest": str(report.dest) if report else None,
        "dry_run": report.dry_run if report else None,
        "planned": [_planned(i) for i in plan.fetch] if plan else [],
        "downloaded": [i.id for i in report.downloaded] if report else [],
        "up_to_date": len(plan.up_to_date) if plan else 0,
        "uploading": len(plan.uploading) if plan else 0,
        "deferred": len(plan.deferred) if plan else 0,
        "failed": report.failed if report else {},
        "media_bytes": report.media_bytes if report else 0,
        "thumbnail_bytes": report.thumbnail_bytes if report else 0,
        "bytes_downloaded": report.bytes_downloaded if report else 0,
        "reset": report.reconciled.reset if report else [],
        "unreadable": [{"kind": u.kind, "source": u.source, "error": u.error}
                       for u in report.unreadable] if report else [],
        "source_errors": report.source_errors if report else {},
        "gallery": str(gallery) if gallery is not None else None,
    }


def _summary(report: ArchiveReport) -> str:
    """One line per user; its byte counts are the ones ``archive status`` adds up."""
    plan = report.plan
    return (f"{report.gamertag}: {len(report.downloaded)} archived "
            f"({human_bytes(report.media_bytes)} media, "
            f"{human_bytes(report.thumbnail_bytes)} thumbnails), {len(plan.up_to_date)} up to "
            f"date, {len(plan.uploading)} still uploading, {len(plan.deferred)} left for next "
            f"time, {len(report.failed)} failed")


def _human(state: State, report: ArchiveReport) -> None:
    plan = report.plan
    if report.dry_run:
        unknown = sum(1 for i in plan.fetch if i.size is None)
        size = human_bytes(plan.bytes_to_fetch) + (f" + {unknown} of unknown size" if unknown else "")
        state.out.table(
            [Col("ID"), Col("Kind"), Col("Title", free=True), Col("Size", right=True),
             Col("Expires"), Col("Path", free=True, optional=True)],
            [[i.id, i.kind, i.title, Bytes(i.size) if i.size is not None else None, i.expires_at,
              i.path.as_posix()] for i in plan.fetch],
            title=f"{report.gamertag}: {len(plan.fetch)} captures to fetch ({size}; dry run, "
                  "nothing written)")
    else:
        state.out.line(_summary(report))
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


def write_gallery_for(state: State, dest: Path) -> Path | None:
    """The gallery page after a run; a failure to write it never hides the run's outcome."""
    # (xbox.archive loads with the command that uses it: not for `xbox --help`)
    from ..archive import CATALOGUE_NAME, write_gallery

    if not (dest / CATALOGUE_NAME).is_file():
        return None
    try:
        return write_gallery(dest)
    except OSError as exc:
        state.out.error(f"could not write the gallery {dest / 'index.html'}: {exc.strerror or exc}")
        return None


# -- xbox archive GAMERTAG... ---------------------------------------------------------------

dest_option = click.option("--dest", type=click.Path(file_okay=False, path_type=Path), required=True,
                     metavar="DIR", help="The archive folder.")


@default_of(archive)
@click.argument("users", nargs=-1, required=True, type=USER, metavar="GAMERTAG|XUID...")
@dest_option
@click.option("--since", type=SINCE, default=None,
              help="Only captures recorded since then: 2026-10-30, 2026-10-30T12:00:00Z (or an "
                   "offset), 7d, 2w, 12h, yesterday.")
@click.option("--dry-run", is_flag=True, help="Show what would be fetched; write nothing.")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="Fetch at most N captures per user this run (soonest deletion first).")
@click.option("--only", type=click.Choice(sorted(_KINDS)), default=None,
              help="Only clips or only screenshots.")
@click.option("-o", "--template", default=None, metavar="TEMPLATE",
              help="Path template inside DIR (default: "
                   "{gamertag}/{title}/{date:%Y-%m-%d}_{time:%H%M%S}_{id}.{ext}).")
@click.option("--concurrency", type=click.IntRange(1, 16), default=4, show_default=True,
              metavar="N", help="Downloads at once.")
@click.option("--follow", is_flag=True,
              help="Keep running: archive new captures as they appear (Ctrl-C stops).")
@click.option("--interval", type=click.FloatRange(min=1), default=60.0, show_default=True,
              metavar="SECONDS",
              help="With --follow: seconds between looks for new captures, at the least "
                   "(longer when the rate limits ask for it).")
@pass_state
def run(state: State, users: Sequence[UserRef], dest: Path, since: datetime | None, dry_run: bool,
        limit: int | None, only: str | None, template: str | None, concurrency: int,
        follow: bool, interval: float) -> None:
    """Archive users' clips and screenshots into DIR."""
    # (xbox.archive loads with the command that uses it: not for `xbox --help`)
    from ..archive import DEFAULT_TEMPLATE, Archive

    if follow and dry_run:
        raise click.UsageError("--follow archives new captures: it cannot be a --dry-run")
    state.resumable = True
    client = state.client()
    kinds = (_KINDS[only],) if only else ("clip", "screenshot")
    reports: list[tuple[str, ArchiveReport]] = []
    unknown: list[tuple[str, str]] = []
    gallery: Path | None = None
    found: dict[str, str] = {}  # xuid -> the user as typed
    try:
        with Archive(dest) as folder:
            for who in users:
                try:
                    # Resolving first gives a mistyped gamertag its "did you mean" suggestions,
                    # and lets a run go on past a user who does not exist.
                    xuid = resolve(client, who).xuid
                except NotFoundException as exc:
                    unknown.append((str(who), str(exc)))
                    continue
                found[xuid] = str(who)
                with archive_bars(state, str(who), dry_run=dry_run) as progress:
                    report = folder.archive_user(client, xuid, kinds=kinds, since=since,
                                                 limit=limit, dry_run=dry_run,
                                                 concurrency=concurrency,
                                                 template=template or DEFAULT_TEMPLATE,
                                                 progress=progress)
                reports.append((str(who), report))
                if not state.out.json_mode:
                    _human(state, report)
    finally:
        if not dry_run:
            gallery = write_gallery_for(state, dest)
    if state.out.json_mode and follow:  # JSON lines: one report per run, as each ends
        for user, r in reports:
            _json_line(_report_json(user, r, gallery=gallery))
        for user, why in unknown:
            _json_line(_report_json(user, None, error=why))
    elif state.out.json_mode:
        state.out.json([_report_json(user, r, gallery=gallery) for user, r in reports]
                       + [_report_json(user, None, error=why) for user, why in unknown])
    elif gallery is not None:
        state.out.line(f"gallery: {gallery}")
    for _user, why in unknown:
        state.out.error(why)
    if follow and found:
        from .follow import follow_captures

        follow_captures(state, client, dest, found, kinds=kinds, since=since,
                        template=template or DEFAULT_TEMPLATE, concurrency=concurrency,
                        interval=interval, report=_follow_report)
    if not all(r.ok for _, r in reports):
        # Failed captures are retried next run, unreadable records and lists are reported:
        # a non-zero exit tells cron that the archive is not complete.
        click.get_current_context().exit(EXIT_FAILURE)
    if unknown:
        click.get_current_context().exit(EXIT_NOT_FOUND)


def _json_line(document: dict[str, Any]) -> None:
    import json

    from .output import to_jsonable

    click.echo(json.dumps(to_jsonable(document), ensure_ascii=False, default=str))


def _follow_report(state: State, user: str, report: ArchiveReport) -> None:
    """After one run of ``--follow``: the gallery written again, and the run's outcome."""
    gallery = write_gallery_for(state, report.dest)
    if state.out.json_mode:
        _json_line(_report_json(user, report, gallery=gallery))
    else:
        _human(state, report)


# -- xbox archive status --------------------------------------------------------------------

def _risk_json(report: ArchiveStatus) -> list[dict[str, Any]]:
    out = []
    for r in report.at_risk:
        left = r.days_left(report.now)
        overdue = r.overdue(report.now)
        out.append({"id": r.id, "kind": r.kind, "gamertag": r.gamertag, "title": r.title,
                    "status": r.status, "expires_at": r.expires_at,
                    "days_left": None if left is None or overdue else round(left, 2),
                    "overdue": overdue, "still_listed": r.still_listed,
                    "retention": r.retention(report.now), "listed": r.listed, "error": r.error})
    return out


def _status_json(dest: Path, report: ArchiveStatus) -> dict[str, Any]:
    return {
        "dest": str(dest),
        "total": report.total, "archived": report.archived,
        "media_bytes": report.archived_bytes, "thumbnail_bytes": report.thumbnail_bytes,
        "archived_bytes": report.archived_bytes,
        "pending": report.pending, "failed": report.failed, "uploading": report.uploading,
        "within_days": report.within_days,
        "overdue_still_listed": len(report.overdue_still_listed),
        "at_risk": _risk_json(report),
        "unreadable": [{"kind": u.kind, "source": u.source, "error": u.error, "body": u.body}
                       for u in report.unreadable],
    }


@archive.command()
@dest_option
@click.option("--within", "within_days", type=click.FloatRange(min=0), default=7, show_default=True,
              metavar="DAYS", help="Captures expiring within DAYS count as at risk.")
@pass_state
def status(state: State, dest: Path, within_days: float) -> None:
    """Show what an archive holds and which captures are about to be deleted (offline)."""
    # (xbox.archive loads with the command that uses it: not for `xbox --help`)
    from ..archive import CATALOGUE_NAME
    from ..archive import status as archive_status

    if not (dest / CATALOGUE_NAME).exists():
        state.out.info(f"{dest} is not an archive yet (no {CATALOGUE_NAME}); "
                       f"run `xbox archive GAMERTAG --dest {dest}`")
    report = archive_status(dest, within_days=within_days)
    if state.out.json_mode:
        state.out.json(_status_json(dest, report))
        return
    state.out.fields([
        ("Captures known", report.total), ("Archived", report.archived),
        ("Media", Bytes(report.archived_bytes)), ("Thumbnails", Bytes(report.thumbnail_bytes)),
        ("Pending", report.pending), ("Failed", report.failed),
        ("Still uploading", report.uploading),
        (f"At risk ({within_days:g} days)", len(report.at_risk)),
        ("Overdue, still listed", len(report.overdue_still_listed)),
        ("Unreadable records", len(report.unreadable)),
    ], title=str(dest))
    if report.at_risk:
        state.out.line("")
        state.out.table([Col("ID"), Col("Kind", optional=True), Col("Gamertag", optional=True),
                         Col("Title", free=True), Col("Status", optional=True),
                         Col("Retention")],
                        [[r.id, r.kind, r.gamertag, r.title, r.status, r.retention(report.now)]
                         for r in report.at_risk],
                        title="At risk, soonest deletion first")
    if report.unreadable:
        state.out.line("")
        state.out.table([Col("Kind"), Col("Source"), Col("Why it could not be read", free=True)],
                        [[u.kind, u.source, u.error] for u in report.unreadable],
                        title="Records the last runs could not read (not archived)")

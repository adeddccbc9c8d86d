"""``archive verify``: re-read every archived file against the catalogue and, with
``--repair``, fetch the damaged and missing ones again through the archiver."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .app import EXIT_FAILURE, State, pass_state
from .archive import archive, dest_option, wait_option, write_gallery_for
from .output import Col, human_bytes
from .progress import archive_bars, hashing_bar

if TYPE_CHECKING:
    from ..archive import Archive
    from ..archive.verify import VerifyReport


def _verify_json(report: VerifyReport, repaired: list[str] | None) -> dict[str, Any]:
    return {"dest": str(report.dest), "captures": report.captures, "files": report.files,
            "bytes": report.bytes, "ok": report.ok,
            "problems": [{"id": p.id, "xuid": p.xuid, "path": p.path, "problem": p.problem,
                          "reason": p.reason} for p in report.problems],
            "repaired": repaired}


def _repair(state: State, dest: Path, report: VerifyReport, concurrency: int,
            wait: float) -> list[str]:
    """Set damaged files aside and fetch every problem capture again, through the archiver
    (holding the folder from the first file moved: one writer at a time)."""
    # (xbox.archive loads with the command that uses it: not for `xbox --help`)
    from ..archive import Archive
    from ..archive.verify import set_aside

    with Archive(dest, wait=wait) as folder:
        folder.lock(on_wait=state.out.info)
        set_aside(dest, report.problems)
        return _fetch_again(state, folder, report, concurrency)


def _fetch_again(state: State, folder: Archive, report: VerifyReport,
                 concurrency: int) -> list[str]:
    owners: dict[str, list[str]] = {}
    for p in report.problems:
        if not p.xuid:
            state.out.error(f"{p.id}: cannot fetch it again: the catalogue does not say whose it is")
            continue
        owners.setdefault(p.xuid, [])
        if p.id not in owners[p.xuid]:
            owners[p.xuid].append(p.id)
    client = state.client()
    repaired: list[str] = []
    folder.repairing(i for ids in owners.values() for i in ids)
    for xuid, _ids in owners.items():
        with archive_bars(state, f"repair {xuid}") as progress:
            result = folder.archive_user(client, xuid, concurrency=concurrency,
                                         progress=progress)
        repaired += [i.id for i in result.downloaded]
        for capture_id, reason in result.failed.items():
            state.out.error(f"{capture_id}: could not fetch it again: {reason}")
        if result.stopped:
            state.out.error(f"stopped: {result.stopped}")
            break
    return repaired


@archive.command()
@dest_option
@click.option("--repair", is_flag=True,
              help="Fetch damaged and missing files again (damaged ones are kept as NAME.damaged).")
@click.option("--concurrency", type=click.IntRange(1, 16), default=4, show_default=True,
              metavar="N", help="Downloads at once, with --repair.")
@wait_option
@pass_state
def verify(state: State, dest: Path, repair: bool, concurrency: int, wait: float) -> None:
    """Re-read every archived file and compare it with the catalogue (sha256 of each media
    file; thumbnails and sidecars present and readable). Exit code 1 if anything is wrong."""
    # (xbox.archive loads with the command that uses it: not for `xbox --help`)
    from ..archive import CATALOGUE_NAME
    from ..archive.folder import inside
    from ..archive.verify import DAMAGED_SUFFIX, Problem
    from ..archive.verify import verify as verify_archive

    if not (dest / CATALOGUE_NAME).exists():
        state.out.error(f"{dest} is not an archive (no {CATALOGUE_NAME})")
        click.get_current_context().exit(EXIT_FAILURE)
    if repair:
        state.resumable = True
    with hashing_bar(state) as progress:
        report = verify_archive(dest, progress=progress)
    repaired: list[str] | None = None
    first = report
    if repair and report.problems:
        repaired = _repair(state, dest, report, concurrency, wait)
        with hashing_bar(state) as progress:
            report = verify_archive(dest, progress=progress)
        # A capture that could not be fetched again is no longer archived, so the second
        # pass does not see it: it is still a problem, and its damaged bytes are kept.
        fixed = set(repaired) - set(report.damaged_ids)
        for p in first.problems:
            kept = inside(dest, p.path + DAMAGED_SUFFIX) if p.path else None
            if p.id in fixed:
                if kept is not None:
                    kept.unlink(missing_ok=True)  # not needed once the file is whole again
            elif p.id not in report.damaged_ids:
                why = "not fetched again" + (f"; the damaged copy is kept as {kept.name}"
                                             if kept is not None and kept.exists() else "")
                report.problems.append(Problem(p.id, p.xuid, p.path, p.problem, why))
        write_gallery_for(state, dest)
    if state.out.json_mode:
        state.out.json(_verify_json(report, repaired))
    else:
        shown = first.problems if repair else report.problems
        if shown:
            state.out.table([Col("ID"), Col("Problem"), Col("Path", free=True),
                             Col("Why", free=True)],
                            [[p.id, p.problem, p.path, p.reason] for p in shown],
                            title="Damaged or missing files" + (" (before repair)" if repair else ""))
        damaged = sum(1 for p in report.problems if p.problem == "damaged")
        missing = len(report.problems) - damaged
        line = (f"{dest}: checked {report.captures} captures ({report.files} files, "
                f"{human_bytes(report.bytes)}): ")
        line += "all intact" if report.ok else f"{damaged} damaged, {missing} missing"
        if repaired is not None:
            line += f"; {len(repaired)} fetched again"
        state.out.line(line)
        if not report.ok and not repair:
            state.out.info(f"run `xbox archive verify --dest {dest} --repair` to fetch them again")
    if not report.ok:
        click.get_current_context().exit(EXIT_FAILURE)

"""Checking an archive against its catalogue: is every archived file still what was saved?

Disks rot, sync tools mangle, people edit files by mistake. A run's own start-of-run check
(:meth:`~xbox.archive.Archive.reconcile`) only compares sizes, which is cheap but blind to a
file damaged in place. :func:`verify` reads every byte: each file (media, thumbnails,
sidecar) is hashed and compared with the sha256 the catalogue recorded when it was saved;
thumbnails must still be images and sidecars JSON (all a row archived before companions'
checksums were recorded can be held to). A capture that was archived and has since been set
back to pending (its files went missing or bad, and fetching it again has not worked yet)
is a problem too, never "intact". Nothing is changed; :func:`set_aside` then moves damaged
files out of the way so that a run (``xbox archive verify --repair``) fetches them again.
Every path comes from the catalogue and is checked to stay inside the folder first.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..download import magic_problem
from .catalogue import DONE, Catalogue, CatalogueRow
from .folder import inside

__all__ = ["DAMAGED_SUFFIX", "Problem", "VerifyReport", "set_aside", "verify"]

#: A damaged file moved out of the way keeps its bytes under ``NAME.damaged``.
DAMAGED_SUFFIX = ".damaged"
_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """One archived file that is not what the catalogue says.

    Attributes:
        id: the capture.
        xuid: its owner.
        path: the file, relative to the archive folder.
        problem: ``"missing"`` or ``"damaged"`` (a capture no longer archived, whose
            files went missing or bad and could not be fetched again, is ``"missing"``).
        reason: in a sentence (``"sha256 differs from the catalogue's"``).
    """

    id: str
    xuid: str | None
    path: str
    problem: str
    reason: str


@dataclass
class VerifyReport:
    """The outcome of :func:`verify`.

    Attributes:
        dest: the archive folder.
        captures: archived captures checked.
        files: files checked (media, thumbnails, sidecars).
        bytes: bytes read.
        problems: every missing or damaged file, in catalogue order.
    """

    dest: Path
    captures: int = 0
    files: int = 0
    bytes: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def damaged_ids(self) -> list[str]:
        """The captures with any problem, each once."""
        return list(dict.fromkeys(p.id for p in self.problems))


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _check_media(dest: Path, row: CatalogueRow) -> tuple[str | None, int]:
    """Why the media file is wrong (None: it is right), and the bytes read."""
    assert row.path is not None
    path = inside(dest, row.path)
    if not path.is_file():
        return "missing", 0
    digest, size = _sha256(path)
    if row.size is not None and size != row.size:
        return f"damaged: {size} bytes, the catalogue says {row.size}", size
    if row.sha256 and digest != row.sha256:
        return "damaged: its sha256 differs from the one recorded when it was saved", size
    return None, size


def _check_companion(dest: Path, rel: str, kind: str,
                     recorded: str | None) -> tuple[str | None, int]:
    path = inside(dest, rel)
    if not path.is_file():
        return "missing", 0
    if recorded is not None:  # its checksum was recorded when it was saved: the strict test
        digest, size = _sha256(path)
        if digest != recorded:
            return "damaged: its sha256 differs from the one recorded when it was saved", size
        return None, size
    size = path.stat().st_size
    if rel.endswith(".json"):
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            return "damaged: the sidecar is not JSON", size
        return None, size
    with path.open("rb") as fh:
        head = fh.read(64)
    problem = magic_problem(head, kind, thumbnail=True)
    return (f"damaged: {problem}" if problem else None), size


def verify(dest: str | os.PathLike[str], *,
           progress: Callable[[int, int], None] | None = None) -> VerifyReport:
    """Re-read every file of an archive and compare it with the catalogue (offline).

    Media files are hashed and compared with the sha256 recorded when they were saved (a
    file damaged in place, same size, is found); thumbnails must be present and images,
    sidecars present and JSON.

    Args:
        dest: the archive folder.
        progress: called as ``progress(captures_done, captures_total)``.

    Returns:
        What was checked and every problem found. Nothing is changed.
    """
    folder = Path(dest)
    report = VerifyReport(folder)
    with Catalogue(folder, readonly=True) as cat:
        everything = cat.rows()
    rows = [r for r in everything if r.status == DONE and r.path]
    for row in everything:
        if row.status != DONE and row.lost is not None:
            # Archived once; its files went bad and it was not fetched again (yet).
            why = f"no longer archived: {row.lost}"
            why += f"; fetching it again failed: {row.error}" if row.error else (
                "; not fetched again yet")
            kept = inside(folder, row.path + DAMAGED_SUFFIX) if row.path else None
            if kept is not None and kept.is_file():
                why += f"; the damaged copy is kept as {kept.name}"
            report.problems.append(Problem(row.id, row.xuid, row.path or "", "missing", why))
    for done, row in enumerate(rows, 1):
        report.captures += 1
        checks: list[tuple[str, tuple[str | None, int]]] = [
            (row.path or "", _check_media(folder, row))]
        checks += [(rel, _check_companion(folder, rel, row.kind, row.file_sha256.get(rel)))
                   for rel in row.files]
        for rel, (reason, size) in checks:
            report.files += 1
            report.bytes += size
            if reason is not None:
                report.problems.append(Problem(row.id, row.xuid, rel,
                                               "missing" if reason == "missing" else "damaged",
                                               reason))
        if progress is not None:
            progress(done, len(rows))
    return report


def set_aside(dest: str | os.PathLike[str], problems: Iterable[Problem]) -> list[Path]:
    """Move damaged files to ``NAME.damaged`` so that the next run fetches them again
    (their bytes are kept, never deleted). Returns where they went.

    Raises:
        ValueError: a problem's path would leave ``dest`` (nothing is moved for it).
    """
    folder = Path(dest)
    moved = []
    for p in problems:
        if p.problem != "damaged":
            continue
        path = inside(folder, p.path)  # a problem's path came from the catalogue
        aside = path.with_name(path.name + DAMAGED_SUFFIX)
        os.replace(path, aside)
        moved.append(aside)
    return moved

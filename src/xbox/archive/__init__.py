"""The capture archiver: never lose a clip to Xbox Live's 90-day deletion again.

    import xbox
    from xbox.archive import Archive

    with xbox.Client() as xbl, Archive("~/XboxCaptures") as archive:
        report = archive.archive_user(xbl, "JoeAlcorn")   # incremental, resumable, verified
        report.downloaded, report.failed                  # what was saved, what went wrong
    xbox.archive.status("~/XboxCaptures").at_risk         # what Xbox may delete soon
    xbox.archive.verify("~/XboxCaptures").problems        # files damaged since (sha256)
    xbox.archive.write_gallery("~/XboxCaptures")          # index.html, to browse them

With an :class:`xbox.AsyncClient`, use :class:`AsyncArchive` the same way (``await``).

Modules: :mod:`~xbox.archive.planner` (pure: paths, rescue order, retention assumptions),
:mod:`~xbox.archive.catalogue` (the SQLite catalogue and :func:`status`),
:mod:`~xbox.archive.folder` (the folder: reconcile, plan, record; the run's report),
:mod:`~xbox.archive.verify` (re-reading every file), :mod:`~xbox.archive.gallery` (the
``index.html`` page). The run itself is ``_async.py`` (:class:`AsyncArchive`), and its
twin ``_sync.py`` (:class:`Archive`), generated from it.
"""

from __future__ import annotations

from ._async import AsyncArchive
from ._sync import Archive, archive_user
from .catalogue import CATALOGUE_NAME, ArchiveStatus, Catalogue, CatalogueRow, Unreadable, status
from .folder import ArchiveEvent, ArchiveFolder, ArchiveProgress, ArchiveReport, ReconcileReport
from .gallery import GALLERY_DATA, GALLERY_NAME, GalleryUpdate, render_gallery, update_gallery, write_gallery
from .planner import (
    DEFAULT_TEMPLATE,
    SAVED_RETENTION,
    UNSAVED_RETENTION,
    Plan,
    PlannedCapture,
    expires_at,
    plan_captures,
    render_path,
)
from .verify import Problem, VerifyReport, verify

__all__ = [
    "CATALOGUE_NAME",
    "DEFAULT_TEMPLATE",
    "GALLERY_DATA",
    "GALLERY_NAME",
    "SAVED_RETENTION",
    "UNSAVED_RETENTION",
    "Archive",
    "ArchiveEvent",
    "ArchiveFolder",
    "ArchiveProgress",
    "ArchiveReport",
    "ArchiveStatus",
    "AsyncArchive",
    "Catalogue",
    "CatalogueRow",
    "GalleryUpdate",
    "Plan",
    "PlannedCapture",
    "Problem",
    "ReconcileReport",
    "Unreadable",
    "VerifyReport",
    "archive_user",
    "expires_at",
    "plan_captures",
    "render_gallery",
    "render_path",
    "status",
    "update_gallery",
    "verify",
    "write_gallery",
]


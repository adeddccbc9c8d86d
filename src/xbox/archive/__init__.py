"""The capture archiver: never lose a clip to Xbox Live's 90-day deletion again.

    import xbox
    from xbox.archive import Archive

    with xbox.Client() as xbl, Archive("~/XboxCaptures") as archive:
        report = archive.archive_user(xbl, "JoeAlcorn")   # incremental, resumable, verified
        report.downloaded, report.failed                  # what was saved, what went wrong
    xbox.archive.status("~/XboxCaptures").at_risk         # what Xbox may delete soon

Modules: :mod:`~xbox.archive.planner` (pure: paths, rescue order, retention assumptions),
:mod:`~xbox.archive.catalogue` (the SQLite catalogue and :func:`status`),
:mod:`~xbox.archive.runner` (:class:`Archive`: reconcile, list, plan, download, record).
"""

from __future__ import annotations

from .catalogue import CATALOGUE_NAME, ArchiveStatus, Catalogue, CatalogueRow, status
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
from .runner import (
    Archive,
    ArchiveEvent,
    ArchiveProgress,
    ArchiveReport,
    ReconcileReport,
    archive_user,
    archive_user_async,
)

__all__ = [
    "CATALOGUE_NAME",
    "DEFAULT_TEMPLATE",
    "SAVED_RETENTION",
    "UNSAVED_RETENTION",
    "Archive",
    "ArchiveEvent",
    "ArchiveProgress",
    "ArchiveReport",
    "ArchiveStatus",
    "Catalogue",
    "CatalogueRow",
    "Plan",
    "PlannedCapture",
    "ReconcileReport",
    "archive_user",
    "archive_user_async",
    "expires_at",
    "plan_captures",
    "render_path",
    "status",
]

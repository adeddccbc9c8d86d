"""Streamed, resumable, verified download of clips, screenshots and their thumbnails.

    with xbox.Client() as xbl:
        result = xbl.download(clip, "clip.mp4", progress=print)   # a DownloadResult
        xbox.download.existing(clip, "clip.mp4")                 # there already, whole?

The unit, one module per concern:

* :mod:`~xbox.download.rules`: pure: the results, when a signed URL is refreshed, what a
  media host's answer means, whether bytes are media, whether a file is complete;
* :mod:`~xbox.download.disk`: the blocking disk work: ``.part`` files, hashing, fsync, the
  atomic rename, sidecars, the files already there;
* ``_async.py``: the loop over the client's one send path (``xbl.download`` and the
  archiver's ``save_capture``), and ``_sync.py``, generated from it.
"""

from __future__ import annotations

from .disk import DownloadState, existing, set_capture_time
from .rules import (
    DEFAULT_CHUNK_SIZE,
    REFRESH_MARGIN,
    DownloadResult,
    MediaAnswer,
    Pieces,
    ProgressCallback,
    SavedCapture,
    complete,
    content_type_problem,
    extension_for,
    locator,
    magic_problem,
    media_answer,
    needs_refresh,
    part_path,
)

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "REFRESH_MARGIN",
    "DownloadResult",
    "DownloadState",
    "MediaAnswer",
    "Pieces",
    "ProgressCallback",
    "SavedCapture",
    "complete",
    "content_type_problem",
    "existing",
    "extension_for",
    "locator",
    "magic_problem",
    "media_answer",
    "needs_refresh",
    "part_path",
    "set_capture_time",
]

"""The rules of a verified download, as pure functions and plain data: the results, and the
checks that keep bad bytes out.

What is here decides, without touching a socket or a disk: is a signed URL about to expire,
what does a media host's answer mean, is this ``Content-Type`` media or an error page, do
these first bytes look like the container the capture claims to be, is a file already under
its final name the whole capture. Peers that skipped these checks saved Azure's
``AuthenticationFailed`` XML as ``.mp4`` files (xbox2local#29). The disk work is
:mod:`xbox.download.disk`'s, the network loop ``xbox.download._async``'s.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..exceptions import DiskError

if TYPE_CHECKING:
    from ..models.captures import Capture

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "REFRESH_MARGIN",
    "DownloadResult",
    "MediaAnswer",
    "Pieces",
    "ProgressCallback",
    "SavedCapture",
    "complete",
    "content_range",
    "content_type_problem",
    "disk_error",
    "extension_for",
    "locator",
    "magic_problem",
    "media_answer",
    "needs_refresh",
    "part_path",
    "piece_size",
]

#: Bytes per disk write and per progress report.
DEFAULT_CHUNK_SIZE = 256 * 1024

#: Complete pieces gathered before they are handed to the disk thread in one go (at least
#: one piece): one thread hop per MiB, not per network read.
HANDOFF_BYTES = 1024 * 1024

#: Refresh a signed URL that expires within this many seconds (a large clip takes a while,
#: and Microsoft says a refresh itself can take 30-40 s).
REFRESH_MARGIN = 120.0

#: ``progress(bytes_done, bytes_total)``; ``bytes_total`` is None when the size is unknown.
#: ``bytes_done`` never goes down while one file downloads unless the server forces a restart.
ProgressCallback = Callable[[int, int | None], None]

_MP4_BRAND_OFFSET = 4
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_JXR_SIGNATURE = b"II\xbc"
# Content types that are never media, whatever the status said: error pages and API bodies.
_ERROR_TYPES = ("application/xml", "text/", "application/json", "application/problem",
                "application/xhtml")
_MEDIA_TYPES = ("video/", "image/", "audio/", "application/octet-stream", "binary/octet-stream",
                "application/mp4")


@dataclass(frozen=True)
class DownloadResult:
    """A verified file on disk.

    Attributes:
        path: where the file is (its final name; never a ``.part``).
        size: bytes written.
        sha256: hex digest of the whole file.
        content_type: the ``Content-Type`` the media host sent (without parameters).
        resumed: whether any attempt continued a partial file with an HTTP Range request.
        attempts: HTTP requests made to the media host.
        refreshed: how many times the signed URL was fetched anew.
    """

    path: Path
    size: int
    sha256: str
    content_type: str | None
    resumed: bool = False
    attempts: int = 1
    refreshed: int = 0


@dataclass(frozen=True)
class SavedCapture:
    """Everything written for one capture by the archiver: media, thumbnails, sidecar.

    Attributes:
        media: the verified media file.
        thumbnails: ``{"Small": result, "Large": result}`` for the thumbnails that exist.
        sidecar: the JSON metadata file (``<media>.json``).
        reused: the media file was already on disk, complete, from an earlier interrupted run.
        sidecar_sha256: the sha256 (hex) of the sidecar as written.
    """

    media: DownloadResult
    thumbnails: dict[str, DownloadResult]
    sidecar: Path
    reused: bool = False
    sidecar_sha256: str | None = None


def part_path(dest: Path) -> Path:
    """Where the bytes of ``dest`` collect until they are verified: ``<dest>.part``."""
    return dest.with_name(dest.name + ".part")


def needs_refresh(expiration: datetime | None, now: float, margin: float = REFRESH_MARGIN) -> bool:
    """Whether a signed URL expiring at ``expiration`` should be fetched anew at ``now``.

    Args:
        expiration: the locator's ``expiration`` (None: it does not say, so trust it).
        now: the client clock, seconds since the epoch.
        margin: refresh this many seconds ahead of the expiry.

    Returns:
        True when the URL expires within ``margin`` seconds (or already has).
    """
    if expiration is None:
        return False
    return expiration.timestamp() - now < margin


def content_type_problem(content_type: str | None) -> str | None:
    """Why a ``Content-Type`` cannot be a capture's media, or None when it can.

    A missing type is allowed here (the magic-byte check still applies).
    """
    if not content_type:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    if media.startswith(_ERROR_TYPES) or "html" in media or "xml" in media or "json" in media:
        return f"the server sent an error page instead of media (Content-Type {media})"
    if not media.startswith(_MEDIA_TYPES):
        return f"the server sent {media}, which is not media"
    return None


def magic_problem(head: bytes, kind: str, *, thumbnail: bool = False) -> str | None:
    """Why the first bytes of a file are not what a capture of ``kind`` should be, or None.

    Args:
        head: at least the first 16 bytes of the file.
        kind: ``"clip"`` (MP4: ``ftyp`` at offset 4) or ``"screenshot"`` (PNG, JPEG or JXR).
        thumbnail: thumbnails are PNG (or JPEG) whatever the capture's kind.
    """
    stripped = head.lstrip()
    if stripped[:1] in (b"<", b"{", b"["):
        return "the server sent an error page instead of media"
    if thumbnail or kind == "screenshot":
        if head.startswith((_PNG_SIGNATURE, _JPEG_SIGNATURE, _JXR_SIGNATURE)):
            return None
        return "the file is not an image (no PNG/JPEG/JXR signature)"
    if kind == "clip":
        if head[_MP4_BRAND_OFFSET:_MP4_BRAND_OFFSET + 4] == b"ftyp":
            return None
        return "the file is not an MP4 video (no 'ftyp' box at offset 4)"
    return None


def complete(size: int, head: bytes, expected: int | None, kind: str, *,
             thumbnail: bool = False) -> bool:
    """Whether a file already under its final name is the whole capture (or thumbnail).

    Only verified bytes are ever renamed to a final name, so the size Xbox Live reports and
    the right signature (MP4 ``ftyp``, PNG/JPEG/JXR) are enough to trust it; where Xbox Live
    reports no size, the signature decides alone. The archiver (an interrupted run's files)
    and ``xbox download`` (a file fetched before) go by this one rule.

    Args:
        size: the file's size in bytes.
        head: its first bytes (at least 16).
        expected: the size Xbox Live reports (None: not reported).
    """
    if expected is not None and size != expected:
        return False
    return size > 0 and magic_problem(head, kind, thumbnail=thumbnail) is None


def extension_for(kind: str, content_type: str | None = None) -> str:
    """The file extension (without dot) for a capture: ``mp4`` for clips, ``png`` for screenshots."""
    if kind == "clip":
        return "mp4"
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return {"image/jpeg": "jpg", "image/vnd.ms-photo": "jxr", "image/jxr": "jxr"}.get(media, "png")


# -- reading a media host's answer (pure) ---------------------------------------------------

_DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def locator(capture: Capture, thumbnail: str | None) -> tuple[str | None, int | None,
                                                              datetime | None]:
    """(url, expected size or None, expiration) of the file asked for."""
    if thumbnail is not None:
        thumb = capture.thumbnail(thumbnail)
        if thumb is None:
            return None, None, None
        return thumb.uri, thumb.file_size or None, None
    media = capture.download
    if media is None:
        return None, None, None
    # fileSize 0 means "not reported" (streaming manifests, 2017+ thumbnails).
    return media.uri, media.file_size or None, media.expiration


def content_range(value: str | None) -> tuple[int, int | None] | None:
    """(first byte, total or None) from ``Content-Range: bytes a-b/total``."""
    if not value or not value.startswith("bytes "):
        return None
    span, _, total = value[6:].partition("/")
    first, _, _ = span.partition("-")
    try:
        return int(first), (int(total) if total.strip() not in ("", "*") else None)
    except ValueError:
        return None


def disk_error(exc: OSError, dest: Path, done: int = 0, total: int | None = None) -> DiskError:
    """A full disk (the ``.part`` is kept for a resume) or another failure to write ``dest``
    (a name too long for the filesystem, an I/O error), as a
    :class:`~xbox.exceptions.DiskError` that keeps the ``errno``."""
    of = f" of {total}" if total else ""
    where = str(exc.filename) if exc.filename else str(part_path(dest))
    if exc.errno in _DISK_FULL:
        kept = (f"wrote {done}{of} bytes of {dest.name} to {part_path(dest).name}; "
                if done else "")
        return DiskError(f"the disk is full: {kept}free some space and run again",
                         errno=exc.errno, path=where)
    if exc.errno == errno.ENAMETOOLONG:
        return DiskError(f"the name is too long for this filesystem: {where}", errno=exc.errno,
                         path=where)
    if exc.errno == errno.EFBIG:
        return DiskError(f"the file is too large for this filesystem (or the process's file "
                         f"size limit): {where}", errno=exc.errno, path=where)
    return DiskError(f"cannot write {where}: {exc.strerror or exc}", errno=exc.errno, path=where)


@dataclass(frozen=True)
class MediaAnswer:
    """What to do with a media host's answer to a (maybe ranged) GET.

    Attributes:
        action: ``"write"`` (the body is the bytes from ``offset``), ``"refresh"`` (the
            signed URL is refused: fetch the capture anew), ``"restart"`` (the ``.part``
            does not fit the file: drop it and try again), or ``"fail"``.
        offset: where the body's bytes go (0 when the server sent the whole file).
        total: the file's size as the host tells it, if it does.
        resumed: the body continues a partial file (HTTP 206).
        content_type: the media type, without parameters.
        reason: why, for the ``refresh``/``restart``/``fail`` actions.
    """

    action: str
    offset: int = 0
    total: int | None = None
    resumed: bool = False
    content_type: str | None = None
    reason: str = ""


def media_answer(status: int, headers: Mapping[str, str], *, offset: int,
                 expected: int | None) -> MediaAnswer:
    """Decide what a media host's answer means, before any byte of it is written.

    Args:
        status: the HTTP status (transient 408/429/5xx were retried before this).
        headers: the response headers.
        offset: the bytes already in the ``.part`` (a ``Range`` was asked from there).
        expected: the size Xbox Live reported (None: unknown).
    """
    if status in (401, 403):
        # Azure's AuthenticationFailed XML: the signature expired or was refused.
        code = headers.get("x-ms-error-code", "")
        return MediaAnswer("refresh", reason=f"the media host answered {status} {code}".strip())
    if status == 416:
        return MediaAnswer("restart", reason="the media host has no such byte range")
    if status in (404, 410):
        return MediaAnswer("fail", reason=f"the media file is gone (HTTP {status})")
    if status not in (200, 206):
        return MediaAnswer("fail", reason=f"the media host answered HTTP {status}")
    kind = headers.get("Content-Type")
    problem = content_type_problem(kind)
    if problem is not None:
        return MediaAnswer("fail", reason=problem)
    media = kind.split(";", 1)[0].strip() if kind else None
    if status == 206:
        span = content_range(headers.get("Content-Range"))
        if span is None or span[0] != offset:
            # Not the bytes asked for: start the file again rather than splice wrong data.
            return MediaAnswer("restart", reason="the media host sent another byte range")
        total, resumed = span[1], True
    else:
        offset, resumed = 0, False  # Range ignored (or none sent): the body is the whole file
        length = headers.get("Content-Length", "")
        encoded = headers.get("Content-Encoding", "identity").lower() != "identity"
        total = int(length) if length.isdigit() and not encoded else None
    if expected is not None and total is not None and total != expected:
        # Maybe one bad answer (a proxy's wrong Content-Length): tried again, from the start,
        # until the attempts run out; a file that really differs then fails as a mismatch.
        return MediaAnswer("restart", reason=f"size mismatch: the media host has {total} "
                                             f"bytes but Xbox Live reported {expected}")
    return MediaAnswer("write", offset=offset, total=total, resumed=resumed, content_type=media)


class Pieces:
    """Received bytes cut into pieces of exactly ``size`` bytes, without copying a byte.

    A piece is a list of buffers (the received ``bytes`` objects, or memoryviews of them
    where a piece ends inside one), to be written with one gathered write and hashed buffer
    by buffer. What does not fill a piece yet waits in :attr:`partial`.
    """

    def __init__(self, size: int) -> None:
        if size <= 0:
            raise ValueError("a piece has at least one byte")
        self.size = size
        self.partial: list[bytes | memoryview] = []
        self.pending = 0  # bytes in `partial`

    def add(self, data: bytes) -> list[list[bytes | memoryview]]:
        """The pieces ``data`` completes (maybe none); the rest of it waits."""
        room = self.size - self.pending
        if len(data) < room:  # the common case: no piece ends in this chunk
            if data:
                self.partial.append(data)
                self.pending += len(data)
            return []
        view = memoryview(data)
        done: list[list[bytes | memoryview]] = []
        while len(view) >= room:
            self.partial.append(view[:room])
            done.append(self.partial)
            view = view[room:]
            self.partial, self.pending, room = [], 0, self.size
        if view:
            self.partial.append(view)
            self.pending = len(view)
        return done

    def rest(self) -> list[bytes | memoryview]:
        """The last, short piece (empty when every byte is in a whole piece); taken away."""
        rest, self.partial, self.pending = self.partial, [], 0
        return rest


def piece_size(piece: list[bytes | memoryview]) -> int:
    """Bytes in a piece of :class:`Pieces`."""
    return sum(len(b) for b in piece)

"""Pure parts of media download: results, progress, and the checks that keep bad bytes out.

The I/O lives in ``xbox._async.download`` (and its generated ``_sync`` twin); what is here
decides, without touching a socket or a disk: is a signed URL about to expire, is this
``Content-Type`` media or an error page, do these first bytes look like the container the
capture claims to be. Peers that skipped these checks saved Azure's ``AuthenticationFailed``
XML as ``.mp4`` files (xbox2local#29).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "REFRESH_MARGIN",
    "DownloadResult",
    "ProgressCallback",
    "SavedCapture",
    "content_type_problem",
    "extension_for",
    "magic_problem",
    "needs_refresh",
    "part_path",
]

#: Bytes read from the network per chunk.
DEFAULT_CHUNK_SIZE = 256 * 1024

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
    """

    media: DownloadResult
    thumbnails: dict[str, DownloadResult]
    sidecar: Path
    reused: bool = False


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


def extension_for(kind: str, content_type: str | None = None) -> str:
    """The file extension (without dot) for a capture: ``mp4`` for clips, ``png`` for screenshots."""
    if kind == "clip":
        return "mp4"
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return {"image/jpeg": "jpg", "image/vnd.ms-photo": "jxr", "image/jxr": "jxr"}.get(media, "png")

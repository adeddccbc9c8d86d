"""The media hosts: clip and screenshot files and their thumbnails (Azure blob storage).

Spec §3 ("Download URL = Azure SAS"). Real Xbox Live serves capture files from Azure blob
storage behind hosts like ``gameclipscontent-d3017.xboxlive.com`` (files, signed URLs that
expire after about an hour) and ``gameclipscontent-t3017.xboxlive.com`` (thumbnails, public).
Mediahub hands out the ``*.media.xboxlive.com`` variants of the same hosts.

This module owns URL signing: :func:`signed_media_url` builds every Download URL the metadata
services (``captures.py``) emit, and :func:`verify_signed` checks them here, so the two can
never disagree. A bad or expired signature gets Azure's 403 XML body -- the body real users
have saved to disk as ``.mp4`` when their archiver did not check the status.
"""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote

import httpx

from .._http import Call, route

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Capture

__all__ = [
    "CLIP_DOWNLOAD_HOST",
    "CLIP_THUMBNAIL_HOST",
    "LEGACY_CLIP_DOWNLOAD_HOST",
    "LEGACY_CLIP_THUMBNAIL_HOST",
    "MEDIAHUB_CLIP_DOWNLOAD_HOST",
    "MEDIAHUB_CLIP_THUMBNAIL_HOST",
    "MEDIAHUB_SCREENSHOT_DOWNLOAD_HOST",
    "MEDIAHUB_SCREENSHOT_THUMBNAIL_HOST",
    "SCREENSHOT_DOWNLOAD_HOST",
    "SCREENSHOT_THUMBNAIL_HOST",
    "asset_id",
    "dotnet_time",
    "legacy_media_path",
    "legacy_signed_media_url",
    "legacy_thumbnail_url",
    "media_path",
    "plain_time",
    "signed_media_url",
    "thumbnail_url",
    "verify_signed",
]

# Hosts as seen in the 2018 metadata recordings and the mediahub recordings.
CLIP_DOWNLOAD_HOST = "gameclipscontent-d3017.xboxlive.com"
CLIP_THUMBNAIL_HOST = "gameclipscontent-t3017.xboxlive.com"
SCREENSHOT_DOWNLOAD_HOST = "screenshotscontent-d5001.xboxlive.com"
SCREENSHOT_THUMBNAIL_HOST = "screenshotscontent-t5001.xboxlive.com"
MEDIAHUB_CLIP_DOWNLOAD_HOST = "gameclipscontent-d3023.media.xboxlive.com"
MEDIAHUB_CLIP_THUMBNAIL_HOST = "gameclipscontent-t3023.media.xboxlive.com"
MEDIAHUB_SCREENSHOT_DOWNLOAD_HOST = "screenshotscontent-d4002.media.xboxlive.com"
MEDIAHUB_SCREENSHOT_THUMBNAIL_HOST = "screenshotscontent-t4002.media.xboxlive.com"
# Hosts as seen in the 2014 recordings (served over plain http then).
LEGACY_CLIP_DOWNLOAD_HOST = "gameclipscontent-d3003.xboxlive.com"
LEGACY_CLIP_THUMBNAIL_HOST = "gameclipscontent-t3003.xboxlive.com"

SAS_VERSION = "2015-12-11"
LEGACY_SAS_VERSION = "2012-02-12"
LEGACY_SAS_START_SKEW = 300  # 2014 URLs: st = 5 minutes before the request
_AZURE_SERVER = "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0"


# -- time formats ---------------------------------------------------------------------------

def dotnet_time(value: datetime | float) -> str:
    """A UTC time as Xbox Live's .NET services write it: up to 7 fraction digits, zeros trimmed.

    ``2017-11-10T07:12:27.4353527Z``, ``2018-03-28T11:48:58.486421Z``, ``2014-09-18T20:56:47Z``.
    Floats (sandbox clock readings) keep their sub-microsecond part as .NET ticks.
    """
    if isinstance(value, datetime):
        whole = value.astimezone(UTC).replace(microsecond=0)
        # A datetime has microseconds; .NET keeps 100 ns ticks, so most real timestamps show
        # seven digits. Derive the seventh from the value (deterministic, rarely a zero).
        ticks = value.microsecond * 10 + (value.microsecond * 7 + value.second + 1) % 10
    else:
        seconds = math.floor(value)
        ticks = round((value - seconds) * 10_000_000)
        if ticks >= 10_000_000:  # rounding spilled into the next second
            seconds, ticks = seconds + 1, 0
        whole = datetime.fromtimestamp(seconds, UTC)
    fraction = f"{ticks:07d}".rstrip("0")
    return whole.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


def plain_time(value: datetime) -> str:
    """A UTC time without fraction (``dateRecorded``/``dateTaken``; the 2014 client's strptime)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- signing --------------------------------------------------------------------------------

def media_path(capture: Capture) -> str:
    """The blob path of a capture's file: ``/xuid-<xuid>-private/<id>.MP4`` (or ``.png``)."""
    return f"/xuid-{capture.xuid}-private/{capture.id}.{capture.extension}"


def _signature(sb: Sandbox, path: str, expiry: int) -> tuple[str, str]:
    """(sig, 32-hex ``__gda__`` suffix) for ``path`` valid until ``expiry`` (unix seconds)."""
    sig = sb.sign(f"{path}\n{expiry}")
    # The __gda__ suffix is a second (CDN) token on real URLs; derive it from the signature
    # so that tampering with either part is detected.
    gda = hashlib.sha256(f"gda:{sig}".encode()).hexdigest()[:32]
    return sig, gda


def signed_media_url(sb: Sandbox, capture: Capture, host: str) -> tuple[str, str]:
    """A signed Download URL for ``capture`` on ``host`` and its ``expiration`` (.NET format).

    The URL has the 2017+ shape ``https://HOST/xuid-<xuid>-private/<id>.MP4?sv=2015-12-11&sr=b&
    si=DefaultAccess&sig=<sig>&__gda__=<expiry>_<32 hex>`` and works for ``sb.lifetimes.sas``
    seconds from now. The signature covers path and expiry only, so the same URL works on the
    ``*.media.xboxlive.com`` twin of the host.
    """
    expires_at = sb.now() + sb.lifetimes.sas
    expiry = math.floor(expires_at)
    path = media_path(capture)
    sig, gda = _signature(sb, path, expiry)
    url = (f"https://{host}{path}?sv={SAS_VERSION}&sr=b&si=DefaultAccess"
           f"&sig={quote(sig, safe='')}&__gda__={expiry}_{gda}")
    return url, dotnet_time(expires_at)


def asset_id(capture: Capture) -> str:
    """The media-services asset id of a clip in 2014 URLs: stable, unrelated to the clip id."""
    digest = hashlib.sha256(f"asset:{capture.id}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def legacy_media_path(capture: Capture) -> str:
    """The 2014 blob path of a clip: ``/asset-<uuid>/GameClip-Original.MP4``."""
    return f"/asset-{asset_id(capture)}/GameClip-Original.MP4"


def _sas_time(unix: int) -> str:
    return quote(datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), safe="")


def legacy_signed_media_url(sb: Sandbox, capture: Capture, host: str) -> tuple[str, str]:
    """A 2014-form Download URL for ``capture`` on ``host`` and its ``expiration``.

    ``http://HOST/asset-<uuid>/GameClip-Original.MP4?sv=2012-02-12&st=<start>&se=<expiry>&sr=c&
    sp=r&sig=<sig>&__gda__=<expiry>_<32 hex>`` (spec §3), signed like :func:`signed_media_url`
    (path and expiry) so that :func:`verify_signed` checks both forms.
    """
    expires_at = sb.now() + sb.lifetimes.sas
    expiry = math.floor(expires_at)
    start = expiry - sb.lifetimes.sas - LEGACY_SAS_START_SKEW
    path = legacy_media_path(capture)
    sig, gda = _signature(sb, path, expiry)
    url = (f"http://{host}{path}?sv={LEGACY_SAS_VERSION}&st={_sas_time(math.floor(start))}"
           f"&se={_sas_time(expiry)}&sr=c&sp=r&sig={quote(sig, safe='')}&__gda__={expiry}_{gda}")
    return url, dotnet_time(expires_at)


def verify_signed(sb: Sandbox, path: str, query: str) -> bool:
    """Whether ``path?query`` carries a valid, unexpired signature from :func:`signed_media_url`."""
    params = dict(parse_qsl(query, keep_blank_values=True))
    expiry_text, _, gda = params.get("__gda__", "").partition("_")
    if not expiry_text.isdigit():
        return False
    expiry = int(expiry_text)
    sig, want_gda = _signature(sb, path, expiry)
    return params.get("sig") == sig and gda == want_gda and expiry >= sb.now()


def thumbnail_url(capture: Capture, host: str, size: str | None = None) -> str:
    """The public thumbnail URL of ``capture``.

    Clips, as recorded since 2017: Small and Large both point at one
    ``.../xuid-<x>-public/<id>_Thumbnail.PNG`` (``size`` None). Screenshots, as recorded in
    2018: one file per size (``..._Thumbnail_Small.PNG``) with its real size.
    """
    suffix = f"_Thumbnail_{size}.PNG" if size else "_Thumbnail.PNG"
    return f"https://{host}/xuid-{capture.xuid}-public/{capture.id}{suffix}"


def legacy_thumbnail_url(capture: Capture, host: str, size: str) -> str:
    """A 2014 thumbnail URL: ``http://HOST/<xuid as 16 hex>-<clip id>/Thumbnail_<size>.PNG``."""
    return f"http://{host}/{int(capture.xuid):016x}-{capture.id}/Thumbnail_{size}.PNG"


# -- responses ------------------------------------------------------------------------------

def _azure_error(sb: Sandbox, call: Call, status: int, code: str, message: str,
                 detail: str | None = None,
                 headers: dict[str, str] | None = None) -> httpx.Response:
    """An Azure blob storage error: XML body, ``application/xml``, request id in the message."""
    request_id = sb.correlation_id()
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code>'
           f"<Message>{message}\nRequestId:{request_id}\nTime:{dotnet_time(sb.now())}</Message>")
    if detail is not None:
        xml += f"<AuthenticationErrorDetail>{detail}</AuthenticationErrorDetail>"
    xml += "</Error>"
    data = xml.encode("utf-8")
    hdrs = {"Content-Type": "application/xml", "Content-Length": str(len(data)),
            "Server": _AZURE_SERVER, "x-ms-request-id": request_id, "x-ms-error-code": code}
    hdrs.update(headers or {})
    # HEAD answers carry the headers only, as Azure's do.
    return httpx.Response(status, headers=hdrs, content=b"" if call.method == "HEAD" else data)


def _auth_failed(sb: Sandbox, call: Call) -> httpx.Response:
    return _azure_error(
        sb, call, 403, "AuthenticationFailed",
        "Server failed to authenticate the request. Make sure the value of Authorization header "
        "is formed correctly including the signature.",
        "Signature not valid in the specified key time frame")


def _not_found(sb: Sandbox, call: Call) -> httpx.Response:
    return _azure_error(sb, call, 404, "BlobNotFound", "The specified blob does not exist.")


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def _parse_range(header: str | None, total: int) -> tuple[int, int] | bool | None:
    """The inclusive byte range asked for; None = whole file; False = unsatisfiable.

    Malformed or multi-range headers are ignored (RFC 9110 lets a server send the whole file).
    """
    if header is None:
        return None
    m = _RANGE.fullmatch(header.strip())
    if m is None or (not m.group(1) and not m.group(2)):
        return None
    first, last = m.group(1), m.group(2)
    if not first:  # suffix range: the last n bytes
        n = int(last)
        if n == 0 or total == 0:
            return False
        return max(0, total - n), total - 1
    start = int(first)
    end = int(last) if last else total - 1
    if start >= total:  # checked first: "bytes=<total>-" is unsatisfiable, not malformed
        return False
    if end < start:
        return None
    return start, min(end, total - 1)


def _blob(sb: Sandbox, call: Call, data: bytes, content_type: str, capture: Capture,
          tag: str) -> httpx.Response:
    """200/206/416 for ``data``, with Azure's blob headers; HEAD gets headers only."""
    total = len(data)
    etag = '"0x8D' + hashlib.sha256(f"{capture.id}:{tag}".encode()).hexdigest()[:13].upper() + '"'
    headers = {
        "Content-Type": content_type,
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": format_datetime(capture.last_modified.astimezone(UTC), usegmt=True),
        "Server": _AZURE_SERVER,
        "x-ms-request-id": sb.correlation_id(),
        "x-ms-version": SAS_VERSION,
        "x-ms-blob-type": "BlockBlob",
    }
    wanted = _parse_range(call.header("Range"), total)
    if wanted is False:
        return _azure_error(sb, call, 416, "InvalidRange",
                            "The range specified is invalid for the current size of the resource.",
                            headers={"Content-Range": f"bytes */{total}"})
    status, body = 200, data
    if isinstance(wanted, tuple):
        start, end = wanted
        status, body = 206, data[start:end + 1]
        headers["Content-Range"] = f"bytes {start}-{end}/{total}"
    headers["Content-Length"] = str(len(body))
    return httpx.Response(status, headers=headers, content=b"" if call.method == "HEAD" else body)


def _capture_for(sb: Sandbox, xuid: str, capture_id: str, kind: str) -> Capture | None:
    """The published capture ``capture_id`` of ``xuid``, if it is of ``kind`` (else None)."""
    capture = sb.world.captures_by_id.get(capture_id.lower())
    if capture is None or capture.xuid != xuid or capture.kind != kind:
        return None
    # Pending uploads have no blob yet.
    return None if capture.state == "PendingUpload" else capture


def _clip_by_asset(sb: Sandbox, asset: str) -> Capture | None:
    """The clip whose 2014 asset id is ``asset`` (the map is built once per world state)."""
    assets: dict[str, Capture] | None = sb.world.cache.get("media.assets")
    if assets is None:
        assets = {asset_id(c): c for c in sb.world.captures_by_id.values() if c.kind == "clip"}
        sb.world.cache["media.assets"] = assets
    capture = assets.get(asset.lower())
    return None if capture is None else _capture_for(sb, capture.xuid, capture.id, "clip")


_DOWNLOAD_PATH = re.compile(r"/xuid-(\d+)-private/([0-9A-Fa-f-]{36})\.(MP4|png)", re.I)
_ASSET_PATH = re.compile(r"/asset-([0-9A-Fa-f-]{36})/GameClip-Original\.MP4", re.I)
_THUMB_PATH = re.compile(r"/xuid-(\d+)-public/([0-9A-Fa-f-]{36})_Thumbnail(?:_(Small|Large))?\.PNG",
                         re.I)
_LEGACY_THUMB_PATH = re.compile(r"/([0-9A-Fa-f]{16})-([0-9A-Fa-f-]{36})/Thumbnail_(Small|Large)\.PNG",
                                re.I)


def _download(sb: Sandbox, call: Call, kind: str) -> httpx.Response:
    # Azure authenticates before it looks the blob up: a bad signature is 403 even for
    # a blob that does not exist.
    if not verify_signed(sb, call.path, call.query):
        return _auth_failed(sb, call)
    legacy = _ASSET_PATH.fullmatch(call.path) if kind == "clip" else None
    if legacy is not None:
        capture = _clip_by_asset(sb, legacy.group(1))
        if capture is None:
            return _not_found(sb, call)
        return _blob(sb, call, capture.media_bytes(), "video/mp4", capture, "media")
    m = _DOWNLOAD_PATH.fullmatch(call.path)
    capture = _capture_for(sb, m.group(1), m.group(2), kind) if m else None
    if m is None or capture is None or m.group(3).lower() != capture.extension.lower():
        return _not_found(sb, call)
    content_type = "video/mp4" if kind == "clip" else "image/png"
    return _blob(sb, call, capture.media_bytes(), content_type, capture, "media")


def _thumbnail(sb: Sandbox, call: Call, kind: str) -> httpx.Response:
    m = _THUMB_PATH.fullmatch(call.path)
    if m is None and (legacy := _LEGACY_THUMB_PATH.fullmatch(call.path)) is not None:
        # 2014 names: the owner's xuid as 16 hex digits, then the capture id.
        m = legacy
        capture = _capture_for(sb, str(int(legacy.group(1), 16)), legacy.group(2), kind)
    else:
        capture = _capture_for(sb, m.group(1), m.group(2), kind) if m else None
    if m is None or capture is None:
        return _not_found(sb, call)
    # The 2017+ single ``_Thumbnail.PNG`` name (mediahub recordings) serves the large one.
    size = (m.group(3) or "Large").capitalize()
    return _blob(sb, call, capture.thumbnail_bytes(size), "image/png", capture, size)


_MEDIA = r"(?:\.media)?\.xboxlive\.com"
_ANY_PATH = r"/(?P<rest>.*)"


@route("GET", rf"gameclipscontent-d\d+{_MEDIA}", _ANY_PATH, auth=False)
@route("HEAD", rf"gameclipscontent-d\d+{_MEDIA}", _ANY_PATH, auth=False)
def clip_file(sb: Sandbox, call: Call, rest: str) -> httpx.Response:
    """A game clip's MP4, behind a signed URL."""
    return _download(sb, call, "clip")


@route("GET", rf"screenshotscontent-d\d+{_MEDIA}", _ANY_PATH, auth=False)
@route("HEAD", rf"screenshotscontent-d\d+{_MEDIA}", _ANY_PATH, auth=False)
def screenshot_file(sb: Sandbox, call: Call, rest: str) -> httpx.Response:
    """A screenshot's PNG, behind a signed URL."""
    return _download(sb, call, "screenshot")


@route("GET", rf"gameclipscontent-t\d+{_MEDIA}", _ANY_PATH, auth=False)
@route("HEAD", rf"gameclipscontent-t\d+{_MEDIA}", _ANY_PATH, auth=False)
def clip_thumbnail(sb: Sandbox, call: Call, rest: str) -> httpx.Response:
    """A game clip's thumbnail (public, no signature)."""
    return _thumbnail(sb, call, "clip")


@route("GET", rf"screenshotscontent-t\d+{_MEDIA}", _ANY_PATH, auth=False)
@route("HEAD", rf"screenshotscontent-t\d+{_MEDIA}", _ANY_PATH, auth=False)
def screenshot_thumbnail(sb: Sandbox, call: Call, rest: str) -> httpx.Response:
    """A screenshot's thumbnail (public, no signature)."""
    return _thumbnail(sb, call, "screenshot")

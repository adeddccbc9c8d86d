"""Capture metadata: gameclipsmetadata, screenshotsmetadata and mediahub search.

Spec §3 (game clips), §4 (screenshots), §6 (errors), "Since 2025"; shapes follow the 2018
recordings ``gameclips_recent_own.json`` / ``gameclips_recent_community.json`` /
``screenshots_recent_own.json`` / ``mediahub_*_own.json`` (the recordings win where the spec
disagrees), in the wire era the sandbox was built with (:mod:`xbox.sandbox.eras`): integer
enums in 2025, the 2014 clip shape in 2014. Mediahub keeps its recorded shapes in every era.

* Lists: ``{"gameClips"|"screenshots": [...], "pagingInfo": {"continuationToken": str|null}}``,
  newest ``dateRecorded`` first (``order=A`` reverses), default and maximum page 100,
  ``maxItems``/``skipItems``/``continuationToken`` (the token wins over skipItems).
* Single item: ``{"gameClip"|"screenshot": {...}}``; the scid is not checked (a wrong but
  UUID-shaped one still finds the item); unknown xuid or id -> 404 ``{"errorCode":3004}``.
* Download URLs are signed by :func:`xbox.sandbox.services.media.signed_media_url`.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
import uuid
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, empty, json_response, route
from ..eras import (
    CONTENT_ATTRIBUTES,
    GAME_CLIP_STATE,
    THUMBNAIL_TYPE,
    URI_TYPE,
    is_today,
    type_flags,
)
from ._wire import contract
from .media import (
    CLIP_DOWNLOAD_HOST,
    CLIP_THUMBNAIL_HOST,
    LEGACY_CLIP_DOWNLOAD_HOST,
    LEGACY_CLIP_THUMBNAIL_HOST,
    MEDIAHUB_CLIP_DOWNLOAD_HOST,
    MEDIAHUB_CLIP_THUMBNAIL_HOST,
    MEDIAHUB_SCREENSHOT_DOWNLOAD_HOST,
    MEDIAHUB_SCREENSHOT_THUMBNAIL_HOST,
    SCREENSHOT_DOWNLOAD_HOST,
    SCREENSHOT_THUMBNAIL_HOST,
    dotnet_time,
    legacy_signed_media_url,
    legacy_thumbnail_url,
    plain_time,
    signed_media_url,
    thumbnail_url,
)

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account, Capture

__all__ = [
    "DEFAULT_PAGE",
    "LEGACY_CLIP_KEYS",
    "MAX_PAGE",
    "clip_json",
    "decode_continuation_token",
    "encode_continuation_token",
    "local_id_of",
    "mediahub_clip_json",
    "mediahub_screenshot_json",
    "screenshot_json",
]

DEFAULT_PAGE = 100  # 2014 `/clips` with no parameters returned exactly 100 + a token
MAX_PAGE = 100  # maxItems above this is capped, as the real service does
MEDIAHUB_DEFAULT_PAGE = 100  # unconfirmed: public clients always send a max
MEDIAHUB_MAX_PAGE = 500  # unconfirmed: xbox-webapi-python's default max, the largest seen

NOT_FOUND = {"errorCode": 3004}  # 18 bytes compact, as recorded

_TOKEN_PREFIX = "abcde_vwxyz"
_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_XUID = re.compile(r"xuid\((\d{1,20})\)", re.I)

# mediahub: the upload title recorded for every item (the console's capture app; unconfirmed).
_UPLOAD_TITLE_ID = 49312658


# -- continuation tokens --------------------------------------------------------------------

def encode_continuation_token(offset: int, *, keep_padding: bool = False) -> str:
    """The token for the next page at ``offset``.

    ``abcde_vwxyz`` + URL-safe base64 of the offset as a little-endian int32 with the ``=``
    padding replaced by its count (.NET ``UrlTokenEncode``, 2018): 25 -> ``abcde_vwxyzGQAAAA2``;
    with ``keep_padding`` the 2014 form: 100 -> ``abcde_vwxyzZAAAAA==``.
    """
    raw = base64.urlsafe_b64encode(struct.pack("<i", offset)).decode()
    if keep_padding:
        return f"{_TOKEN_PREFIX}{raw}"
    body = raw.rstrip("=")
    return f"{_TOKEN_PREFIX}{body}{len(raw) - len(body)}"


def decode_continuation_token(token: str) -> int | None:
    """The offset in a token from :func:`encode_continuation_token`, or None if unparsable.

    The 2014 form (``==`` padding kept) is accepted too.
    """
    if not token.startswith(_TOKEN_PREFIX):
        return None
    rest = token[len(_TOKEN_PREFIX):]
    if rest.endswith("="):
        encoded = rest
    elif rest[-1:].isdigit():
        encoded = rest[:-1] + "=" * int(rest[-1])
    else:
        return None
    try:
        raw = base64.urlsafe_b64decode(encoded.encode())
    except ValueError:
        return None
    if len(raw) != 4:
        return None
    (offset,) = struct.unpack("<i", raw)
    return offset if offset >= 0 else None


# -- JSON shapes ----------------------------------------------------------------------------

# The 2014 clip: the first 24 keys of the 2017+ clip without datePublished (spec §3).
LEGACY_CLIP_KEYS = (
    "gameClipId", "state", "dateRecorded", "lastModified", "userCaption", "type",
    "durationInSeconds", "scid", "titleId", "rating", "ratingCount", "views", "titleData",
    "systemProperties", "savedByUser", "achievementId", "greatestMomentId", "thumbnails",
    "gameClipUris", "xuid", "clipName", "titleName", "gameClipLocale", "clipContentAttributes",
)


def _type(capture: Capture) -> str:
    # Greatest moments are captured by the game itself; everything else by the player.
    return "DeveloperInitiated" if capture.greatest_moment else "UserGenerated"


def _thumbnails(capture: Capture, host: str) -> list[dict[str, Any]]:
    if capture.state == "PendingUpload":
        return []
    if capture.kind == "clip":
        # As recorded since 2017: both sizes are the same file, with no size reported.
        return [{"uri": thumbnail_url(capture, host), "fileSize": 0, "thumbnailType": size}
                for size in ("Small", "Large")]
    # Screenshots (2018 recording): a file per size, with its real size.
    return [{"uri": thumbnail_url(capture, host, size),
             "fileSize": capture.thumb_small_size if size == "Small" else capture.thumb_large_size,
             "thumbnailType": size} for size in ("Small", "Large")]


def _legacy_thumbnails(capture: Capture) -> list[dict[str, Any]]:
    """2014: a PNG per size, each with its real size, on the plain-http thumbnail host."""
    if capture.state == "PendingUpload":
        return []
    return [{"uri": legacy_thumbnail_url(capture, LEGACY_CLIP_THUMBNAIL_HOST, size),
             "fileSize": capture.thumb_small_size if size == "Small" else capture.thumb_large_size,
             "thumbnailType": size} for size in ("Small", "Large")]


def _uris(sb: Sandbox, capture: Capture, host: str) -> list[dict[str, Any]]:
    if capture.state == "PendingUpload":
        return []
    url, expiration = signed_media_url(sb, capture, host)
    return [{"uri": url, "fileSize": capture.size, "uriType": "Download",
             "expiration": expiration}]


def _legacy_uris(sb: Sandbox, capture: Capture) -> list[dict[str, Any]]:
    """2014: the 2012 SAS Download URL; saved clips add streaming manifests (recorded 2014).

    Every saved clip of the 2018 recordings (124 of them) has Download only, so the manifests
    belong to this era alone. They live ~100 years and report fileSize 0, as recorded; the
    sandbox does not serve the manifests themselves.
    """
    if capture.state == "PendingUpload":
        return []
    url, expiration = legacy_signed_media_url(sb, capture, LEGACY_CLIP_DOWNLOAD_HOST)
    download = {"uri": url, "fileSize": capture.size, "uriType": "Download",
                "expiration": expiration}
    if not capture.saved:
        return [download]
    far = dotnet_time(sb.now() + timedelta(days=36500).total_seconds())
    manifest = url.split("?", 1)[0].rsplit(".", 1)[0] + ".ism/manifest"
    gda = url.rsplit("__gda__=", 1)[1]
    return [
        {"uri": f"{manifest}?__gda__={gda}", "fileSize": 0, "uriType": "SmoothStreaming",
         "expiration": far},
        {"uri": f"{manifest}(format=m3u8-aapl)?__gda__={gda}", "fileSize": 0, "uriType": "Ahls",
         "expiration": far},
        download,
    ]


def _integer_enums(body: dict[str, Any], uris_key: str, attributes_key: str) -> dict[str, Any]:
    """The 2025 form of a 2018 body: the same keys in the same order, enum fields as integers
    (the content attributes too: 0 where 2018 sent "None")."""
    return {
        **body,
        attributes_key: CONTENT_ATTRIBUTES[body[attributes_key]],
        "state": GAME_CLIP_STATE[body["state"]],
        "type": type_flags(body["type"]),
        "thumbnails": [{**t, "thumbnailType": THUMBNAIL_TYPE[t["thumbnailType"]]}
                       for t in body["thumbnails"]],
        uris_key: [{**u, "uriType": URI_TYPE[u["uriType"]]} for u in body[uris_key]],
    }


def _clip_body(capture: Capture, thumbnails: list[dict[str, Any]],
               uris: list[dict[str, Any]]) -> dict[str, Any]:
    """A clip with the 2017+ keys, order and types (the 2018 recordings)."""
    return {
        "gameClipId": capture.id,
        "state": capture.state,
        "datePublished": dotnet_time(capture.published),
        "dateRecorded": plain_time(capture.recorded),
        "lastModified": dotnet_time(capture.last_modified),
        "userCaption": capture.caption,
        "type": _type(capture),
        "durationInSeconds": capture.duration,
        "scid": capture.title.scid,
        "titleId": capture.title.title_id,
        "rating": float(capture.rating),
        "ratingCount": capture.rating_count,
        "views": capture.views,
        "titleData": "",
        "systemProperties": capture.system_properties,
        "savedByUser": capture.saved,
        "achievementId": "",
        "greatestMomentId": capture.greatest_moment,
        "thumbnails": thumbnails,
        "gameClipUris": uris,
        "xuid": capture.xuid,
        "clipName": "",
        "titleName": capture.title.name,
        "gameClipLocale": capture.locale,
        "clipContentAttributes": "None",
        "deviceType": capture.device,
        "commentCount": 0,
        "likeCount": capture.likes,
        "shareCount": 0,
        "partialViews": 0,
    }


def clip_json(sb: Sandbox, capture: Capture) -> dict[str, Any]:
    """A clip as gameclipsmetadata sends it in the sandbox's era (see :mod:`..eras`)."""
    if sb.era == "2014":
        body = _clip_body(capture, _legacy_thumbnails(capture), _legacy_uris(sb, capture))
        return {key: body[key] for key in LEGACY_CLIP_KEYS}
    body = _clip_body(capture, _thumbnails(capture, CLIP_THUMBNAIL_HOST),
                      _uris(sb, capture, CLIP_DOWNLOAD_HOST))
    return _integer_enums(body, "gameClipUris", "clipContentAttributes") \
        if is_today(sb.era) else body


def screenshot_json(sb: Sandbox, capture: Capture) -> dict[str, Any]:
    """A screenshot as screenshotsmetadata sends it (spec §4 keys, order and types).

    2018 shape in eras 2014 (screenshots did not exist yet) and 2018; integer enums in 2025.
    """
    body = {
        "screenshotId": capture.id,
        "resolutionHeight": capture.height,
        "resolutionWidth": capture.width,
        "state": capture.state,
        "datePublished": dotnet_time(capture.published),
        "dateTaken": plain_time(capture.recorded),
        "lastModified": dotnet_time(capture.last_modified),
        "userCaption": capture.caption,
        "type": "UserGenerated",
        "scid": capture.title.scid,
        "titleId": capture.title.title_id,
        "rating": float(capture.rating),
        "ratingCount": capture.rating_count,
        "views": capture.views,
        "titleData": "",
        "systemProperties": capture.system_properties,
        "savedByUser": capture.saved,
        "achievementId": "",
        "greatestMomentId": None,  # null in the recorded screenshot
        "thumbnails": _thumbnails(capture, SCREENSHOT_THUMBNAIL_HOST),
        "screenshotUris": _uris(sb, capture, SCREENSHOT_DOWNLOAD_HOST),
        "xuid": capture.xuid,
        "screenshotName": "",
        "titleName": capture.title.name,
        "screenshotLocale": capture.locale,
        "screenshotContentAttributes": "None",
        "deviceType": capture.device,
    }
    return _integer_enums(body, "screenshotUris", "screenshotContentAttributes") \
        if is_today(sb.era) else body


def local_id_of(capture: Capture) -> str:
    """The console's own id for ``capture`` (mediahub ``localId``): stable, unrelated to its id."""
    digest = hashlib.sha256(f"local:{capture.id}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _locators(sb: Sandbox, capture: Capture, download_host: str,
              thumb_host: str, with_expiration: bool) -> list[dict[str, Any]]:
    if capture.state == "PendingUpload":
        return []
    url, expiration = signed_media_url(sb, capture, download_host)
    download: dict[str, Any] = {"expiration": expiration, "fileSize": capture.size,
                                "locatorType": "Download", "uri": url}
    if not with_expiration:  # the recorded screenshot locator has no expiration
        del download["expiration"]
    return [download,
            {"locatorType": "Thumbnail_Small", "uri": thumbnail_url(capture, thumb_host)},
            {"locatorType": "Thumbnail_Large", "uri": thumbnail_url(capture, thumb_host)}]


def _region(capture: Capture) -> str:
    return capture.locale.rsplit("-", 1)[-1]


def mediahub_clip_json(sb: Sandbox, capture: Capture) -> dict[str, Any]:
    """A clip as mediahub search sends it (keys as in ``mediahub_gameclips_own.json``)."""
    kind = _type(capture)
    return {
        "commentCount": 0,
        "contentId": capture.id,
        "contentLocators": _locators(sb, capture, MEDIAHUB_CLIP_DOWNLOAD_HOST,
                                     MEDIAHUB_CLIP_THUMBNAIL_HOST, with_expiration=True),
        "contentSegments": [{
            "creationType": kind,
            "creatorChannelId": None,
            "creatorXuid": int(capture.xuid),
            "durationInSeconds": capture.duration,
            "offset": 0,
            "recordDate": plain_time(capture.recorded),
            "secondaryTitleId": None,
            "segmentId": 1,
            "titleId": capture.title.title_id,
        }],
        "contentState": capture.state,
        "creationType": kind,
        "durationInSeconds": capture.duration,
        "enforcementState": "None",
        "frameRate": 30,
        "greatestMomentId": capture.greatest_moment,
        "likeCount": capture.likes,
        "localId": local_id_of(capture),
        "ownerXuid": int(capture.xuid),
        "resolutionHeight": capture.height,
        "resolutionWidth": capture.width,
        "safetyThreshold": "None",
        "sandboxId": "RETAIL",
        "sessions": [],
        "shareCount": 0,
        "sharedTo": [],
        "titleData": "",
        "titleId": capture.title.title_id,
        "titleName": capture.title.name,
        "tournaments": [],
        "uploadDate": dotnet_time(capture.published),
        "uploadDeviceType": capture.device,
        "uploadLanguage": capture.locale,
        "uploadRegion": _region(capture),
        "uploadTitleId": _UPLOAD_TITLE_ID,
        "userCaption": capture.caption,
        "viewCount": capture.views,
    }


def mediahub_screenshot_json(sb: Sandbox, capture: Capture) -> dict[str, Any]:
    """A screenshot as mediahub search sends it.

    Keys follow OpenXbox/xbox-webapi-python ``tests/data/responses/mediahub_screenshots_own.json``
    (note ``CreationType`` capitalised there); the HDR (``.JXR``) locator is left out since
    the sandbox has no HDR files.
    """
    return {
        "captureDate": plain_time(capture.recorded),
        "contentId": capture.id,
        "contentLocators": _locators(sb, capture, MEDIAHUB_SCREENSHOT_DOWNLOAD_HOST,
                                     MEDIAHUB_SCREENSHOT_THUMBNAIL_HOST, with_expiration=False),
        "CreationType": "UserGenerated",
        "localId": local_id_of(capture),
        "ownerXuid": int(capture.xuid),
        "resolutionHeight": capture.height,
        "resolutionWidth": capture.width,
        "sandboxId": "RETAIL",
        "sharedTo": [],
        "titleId": capture.title.title_id,
        "titleName": capture.title.name,
        "dateUploaded": dotnet_time(capture.published),
        "uploadLanguage": capture.locale,
        "uploadRegion": _region(capture),
        "uploadTitleId": _UPLOAD_TITLE_ID,
        "uploadDeviceType": capture.device,
        "commentCount": 0,
        "likeCount": capture.likes,
        "shareCount": 0,
        "viewCount": capture.views,
        "contentState": capture.state,
        "enforcementState": "None",
        "safetyThreshold": "None",
        "sessions": [],
        "tournaments": [],
    }


# -- the two metadata services --------------------------------------------------------------

@dataclass(frozen=True)
class _Kind:
    """What differs between the clip and the screenshot metadata services."""

    word: str  # path segment: "clips" | "screenshots"
    kind: str  # Capture.kind
    list_key: str
    single_key: str
    to_json: Callable[[Sandbox, Capture], dict[str, Any]]

    def of(self, account: Account) -> list[Capture]:
        return account.clips if self.kind == "clip" else account.screenshots


CLIPS = _Kind("clips", "clip", "gameClips", "gameClip", clip_json)
SCREENSHOTS = _Kind("screenshots", "screenshot", "screenshots", "screenshot", screenshot_json)


class _BadRequest(Exception):
    """A malformed request: answered with an empty 400."""


def _bad(sb: Sandbox) -> httpx.Response:
    return empty(400, headers=sb.xbl_headers())


def _owner(sb: Sandbox, call: Call, owner: str) -> Account | None:
    """The account ``me`` or ``xuid(X)`` names (None when unknown); 400 when malformed."""
    owner = unquote(owner)
    if owner.lower() == "me":
        return call.user
    m = _XUID.fullmatch(owner)
    if m is None or not 0 < int(m.group(1)) < 2**64:
        raise _BadRequest
    return sb.world.by_xuid.get(m.group(1))


def _title_id(title: str) -> int:
    text = unquote(title)
    if not text.isdigit():
        raise _BadRequest
    return int(text)


def _int_param(params: dict[str, str], name: str) -> int | None:
    value = params.get(name.lower())
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise _BadRequest
    return int(value)


def _sorted(captures: Iterable[Capture], qualifier: str, ascending: bool) -> list[Capture]:
    """``captures`` in the order ``qualifier`` (created | views | rating) and ``order`` ask for."""
    if qualifier == "views":
        key: Callable[[Capture], Any] = lambda c: (c.views, c.recorded, c.id)  # noqa: E731
    elif qualifier == "rating":
        key = lambda c: (c.rating, c.recorded, c.id)  # noqa: E731
    else:  # "created", the default
        key = lambda c: (c.recorded, c.id)  # noqa: E731
    return sorted(captures, key=key, reverse=not ascending)


# Orderings are cached per scope (whose list, which filter) and order, in the world's cache,
# which World.changed() empties. Scopes come from request paths, so the cache is bounded.
ORDER_CACHE_LIMIT = 4096


def ordered(sb: Sandbox, scope: tuple[Hashable, ...], captures: Callable[[], Iterable[Capture]],
            qualifier: str = "created", ascending: bool = False) -> tuple[Capture, ...]:
    """The captures of ``scope`` in order, sorted once per world state, not once per page.

    ``captures`` builds the unsorted list on a cache miss only; the same tuple is handed out
    until the world changes, so a page costs a slice of it.
    """
    key = ("captures.order", scope, qualifier, ascending)
    cache = sb.world.cache
    hit: tuple[Capture, ...] | None = cache.get(key)
    if hit is None:
        if len(cache) >= ORDER_CACHE_LIMIT:
            cache.clear()
        hit = cache[key] = tuple(_sorted(captures(), qualifier, ascending))
    return hit


def _page(sb: Sandbox, call: Call, kind: _Kind, scope: tuple[Hashable, ...],
          captures: Callable[[], Iterable[Capture]]) -> httpx.Response:
    """One page of the captures of ``scope`` per maxItems/skipItems/continuationToken/order."""
    # .NET query binding is case-insensitive; so is ours.
    params = {k.lower(): v for k, v in call.params.items()}
    size = _int_param(params, "maxItems") or DEFAULT_PAGE
    size = min(size, MAX_PAGE)
    token = params.get("continuationtoken")
    if token:
        offset = decode_continuation_token(token)
        if offset is None:
            raise _BadRequest
    else:
        offset = _int_param(params, "skipItems") or 0
    items = ordered(sb, (kind.kind, *scope), captures,
                    params.get("qualifier", "created").lower(),
                    params.get("order", "D").upper() == "A")
    page = items[offset:offset + size]
    after = offset + len(page)
    body = {kind.list_key: [kind.to_json(sb, c) for c in page],
            "pagingInfo": {"continuationToken":
                           encode_continuation_token(after, keep_padding=sb.era == "2014")
                           if after < len(items) else None}}
    return json_response(200, body, headers=sb.xbl_headers())


def _answer(sb: Sandbox, call: Call, service: str,
            make: Callable[[], httpx.Response]) -> httpx.Response:
    """``make()``'s answer, once the request's contract version is one ``service`` serves."""
    if isinstance(refused := contract(sb, call, service), httpx.Response):
        return refused
    try:
        return make()
    except _BadRequest:
        return _bad(sb)


def _register(kind: _Kind, host: str, service: str) -> None:
    """Declare the list, single-item and community routes of one metadata service."""
    w = kind.word

    @route("GET", host, rf"/users/(?P<owner>[^/]+)(?:/titles/(?P<title>[^/]+))?/{w}"
                        r"(?P<saved>/saved)?", service=service)
    def user_list(sb: Sandbox, call: Call, owner: str, title: str | None,
                  saved: str | None) -> httpx.Response:
        def make() -> httpx.Response:
            account = _owner(sb, call, owner)
            title_id = _title_id(title) if title is not None else None
            return _page(sb, call, kind,
                         ("user", account.xuid if account else None, title_id, saved is not None),
                         lambda: [c for c in (kind.of(account) if account else [])
                                  if (title_id is None or c.title.title_id == title_id)
                                  and (saved is None or c.saved)])
        return _answer(sb, call, service, make)

    @route("GET", host, rf"/users/(?P<owner>[^/]+)/scids/(?P<scid>[^/]+)/{w}"
                        r"(?:/(?P<item>[^/]+))?", service=service)
    def by_scid(sb: Sandbox, call: Call, owner: str, scid: str,
                item: str | None) -> httpx.Response:
        def make() -> httpx.Response:
            account = _owner(sb, call, owner)
            scid_text = unquote(scid)
            if not _UUID.fullmatch(scid_text):
                raise _BadRequest
            if item is None or item == "saved":
                wanted = scid_text.lower()
                return _page(sb, call, kind,
                             ("scid", account.xuid if account else None, wanted, item is not None),
                             lambda: [c for c in (kind.of(account) if account else [])
                                      if c.title.scid.lower() == wanted
                                      and (item is None or c.saved)])
            # Single item: the scid is not checked (recorded 2014 behaviour).
            capture = sb.world.captures_by_id.get(unquote(item).lower())
            # Captures of newer titles are mediahub's alone: not found here (an assumption).
            if account is None or capture is None or capture.xuid != account.xuid \
                    or capture.kind != kind.kind or capture.mediahub_only:
                return json_response(404, NOT_FOUND, headers=sb.xbl_headers())
            return json_response(200, {kind.single_key: kind.to_json(sb, capture)},
                                 headers=sb.xbl_headers())
        return _answer(sb, call, service, make)

    @route("GET", host, rf"/public/titles/(?P<title>[^/]+)/{w}(?P<saved>/saved)?",
           service=service)
    def community_by_title(sb: Sandbox, call: Call, title: str,
                           saved: str | None) -> httpx.Response:
        def make() -> httpx.Response:
            title_id = _title_id(title)
            return _page(sb, call, kind, ("public-title", title_id, saved is not None),
                         lambda: _community(sb, kind, saved is not None,
                                            lambda c: c.title.title_id == title_id))
        return _answer(sb, call, service, make)

    @route("GET", host, rf"/public/scids/(?P<scid>[^/]+)/{w}(?P<saved>/saved)?",
           service=service)
    def community_by_scid(sb: Sandbox, call: Call, scid: str,
                          saved: str | None) -> httpx.Response:
        def make() -> httpx.Response:
            scid_text = unquote(scid).lower()
            if not _UUID.fullmatch(scid_text):
                raise _BadRequest
            return _page(sb, call, kind, ("public-scid", scid_text, saved is not None),
                         lambda: _community(sb, kind, saved is not None,
                                            lambda c: c.title.scid.lower() == scid_text))
        return _answer(sb, call, service, make)


def _community(sb: Sandbox, kind: _Kind, saved_only: bool,
               keep: Callable[[Capture], bool]) -> list[Capture]:
    """Published captures of every user that ``keep`` accepts (pending ones are not public)."""
    return [c for a in sb.world.accounts for c in kind.of(a)
            if c.state == "Published" and keep(c) and (c.saved or not saved_only)]


_register(CLIPS, r"gameclipsmetadata\.xboxlive\.com", "gameclips")
_register(SCREENSHOTS, r"screenshotsmetadata\.xboxlive\.com", "screenshots")


# -- mediahub -------------------------------------------------------------------------------

_CLAUSE = re.compile(r"\s*(?:(OwnerXuid|TitleId)\s+eq\s+(\d{1,20})|(localId)\s+eq\s+'([^']*)')\s*",
                     re.I)


def _query(text: str) -> dict[str, str] | None:
    """The clauses of a mediahub query (``OwnerXuid eq X and TitleId eq Y and localId eq 'Z'``)
    by lower-cased name, or None when it is malformed or names no owner."""
    filters: dict[str, str] = {}
    for clause in re.split(r"\s+and\s+", text.strip(), flags=re.I):
        m = _CLAUSE.fullmatch(clause)
        if m is None:
            return None
        name, value = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        filters[name.lower()] = value
    return filters if "ownerxuid" in filters else None


def _count(body: dict[str, Any], key: str, default: int) -> int | None:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _by_local_id(sb: Sandbox, scope: tuple[Hashable, ...],
                 items: Sequence[Capture]) -> dict[str, Capture]:
    """The captures of ``scope`` by mediahub localId, built once per world state."""
    key = ("captures.local-ids", scope)
    found: dict[str, Capture] | None = sb.world.cache.get(key)
    if found is None:
        found = sb.world.cache[key] = {local_id_of(c): c for c in items}
    return found


def _mediahub(sb: Sandbox, call: Call, kind: _Kind,
              to_json: Callable[[Sandbox, Capture], dict[str, Any]]) -> httpx.Response:
    """``POST /{gameclips|screenshots}/search``: ``{"max","query","skip","continuationToken"}``.

    Every capture of the owner, newer titles' included, newest first (mediahub lists what the
    metadata services list, with the same ids, plus the mediahub-only captures). Unrecorded
    choices (documented in docs/sandbox.rst): page size, token format, any owner's xuid.
    """
    if isinstance(refused := contract(sb, call, "mediahub"), httpx.Response):
        return refused
    if sb.mediahub_requires_device_claims:
        # With the option on, only XSTS tokens of a signed (device + title) sign-in pass;
        # the refusal's status and empty body are an assumption (docs: sandbox assumptions).
        grant = sb.xsts_grant(call.request)
        if grant is None or not (grant.device_id and grant.title_id):
            return empty(403, headers=sb.xbl_headers())
    body = call.json()
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return _bad(sb)
    filters = _query(body["query"])
    size = _count(body, "max", MEDIAHUB_DEFAULT_PAGE)
    skip = _count(body, "skip", 0)
    if filters is None or size is None or skip is None:
        return _bad(sb)
    size = min(size or MEDIAHUB_DEFAULT_PAGE, MEDIAHUB_MAX_PAGE)
    token = body.get("continuationToken")
    if token:  # wins over skip, as on the metadata services
        offset = decode_continuation_token(str(token))
        if offset is None:
            return _bad(sb)
        skip = offset
    # Any owner's xuid is answered with that owner's captures (XboxReplay's xboxlive-api
    # queries other users' captures this way); an unknown one has none.
    account = sb.world.by_xuid.get(str(int(filters["ownerxuid"])))
    title_id = int(filters["titleid"]) if "titleid" in filters else None
    scope = (kind.kind, "mediahub", account.xuid if account else None, title_id)
    items: Sequence[Capture] = ordered(
        sb, scope, lambda: [c for c in (sb.world.mediahub(account, kind.kind) if account else [])
                            if title_id is None or c.title.title_id == title_id])
    if "localid" in filters:
        found = _by_local_id(sb, scope, items).get(filters["localid"].lower())
        items = [found] if found is not None else []
    page = items[skip:skip + size]
    out: dict[str, Any] = {"values": [to_json(sb, c) for c in page]}
    after = skip + len(page)
    if after < len(items):
        # Unconfirmed: the recordings have a single page and so only "values". Public
        # clients (FrameDrop's XboxMediaClient, xbox-media-downloader) read a top-level
        # continuationToken; we send one (metadata-service format) only when more remain.
        out["continuationToken"] = encode_continuation_token(after)
    return json_response(200, out, headers=sb.xbl_headers())


@route("POST", r"mediahub\.xboxlive\.com", r"/gameclips/search", service="gameclips")
def mediahub_gameclips(sb: Sandbox, call: Call) -> httpx.Response:
    """Mediahub search over the owner's game clips."""
    return _mediahub(sb, call, CLIPS, mediahub_clip_json)


@route("POST", r"mediahub\.xboxlive\.com", r"/screenshots/search", service="screenshots")
def mediahub_screenshots(sb: Sandbox, call: Call) -> httpx.Response:
    """Mediahub search over the owner's screenshots."""
    return _mediahub(sb, call, SCREENSHOTS, mediahub_screenshot_json)

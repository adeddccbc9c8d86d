"""Game clips and screenshots: from gameclipsmetadata / screenshotsmetadata and from mediahub.

Both eras of the metadata services read the same: enum fields arrive as names (2014-2024)
or numbers (since 2025) and become :mod:`~xbox.models.enums` members either way.

Mediahub (``mediahub.xboxlive.com``, where the Xbox app reads a user's own captures,
including newer titles' that the metadata lists leave out) sends another shape:
``contentId``, ``contentLocators``, ``contentSegments``... :class:`MediahubClip` and
:class:`MediahubScreenshot` read that shape into the same attributes as :class:`Clip` and
:class:`Screenshot` (``game_clip_id``, ``download``, ``thumbnail("Small")``...), so
everything that takes a capture takes either; ``.raw`` keeps mediahub's own JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from .base import WireDateTime, WireModel, XboxModel
from .enums import (
    CaptureState,
    LocatorType,
    ThumbnailType,
    UriType,
    WireCaptureState,
    WireCaptureType,
    WireLocatorType,
    WireThumbnailType,
    WireUriType,
    parse_wire_enum,
    wire_parser,
)

__all__ = [
    "Capture",
    "Clip",
    "ContentLocator",
    "Locator",
    "MediaUri",
    "MediahubClip",
    "MediahubScreenshot",
    "Screenshot",
    "Thumbnail",
]


class Locator(WireModel):
    """Where a file of a capture is. ``Download`` URIs are signed and expire in about an hour."""

    uri: str | None = None
    file_size: int | None = None
    expiration: WireDateTime | None = None


class Thumbnail(Locator):
    thumbnail_type: WireThumbnailType = None


class MediaUri(Locator):
    """A media locator of the metadata services (``gameClipUris[]``, ``screenshotUris[]``)."""

    uri_type: WireUriType = None


class ContentLocator(Locator):
    """A locator of mediahub (``contentLocators[]``)."""

    locator_type: WireLocatorType = None


_SCHEMES = ("https://", "http://")


_DOWNLOAD = UriType.DOWNLOAD
_PUBLISHED = CaptureState.PUBLISHED
_parse_uri_type = wire_parser(UriType)
_parse_state = wire_parser(CaptureState)
_read_locator = MediaUri.read_lazily


class Capture(XboxModel):
    """What clips and screenshots share, whichever service listed them.

    Attributes:
        kind: ``"clip"`` or ``"screenshot"``.
        source: ``"metadata"`` (gameclipsmetadata/screenshotsmetadata) or ``"mediahub"``.
    """

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("id", "id"),
        ("title", "title_name"),
        ("recorded", "recorded"))

    kind: ClassVar[str]
    source: ClassVar[str] = "metadata"

    state: WireCaptureState = None
    date_published: WireDateTime | None = None
    last_modified: WireDateTime | None = None
    user_caption: str | None = None
    type: WireCaptureType = None
    scid: str | None = None
    title_id: int | None = None
    rating: float | None = None
    rating_count: int | None = None
    views: int | None = None
    title_data: str | None = None
    system_properties: str | None = None
    saved_by_user: bool | None = None
    achievement_id: str | None = None
    greatest_moment_id: str | None = None
    thumbnails: list[Thumbnail] = Field(default_factory=list)
    xuid: str | None = None
    title_name: str | None = None
    device_type: str | None = None

    @property
    def id(self) -> str:
        raise NotImplementedError

    @property
    def recorded(self) -> datetime | None:
        raise NotImplementedError

    @property
    def media_uris(self) -> list[MediaUri]:
        raise NotImplementedError

    @property
    def download(self) -> MediaUri | None:
        """The signed ``Download`` locator of the original file, if there is one."""
        for uri in self.media_uris:
            if uri.uri_type == _DOWNLOAD:
                return uri
        return None

    def thumbnail(self, kind: str) -> Thumbnail | None:
        """The ``"Small"`` or ``"Large"`` thumbnail, if there is one."""
        wanted = parse_wire_enum(ThumbnailType, kind)
        for thumb in self.thumbnails:
            if thumb.thumbnail_type == wanted:
                return thumb
        return None

    #: The media locators' wire key and field (``gameClipUris``, ``game_clip_uris``...).
    uris_key: ClassVar[str]
    uris_field: ClassVar[str]

    def wire_identity_problem(self, wire: dict[str, Any]) -> str | None:
        """:meth:`identity_problem`, read straight from the wire object when its locators
        are plain JSON objects (else from the fields).

        What it reads is kept as the fields read it: ``state`` (the same parser), and the
        media locators as this capture's ``media_uris``, with ``uri_type`` and ``uri``
        already read, so that ``download`` finds them built.
        """
        name = self.uris_field
        uris = wire.get(self.uris_key)
        fields = self.__dict__
        if type(uris) is not list or name in fields or "state" in fields:
            return self.identity_problem()  # (absent, or under the snake_case key)
        built: list[MediaUri] = []
        for entry in uris:
            if type(entry) is not dict or "uri_type" in entry:
                return self.identity_problem()
            uri = entry.get("uri")
            if uri is not None and type(uri) is not str:
                return self.identity_problem()
            kind = _parse_uri_type(entry.get("uriType"))
            locator = _read_locator(entry, {"uri": uri, "uri_type": kind})
            if locator is None:
                return self.identity_problem()
            built.append(locator)
        fields[name] = built
        state = fields["state"] = _parse_state(wire.get("state"))  # ("state" is its wire key)
        return _problem(built, state)

    def identity_problem(self) -> str | None:
        """A capture must be fetchable: a ``Download`` locator needs a usable address, and
        a published capture needs a ``Download`` locator (pending ones have none yet)."""
        return _problem(self.media_uris, self.state)


def _problem(locators: list[MediaUri], state: Any) -> str | None:
    """:meth:`Capture.identity_problem` of these media locators and state."""
    has_download = False
    for locator in locators:
        if locator.uri_type == _DOWNLOAD:
            uri = locator.uri
            if not (isinstance(uri, str) and uri.startswith(_SCHEMES)):
                return "its download locator has no usable address"
            has_download = True
    if not has_download and state == _PUBLISHED:
        return "it is published but has no download locator"
    return None


class Clip(Capture):
    """A game clip. ``game_clip_id`` is its identity; everything else may be missing."""

    game_clip_id: str = Field(min_length=1)
    date_recorded: WireDateTime | None = None
    duration_in_seconds: int | None = None
    game_clip_uris: list[MediaUri] = Field(default_factory=list)
    clip_name: str | None = None
    game_clip_locale: str | None = None
    # "None" (a string) until 2025; since then a flags integer, 0 for none (recorded-2025).
    clip_content_attributes: int | str | None = None
    comment_count: int | None = None
    like_count: int | None = None
    share_count: int | None = None
    partial_views: int | None = None

    kind: ClassVar[str] = "clip"
    uris_key: ClassVar[str] = "gameClipUris"
    uris_field: ClassVar[str] = "game_clip_uris"

    @property
    def id(self) -> str:
        return self.game_clip_id

    @property
    def recorded(self) -> datetime | None:
        return self.date_recorded

    @property
    def media_uris(self) -> list[MediaUri]:
        return self.game_clip_uris

    @property
    def download(self) -> MediaUri | None:
        """The signed ``Download`` locator of the original file, if there is one."""
        for uri in self.game_clip_uris:  # (Capture.download without a property between)
            if uri.uri_type == _DOWNLOAD:
                return uri
        return None


class Screenshot(Capture):
    """A screenshot. ``screenshot_id`` is its identity."""

    screenshot_id: str = Field(min_length=1)
    resolution_height: int | None = None
    resolution_width: int | None = None
    date_taken: WireDateTime | None = None
    screenshot_uris: list[MediaUri] = Field(default_factory=list)
    screenshot_name: str | None = None
    screenshot_locale: str | None = None
    # As clip_content_attributes: "None" until 2025, an integer since.
    screenshot_content_attributes: int | str | None = None

    kind: ClassVar[str] = "screenshot"
    uris_key: ClassVar[str] = "screenshotUris"
    uris_field: ClassVar[str] = "screenshot_uris"

    @property
    def id(self) -> str:
        return self.screenshot_id

    @property
    def recorded(self) -> datetime | None:
        return self.date_taken

    @property
    def media_uris(self) -> list[MediaUri]:
        return self.screenshot_uris

    @property
    def download(self) -> MediaUri | None:
        """The signed ``Download`` locator of the original file, if there is one."""
        for uri in self.screenshot_uris:  # (Capture.download without a property between)
            if uri.uri_type == _DOWNLOAD:
                return uri
        return None


# -- mediahub ------------------------------------------------------------------------------

# Mediahub's key -> the metadata services' key with the same meaning, for both kinds.
_HUB_COMMON = {"contentState": "state", "creationType": "type", "CreationType": "type",
               "viewCount": "views", "uploadDeviceType": "deviceType"}
_HUB_CLIP = {**_HUB_COMMON, "contentId": "gameClipId", "uploadDate": "datePublished",
             "uploadLanguage": "gameClipLocale"}
_HUB_SCREENSHOT = {**_HUB_COMMON, "contentId": "screenshotId", "captureDate": "dateTaken",
                   "dateUploaded": "datePublished", "uploadLanguage": "screenshotLocale"}
_HUB_THUMBNAILS = {LocatorType.THUMBNAIL_SMALL: "Small", LocatorType.THUMBNAIL_LARGE: "Large"}


def _from_hub(data: Any, keys: dict[str, str], uris_key: str) -> Any:
    """A mediahub record with the metadata services' keys added beside its own (its own
    stay too: they are kept as extra fields). Anything unexpected is left for validation."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for hub_key, key in keys.items():
        if hub_key in data and key not in out:
            out[key] = data[hub_key]
    owner = data.get("ownerXuid")
    if "xuid" not in out and isinstance(owner, int | str) and not isinstance(owner, bool):
        out["xuid"] = str(owner)
    locators = data.get("contentLocators")
    if isinstance(locators, list) and uris_key not in out:
        uris, thumbs = [], []
        for loc in locators:
            if not isinstance(loc, dict):
                continue
            kind = parse_wire_enum(LocatorType, loc.get("locatorType"))
            entry = {k: v for k, v in loc.items() if k != "locatorType"}
            if kind == LocatorType.DOWNLOAD:
                uris.append({**entry, "uriType": "Download"})
            elif isinstance(kind, LocatorType) and kind in _HUB_THUMBNAILS:  # (not a list)
                thumbs.append({**entry, "thumbnailType": _HUB_THUMBNAILS[kind]})
        out[uris_key] = uris
        out.setdefault("thumbnails", thumbs)
    return out


class MediahubClip(Clip):
    """A game clip as mediahub search lists it (the signed-in user's own, every title).

    Read into :class:`Clip`'s attributes (``contentId`` is ``game_clip_id``, the
    ``Download`` content locator is ``download``, ``Thumbnail_Small`` is
    ``thumbnail("Small")``...). Mediahub does not say whether a clip was saved
    (``saved_by_user`` is None) and has no SCID.

    Attributes:
        local_id: the console's own id of the capture; mediahub looks a capture up by it.
        content_locators: mediahub's locators as sent (the HDR one of screenshots included).
    """

    source: ClassVar[str] = "mediahub"

    local_id: str | None = None
    content_locators: list[ContentLocator] = Field(default_factory=list)
    owner_xuid: int | None = None

    @classmethod
    def prepare_wire(cls, data: Any) -> Any:
        if isinstance(data, dict) and "dateRecorded" not in data:
            segments = data.get("contentSegments")
            first = segments[0] if isinstance(segments, list) and segments else None
            if isinstance(first, dict) and "recordDate" in first:
                data = {**data, "dateRecorded": first["recordDate"]}
        return _from_hub(data, _HUB_CLIP, "gameClipUris")


class MediahubScreenshot(Screenshot):
    """A screenshot as mediahub search lists it; see :class:`MediahubClip`."""

    source: ClassVar[str] = "mediahub"

    local_id: str | None = None
    content_locators: list[ContentLocator] = Field(default_factory=list)
    owner_xuid: int | None = None

    @classmethod
    def prepare_wire(cls, data: Any) -> Any:
        return _from_hub(data, _HUB_SCREENSHOT, "screenshotUris")

    @property
    def hdr(self) -> ContentLocator | None:
        """The HDR original (``Download_HDR``, a JPEG XR file), when the screenshot has one."""
        for loc in self.content_locators:
            if loc.locator_type == LocatorType.DOWNLOAD_HDR:
                return loc
        return None

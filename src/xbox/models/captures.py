"""gameclipsmetadata / screenshotsmetadata: game clips and screenshots."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from .base import WireDateTime, WireModel, XboxModel

__all__ = ["Capture", "Clip", "MediaUri", "Screenshot", "Thumbnail"]


class Thumbnail(WireModel):
    uri: str | None = None
    file_size: int | None = None
    thumbnail_type: str | None = None


class MediaUri(WireModel):
    """A media locator. ``Download`` URIs are signed and expire about an hour after issue."""

    uri: str | None = None
    file_size: int | None = None
    uri_type: str | None = None
    expiration: WireDateTime | None = None


class Capture(XboxModel):
    """What clips and screenshots share."""

    state: str | None = None
    date_published: WireDateTime | None = None
    last_modified: WireDateTime | None = None
    user_caption: str | None = None
    type: str | None = None
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
            if uri.uri_type == "Download":
                return uri
        return None

    def thumbnail(self, kind: str) -> Thumbnail | None:
        for thumb in self.thumbnails:
            if thumb.thumbnail_type == kind:
                return thumb
        return None


class Clip(Capture):
    """A game clip. ``game_clip_id`` is its identity; everything else may be missing."""

    game_clip_id: str
    date_recorded: WireDateTime | None = None
    duration_in_seconds: int | None = None
    game_clip_uris: list[MediaUri] = Field(default_factory=list)
    clip_name: str | None = None
    game_clip_locale: str | None = None
    clip_content_attributes: str | None = None
    comment_count: int | None = None
    like_count: int | None = None
    share_count: int | None = None
    partial_views: int | None = None

    kind: ClassVar[str] = "clip"

    @property
    def id(self) -> str:
        return self.game_clip_id

    @property
    def recorded(self) -> datetime | None:
        return self.date_recorded

    @property
    def media_uris(self) -> list[MediaUri]:
        return self.game_clip_uris


class Screenshot(Capture):
    """A screenshot. ``screenshot_id`` is its identity."""

    screenshot_id: str
    resolution_height: int | None = None
    resolution_width: int | None = None
    date_taken: WireDateTime | None = None
    screenshot_uris: list[MediaUri] = Field(default_factory=list)
    screenshot_name: str | None = None
    screenshot_locale: str | None = None
    screenshot_content_attributes: str | None = None

    kind: ClassVar[str] = "screenshot"

    @property
    def id(self) -> str:
        return self.screenshot_id

    @property
    def recorded(self) -> datetime | None:
        return self.date_taken

    @property
    def media_uris(self) -> list[MediaUri]:
        return self.screenshot_uris

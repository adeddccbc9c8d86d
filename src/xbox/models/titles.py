"""titlehub.xboxlive.com (contract 2): titles a player has played, and title info.

Each decoration asked for fills one block of a title (``achievement``, ``image``, ``scid``,
``detail``, ``stats``, ``gamepass``, ``friendswhoplayed``, ``alternatetitleid``...); a block
not asked for is null on the wire and None here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from .base import PASCAL_CASE, WireDateTime, WireModel, XboxModel

__all__ = ["FriendWhoPlayed", "FriendsWhoPlayed", "Title", "TitleAchievementSummary",
           "TitleAttribute", "TitleAvailability", "TitleDetail", "TitleGamePass",
           "TitleHistoryInfo", "TitleImage", "TitleStats"]


class TitleAchievementSummary(WireModel):
    current_achievements: int | None = None
    total_achievements: int | None = None
    current_gamerscore: int | None = None
    total_gamerscore: int | None = None
    progress_percentage: float | None = None
    source_version: int | None = None


class TitleImage(WireModel):
    url: str | None = None
    type: str | None = None


class TitleHistoryInfo(WireModel):
    last_time_played: WireDateTime | None = None
    visible: bool | None = None
    can_hide: bool | None = None


class TitleStats(WireModel):
    """The ``stats`` decoration (the numbers themselves come from ``xbl.stats``)."""

    source_version: int | None = None


class TitleGamePass(WireModel):
    """The ``gamepass`` decoration."""

    is_game_pass: bool | None = None


class TitleAttribute(WireModel):
    """A feature of the title (``XblOnlineMultiPlayer``, ``GameStreaming``...), with its
    player counts where it has them."""

    name: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    applicable_platforms: list[str] | None = None


class TitleAvailability(WireModel):
    """Where the title can be had; PascalCase on the wire, unlike the rest of titlehub."""

    model_config = PASCAL_CASE

    actions: list[str] = Field(default_factory=list)
    availability_id: str | None = None
    platforms: list[str] = Field(default_factory=list)
    sku_id: str | None = None


class TitleDetail(WireModel):
    """The ``detail`` decoration: the store's description of the title."""

    attributes: list[TitleAttribute] = Field(default_factory=list)
    availabilities: list[TitleAvailability] = Field(default_factory=list)
    capabilities: list[str] = Field(default_factory=list)
    description: str | None = None
    developer_name: str | None = None
    genres: list[str] | None = None  # as recorded: only in look-ups, not in the history
    publisher_name: str | None = None
    min_age: int | None = None
    release_date: WireDateTime | None = None
    short_description: str | None = None
    vui_display_name: str | None = None
    xbox_live_gold_required: bool | None = None


class FriendWhoPlayed(WireModel):
    xuid: str | None = None
    gamertag: str | None = None
    is_favorite: bool | None = None
    is_currently_playing: bool | None = None
    last_time_played: WireDateTime | None = None
    presence_state: str | None = None
    display_pic_raw: str | None = None
    use_avatar: bool | None = None
    preferred_color: Any = None


class FriendsWhoPlayed(WireModel):
    """The ``friendswhoplayed`` decoration: a few of the friends who played, and counts."""

    people: list[FriendWhoPlayed] = Field(default_factory=list)
    currently_playing_count: int | None = None
    have_played_count: int | None = None


class Title(XboxModel):
    """A title as titlehub describes it. ``title_id`` is its identity and, as on this
    service's wire, a **string** (achievements send numbers)."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (("title_id", "title_id"), ("name", "name"))

    title_id: str
    pfn: str | None = None
    bing_id: str | None = None
    service_config_id: str | None = None
    windows_phone_product_id: str | None = None
    name: str | None = None
    type: str | None = None
    devices: list[str] = Field(default_factory=list)
    display_image: str | None = None
    media_item_type: str | None = None
    modern_title_id: str | None = None
    is_bundle: bool | None = None
    achievement: TitleAchievementSummary | None = None
    stats: TitleStats | None = None
    game_pass: TitleGamePass | None = None
    images: list[TitleImage] | None = None
    title_history: TitleHistoryInfo | None = None
    detail: TitleDetail | None = None
    friends_who_played: FriendsWhoPlayed | None = None
    alternate_title_ids: Any = None
    content_boards: Any = None
    xbox_live_tier: str | None = None
    is_streamable: bool | None = None

    @property
    def last_played(self) -> datetime | None:
        return self.title_history.last_time_played if self.title_history else None

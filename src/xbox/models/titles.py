"""titlehub.xboxlive.com (contract 2): titles a player has played, and title info."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from .base import WireDateTime, WireModel, XboxModel

__all__ = ["Title", "TitleAchievementSummary", "TitleHistoryInfo", "TitleImage"]


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
    stats: Any = None
    images: list[TitleImage] | None = None
    title_history: TitleHistoryInfo | None = None
    detail: Any = None
    friends_who_played: Any = None
    alternate_title_ids: Any = None
    content_boards: Any = None
    xbox_live_tier: str | None = None

    @property
    def last_played(self) -> datetime | None:
        return self.title_history.last_time_played if self.title_history else None

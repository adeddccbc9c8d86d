"""achievements.xboxlive.com: Xbox One (contract 2) and Xbox 360 (contract 1) achievements."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from .base import WireDateTime, WireModel, XboxModel

__all__ = [
    "Achievement",
    "Achievement360",
    "AchievementMediaAsset",
    "AchievementProgression",
    "AchievementRequirement",
    "AchievementReward",
    "TitleAssociation",
    "TitleProgress",
    "TitleProgress360",
]

# .NET's DateTime.MinValue (year 1) stands for "never" on the wire.
_NEVER_YEAR = 1


def _real_time(value: datetime | None) -> datetime | None:
    return None if value is None or value.year <= _NEVER_YEAR else value


class TitleAssociation(WireModel):
    name: str | None = None
    id: int | None = None


class AchievementRequirement(WireModel):
    """One counter of an achievement. ``current`` and ``target`` are strings on the wire."""

    id: str | None = None
    current: str | None = None
    target: str | None = None
    operation_type: str | None = None
    value_type: str | None = None
    rule_participation_type: str | None = None


class AchievementProgression(WireModel):
    requirements: list[AchievementRequirement] = Field(default_factory=list)
    time_unlocked: WireDateTime | None = None


class AchievementMediaAsset(WireModel):
    name: str | None = None
    type: str | None = None
    url: str | None = None


class AchievementReward(WireModel):
    name: str | None = None
    description: str | None = None
    value: str | None = None
    type: str | None = None
    media_asset: Any = None
    value_type: str | None = None


class Achievement(XboxModel):
    """An Xbox One (v2) achievement. ``id`` (a string) is its identity within its SCID."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("id", "id"),
        ("name", "name"),
        ("title_id", "title_id"),
        ("unlocked", "unlocked"))

    id: str
    service_config_id: str | None = None
    name: str | None = None
    title_associations: list[TitleAssociation] = Field(default_factory=list)
    progress_state: str | None = None
    progression: AchievementProgression | None = None
    media_assets: list[AchievementMediaAsset] = Field(default_factory=list)
    platforms: list[str] = Field(default_factory=list)
    is_secret: bool | None = None
    description: str | None = None
    locked_description: str | None = None
    product_id: str | None = None
    achievement_type: str | None = None
    participation_type: str | None = None
    time_window: Any = None
    rewards: list[AchievementReward] = Field(default_factory=list)
    estimated_time: str | None = None
    deeplink: str | None = None
    is_revoked: bool | None = None

    @property
    def unlocked(self) -> bool:
        """Whether the player has earned it (``progressState == "Achieved"``)."""
        return self.progress_state == "Achieved"

    @property
    def unlocked_at(self) -> datetime | None:
        """When it was earned; None when it was not (the wire says year 1 then)."""
        return _real_time(self.progression.time_unlocked) if self.progression else None

    @property
    def title_id(self) -> int | None:
        """The first associated title's id."""
        return self.title_associations[0].id if self.title_associations else None

    @property
    def gamerscore(self) -> int | None:
        """The Gamerscore reward, as an int (None when it has none)."""
        for reward in self.rewards:
            if reward.type == "Gamerscore" and reward.value is not None:
                try:
                    return int(reward.value)
                except ValueError:
                    return None
        return None


class Achievement360(XboxModel):
    """An Xbox 360 (v1) achievement. ``id`` (a number) is its identity within its title."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("id", "id"),
        ("name", "name"),
        ("title_id", "title_id"),
        ("unlocked", "unlocked"))

    id: int
    title_id: int | None = None
    name: str | None = None
    sequence: int | None = None
    flags: int | None = None
    unlocked_online: bool | None = None
    unlocked: bool | None = None
    is_secret: bool | None = None
    platform: int | None = None
    gamerscore: int | None = None
    image_id: int | None = None
    description: str | None = None
    locked_description: str | None = None
    type: int | None = None
    is_revoked: bool | None = None
    time_unlocked: WireDateTime | None = None

    @property
    def unlocked_at(self) -> datetime | None:
        """When it was earned; None when it was not (the wire carries a placeholder date)."""
        return _real_time(self.time_unlocked) if self.unlocked else None


class TitleProgress(XboxModel):
    """One title of a player's Xbox One achievement history."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (("title_id", "title_id"), ("name", "name"))

    title_id: int
    last_unlock: WireDateTime | None = None
    service_config_id: str | None = None
    title_type: str | None = None
    platform: str | None = None
    name: str | None = None
    earned_achievements: int | None = None
    current_gamerscore: int | None = None
    max_gamerscore: int | None = None

    @property
    def last_unlocked_at(self) -> datetime | None:
        return _real_time(self.last_unlock)


class TitleProgress360(XboxModel):
    """One title of a player's Xbox 360 achievement history."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (("title_id", "title_id"), ("name", "name"))

    title_id: int
    last_played: WireDateTime | None = None
    current_achievements: int | None = None
    current_gamerscore: int | None = None
    sequence: int | None = None
    title_type: int | None = None
    platforms: list[int] = Field(default_factory=list)
    name: str | None = None
    total_achievements: int | None = None
    total_gamerscore: int | None = None

"""profile.xboxlive.com: a user's profile settings."""

from __future__ import annotations

import re
from typing import (
    Any,
    ClassVar,
    Required,  # pydantic needs this TypedDict before 3.12
)

from pydantic import Field
from typing_extensions import TypedDict

from .base import XboxModel

__all__ = ["DEFAULT_SETTINGS", "Profile", "ProfileSetting"]

# What the modern client asks for by default (all of them are cheap to send).
DEFAULT_SETTINGS = (
    "AppDisplayName", "AppDisplayPicRaw", "GameDisplayName", "GameDisplayPicRaw",
    "DisplayPic", "PublicGamerpic", "Gamerscore", "Gamertag", "ModernGamertag",
    "ModernGamertagSuffix", "UniqueModernGamertag", "AccountTier", "TenureLevel",
    "XboxOneRep", "PreferredColor", "Location", "Bio", "Watermarks", "RealName",
    "RealNameOverride", "IsQuarantined",
)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class ProfileSetting(TypedDict, total=False):
    """``{"id": "Gamertag", "value": "JoeAlcorn"}`` (a plain dict: cheap to validate)."""

    id: Required[str]
    value: Any


class Profile(XboxModel):
    """One user's profile. Settings are attributes by snake_case name:
    ``profile.gamertag``, ``profile.gamerscore`` (an int), ``profile.app_display_name``...
    """

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("xuid", "xuid"),
        ("gamertag", "gamertag"),
        ("gamerscore", "gamerscore"))

    xuid: str = Field(alias="id")
    host_id: str | None = None
    settings: list[ProfileSetting] = Field(default_factory=list)
    is_sponsored_user: bool | None = None

    def setting(self, name: str, default: Any = None) -> Any:
        """A setting's raw string value by wire name (``"Gamerscore"``)."""
        for s in self.settings:
            if s["id"] == name:
                return s.get("value")
        return default

    @property
    def settings_by_name(self) -> dict[str, Any]:
        return {s["id"]: s.get("value") for s in self.settings}

    @property
    def gamertag(self) -> str | None:
        value = self.setting("Gamertag")
        return str(value) if value is not None else None

    @property
    def gamerscore(self) -> int | None:
        value = self.setting("Gamerscore")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    @property
    def gamerpic(self) -> str | None:
        for name in ("PublicGamerpic", "GameDisplayPicRaw", "AppDisplayPicRaw"):
            value = self.setting(name)
            if value:
                return str(value)
        return None

    @property
    def tenure_level(self) -> int | None:
        value = self.setting("TenureLevel")
        return int(value) if isinstance(value, str) and value.isdigit() else None

    def __getattr__(self, name: str) -> Any:
        # Every other setting by snake_case name (app_display_name, xbox_one_rep, ...).
        if not name.startswith("_"):
            try:
                settings = object.__getattribute__(self, "settings")
            except AttributeError:
                settings = None
            if settings is not None:
                for s in settings:
                    if _snake(s["id"]) == name:
                        return s.get("value")
        return super().__getattr__(name)  # type: ignore[misc]

"""usersearch.xboxlive.com (contract 1): gamertag suggestions."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from .base import WireModel, XboxModel

__all__ = ["SearchResult", "SearchUser"]


class SearchUser(WireModel):
    """The user a suggestion points at. ``xuid`` (``id`` on the wire) is its identity."""

    xuid: str = Field(alias="id")
    gamertag: str | None = None
    display_pic_uri: str | None = None
    score: float | None = None


class SearchResult(XboxModel):
    """One suggestion: the matched ``text`` and the user (also reachable as ``.xuid`` etc.)."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (("xuid", "xuid"), ("gamertag", "gamertag"))

    text: str | None = None
    result: SearchUser

    @property
    def xuid(self) -> str:
        return self.result.xuid

    @property
    def gamertag(self) -> str | None:
        return self.result.gamertag

    @property
    def display_pic_uri(self) -> str | None:
        return self.result.display_pic_uri

    @property
    def score(self) -> float | None:
        return self.result.score

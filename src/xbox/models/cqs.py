"""cqs.xboxlive.com: the TV listings a console's OneGuide shows (PascalCase keys)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from .base import PASCAL_CASE, WireDateTime, WireModel, XboxModel

__all__ = ["Channel", "ChannelImage", "ChannelSchedule", "TvProgram"]


class ChannelImage(WireModel):
    model_config = PASCAL_CASE

    purpose: str | None = None
    resize_uri: str | None = None
    fore_color: str | None = None


class Channel(XboxModel):
    """A channel of a lineup: call sign, number and logo; ``is_hd`` only on HD channels."""

    model_config = PASCAL_CASE
    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("number", "channel_number"), ("call_sign", "call_sign"))

    id: str
    channel_id: str | None = None
    call_sign: str | None = None
    channel_number: str | None = None
    is_hd: bool = Field(default=False, alias="IsHD")
    start_date: WireDateTime | None = None
    end_date: WireDateTime | None = None
    images: list[ChannelImage] = Field(default_factory=list)


class TvProgram(WireModel):
    """One program of a schedule."""

    model_config = PASCAL_CASE

    id: str | None = None
    name: str | None = None
    description: str | None = None
    media_item_type: str | None = None
    start_date: WireDateTime | None = None
    end_date: WireDateTime | None = None
    is_repeat: bool | None = None
    genres: list[dict[str, str]] = Field(default_factory=list)
    images: list[ChannelImage] = Field(default_factory=list)
    parent_series: dict[str, str] | None = None
    category_id: int | None = None


class ChannelSchedule(XboxModel):
    """A channel's programs over the window asked for."""

    model_config = PASCAL_CASE
    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (("name", "name"),)

    id: str
    name: str | None = None
    images: list[ChannelImage] = Field(default_factory=list)
    programs: list[TvProgram] = Field(default_factory=list)

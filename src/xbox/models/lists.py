"""eplists.xboxlive.com: a user's Pins list (``XBLPins``), PascalCase on the wire."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from pydantic import Field

from .base import PASCAL_CASE, WireModel, XboxModel

__all__ = ["ListEntry", "ListMetadata", "PinList", "PinnedItem"]


class PinnedItem(WireModel):
    """What is pinned: an app or game (``item_id`` its package family name, ``content_type``
    ``DGame`` or ``DApp``), or a provider's item (``provider`` and ``provider_id``).
    Build one to pin it: ``PinnedItem(item_id="...", content_type="DGame", title="...")``.
    """

    model_config = PASCAL_CASE

    item_id: str | None = None
    content_type: str | None = None
    title: str | None = None
    device_type: str | None = None
    provider: str | None = None
    provider_id: str | None = None


def _list_date(text: str | None) -> datetime | None:
    """``08/04/2015 21:06:06``: month first, UTC (as recorded)."""
    try:
        return datetime.strptime(text or "", "%m/%d/%Y %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


class ListEntry(WireModel):
    """One entry of the list: the item, when it was added, and its place."""

    model_config = PASCAL_CASE

    item: PinnedItem
    date_added: str | None = None
    date_modified: str | None = None
    index: int | None = None
    k_value: int | None = None

    @property
    def added(self) -> datetime | None:
        return _list_date(self.date_added)

    @property
    def modified(self) -> datetime | None:
        return _list_date(self.date_modified)


class ListMetadata(XboxModel):
    """The list's title, version (one up per change) and size; what adds and removes answer."""

    model_config = PASCAL_CASE
    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("title", "list_title"), ("version", "list_version"), ("count", "list_count"))

    list_title: str | None = None
    list_version: int | None = None
    list_count: int | None = None
    allow_duplicates: bool | None = None
    max_list_size: int | None = None
    access_setting: str | None = None


class PinList(XboxModel):
    """A user's list as the service sends it: ``items`` (its entries, in order) and
    ``metadata``."""

    model_config = PASCAL_CASE
    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (("items", "item_ids"),)

    impression_id: str | None = None
    items: list[ListEntry] = Field(default_factory=list, alias="ListItems")
    metadata: ListMetadata | None = Field(default=None, alias="ListMetadata")

    @property
    def item_ids(self) -> list[str | None]:
        """The pinned items' ids, in the list's order."""
        return [entry.item.item_id for entry in self.items]

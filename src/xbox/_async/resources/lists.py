"""lists: a user's Pins list on eplists.xboxlive.com (read, pin, unpin: never retried)."""

from __future__ import annotations

from collections.abc import Iterable

from ..._api import lists
from ..._api.lists import PINS, Item
from ...models.lists import ListMetadata, PinList
from ._base import AsyncResource

__all__ = ["AsyncLists"]


class AsyncLists(AsyncResource):
    """``xbl.lists``: eplists.xboxlive.com."""

    async def get(self, xuid: str | int | None = None, *, list_name: str = PINS) -> PinList:
        """A user's (default: your) pinned items, in order, and the list's metadata."""
        return await self._fetch(lists.read(list_name)(await self._xuid(xuid)))

    async def add(self, items: Iterable[Item] | Item, xuid: str | int | None = None, *,
                  list_name: str = PINS) -> ListMetadata:
        """Pin items (ids, PinnedItem objects or wire objects) at the end;
        already pinned ones stay where they are. Never retried."""
        return await self._fetch(lists.change("POST", items, list_name)(await self._xuid(xuid)))

    async def remove(self, items: Iterable[Item] | Item, xuid: str | int | None = None, *,
                     list_name: str = PINS) -> ListMetadata:
        """Unpin items (by id, or as :meth:`get` gave them). Never retried."""
        return await self._fetch(lists.change("DELETE", items, list_name)(await self._xuid(xuid)))

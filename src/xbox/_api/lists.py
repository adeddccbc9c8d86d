"""eplists.xboxlive.com (contract 2): a user's Pins list, ``XBLPins``: read it, pin items
(``POST``) and unpin them (``DELETE`` with the items in the body), as both peers send them.

Pinning and unpinning are writes and never retried: a change whose answer was lost is left
for the caller to check (read the list) rather than sent again blindly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from .._core.call import api_call
from ..exceptions import InvalidArgument
from ..models.lists import ListEntry, ListMetadata, PinList, PinnedItem
from . import ForUser, Request

__all__ = ["HOST", "PINS", "change", "items_json", "read"]

HOST = "eplists.xboxlive.com"
PINS = "XBLPins"
CONTRACT = 2

Item = str | PinnedItem | ListEntry | Mapping[str, Any]


def _list_name(list_name: str) -> str:
    name = str(list_name).strip()
    if not name or "/" in name or len(name) > 64:
        raise InvalidArgument(f"a list name looks like 'XBLPins', not {list_name!r}"[:120])
    return quote(name, safe="")


def items_json(items: Iterable[Item] | Item) -> list[dict[str, Any]]:
    """The wire form of items: an id (``ItemId``), a :class:`PinnedItem`, a list entry (its
    item) or a wire object as is.

    Raises:
        InvalidArgument: no items, or one with neither an id nor a provider id.
    """
    if isinstance(items, str | PinnedItem | ListEntry | Mapping):
        items = [items]
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, ListEntry):
            item = item.item
        if isinstance(item, PinnedItem):
            wire = item.model_dump(by_alias=True, exclude_none=True)
        elif isinstance(item, Mapping):
            wire = dict(item)
        elif isinstance(item, str) and item.strip():
            wire = {"ItemId": item.strip()}
        else:
            wire = {}
        if not (wire.get("ItemId") or wire.get("ProviderId")):
            raise InvalidArgument(f"an item to pin has an ItemId (a package family name) or a "
                                  f"ProviderId, not {item!r}"[:160])
        out.append(wire)
    if not out:
        raise InvalidArgument("name at least one item")
    return out


def read(list_name: str) -> ForUser[PinList]:
    """The list's entries and metadata."""
    name = _list_name(list_name)

    def request(who: str) -> Request[PinList]:
        call = api_call("GET", HOST, f"/users/xuid({who})/lists/PINS/{name}",
                        contract_version=CONTRACT)
        return Request(call, PinList.from_wire, not_found_message=f"No such list: {list_name}")

    return request


def change(method: str, items: Iterable[Item] | Item, list_name: str) -> ForUser[ListMetadata]:
    """Pin (``POST``) or unpin (``DELETE``) items; the answer is the list's new metadata."""
    body = {"Items": items_json(items)}
    name = _list_name(list_name)

    def request(who: str) -> Request[ListMetadata]:
        call = api_call(method, HOST, f"/users/xuid({who})/lists/PINS/{name}",
                        contract_version=CONTRACT, json=body, idempotent=False)
        return Request(call, ListMetadata.from_wire,
                       not_found_message=f"No such list: {list_name}")

    return request

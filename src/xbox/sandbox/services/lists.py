"""eplists.xboxlive.com: a user's Pins list (``XBLPins``): read, add, remove.

Shapes from ``lists_get_items.json``, ``list_add_item.json`` and ``list_delete_item.json``;
requests as the peers send them (contract 2): ``GET``, ``POST`` (add) and ``DELETE``
(remove, the items in the body) on ``/users/xuid(X)/lists/PINS/XBLPins``. Microsoft's XSAPI
also removes with ``POST …/RemoveItems`` and asks ``POST …/ContainsItems``; both are
served. Bodies name items as ``{"Items": [{"ItemId"|"Provider"+"ProviderId", "ContentType",
"Title", "DeviceType", …}]}``. Adds and removes answer the list's metadata; ``ListVersion``
goes up by one per change, and adding a pinned item or removing an absent one changes
nothing (the list allows no duplicates, as its metadata says).

Assumptions (nothing recorded shows them): the list is titled ``Pins`` (the add and delete
recordings say so; the get recording's ``Recommended pps`` looks like another list), new
pins go to the end, ``Index`` is the position and ``KValue`` a number the item keeps; only
the owner may read or change the list (403, as its ``OwnerOnly`` access setting says); any
other list name is an empty 404; past 200 items, or with a malformed body, an empty 400;
``ContainsItems`` answers in the shape of XSAPI's unit-test mock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, json_response, route
from ..world_services import Pin, services_world
from ._wire import bad_request, contract, forbidden, not_found, valid_xuid

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account

HOST = r"eplists\.xboxlive\.com"
LIST = r"/users/xuid\((?P<xuid>[^)]*)\)/lists/PINS/(?P<name>[^/]+)"
MAX_SIZE = 200
LIST_NAME = "XBLPins"


def _date(when: datetime) -> str:
    """``08/04/2015 21:06:06``: month first, as recorded."""
    return when.strftime("%m/%d/%Y %H:%M:%S")


def _metadata(sb: Sandbox, owner: Account) -> dict[str, Any]:
    world = services_world(sb)
    return {"ListTitle": "Pins", "ListVersion": world.pin_versions.get(owner.xuid, 0),
            "ListCount": len(world.pins.get(owner.xuid, [])), "AllowDuplicates": False,
            "MaxListSize": MAX_SIZE, "AccessSetting": "OwnerOnly"}


def _item_json(pin: Pin) -> dict[str, Any]:
    return {"ItemId": pin.item_id, "ContentType": pin.content_type, "Title": pin.title,
            "DeviceType": pin.device_type, "Provider": pin.provider,
            "ProviderId": pin.provider_id}


def _owner(sb: Sandbox, call: Call, xuid: str, name: str) -> Account | httpx.Response:
    if isinstance(refused := contract(sb, call, "eplists"), httpx.Response):
        return refused
    xuid = unquote(xuid)
    if not valid_xuid(xuid):
        return bad_request(sb)
    assert call.user is not None
    if xuid != call.user.xuid:
        return forbidden(sb)
    if unquote(name) != LIST_NAME:
        return not_found(sb)
    return call.user


def _same(pin: Pin, item: dict[str, Any]) -> bool:
    if item.get("ItemId"):
        return bool(pin.item_id == item["ItemId"])
    return (pin.provider, pin.provider_id) == (item.get("Provider"), item.get("ProviderId"))


def _items(call: Call) -> list[dict[str, Any]] | None:
    body = call.json()
    items = body.get("Items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        return None
    for item in items:
        if not isinstance(item, dict) or not (_text(item, "ItemId") or _text(item, "ProviderId")):
            return None
    return items


def _text(item: dict[str, Any], key: str) -> bool:
    """Whether ``item[key]`` is a non-empty string."""
    value = item.get(key)
    return isinstance(value, str) and bool(value)


@route("GET", HOST, LIST, service="eplists")
def get_items(sb: Sandbox, call: Call, xuid: str, name: str) -> httpx.Response:
    owner = _owner(sb, call, xuid, name)
    if isinstance(owner, httpx.Response):
        return owner
    pins = services_world(sb).pins.get(owner.xuid, [])
    body = {
        "ImpressionId": f"Lists.{sb.correlation_id()}",
        "ListItems": [{"DateAdded": _date(p.added), "DateModified": _date(p.modified),
                       "Index": n, "KValue": p.kvalue, "Item": _item_json(p)}
                      for n, p in enumerate(pins)],
        "ListMetadata": _metadata(sb, owner),
    }
    return json_response(200, body, headers=sb.xbl_headers())


@route("POST", HOST, LIST, service="eplists")
def add_items(sb: Sandbox, call: Call, xuid: str, name: str) -> httpx.Response:
    """Pin items at the end of the list; already pinned ones stay where they are."""
    owner = _owner(sb, call, xuid, name)
    if isinstance(owner, httpx.Response):
        return owner
    items = _items(call)
    if items is None:
        return bad_request(sb)
    world = services_world(sb)
    pins = world.pins.setdefault(owner.xuid, [])
    new = [i for n, i in enumerate(items)
           if not any(_same(p, i) for p in pins) and not any(_same_item(i, j) for j in items[:n])]
    if len(pins) + len(new) > MAX_SIZE:
        return bad_request(sb)
    now = datetime.fromtimestamp(sb.now(), UTC)
    for item in new:
        world.pin_kvalues += 1
        pins.append(Pin(
            item_id=str(item.get("ItemId") or ""), content_type=str(item.get("ContentType") or ""),
            title=item.get("Title"), device_type=str(item.get("DeviceType") or "XboxOne"),
            provider=item.get("Provider"), provider_id=item.get("ProviderId"), added=now,
            modified=now, kvalue=world.pin_kvalues))
    if new:
        world.pin_versions[owner.xuid] = world.pin_versions.get(owner.xuid, 0) + 1
    return json_response(200, _metadata(sb, owner), headers=sb.xbl_headers())


def _same_item(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("ItemId") or b.get("ItemId"):
        return bool(a.get("ItemId")) and a.get("ItemId") == b.get("ItemId")
    return (a.get("Provider"), a.get("ProviderId")) == (b.get("Provider"), b.get("ProviderId"))


def _remove(sb: Sandbox, call: Call, xuid: str, name: str) -> httpx.Response:
    owner = _owner(sb, call, xuid, name)
    if isinstance(owner, httpx.Response):
        return owner
    items = _items(call)
    if items is None:
        return bad_request(sb)
    world = services_world(sb)
    pins = world.pins.setdefault(owner.xuid, [])
    keep = [p for p in pins if not any(_same(p, i) for i in items)]
    if len(keep) != len(pins):
        pins[:] = keep
        world.pin_versions[owner.xuid] = world.pin_versions.get(owner.xuid, 0) + 1
    return json_response(200, _metadata(sb, owner), headers=sb.xbl_headers())


@route("DELETE", HOST, LIST, service="eplists")
def remove_items(sb: Sandbox, call: Call, xuid: str, name: str) -> httpx.Response:
    """Unpin the items in the body; unpinning an item that is not there changes nothing."""
    return _remove(sb, call, xuid, name)


@route("POST", HOST, LIST + r"/RemoveItems", service="eplists")
def remove_items_post(sb: Sandbox, call: Call, xuid: str, name: str) -> httpx.Response:
    """XSAPI's way to unpin: the same as ``DELETE``."""
    return _remove(sb, call, xuid, name)


@route("POST", HOST, LIST + r"/ContainsItems", service="eplists")
def contains_items(sb: Sandbox, call: Call, xuid: str, name: str) -> httpx.Response:
    """Whether each item is pinned."""
    owner = _owner(sb, call, xuid, name)
    if isinstance(owner, httpx.Response):
        return owner
    items = _items(call)
    if items is None:
        return bad_request(sb)
    pins = services_world(sb).pins.get(owner.xuid, [])
    out = []
    for item in items:
        pin = next((p for p in pins if _same(p, item)), None)
        out.append({"Contained": pin is not None, "Item": {
            "ItemId": pin.item_id if pin else item.get("ItemId"),
            "ProviderId": item.get("ProviderId"), "Provider": item.get("Provider"),
            "ContentType": pin.content_type if pin else item.get("ContentType"),
            "Title": pin.title if pin else item.get("Title"), "SubTitle": None,
            "ImageUrl": None, "AltImageUrl": None, "Locale": item.get("Locale") or "en-US",
            "IsDefaultPin": False, "DeviceType": pin.device_type if pin else "XboxOne"}})
    return json_response(200, {"ContainedItems": out}, headers=sb.xbl_headers())

"""userpresence.xboxlive.com: who is online, on what device, playing what (contract 3).

Spec §4 "Presence" and the recordings ``presence.json`` (offline with ``lastSeen``),
``presence_own.json`` (minimal ``{"xuid","state"}``) and ``presence_batch.json`` (a bare
array). Online records carry ``devices`` whose depth follows ``level``:
``user`` (none), ``device`` (devices without titles), ``title`` (the default) and ``all``
(titles plus an ``activity`` object, whose live shape is unconfirmed). Setting one's own
state (``PUT /users/xuid(x)/state``) is not emulated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, empty, json_response, route
from .achievements import dotnet_time
from .profile import invalid_xuid, valid_xuid

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account

HOST = r"userpresence\.xboxlive\.com"
MAX_BATCH = 1100
LEVELS = ("user", "device", "title", "all")
DEFAULT_LEVEL = "title"  # the documented default
SERVER_NAME = "PRES-SANDBOX-01"


def record(account: Account, level: str) -> dict[str, Any]:
    """One user's presence record at ``level``, keys in recorded order."""
    out: dict[str, Any] = {"xuid": account.xuid, "state": account.presence_state}
    title = account.last_seen_title
    if account.presence_state != "Online":
        if title is not None:
            # Recorded lastSeen objects always carry an empty titleName; titleId is a string.
            out["lastSeen"] = {"deviceType": account.last_seen_device,
                               "titleId": str(title.title_id), "titleName": "",
                               "timestamp": dotnet_time(account.last_seen)}
        return out
    if level == "user":
        return out
    device: dict[str, Any] = {"type": account.last_seen_device, "titles": []}
    if level in ("title", "all") and title is not None:
        entry: dict[str, Any] = {"id": str(title.title_id), "name": title.name,
                                 "placement": "Full", "state": "Active",
                                 "lastModified": dotnet_time(account.last_seen)}
        if level == "all":
            entry["activity"] = {"richPresence": f"Playing {title.name}"}
        device["titles"].append(entry)
    out["devices"] = [device]
    return out


def _level(call: Call, default: str = DEFAULT_LEVEL) -> str | None:
    level = (call.params.get("level") or default).lower()
    return level if level in LEVELS else None


def _headers(sb: Sandbox, cache: str) -> dict[str, str]:
    return {**sb.xbl_headers(cache), "X-ServerName": SERVER_NAME}


@route("GET", HOST, r"/users/xuid\((?P<xuid>[^)]*)\)", service="presence")
def by_xuid(sb: Sandbox, call: Call, xuid: str) -> httpx.Response:
    xuid = unquote(xuid)
    if not valid_xuid(xuid):
        return invalid_xuid(sb, xuid)
    level = _level(call)
    if level is None:
        return empty(400, headers=_headers(sb, "no-cache, no-store"))
    account = sb.world.by_xuid.get(xuid)
    if account is None:
        return empty(404, headers=_headers(sb, "no-cache, no-store"))
    return json_response(200, record(account, level),
                         headers=_headers(sb, "private, max-age=15"))


@route("GET", HOST, r"/users/me", service="presence")
def me(sb: Sandbox, call: Call) -> httpx.Response:
    assert call.user is not None
    level = _level(call)
    if level is None:
        return empty(400, headers=_headers(sb, "no-cache, no-store"))
    return json_response(200, record(call.user, level),
                         headers=_headers(sb, "private, max-age=15"))


@route("POST", HOST, r"/users/batch", service="presence")
def batch(sb: Sandbox, call: Call) -> httpx.Response:
    """Many users at once: a bare JSON array; unknown xuids are left out, not errors."""
    body = call.json()
    bad = empty(400, headers=_headers(sb, "no-cache, no-store"))
    if not isinstance(body, dict) or not isinstance(body.get("users"), list):
        return bad
    users = [str(u) for u in body["users"]]
    if not users or len(users) > MAX_BATCH or not all(valid_xuid(u) for u in users):
        return bad
    level = str(body.get("level") or DEFAULT_LEVEL).lower()
    if level not in LEVELS:
        return bad
    online_only = body.get("onlineOnly") is True
    out = []
    for xuid in users:
        account = sb.world.by_xuid.get(xuid)
        if account is None or (online_only and account.presence_state != "Online"):
            continue
        out.append(record(account, level))
    return json_response(200, out, headers=_headers(sb, "no-cache, no-store"))

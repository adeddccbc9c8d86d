"""userpresence.xboxlive.com: who is online, on what device, playing what (contract 3).

Spec §4 "Presence" and the recordings ``presence.json`` (offline with ``lastSeen``),
``presence_own.json`` (minimal ``{"xuid","state"}``) and ``presence_batch.json`` (a bare
array). Online records carry ``devices`` whose depth follows ``level``:
``user`` (none), ``device`` (devices without titles), ``title`` (the default) and ``all``
(titles plus an ``activity`` object ``{"richPresence": …}``, as ``presence_activity.json``
(2026) shows it). A title says when with ``timestamp`` today (that recording: ``id, name,
state, placement, timestamp, activity``) and with ``lastModified`` in the 2018 and 2014 eras
(no recording of them has a title; a 2015 batch answer quoted in
xboxapi/Xbox-One-API-Issues#14 and 2021 live data in OpenXbox/xbox-webapi-python#59 show
``lastModified``).

``PUT /users/xuid(x)/state`` with ``{"state": "Active" | "Cloaked"}`` (Microsoft's REST
reference; python-xbox's ``set_presence_own`` expects a 200) sets the caller's own state:
``Active`` shows them online, ``Cloaked`` offline, to every later read of every service.
Only contract 3 is served (both peers send it; an unserved version gets an empty 406), and
errors are empty-bodied (no recording shows presence's own error body).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, empty, json_response, route
from ..eras import is_today
from ._wire import contract, valid_xuid
from .achievements import dotnet_time

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account

HOST = r"userpresence\.xboxlive\.com"
MAX_BATCH = 1100
LEVELS = ("user", "device", "title", "all")
DEFAULT_LEVEL = "title"  # the documented default
SERVER_NAME = "PRES-SANDBOX-01"
# What a state write does to the world: Active shows the user online, Cloaked offline.
STATES = {"active": "Online", "cloaked": "Offline"}


def record(sb: Sandbox, account: Account, level: str) -> dict[str, Any]:
    """One user's presence record at ``level``, keys in recorded order, in the era's shape."""
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
        if is_today(sb.era):  # presence_activity.json's keys and order
            entry: dict[str, Any] = {"id": str(title.title_id), "name": title.name,
                                     "state": "Active", "placement": "Full",
                                     "timestamp": dotnet_time(account.last_seen)}
        else:
            entry = {"id": str(title.title_id), "name": title.name, "placement": "Full",
                     "state": "Active", "lastModified": dotnet_time(account.last_seen)}
        if level == "all":
            entry["activity"] = {"richPresence": sb.activity.rich_presence_text(account)}
        device["titles"].append(entry)
    out["devices"] = [device]
    return out


def _level(value: object) -> str:
    """The level asked for; one the service does not know reads as the documented default.

    xbox-webapi 2.1 has sent ``level=PresenceLevel.ALL`` from ``get_presence_own`` since
    2022 and nobody reports a refusal (an assumption, listed in docs/sandbox.rst).
    """
    level = str(value or DEFAULT_LEVEL).lower()
    return level if level in LEVELS else DEFAULT_LEVEL


def _headers(sb: Sandbox, cache: str) -> dict[str, str]:
    return {**sb.xbl_headers(cache), "X-ServerName": SERVER_NAME}


def _refused(sb: Sandbox, call: Call) -> httpx.Response | None:
    shape = contract(sb, call, "presence", headers=_headers(sb, "no-cache, no-store"))
    return shape if isinstance(shape, httpx.Response) else None


def _empty(sb: Sandbox, status: int) -> httpx.Response:
    return empty(status, headers=_headers(sb, "no-cache, no-store"))


@route("GET", HOST, r"/users/xuid\((?P<xuid>[^)]*)\)", service="presence")
def by_xuid(sb: Sandbox, call: Call, xuid: str) -> httpx.Response:
    if (refused := _refused(sb, call)) is not None:
        return refused
    xuid = unquote(xuid)
    if not valid_xuid(xuid):
        return _empty(sb, 400)
    level = _level(call.params.get("level"))
    account = sb.world.by_xuid.get(xuid)
    if account is None:
        return empty(404, headers=_headers(sb, "no-cache, no-store"))
    return json_response(200, record(sb, account, level),
                         headers=_headers(sb, "private, max-age=15"))


@route("GET", HOST, r"/users/me", service="presence")
def me(sb: Sandbox, call: Call) -> httpx.Response:
    if (refused := _refused(sb, call)) is not None:
        return refused
    assert call.user is not None
    level = _level(call.params.get("level"))
    return json_response(200, record(sb, call.user, level),
                         headers=_headers(sb, "private, max-age=15"))


@route("POST", HOST, r"/users/batch", service="presence")
def batch(sb: Sandbox, call: Call) -> httpx.Response:
    """Many users at once: a bare JSON array; unknown xuids are left out, not errors."""
    if (refused := _refused(sb, call)) is not None:
        return refused
    body = call.json()
    bad = empty(400, headers=_headers(sb, "no-cache, no-store"))
    if not isinstance(body, dict) or not isinstance(body.get("users"), list):
        return bad
    users = [str(u) for u in body["users"]]
    if not users or len(users) > MAX_BATCH or not all(valid_xuid(u) for u in users):
        return bad
    level = _level(body.get("level"))
    online_only = body.get("onlineOnly") is True
    out = []
    for xuid in users:
        account = sb.world.by_xuid.get(xuid)
        if account is None or (online_only and account.presence_state != "Online"):
            continue
        out.append(record(sb, account, level))
    return json_response(200, out, headers=_headers(sb, "no-cache, no-store"))


@route("PUT", HOST, r"/users/xuid\((?P<xuid>[^)]*)\)/state", service="presence")
def set_state(sb: Sandbox, call: Call, xuid: str) -> httpx.Response:
    """The caller's own state; another user's is forbidden (403), a bad body refused (400).

    Idempotent: writing the state a user already has changes nothing and answers 200.
    """
    if (refused := _refused(sb, call)) is not None:
        return refused
    xuid = unquote(xuid)
    if not valid_xuid(xuid):
        return _empty(sb, 400)
    assert call.user is not None
    if xuid != call.user.xuid:
        return _empty(sb, 403)
    body = call.json()
    state = body.get("state") if isinstance(body, dict) else None
    if not isinstance(state, str) or state.lower() not in STATES:
        return _empty(sb, 400)
    call.user.presence_state = STATES[state.lower()]
    return _empty(sb, 200)

"""profile.xboxlive.com: profile settings of one user (by xuid, gamertag, me) or a batch.

Spec §2. All setting values are strings, settings come back in the requested order,
gamertags match case-insensitively, and errors carry ``{"code", "source", "description",
"traceInformation"}`` bodies (404 code 28, 400 code 2). Contracts 2 (the 2014 and 2018
clients) and 3 (the modern ones) are served alike; any other version gets an empty 406.

A single user is also read at ``/users/{xuid(X)|gt(X)}/settings``, without the ``/profile``
segment: XboxReplay's xboxlive-api (3.4, whose end-to-end test ran against Xbox Live in 2021)
asks there with contract 2, ``?settings=`` a list or nothing at all (its gamertag-to-xuid
look-up reads only ``profileUsers[0].id``). It answers exactly as ``/profile/settings``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, json_response, route
from ._wire import contract, valid_xuid

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account

__all__ = ["invalid_xuid", "valid_xuid"]

HOST = r"profile\.xboxlive\.com"
MAX_BATCH = 100
# Both versions answer with the same settings shape in every recording.
NOT_FOUND = {"code": 28, "source": "Profile",
             "description": "The server found no data for the requested entity.",
             "traceInformation": None}


def _error(sb: Sandbox, status: int, body: dict[str, Any]) -> httpx.Response:
    return json_response(status, body, headers=sb.xbl_headers())


def invalid_xuid(sb: Sandbox, value: str) -> httpx.Response:
    """Profile's own recorded 400 (2014): other services answer a bad xuid their own way."""
    shown = value.lstrip("0") or "0"
    return _error(sb, 400, {"code": 2, "source": "Profile", "description": f"Xuid {shown} is invalid",
                            "traceInformation": None})


def _user_json(account: Account, settings: list[str]) -> dict[str, Any]:
    known = account.profile_settings()
    return {
        "id": account.xuid,
        "hostId": account.xuid,
        "settings": [{"id": name, "value": known[name]} for name in settings if name in known],
        "isSponsoredUser": False,
    }


def _settings(call: Call) -> list[str]:
    raw = unquote(call.params.get("settings", ""))
    return [s for s in raw.split(",") if s]


def _ok(sb: Sandbox, users: list[dict[str, Any]], methods: str) -> httpx.Response:
    now = datetime.fromtimestamp(sb.now(), UTC)
    single = methods == "Delete, Get"
    # As recorded in 2014: the single look-up's odd "no-cache, no-store,14400", and
    # "pragma: no-cache" on the batch.
    headers = sb.xbl_headers("no-cache, no-store,14400" if single else "no-cache, no-store")
    if not single:
        headers["Pragma"] = "no-cache"
    headers.update({
        "Expires": format_datetime(now + timedelta(hours=4), usegmt=True) if single else "-1",
        "Access-Control-Allow-Methods": methods,
        "Access-Control-Max-Age": "86400",
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Origin": "",
        "Access-Control-Allow-Headers": "",
    })
    return json_response(200, {"profileUsers": users}, headers=headers)


# "/profile/settings", or xboxlive-api's "/settings".
SETTINGS = r"(?:/profile)?/settings"


@route("GET", HOST, r"/users/xuid\((?P<xuid>[^)]*)\)" + SETTINGS, service="profile")
def by_xuid(sb: Sandbox, call: Call, xuid: str) -> httpx.Response:
    if isinstance(refused := contract(sb, call, "profile"), httpx.Response):
        return refused
    xuid = unquote(xuid)
    if not valid_xuid(xuid):
        return invalid_xuid(sb, xuid)
    account = sb.world.by_xuid.get(xuid)
    if account is None:
        return _error(sb, 404, NOT_FOUND)
    return _ok(sb, [_user_json(account, _settings(call))], "Delete, Get")


@route("GET", HOST, r"/users/gt\((?P<gamertag>[^)]*)\)" + SETTINGS, service="profile")
def by_gamertag(sb: Sandbox, call: Call, gamertag: str) -> httpx.Response:
    if isinstance(refused := contract(sb, call, "profile"), httpx.Response):
        return refused
    account = sb.world.account_by_gamertag(unquote(gamertag))
    if account is None:
        return _error(sb, 404, NOT_FOUND)
    return _ok(sb, [_user_json(account, _settings(call))], "Delete, Get")


@route("GET", HOST, r"/users/me/profile/settings", service="profile")
def me(sb: Sandbox, call: Call) -> httpx.Response:
    if isinstance(refused := contract(sb, call, "profile"), httpx.Response):
        return refused
    assert call.user is not None
    return _ok(sb, [_user_json(call.user, _settings(call))], "Delete, Get")


@route("POST", HOST, r"/users/batch/profile/settings", service="profile")
def batch(sb: Sandbox, call: Call) -> httpx.Response:
    if isinstance(refused := contract(sb, call, "profile"), httpx.Response):
        return refused
    body = call.json()
    if not isinstance(body, dict) or not isinstance(body.get("userIds"), list) \
            or not isinstance(body.get("settings"), list):
        return _error(sb, 400, {"code": 2, "source": "Profile",
                                "description": "The request body is invalid.",
                                "traceInformation": None})
    ids = [str(x) for x in body["userIds"]]
    if len(ids) > MAX_BATCH:
        return _error(sb, 400, {"code": 2, "source": "Profile",
                                "description": f"Too many users requested; the limit is {MAX_BATCH}.",
                                "traceInformation": None})
    for xuid in ids:
        if not valid_xuid(xuid):
            return invalid_xuid(sb, xuid)
    settings = [str(s) for s in body["settings"]]
    users = [_user_json(sb.world.by_xuid[x], settings) for x in ids if x in sb.world.by_xuid]
    return _ok(sb, users, "Post")

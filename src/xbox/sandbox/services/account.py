"""Gamertags: availability (reservation) and change, as xbox-webapi-python's account provider.

* ``POST user.mgt.xboxlive.com/gamertags/reserve`` ``{"Gamertag", "ReservationId"}``
  (contract 1): **200** the gamertag is free and now held for the caller, **409** it is
  taken (the status codes both peers document). The newer host
  ``gamertag.xboxlive.com/gamertags/reserve`` with ``{"classicGamertag", "reservationId"}``
  (a community claim tool's) answers the same way.
* ``POST accounts.xboxlive.com/users/current/profile/gamertag``
  ``{"gamertag", "preview", "reservationId"}`` (contract 2; 3 and 6, with
  ``previewOnly`` / a ``{"gamertag", "classicGamertag", …}`` object, as community tools send
  them, are served too): **200** and the gamertag changes everywhere -- profile, peoplehub,
  search, XSTS claims issued from then on -- unless ``preview`` is true.

Assumptions (no recording shows these bodies; the peers read only the status): both 200s
have an empty body; a reservation holds for an hour of sandbox time; a gamertag is 1-15
letters, digits and single spaces, starting with a letter (the classic rules), anything
else an empty 400; ``reservationId`` must be the caller's xuid (an empty 400 otherwise);
every account has one free change, after which a change answers 400
``{"code": 1020, "description": …}`` (the XLE code xbox-webapi-python names for "no free
gamertag changes"), and a gamertag someone else has or holds answers 400 ``{"code": 1372,
…}`` (the code a community claim tool reports for "belongs to another user"). Asking for
one's own gamertag is a 200 that changes nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx

from .._http import Call, empty, json_response, route
from ..world_services import services_world
from ._wire import bad_request, contract

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account

RESERVE_HOSTS = r"user\.mgt\.xboxlive\.com|gamertag\.xboxlive\.com"
ACCOUNTS = r"accounts\.xboxlive\.com"
RESERVATION_SECONDS = 3600.0
NO_FREE_CHANGES = 1020
BELONGS_TO_ANOTHER = 1372
_VALID = re.compile(r"[A-Za-z](?:[A-Za-z0-9]| (?! ))*")


def valid_gamertag(text: str) -> bool:
    return 1 <= len(text) <= 15 and _VALID.fullmatch(text) is not None and not text.endswith(" ")


def _first(body: dict[str, Any], *keys: str) -> Any:
    return next((body[k] for k in keys if k in body), None)


def _holder(sb: Sandbox, gamertag: str) -> str | None:
    """The xuid that has or holds ``gamertag`` (case-insensitive), if anyone does."""
    owner = sb.world.account_by_gamertag(gamertag)
    if owner is not None:
        return owner.xuid
    held = services_world(sb).reservations.get(gamertag.lower())
    if held is not None and held[1] > sb.now():
        return held[0]
    return None


def _parse(sb: Sandbox, call: Call, gamertag_keys: tuple[str, ...],
           id_keys: tuple[str, ...]) -> tuple[str, Account] | httpx.Response:
    body = call.json()
    if not isinstance(body, dict):
        return bad_request(sb)
    gamertag = _first(body, *gamertag_keys)
    if isinstance(gamertag, dict):  # {"gamertag", "gamertagSuffix", "classicGamertag"}
        gamertag = gamertag.get("classicGamertag") or gamertag.get("gamertag")
    caller = call.user
    assert caller is not None
    if not isinstance(gamertag, str) or not valid_gamertag(gamertag) \
            or str(_first(body, *id_keys)) != caller.xuid:
        return bad_request(sb)
    return gamertag, caller


@route("POST", RESERVE_HOSTS, r"/gamertags/reserve", service="account")
def reserve(sb: Sandbox, call: Call) -> httpx.Response:
    """Is the gamertag free? If so it is held for the caller for an hour."""
    if call.host == "user.mgt.xboxlive.com" and isinstance(
            refused := contract(sb, call, "account-reserve"), httpx.Response):
        return refused
    parsed = _parse(sb, call, ("Gamertag", "gamertag", "classicGamertag"),
                    ("ReservationId", "reservationId"))
    if isinstance(parsed, httpx.Response):
        return parsed
    gamertag, caller = parsed
    holder = _holder(sb, gamertag)
    if holder is not None and holder != caller.xuid:
        return empty(409, headers=sb.xbl_headers())
    if holder is None:
        services_world(sb).reservations[gamertag.lower()] = (
            caller.xuid, sb.now() + RESERVATION_SECONDS)
    return empty(200, headers=sb.xbl_headers())


def _refusal(sb: Sandbox, code: int, description: str) -> httpx.Response:
    return json_response(400, {"code": code, "description": description},
                         headers=sb.xbl_headers())


@route("POST", ACCOUNTS, r"/users/current/profile/gamertag", service="account")
def change(sb: Sandbox, call: Call) -> httpx.Response:
    """Change the caller's gamertag (or, with ``preview``, only check that it could)."""
    if isinstance(refused := contract(sb, call, "account-change"), httpx.Response):
        return refused
    parsed = _parse(sb, call, ("gamertag", "Gamertag"), ("reservationId", "ReservationId"))
    if isinstance(parsed, httpx.Response):
        return parsed
    gamertag, caller = parsed
    body = call.json()
    preview = _first(body, "preview", "previewOnly", "PreviewOnly") is True
    if gamertag == caller.gamertag:
        return empty(200, headers=sb.xbl_headers())
    holder = _holder(sb, gamertag)
    if holder is not None and holder != caller.xuid:
        return _refusal(sb, BELONGS_TO_ANOTHER, "The gamertag belongs to another user.")
    world = services_world(sb)
    if world.changes_left(caller) <= 0:
        return _refusal(sb, NO_FREE_CHANGES, "No free gamertag changes are available.")
    if not preview:
        rename(sb, caller, gamertag)
        world.free_changes[caller.xuid] = world.changes_left(caller) - 1
        world.reservations.pop(gamertag.lower(), None)
    return empty(200, headers=sb.xbl_headers())


def rename(sb: Sandbox, account: Account, gamertag: str) -> None:
    """Give ``account`` a new gamertag in the world (and its look-up by gamertag)."""
    index = sb.world.by_gamertag
    if index.get(account.gamertag.lower()) is account:
        del index[account.gamertag.lower()]
    account.gamertag = gamertag
    index[gamertag.lower()] = account

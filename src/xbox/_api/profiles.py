"""profile.xboxlive.com: users' profile settings, by gamertag or xuid, one or in batches."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from .._core.call import api_call
from ..exceptions import GamertagNotFound, InvalidArgument, MalformedResponse
from ..ids import check_gamertag, check_xuid
from ..models.base import parse_records
from ..models.profile import Profile
from . import Batch, Errors, Request

__all__ = ["BATCH_SIZE", "HOST", "batch", "lookup", "me"]

HOST = "profile.xboxlive.com"
BATCH_SIZE = 100  # the most xuids profile.xboxlive.com takes in one batch


def settings_query(settings: Sequence[str]) -> str:
    """``settings=A,B,C`` with the commas raw, as the 2014 client sent them."""
    if isinstance(settings, tuple):  # DEFAULT_SETTINGS, every call: checked once
        try:
            return _checked_query(settings)
        except TypeError:  # an unhashable item: checked below, and refused
            pass
    return _query(settings)


@functools.lru_cache(maxsize=32)
def _checked_query(settings: tuple[str, ...]) -> str:
    return _query(settings)


def _query(settings: Sequence[str]) -> str:
    for name in settings:
        if not isinstance(name, str) or not name.isalnum():
            raise InvalidArgument(f"a profile setting is a name like 'Gamertag', not {name!r}")
    return "settings=" + ",".join(settings)


def one(body: Any) -> Profile:
    """The single user of a profile answer."""
    users = body.get("profileUsers") if isinstance(body, dict) else None
    if not isinstance(users, list) or not users:
        raise MalformedResponse(f"{HOST} sent no profile", body=body, service=HOST)
    return Profile.from_wire(users[0])


def lookup(gamertag: str | None, xuid: str | int | None, settings: Sequence[str],
           contract_version: int) -> Request[Profile]:
    """One user by gamertag (case-insensitive) or by xuid (exactly one of them)."""
    if (gamertag is None) == (xuid is None):
        raise InvalidArgument("give a gamertag or an xuid (one of them)")
    if gamertag is not None:
        who, shown = f"gt({quote(check_gamertag(gamertag), safe='')})", gamertag
    else:
        shown = check_xuid(xuid)
        who = f"xuid({shown})"
    call = api_call("GET", HOST, f"/users/{who}/profile/settings?{settings_query(settings)}",
                    contract_version=contract_version)
    return Request(call, one, GamertagNotFound, f"No such user: {shown}",
                   invalid_is_not_found=xuid is not None)


def me(settings: Sequence[str]) -> Request[Profile]:
    """The signed-in user."""
    return Request(api_call("GET", HOST, f"/users/me/profile/settings?{settings_query(settings)}",
                            contract_version=3), one)


def batch(xuids: Iterable[str | int], settings: Sequence[str]) -> Batch[Profile]:
    """Any number of users by xuid, 100 per request (unknown ones are left out)."""
    wanted = [check_xuid(x) for x in xuids]
    names = list(settings)
    settings_query(names)

    def chunk(ids: list[str]) -> Any:
        # A batch read changes nothing: safe to retry although it is a POST.
        return api_call("POST", HOST, "/users/batch/profile/settings", contract_version=3,
                        json={"userIds": ids, "settings": names}, idempotent=True)

    def read(body: Any, errors: Errors) -> list[Profile]:
        users = body.get("profileUsers") if isinstance(body, dict) else None
        return parse_records(Profile, users, errors, warn=False)

    return Batch(wanted, BATCH_SIZE, chunk, read)

"""userpresence.xboxlive.com (contract 3): who is online, one user or 1100 at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._core.call import Call, api_call
from .._core.ids import check_xuid
from ..exceptions import GamertagNotFound, InvalidArgument
from ..models.base import parse_records
from ..models.presence import Presence
from . import Batch, Errors, Request

__all__ = ["BATCH_SIZE", "HOST", "LEVELS", "batch", "one"]

HOST = "userpresence.xboxlive.com"
BATCH_SIZE = 1100  # the most xuids one presence batch takes
LEVELS = ("user", "device", "title", "all")
CONTRACT = 3


def level_of(level: str) -> str:
    value = str(level).lower()
    if value not in LEVELS:
        raise InvalidArgument(f"level is one of {', '.join(LEVELS)}; not {level!r}")
    return value


def one(xuid: str | int | None, level: str) -> Request[Presence]:
    """One user's presence (the signed-in user's by default)."""
    who = "me" if xuid is None else f"xuid({check_xuid(xuid)})"
    call = api_call("GET", HOST, f"/users/{who}", params={"level": level_of(level)},
                    contract_version=CONTRACT)
    return Request(call, Presence.from_wire, GamertagNotFound, f"No such user: {xuid}")


def batch(xuids: Iterable[str | int], level: str, online_only: bool) -> Batch[Presence]:
    """Any number of users' presence, 1100 per request (unknown ones are left out)."""
    wanted = [check_xuid(x) for x in xuids]
    level = level_of(level)

    def chunk(ids: list[str]) -> Call:
        # A batch read changes nothing: safe to retry although it is a POST.
        return api_call("POST", HOST, "/users/batch", contract_version=CONTRACT,
                        json={"users": ids, "onlineOnly": online_only, "level": level},
                        idempotent=True)

    def read(body: Any, errors: Errors) -> list[Presence]:
        return parse_records(Presence, body, errors, warn=False)

    return Batch(wanted, BATCH_SIZE, chunk, read)

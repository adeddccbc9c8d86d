"""userpresence.xboxlive.com (contract 3): who is online, one user or 1100 at once, and
setting your own state (a write: built ``idempotent=False``, never sent twice)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._core.call import Call, api_call
from ..exceptions import GamertagNotFound, InvalidArgument
from ..ids import check_xuid
from ..models.base import parse_records
from ..models.presence import Presence
from . import Batch, Errors, Request

__all__ = ["BATCH_SIZE", "HOST", "LEVELS", "STATES", "batch", "one", "set_state", "state_of"]

HOST = "userpresence.xboxlive.com"
BATCH_SIZE = 1100  # the most xuids one presence batch takes
LEVELS = ("user", "device", "title", "all")
CONTRACT = 3
#: What ``set`` takes -> the state the service is sent: ``Active`` shows you online,
#: ``Cloaked`` offline ("appear offline") to everyone else.
STATES = {"active": "Active", "online": "Active", "cloaked": "Cloaked", "offline": "Cloaked"}


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


def state_of(state: str) -> str:
    """The wire state for ``state`` (any case): ``Active`` or ``Cloaked``.

    Raises:
        InvalidArgument: not one of :data:`STATES`.
    """
    found = STATES.get(str(state).strip().lower())
    if found is None:
        raise InvalidArgument(f"a presence state is one of {', '.join(STATES)}; "
                              f"not {state!r}"[:120])
    return found


def set_state(state: str, xuid: str) -> Request[None]:
    """Set the signed-in user's own state (``xuid`` is theirs: the path names it)."""
    call = api_call("PUT", HOST, f"/users/xuid({check_xuid(xuid)})/state",
                    json={"state": state_of(state)}, contract_version=CONTRACT,
                    idempotent=False)
    return Request(call, lambda body: None)

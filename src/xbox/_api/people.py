"""People: friends and batches (peoplehub, contract 3) and follow summaries (social)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .._core.call import Call, api_call
from .._core.ids import check_xuid
from ..exceptions import GamertagNotFound
from ..models.base import parse_records
from ..models.people import PeopleSummary, Person
from . import Batch, Errors, Request, decoration_path, items_of, user_path

__all__ = ["BATCH_SIZE", "DEFAULT_DECORATIONS", "HOST", "SOCIAL_HOST", "batch", "friends",
           "summary"]

HOST = "peoplehub.xboxlive.com"
SOCIAL_HOST = "social.xboxlive.com"
DEFAULT_DECORATIONS = ("preferredcolor", "detail", "multiplayersummary", "presencedetail")
BATCH_SIZE = 100  # the most xuids one peoplehub batch takes
PEOPLEHUB_CONTRACT = 3
SOCIAL_CONTRACT = 2


def friends(xuid: str | int | None, decorations: Sequence[str],
            errors: Errors | None) -> Request[list[Person]]:
    """The people a user follows."""
    path = f"/users/{user_path(xuid)}/people/social{decoration_path(decorations)}"

    def read(body: Any) -> list[Person]:
        return parse_records(Person, items_of(body, "people", HOST), errors)

    return Request(api_call("GET", HOST, path, contract_version=PEOPLEHUB_CONTRACT), read,
                   GamertagNotFound, f"No such user: {xuid}")


def batch(xuids: Iterable[str | int], decorations: Sequence[str]) -> Batch[Person]:
    """Any users by xuid, 100 per request (unknown ones are left out)."""
    wanted = [check_xuid(x) for x in xuids]
    path = f"/users/me/people/batch{decoration_path(decorations)}"

    def chunk(ids: list[str]) -> Call:
        return api_call("POST", HOST, path, contract_version=PEOPLEHUB_CONTRACT,
                        json={"xuids": ids}, idempotent=True)

    def read(body: Any, errors: Errors) -> list[Person]:
        return parse_records(Person, items_of(body, "people", HOST), errors, warn=False)

    return Batch(wanted, BATCH_SIZE, chunk, read)


def summary(xuid: str | int | None) -> Request[PeopleSummary]:
    """Follow counts of a user and how they relate to the signed-in user."""
    call = api_call("GET", SOCIAL_HOST, f"/users/{user_path(xuid)}/summary",
                    contract_version=SOCIAL_CONTRACT)
    return Request(call, PeopleSummary.from_wire, GamertagNotFound, f"No such user: {xuid}")

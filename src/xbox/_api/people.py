"""People: friends and batches (peoplehub, contract 3), the friend system's lists and
recommendations (peoplehub, contract 7, as python-xbox asks since contract 3 lost data),
follow summaries, following and unfollowing (social, contract 2).

Following and unfollowing (``PUT``/``DELETE /users/me/people/xuid(X)``) are writes: built
``idempotent=False``, never sent twice by the pipeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from .._core.call import Call, api_call
from ..exceptions import GamertagNotFound, InvalidArgument, MalformedResponse
from ..ids import check_gamertag, check_xuid
from ..models.base import parse_records
from ..models.people import PeopleSummary, Person
from . import Batch, Errors, Request, decoration_path, items_of, user_path

__all__ = ["BATCH_SIZE", "DECORATIONS", "DEFAULT_DECORATIONS", "HOST", "SOCIAL_HOST", "batch",
           "follow", "followers", "friends", "person", "recommendations", "summary",
           "unfollow"]

HOST = "peoplehub.xboxlive.com"
SOCIAL_HOST = "social.xboxlive.com"
DEFAULT_DECORATIONS = ("preferredcolor", "detail", "multiplayersummary", "presencedetail")
#: Every decoration peoplehub knows (both peers' list): each fills one block of a person.
DECORATIONS = ("suggestion", "recentplayer", "follower", "preferredcolor", "detail",
               "multiplayersummary", "presencedetail", "titlepresence", "titlesummary",
               "presencetitleids", "communitymanagertitles", "socialmanager", "broadcast",
               "tournamentsummary", "avatar")
BATCH_SIZE = 100  # the most xuids one peoplehub batch takes
PEOPLEHUB_CONTRACT = 3
FRIENDS_CONTRACT = 7  # the friend system (mutual follows), as python-xbox asks for it
SOCIAL_CONTRACT = 2


def _people(path: str, contract: int, errors: Errors | None,
            who: str | int | None) -> Request[list[Person]]:
    def read(body: Any) -> list[Person]:
        return parse_records(Person, items_of(body, "people", HOST), errors)

    return Request(api_call("GET", HOST, path, contract_version=contract), read,
                   GamertagNotFound, f"No such user: {who}")


def friends(xuid: str | int | None, decorations: Sequence[str],
            errors: Errors | None, mutual: bool = False) -> Request[list[Person]]:
    """The people a user follows (contract 3), or with ``mutual`` only those who follow
    back: friends in the friend system (contract 7, ``/people/friends``)."""
    kind, contract = ("friends", FRIENDS_CONTRACT) if mutual else ("social", PEOPLEHUB_CONTRACT)
    path = f"/users/{user_path(xuid)}/people/{kind}{decoration_path(decorations)}"
    return _people(path, contract, errors, xuid)


def followers(xuid: str | int | None, decorations: Sequence[str],
              errors: Errors | None) -> Request[list[Person]]:
    """The people who follow a user (contract 7)."""
    path = f"/users/{user_path(xuid)}/people/followers{decoration_path(decorations)}"
    return _people(path, FRIENDS_CONTRACT, errors, xuid)


def recommendations(decorations: Sequence[str], errors: Errors | None) -> Request[list[Person]]:
    """People the signed-in user may know (friends of friends, followers), contract 7."""
    path = f"/users/me/people/recommendations{decoration_path(decorations)}"
    return _people(path, FRIENDS_CONTRACT, errors, "me")


def person(xuid: str | int, decorations: Sequence[str]) -> Request[Person]:
    """One user as the signed-in user sees them, friend flags included (contract 7)."""
    wanted = check_xuid(xuid)
    path = f"/users/me/people/xuids({wanted}){decoration_path(decorations)}"

    def read(body: Any) -> Person:
        found = [p for p in parse_records(Person, items_of(body, "people", HOST))
                 if p.xuid == wanted]
        if not found:
            raise MalformedResponse(f"{HOST} did not describe {wanted}", body=body, service=HOST)
        return found[0]

    return Request(api_call("GET", HOST, path, contract_version=FRIENDS_CONTRACT), read,
                   GamertagNotFound, f"No such user: {wanted}", invalid_is_not_found=True)


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


def summary(xuid: str | int | None, gamertag: str | None = None) -> Request[PeopleSummary]:
    """Follow counts of a user (by xuid, or by ``gamertag``) and how they relate to the
    signed-in user."""
    if xuid is not None and gamertag is not None:
        raise InvalidArgument("give an xuid or a gamertag, not both")
    who = user_path(xuid) if gamertag is None else \
        f"gt({quote(check_gamertag(gamertag), safe='')})"
    call = api_call("GET", SOCIAL_HOST, f"/users/{who}/summary",
                    contract_version=SOCIAL_CONTRACT)
    return Request(call, PeopleSummary.from_wire, GamertagNotFound,
                   f"No such user: {gamertag if gamertag is not None else xuid}")


def _follow(method: str, xuid: str | int) -> Request[None]:
    wanted = check_xuid(xuid)
    call = api_call(method, SOCIAL_HOST, f"/users/me/people/xuid({wanted})",
                    contract_version=SOCIAL_CONTRACT, idempotent=False)
    return Request(call, lambda body: None, GamertagNotFound, f"No such user: {wanted}")


def follow(xuid: str | int) -> Request[None]:
    """Follow a user (add a friend: once they follow back, you are friends)."""
    return _follow("PUT", xuid)


def unfollow(xuid: str | int) -> Request[None]:
    """Stop following a user (remove a friend)."""
    return _follow("DELETE", xuid)

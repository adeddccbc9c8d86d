"""What each Xbox Live endpoint is, as pure data: the request to send and how to read its
answer. No sockets here (gidgethub's ``sansio``): the resources of both clients
(``xbox._async.resources``, and the generated ``xbox._sync.resources``) only send what these
functions build and hand the answer back to them.

Three shapes cover every endpoint:

* :class:`Request`: one call, one answer (a profile, one clip).
* :class:`Pages`: a paged list, one call per page (clips, achievements).
* :class:`Batch`: ids looked up in chunks the service accepts (profiles, presence).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .._core.call import Call
from ..exceptions import InvalidArgument, MalformedResponse, NotFoundException
from ..ids import check_xuid

__all__ = ["Batch", "Errors", "ForUser", "Pages", "Request", "decoration_path", "items_of", "user_path"]

T = TypeVar("T")
Errors = list[MalformedResponse]


@dataclass(frozen=True)
class Request(Generic[T]):
    """One call and how to read its answer.

    Attributes:
        call: the request.
        read: the parsed JSON body -> the result (raising ``MalformedResponse`` if it
            cannot).
        not_found: the exception for a 404, and its message.
        invalid_is_not_found: a 400 means "no such user" too (an xuid the service calls
            invalid is one that does not exist).
        answers: error statuses that are an answer, not a failure, and the result each
            means (the gamertag reservation's 409: taken).
    """

    call: Call
    read: Callable[[Any], T]
    not_found: type[NotFoundException] = NotFoundException
    not_found_message: str | None = None
    invalid_is_not_found: bool = False
    answers: Mapping[int | None, T] = field(default_factory=dict)


#: A request that names a user by xuid, built once the signed-in user's is known (so that
#: arguments are checked before anything is sent, even a sign-in).
ForUser = Callable[[str], Request[T]]


@dataclass(frozen=True)
class Pages(Generic[T]):
    """A list that comes a page at a time.

    Attributes:
        page: ``(xuid, continuation token or None, page size or None) -> Call`` for a page.
        read: ``(body, errors, call) -> (records, next token or None)`` for the answer to
            ``call``; records that cannot be read go to ``errors``.
        needs_xuid: the page's path names the user by xuid (no ``me``): the client puts
            the signed-in user's in when none was given.
    """

    page: Callable[[str | None, str | None, int | None], Call]
    read: Callable[[Any, Errors, Call], tuple[list[T], Any]]
    needs_xuid: bool = False


@dataclass(frozen=True)
class Batch(Generic[T]):
    """Ids looked up ``size`` at a time, results in the order the service gives.

    Attributes:
        ids: every id asked for (already checked).
        size: the most ids one request takes.
        chunk: ``ids -> Call`` for one chunk.
        read: ``(body, errors) -> records`` of one chunk.
    """

    ids: list[str]
    size: int
    chunk: Callable[[list[str]], Call]
    read: Callable[[Any, Errors], list[T]]


def items_of(body: Any, key: str, host: str) -> Any:
    """The ``key`` list of a body (whatever its records look like).

    Raises:
        MalformedResponse: the body is not an object with such a list.
    """
    items = body.get(key) if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise MalformedResponse(f"{host} sent no {key} list", body=body, service=host)
    return items


def user_path(xuid: str | int | None) -> str:
    """``me`` for the signed-in user, else ``xuid(N)``."""
    return "me" if xuid is None else f"xuid({check_xuid(xuid)})"


def decoration_path(decorations: Sequence[str] | str) -> str:
    """``/decoration/a,b,c`` for peoplehub/titlehub (empty for no decorations).

    Raises:
        InvalidArgument: a decoration is not a plain word.
    """
    if isinstance(decorations, str):
        decorations = [decorations]
    names = [str(d).strip().lower() for d in decorations]
    for name in names:
        if not name or not name.isalnum():
            raise InvalidArgument(f"a decoration is a word like 'detail', not {name!r}"[:120])
    return f"/decoration/{','.join(names)}" if names else ""

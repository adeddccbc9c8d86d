"""What every resource shares: a handle on the client and argument checks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from ..._core.ids import check_gamertag, check_title_id, check_xuid
from ...exceptions import InvalidArgument, MalformedResponse
from ...models.base import XboxModel, parse_records

if TYPE_CHECKING:
    from ..client import AsyncClient

__all__ = ["AsyncResource", "user_path", "validate_gamertag", "validate_title_id", "validate_xuid"]

M = TypeVar("M", bound=XboxModel)

# The identity rules live in one pure module; these names are what resources import.
validate_xuid = check_xuid
validate_gamertag = check_gamertag
validate_title_id = check_title_id


def user_path(xuid: str | int | None) -> str:
    """``me`` for the signed-in user, else ``xuid(N)``."""
    return "me" if xuid is None else f"xuid({validate_xuid(xuid)})"


def gamertag_path(gamertag: str) -> str:
    return f"gt({quote(validate_gamertag(gamertag), safe='')})"


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
            raise InvalidArgument(f"a decoration is a word like 'detail', not {name!r}")
    return f"/decoration/{','.join(names)}" if names else ""


def records(model: type[M], body: Any, key: str, host: str,
            errors: list[MalformedResponse] | None, *, warn: bool = True) -> list[M]:
    """The ``key`` list of a response body as models, one bad record never sinking the rest.

    Raises:
        MalformedResponse: the body has no such list.
    """
    items = body.get(key) if isinstance(body, dict) else None
    if items is None:
        raise MalformedResponse(f"{host} sent no {key} list", body=body, service=host)
    return parse_records(model, items, errors, warn=warn)


class AsyncResource:
    """A group of endpoints of one service, bound to a client."""

    host: str = ""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def _xuid(self, xuid: str | int | None) -> str:
        """``xuid`` validated, or the signed-in user's xuid (for services with no ``me`` path)."""
        if xuid is not None:
            return validate_xuid(xuid)
        session = await self._client._signed_in()
        if session.xuid:
            return session.xuid
        # An XSTS token without the xid claim: ask the profile service who we are.
        return (await self._client.profiles.me(settings=("Gamertag",))).xuid

"""What every resource shares: a handle on the client and argument checks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from ...exceptions import MalformedResponse
from ...models.base import XboxModel, parse_records

if TYPE_CHECKING:
    from ..client import AsyncClient

__all__ = ["AsyncResource", "user_path", "validate_gamertag", "validate_title_id", "validate_xuid"]

M = TypeVar("M", bound=XboxModel)

MAX_GAMERTAG_LENGTH = 20  # classic 15 + "#1234" suffix of modern gamertags


def validate_xuid(xuid: str | int) -> str:
    """The xuid as a string; raises ValueError unless it is a positive decimal number."""
    text = str(xuid).strip()
    if not text.isdigit() or not 0 < int(text) < 2**64:
        raise ValueError(f"an xuid is a positive decimal number like 2533274812246958, not {xuid!r}")
    return text


def validate_gamertag(gamertag: str) -> str:
    text = gamertag.strip() if isinstance(gamertag, str) else ""
    if not text or len(text) > MAX_GAMERTAG_LENGTH:
        raise ValueError(
            f"a gamertag is 1 to {MAX_GAMERTAG_LENGTH} characters long, not {gamertag!r}")
    return text


def validate_title_id(title_id: str | int) -> int:
    """The title id as an int; raises ValueError unless it is a positive decimal number."""
    text = str(title_id).strip()
    if not text.isdigit() or int(text) == 0 or int(text) >= 2**32:
        raise ValueError(f"a title id is a positive 32-bit number like 219630713, not {title_id!r}")
    return int(text)


def user_path(xuid: str | int | None) -> str:
    """``me`` for the signed-in user, else ``xuid(N)``."""
    return "me" if xuid is None else f"xuid({validate_xuid(xuid)})"


def gamertag_path(gamertag: str) -> str:
    return f"gt({quote(validate_gamertag(gamertag), safe='')})"


def decoration_path(decorations: Sequence[str] | str) -> str:
    """``/decoration/a,b,c`` for peoplehub/titlehub (empty for no decorations).

    Raises:
        ValueError: a decoration is not a plain word.
    """
    if isinstance(decorations, str):
        decorations = [decorations]
    names = [str(d).strip().lower() for d in decorations]
    for name in names:
        if not name or not name.isalnum():
            raise ValueError(f"a decoration is a word like 'detail', not {name!r}")
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
        session = await self._client.auth.ensure()
        if session.xuid:
            return session.xuid
        # An XSTS token without the xid claim: ask the profile service who we are.
        return (await self._client.profiles.me(settings=("Gamertag",))).xuid

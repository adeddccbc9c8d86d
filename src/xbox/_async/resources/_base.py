"""What every resource shares: a handle on the client and argument checks."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from ..client import AsyncClient

__all__ = ["AsyncResource", "user_path", "validate_gamertag", "validate_title_id", "validate_xuid"]

MAX_GAMERTAG_LENGTH = 20  # classic 15 + "#1234" suffix of modern gamertags


def validate_xuid(xuid: str | int) -> str:
    """The xuid as a string; raises ValueError unless it is a positive decimal number."""
    text = str(xuid).strip()
    if not text.isdigit() or int(text) == 0 or len(text) > 20:
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

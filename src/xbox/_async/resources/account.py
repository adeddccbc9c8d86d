"""account: gamertags, whether one is free and changing to it (never retried)."""

from __future__ import annotations

from ..._api import account
from ._base import AsyncResource

__all__ = ["AsyncAccount"]


class AsyncAccount(AsyncResource):
    """``xbl.account``: gamertag reservation and change."""

    async def check_gamertag(self, gamertag: str) -> bool:
        """Whether ``gamertag`` is free. If it is, Xbox Live holds it for you for a while
        (the reservation is what answers); never retried."""
        return await self._fetch(account.reserve(gamertag)(await self._xuid(None)))

    async def change_gamertag(self, gamertag: str, *, preview: bool = False) -> None:
        """Change your gamertag (``preview``: only check that it could be). Never retried;
        a change can cost money. Raises InvalidRequest with Xbox Live's reason if refused."""
        await self._fetch(account.change(gamertag, preview)(await self._xuid(None)))

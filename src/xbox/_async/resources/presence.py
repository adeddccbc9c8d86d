"""presence: who is online, one user or any number at once (userpresence, contract 3)."""

from __future__ import annotations

from collections.abc import Iterable

from ..._api import presence
from ...exceptions import MalformedResponse
from ...models import presence as models  # a module: the sync class is also "Presence"
from ._base import AsyncResource

__all__ = ["AsyncPresence"]


class AsyncPresence(AsyncResource):
    """``xbl.presence``: userpresence.xboxlive.com."""

    async def get(self, xuid: str | int | None = None, *, level: str = "all") -> models.Presence:
        """One user's presence.

        Args:
            xuid: whose (default: the signed-in user).
            level: how much detail: ``"user"``, ``"device"``, ``"title"`` or ``"all"``.

        Raises:
            GamertagNotFound: no such user.
            InvalidArgument: a malformed xuid or level.
        """
        return await self._fetch(presence.one(xuid, level))

    async def batch(self, xuids: Iterable[str | int], *, level: str = "all",
                    online_only: bool = False,
                    errors: list[MalformedResponse] | None = None) -> list[models.Presence]:
        """Presence of any number of users, 1100 per request; unknown xuids are left out.

        A record that cannot be read is set aside into ``errors`` (one warning per call);
        it never fails the batch.

        Args:
            xuids: whose presence.
            level: ``"user"``, ``"device"``, ``"title"`` or ``"all"``.
            online_only: leave out users who are not online.
            errors: a list to collect unreadable records in.
        """
        return await self._batch(presence.batch(xuids, level, online_only), errors)

    async def set(self, state: str) -> None:
        """Set your own state: ``"online"`` (``Active``) or ``"offline"`` (``Cloaked``: appear
        offline to others). Never retried."""
        return await self._fetch(presence.set_state(presence.state_of(state),
                                                    await self._xuid(None)))

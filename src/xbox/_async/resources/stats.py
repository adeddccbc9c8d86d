"""stats: a player's statistics in a title, one player or many (userstats.xboxlive.com)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..._api import stats as api
from ..._api.stats import DEFAULT_STATS
from ...exceptions import MalformedResponse
from ...models.userstats import Stat
from ._base import AsyncResource

__all__ = ["DEFAULT_STATS", "AsyncStats"]


class AsyncStats(AsyncResource):
    """``xbl.stats``: userstats.xboxlive.com."""

    async def get(self, xuid: str | int | None, scid: str,
                  stats: Sequence[str] = DEFAULT_STATS, *, metadata: bool = False) -> list[Stat]:
        """A player's (None: the signed-in one's) ``stats`` in the title of ``scid``, in the
        order asked; ``metadata`` asks for each value's metadata too (contract 3)."""
        request = api.by_scid(scid, stats, metadata)
        return await self._fetch(request(await self._xuid(xuid)))

    async def batch(self, xuids: Iterable[str | int], *, title_id: int | str | None = None,
                    scid: str | None = None, stats: Sequence[str] = DEFAULT_STATS,
                    errors: list[MalformedResponse] | None = None) -> list[Stat]:
        """Stats of many players in one title (by ``title_id``, ``scid`` or both): its
        featured ("Hero") stats and ``stats``, 100 players per request."""
        return await self._batch(api.batch(xuids, title_id, scid, stats), errors)

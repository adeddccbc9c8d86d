"""cqs: TV listings (cqs.xboxlive.com), the channels and schedule of a OneGuide lineup."""

from __future__ import annotations

from datetime import datetime

from ..._api import cqs
from ...models.cqs import Channel, ChannelSchedule
from ._base import AsyncResource

__all__ = ["AsyncCqs"]


class AsyncCqs(AsyncResource):
    """``xbl.cqs``: a TV lineup (its headend id) and what is on."""

    async def channels(self, headend_id: str, *, locale: str = "en-US") -> list[Channel]:
        """The channels of the lineup ``headend_id``."""
        return await self._fetch(cqs.channels(headend_id, locale))

    async def schedule(self, headend_id: str, start: datetime | str, minutes: int = 60, *,
                       channel_skip: int = 0, channel_count: int = 50,
                       locale: str = "en-US") -> list[ChannelSchedule]:
        """The programs of ``channel_count`` channels (after ``channel_skip``) over
        ``minutes`` from ``start``."""
        request = cqs.schedule(headend_id, start, minutes, channel_skip, channel_count, locale)
        return await self._fetch(request)

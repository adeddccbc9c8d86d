"""titles: title history, one title (by id or package family name), batches (titlehub)."""

from __future__ import annotations

from collections.abc import Sequence

from ..._api import titles
from ..._api.titles import ALL_DECORATIONS, DEFAULT_BATCH_DECORATIONS, DEFAULT_DECORATIONS
from ...exceptions import MalformedResponse
from ...models.titles import Title
from ._base import AsyncResource

__all__ = ["ALL_DECORATIONS", "DEFAULT_DECORATIONS", "AsyncTitles"]


class AsyncTitles(AsyncResource):
    """``xbl.titles``: titlehub.xboxlive.com."""

    async def history(self, xuid: str | int | None = None, *, limit: int | None = None,
                      decorations: Sequence[str] = DEFAULT_DECORATIONS,
                      errors: list[MalformedResponse] | None = None) -> list[Title]:
        """The titles a user has played, most recent first (title history does not page).

        Args:
            xuid: whose history (default: the signed-in user).
            limit: at most this many titles (the service's ``maxItems``).
            decorations: extra blocks: ``achievement``, ``image``, ``scid``, ``detail``...
            errors: a list to collect unreadable records in.

        Raises:
            GamertagNotFound: no such user.
            InvalidArgument: a malformed xuid, limit or decoration.
        """
        request = titles.history(limit, decorations, errors)
        if limit == 0:
            return []
        return await self._fetch(request(await self._xuid(xuid)))

    async def get(self, title_id: int | str, xuid: str | int | None = None, *,
                  decorations: Sequence[str] = DEFAULT_DECORATIONS) -> Title:
        """One title, as a user (default: the signed-in one) sees it, with their progress.

        Raises:
            NotFoundException: no such title (or user).
            InvalidArgument: a malformed title id, xuid or decoration.
        """
        request = titles.title(title_id, decorations)
        return await self._fetch(request(await self._xuid(xuid)))

    async def by_pfn(self, pfn: str, xuid: str | int | None = None, *,
                     decorations: Sequence[str] = DEFAULT_DECORATIONS) -> Title:
        """One title by package family name (``Microsoft.SeaofThieves_8wekyb3d8bbwe``), as a
        user (default: the signed-in one) sees it; NotFoundException if there is none."""
        request = titles.by_pfn(pfn, decorations)
        return await self._fetch(request(await self._xuid(xuid)))

    async def batch(self, pfns: Sequence[str], *,
                    decorations: Sequence[str] = DEFAULT_BATCH_DECORATIONS,
                    errors: list[MalformedResponse] | None = None) -> list[Title]:
        """Titles by package family name, 100 per request, for nobody in particular (no
        one's progress); unknown names are left out."""
        return await self._batch(titles.batch(pfns, decorations), errors)

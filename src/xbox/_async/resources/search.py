"""search: gamertag suggestions (usersearch, contract 1)."""

from __future__ import annotations

from ..._api import search
from ...exceptions import MalformedResponse
from ...models.search import SearchResult
from ._base import AsyncResource

__all__ = ["AsyncSearch"]


class AsyncSearch(AsyncResource):
    """``xbl.search``: usersearch.xboxlive.com."""

    async def gamertags(self, text: str, *,
                        errors: list[MalformedResponse] | None = None) -> list[SearchResult]:
        """Users whose gamertag matches ``text`` (the service suggests up to 8).

        Args:
            text: part of a gamertag.
            errors: a list to collect unreadable records in.

        Raises:
            InvalidArgument: empty or overlong text.
        """
        return await self._fetch(search.gamertags(text, errors))

"""search: gamertag suggestions (usersearch, contract 1)."""

from __future__ import annotations

from ...exceptions import InvalidArgument, MalformedResponse
from ...models.base import parse_records
from ...models.search import SearchResult
from ._base import AsyncResource

__all__ = ["AsyncSearch"]

MAX_QUERY = 100  # well past any gamertag; longer text cannot match anything


class AsyncSearch(AsyncResource):
    """``xbl.search``: usersearch.xboxlive.com."""

    host = "usersearch.xboxlive.com"

    async def gamertags(self, text: str, *,
                        errors: list[MalformedResponse] | None = None) -> list[SearchResult]:
        """Users whose gamertag matches ``text`` (the service suggests up to 8).

        Args:
            text: part of a gamertag.
            errors: a list to collect unreadable records in (each is also warned about).

        Returns:
            A list of :class:`~xbox.models.SearchResult` (``.xuid``, ``.gamertag``...).

        Raises:
            ValueError: empty or overlong text.
        """
        query = text.strip() if isinstance(text, str) else ""
        if not query or len(query) > MAX_QUERY:
            raise InvalidArgument(f"search text is 1 to {MAX_QUERY} characters, not {text!r}")
        body = await self._client._json("GET", self.host, "/suggest", params={"q": query},
                                        contract_version=1)
        results = body.get("results") if isinstance(body, dict) else None
        if results is None:
            raise MalformedResponse(f"{self.host} sent no results list", body=body,
                                    service=self.host)
        return parse_records(SearchResult, results, errors)

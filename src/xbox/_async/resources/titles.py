"""titles: a player's title history and title info (titlehub, contract 2; gzip bodies)."""

from __future__ import annotations

from collections.abc import Sequence

from ...exceptions import GamertagNotFound, InvalidArgument, MalformedResponse, NotFoundException
from ...models.titles import Title
from ._base import AsyncResource, decoration_path, records, validate_title_id

__all__ = ["DEFAULT_DECORATIONS", "AsyncTitles"]

DEFAULT_DECORATIONS = ("achievement", "image", "scid")
CONTRACT = 2



class AsyncTitles(AsyncResource):
    """``xbl.titles``: titlehub.xboxlive.com."""

    host = "titlehub.xboxlive.com"

    async def history(self, xuid: str | int | None = None, *, limit: int | None = None,
                      decorations: Sequence[str] = DEFAULT_DECORATIONS,
                      errors: list[MalformedResponse] | None = None) -> list[Title]:
        """The titles a user has played, most recent first.

        Title history does not page; ``limit`` becomes the service's ``maxItems``.

        Args:
            xuid: whose history (default: the signed-in user).
            limit: at most this many titles (None: the service's default, all in practice).
            decorations: extra blocks: ``achievement``, ``image``, ``scid``, ``detail``...
            errors: a list to collect unreadable records in (each is also warned about).

        Returns:
            A list of :class:`~xbox.models.Title`.

        Raises:
            GamertagNotFound: no such user.
            ValueError: a malformed xuid, limit or decoration.
        """
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise InvalidArgument(f"limit must be zero or more, not {limit!r}")
        path = f"/titles/titlehistory{decoration_path(decorations)}"
        if limit == 0:
            return []
        who = await self._xuid(xuid)
        params = {"maxItems": limit} if limit else None
        body = await self._client._json(
            "GET", self.host, f"/users/xuid({who}){path}", params=params,
            contract_version=CONTRACT, not_found=GamertagNotFound,
            not_found_message=f"No such user: {who}")
        titles = records(Title, body, "titles", self.host, errors)
        return titles[:limit] if limit else titles

    async def get(self, title_id: int | str, xuid: str | int | None = None, *,
                  decorations: Sequence[str] = DEFAULT_DECORATIONS) -> Title:
        """One title, as a user sees it (with their achievement progress).

        Args:
            title_id: the title.
            xuid: whose view (default: the signed-in user).
            decorations: extra blocks, as for :meth:`history`.

        Returns:
            The :class:`~xbox.models.Title`.

        Raises:
            NotFoundException: no such title (or user).
            ValueError: a malformed title id, xuid or decoration.
        """
        tid = validate_title_id(title_id)
        path = f"/titles/titleid({tid}){decoration_path(decorations)}"
        who = await self._xuid(xuid)
        body = await self._client._json(
            "GET", self.host, f"/users/xuid({who}){path}", contract_version=CONTRACT,
            not_found_message=f"No such user: {who}")
        titles = records(Title, body, "titles", self.host, None)
        if not titles:
            raise NotFoundException(f"No such title: {tid}", service=self.host)
        return titles[0]

"""people: friends and batches (peoplehub, contract 3) and follow summaries (social)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..._api import people
from ..._api.people import DEFAULT_DECORATIONS
from ...exceptions import MalformedResponse
from ...models.people import PeopleSummary, Person
from ._base import AsyncResource

__all__ = ["DEFAULT_DECORATIONS", "AsyncPeople"]


class AsyncPeople(AsyncResource):
    """``xbl.people``: the people a user follows, and follow summaries."""

    async def friends(self, xuid: str | int | None = None, *,
                      decorations: Sequence[str] = DEFAULT_DECORATIONS,
                      errors: list[MalformedResponse] | None = None) -> list[Person]:
        """The people a user follows (their friends), with the decorations asked for.

        Args:
            xuid: whose friends (default: the signed-in user).
            decorations: extra blocks: ``preferredcolor``, ``detail``,
                ``multiplayersummary``, ``presencedetail``.
            errors: a list to collect unreadable records in.

        Raises:
            GamertagNotFound: no such user.
            InvalidArgument: a malformed xuid or decoration.
        """
        return await self._fetch(people.friends(xuid, decorations, errors))

    async def batch(self, xuids: Iterable[str | int], *,
                    decorations: Sequence[str] = DEFAULT_DECORATIONS,
                    errors: list[MalformedResponse] | None = None) -> list[Person]:
        """Any users by xuid (friends or not), 100 per request; unknown xuids are left out."""
        return await self._batch(people.batch(xuids, decorations), errors)

    async def summary(self, xuid: str | int | None = None) -> PeopleSummary:
        """Follow counts of a user and how they relate to the signed-in user (the default
        user, which adds slot counts)."""
        return await self._fetch(people.summary(xuid))

"""people: friends, followers, batches and recommendations (peoplehub), follow summaries,
following and unfollowing (social)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..._api import people
from ..._api.people import DECORATIONS, DEFAULT_DECORATIONS
from ...exceptions import MalformedResponse
from ...models.people import PeopleSummary, Person
from ._base import AsyncResource

__all__ = ["DECORATIONS", "DEFAULT_DECORATIONS", "AsyncPeople"]


class AsyncPeople(AsyncResource):
    """``xbl.people``: friends and followers, follow summaries, adding and removing friends."""

    async def friends(self, xuid: str | int | None = None, *,
                      decorations: Sequence[str] = DEFAULT_DECORATIONS,
                      errors: list[MalformedResponse] | None = None,
                      mutual: bool = False) -> list[Person]:
        """The people a user follows (their friends), with the decorations asked for.

        Args:
            xuid: whose friends (default: the signed-in user).
            decorations: extra blocks, any of peoplehub's 15 (``DECORATIONS``; by default
                ``preferredcolor``, ``detail``, ``multiplayersummary``, ``presencedetail``).
            errors: a list to collect unreadable records in.
            mutual: only those who follow back: friends in the friend system
                (peoplehub contract 7, with ``is_friend`` and the friend flags filled).

        Raises:
            GamertagNotFound: no such user.
            InvalidArgument: a malformed xuid or decoration.
        """
        return await self._fetch(people.friends(xuid, decorations, errors, mutual))

    async def followers(self, xuid: str | int | None = None, *,
                        decorations: Sequence[str] = DEFAULT_DECORATIONS,
                        errors: list[MalformedResponse] | None = None) -> list[Person]:
        """The people who follow a user (the signed-in user by default)."""
        return await self._fetch(people.followers(xuid, decorations, errors))

    async def get(self, xuid: str | int, *,
                  decorations: Sequence[str] = DEFAULT_DECORATIONS) -> Person:
        """One user as you see them, friend or not (``is_friend``, ``detail``...)."""
        return await self._fetch(people.person(xuid, decorations))

    async def recommendations(self, *, decorations: Sequence[str] = (),
                              errors: list[MalformedResponse] | None = None) -> list[Person]:
        """People you may know (friends of friends, followers), with ``recommendation``.

        Xbox Live fills none of their decoration blocks (``detail``...), even those asked
        for in ``decorations`` (as recorded in 2025); ask :meth:`batch` for them.
        """
        return await self._fetch(people.recommendations(decorations, errors))

    async def add(self, xuid: str | int) -> None:
        """Follow a user: add a friend (friends once they follow back). Never retried."""
        return await self._fetch(people.follow(xuid))

    async def remove(self, xuid: str | int) -> None:
        """Stop following a user: remove a friend. Never retried."""
        return await self._fetch(people.unfollow(xuid))

    async def batch(self, xuids: Iterable[str | int], *,
                    decorations: Sequence[str] = DEFAULT_DECORATIONS,
                    errors: list[MalformedResponse] | None = None) -> list[Person]:
        """Any users by xuid (friends or not), 100 per request; unknown xuids are left out."""
        return await self._batch(people.batch(xuids, decorations), errors)

    async def summary(self, xuid: str | int | None = None, *,
                      gamertag: str | None = None) -> PeopleSummary:
        """Follow counts of a user (by xuid or ``gamertag``) and how they relate to the
        signed-in user (the default user, which adds slot counts)."""
        return await self._fetch(people.summary(xuid, gamertag))

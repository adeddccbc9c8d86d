"""profiles: look users up by gamertag or xuid, one at a time or in batches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..._api import profiles
from ...exceptions import MalformedResponse
from ...models.profile import DEFAULT_SETTINGS, Profile
from ._base import AsyncResource

__all__ = ["AsyncProfiles"]


class AsyncProfiles(AsyncResource):
    """``xbl.profiles``: profile settings of Xbox Live users."""

    async def get(self, gamertag: str | None = None, *, xuid: str | int | None = None,
                  settings: Sequence[str] = DEFAULT_SETTINGS,
                  contract_version: int = 3) -> Profile:
        """One user's profile, by gamertag (case-insensitive) or by xuid.

        Raises:
            GamertagNotFound: no such user.
            InvalidArgument: neither or both of gamertag and xuid, or a malformed one.
        """
        return await self._fetch(profiles.lookup(gamertag, xuid, settings, contract_version))

    async def me(self, *, settings: Sequence[str] = DEFAULT_SETTINGS) -> Profile:
        """The signed-in user's profile."""
        return await self._fetch(profiles.me(settings))

    async def batch(self, xuids: Iterable[str | int], *,
                    settings: Sequence[str] = DEFAULT_SETTINGS,
                    errors: list[MalformedResponse] | None = None) -> list[Profile]:
        """Profiles of any number of users, fetched 100 at a time, in the order given.

        Unknown xuids are left out (as the service does). A malformed record is warned about
        and appended to ``errors`` instead of failing the call.
        """
        return await self._batch(profiles.batch(xuids, settings), errors)

"""people: friends and batches (peoplehub, contract 3) and follow summaries (social)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ...exceptions import GamertagNotFound, MalformedResponse
from ...models.base import set_aside_once
from ...models.people import PeopleSummary, Person
from ._base import AsyncResource, decoration_path, records, user_path, validate_xuid

__all__ = ["DEFAULT_DECORATIONS", "AsyncPeople"]

DEFAULT_DECORATIONS = ("preferredcolor", "detail", "multiplayersummary", "presencedetail")
BATCH_SIZE = 100  # the most xuids one peoplehub batch takes
PEOPLEHUB_CONTRACT = 3
SOCIAL_CONTRACT = 2



class AsyncPeople(AsyncResource):
    """``xbl.people``: the people a user follows, and follow summaries."""

    host = "peoplehub.xboxlive.com"
    social_host = "social.xboxlive.com"

    async def friends(self, xuid: str | int | None = None, *,
                      decorations: Sequence[str] = DEFAULT_DECORATIONS,
                      errors: list[MalformedResponse] | None = None) -> list[Person]:
        """The people a user follows (their friends), with the decorations asked for.

        Args:
            xuid: whose friends (default: the signed-in user).
            decorations: extra blocks: ``preferredcolor``, ``detail``,
                ``multiplayersummary``, ``presencedetail``.
            errors: a list to collect unreadable records in (each is also warned about).

        Returns:
            A list of :class:`~xbox.models.Person`.

        Raises:
            GamertagNotFound: no such user.
            ValueError: a malformed xuid or decoration.
        """
        path = f"/users/{user_path(xuid)}/people/social{decoration_path(decorations)}"
        body = await self._client._json(
            "GET", self.host, path, contract_version=PEOPLEHUB_CONTRACT,
            not_found=GamertagNotFound, not_found_message=f"No such user: {xuid}")
        return records(Person, body, "people", self.host, errors)

    async def batch(self, xuids: Iterable[str | int], *,
                    decorations: Sequence[str] = DEFAULT_DECORATIONS,
                    errors: list[MalformedResponse] | None = None) -> list[Person]:
        """Any users by xuid (friends or not), 100 per request; unknown xuids are left out.

        Args:
            xuids: whom to describe.
            decorations: extra blocks, as for :meth:`friends`.
            errors: a list to collect unreadable records in.

        Returns:
            A list of :class:`~xbox.models.Person`.

        Raises:
            ValueError: a malformed xuid or decoration.
        """
        wanted = [validate_xuid(x) for x in xuids]
        path = f"/users/me/people/batch{decoration_path(decorations)}"
        out: list[Person] = []
        with set_aside_once(errors) as bad:
            for start in range(0, len(wanted), BATCH_SIZE):
                body = await self._client._json(
                    "POST", self.host, path, contract_version=PEOPLEHUB_CONTRACT,
                    json={"xuids": wanted[start:start + BATCH_SIZE]}, idempotent=True)
                out.extend(records(Person, body, "people", self.host, bad, warn=False))
        return out

    async def summary(self, xuid: str | int | None = None) -> PeopleSummary:
        """Follow counts of a user and how they relate to the signed-in user.

        Args:
            xuid: whose (default: the signed-in user, which adds slot counts).

        Returns:
            A :class:`~xbox.models.PeopleSummary`.

        Raises:
            GamertagNotFound: no such user.
            ValueError: a malformed xuid.
        """
        body = await self._client._json(
            "GET", self.social_host, f"/users/{user_path(xuid)}/summary",
            contract_version=SOCIAL_CONTRACT, not_found=GamertagNotFound,
            not_found_message=f"No such user: {xuid}")
        return PeopleSummary.from_wire(body)

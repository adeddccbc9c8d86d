"""presence: who is online, one user or any number at once (userpresence, contract 3)."""

from __future__ import annotations

from collections.abc import Iterable

from ...exceptions import GamertagNotFound, InvalidArgument, MalformedResponse
from ...models import presence as models  # a module: the sync class is also "Presence"
from ...models.base import parse_records, set_aside_once
from ._base import AsyncResource, user_path, validate_xuid

__all__ = ["AsyncPresence"]

BATCH_SIZE = 1100  # the most xuids one presence batch takes
LEVELS = ("user", "device", "title", "all")
CONTRACT = 3


def _level(level: str) -> str:
    value = str(level).lower()
    if value not in LEVELS:
        raise InvalidArgument(f"level is one of {', '.join(LEVELS)}; not {level!r}")
    return value


class AsyncPresence(AsyncResource):
    """``xbl.presence``: userpresence.xboxlive.com."""

    host = "userpresence.xboxlive.com"

    async def get(self, xuid: str | int | None = None, *, level: str = "all") -> models.Presence:
        """One user's presence.

        Args:
            xuid: whose (default: the signed-in user).
            level: how much detail: ``"user"``, ``"device"``, ``"title"`` or ``"all"``.

        Returns:
            The :class:`~xbox.models.Presence`.

        Raises:
            GamertagNotFound: no such user.
            ValueError: a malformed xuid or level.
        """
        level = _level(level)
        body = await self._client._json(
            "GET", self.host, f"/users/{user_path(xuid)}", params={"level": level},
            contract_version=CONTRACT, not_found=GamertagNotFound,
            not_found_message=f"No such user: {xuid}")
        return models.Presence.from_wire(body)

    async def batch(self, xuids: Iterable[str | int], *, level: str = "all",
                    online_only: bool = False,
                    errors: list[MalformedResponse] | None = None) -> list[models.Presence]:
        """Presence of any number of users, 1100 per request.

        Unknown xuids are left out, as the service does. A record that cannot be read is
        warned about (:class:`~xbox.models.MalformedRecord`) and appended to ``errors``;
        it never fails the batch.

        Args:
            xuids: whose presence.
            level: ``"user"``, ``"device"``, ``"title"`` or ``"all"``.
            online_only: leave out users who are not online.
            errors: a list to collect unreadable records in.

        Returns:
            One :class:`~xbox.models.Presence` per known user.

        Raises:
            ValueError: a malformed xuid or level.
        """
        level = _level(level)
        wanted = [validate_xuid(x) for x in xuids]
        out: list[models.Presence] = []
        with set_aside_once(errors) as bad:
            for start in range(0, len(wanted), BATCH_SIZE):
                chunk = wanted[start:start + BATCH_SIZE]
                # A batch read changes nothing: safe to retry although it is a POST.
                body = await self._client._json(
                    "POST", self.host, "/users/batch", contract_version=CONTRACT,
                    json={"users": chunk, "onlineOnly": online_only, "level": level},
                    idempotent=True)
                out.extend(parse_records(models.Presence, body, bad, warn=False))
        return out

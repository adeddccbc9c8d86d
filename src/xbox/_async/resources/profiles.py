"""profiles: look users up by gamertag or xuid, one at a time or in batches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ...exceptions import GamertagNotFound, InvalidArgument, InvalidRequest, MalformedResponse
from ...models.base import parse_records, set_aside_once
from ...models.profile import DEFAULT_SETTINGS, Profile
from ._base import AsyncResource, gamertag_path, user_path, validate_xuid

__all__ = ["AsyncProfiles"]

BATCH_SIZE = 100  # the most xuids profile.xboxlive.com takes in one batch


def _settings_query(settings: Sequence[str]) -> str:
    """``settings=A,B,C`` with the commas raw, as the 2014 client sent them."""
    for name in settings:
        if not name.isalnum():
            raise InvalidArgument(f"a profile setting is a name like 'Gamertag', not {name!r}")
    return "settings=" + ",".join(settings)


def _one(body: Any) -> Profile:
    users = body.get("profileUsers") if isinstance(body, dict) else None
    if not isinstance(users, list) or not users:
        raise MalformedResponse("profile.xboxlive.com sent no profile", body=body)
    return Profile.from_wire(users[0])


class AsyncProfiles(AsyncResource):
    """``xbl.profiles``: profile settings of Xbox Live users."""

    host = "profile.xboxlive.com"

    async def get(self, gamertag: str | None = None, *, xuid: str | int | None = None,
                  settings: Sequence[str] = DEFAULT_SETTINGS,
                  contract_version: int = 3) -> Profile:
        """One user's profile, by gamertag (case-insensitive) or by xuid.

        Raises:
            GamertagNotFound: no such user.
            ValueError: neither or both of gamertag and xuid, or a malformed one.
        """
        if (gamertag is None) == (xuid is None):
            raise InvalidArgument("give a gamertag or an xuid (one of them)")
        who = gamertag_path(gamertag) if gamertag is not None else user_path(xuid)
        shown = gamertag if gamertag is not None else str(xuid)
        try:
            body = await self._client._json(
                "GET", self.host, f"/users/{who}/profile/settings?{_settings_query(settings)}",
                contract_version=contract_version,
                not_found=GamertagNotFound, not_found_message=f"No such user: {shown}")
        except InvalidRequest as exc:
            if xuid is None:
                raise
            # An xuid the service calls invalid (400) is a user that does not exist.
            raise GamertagNotFound(f"No such user: {shown}", exc.response,
                                   status_code=exc.status_code, service=self.host,
                                   body=exc.body, correlation_id=exc.correlation_id) from None
        return _one(body)

    async def me(self, *, settings: Sequence[str] = DEFAULT_SETTINGS) -> Profile:
        """The signed-in user's profile."""
        body = await self._client._json(
            "GET", self.host, f"/users/me/profile/settings?{_settings_query(settings)}",
            contract_version=3)
        return _one(body)

    async def batch(self, xuids: Iterable[str | int], *,
                    settings: Sequence[str] = DEFAULT_SETTINGS,
                    errors: list[MalformedResponse] | None = None) -> list[Profile]:
        """Profiles of any number of users, fetched 100 at a time, in the order given.

        Unknown xuids are left out (as the service does). A malformed record is warned about
        and appended to ``errors`` instead of failing the call.
        """
        wanted = [validate_xuid(x) for x in xuids]
        out: list[Profile] = []
        with set_aside_once(errors) as bad:
            for start in range(0, len(wanted), BATCH_SIZE):
                chunk = wanted[start:start + BATCH_SIZE]
                body = await self._client._json(
                    "POST", self.host, "/users/batch/profile/settings", contract_version=3,
                    json={"userIds": chunk, "settings": list(settings)}, idempotent=True)
                users = body.get("profileUsers") if isinstance(body, dict) else None
                out.extend(parse_records(Profile, users, bad, warn=False))
        return out

"""Using xbox inside another application: a Home Assistant-style integration.

The host application owns three things, and xbox uses them as they are:

* its ``httpx.AsyncClient`` (one for the whole application): every request xbox makes goes
  through it, and xbox never closes it or changes its settings;
* the Microsoft account's OAuth (``HostOAuth`` below stands for Home Assistant's
  ``OAuth2Session``): it refreshes the Microsoft token; xbox only asks it for a valid one;
* its storage (``ConfigEntryStore``, a config entry's data): xbox saves the Xbox Live tokens
  there each time they change.

Three coordinators poll at Home Assistant's intervals (the consoles every 10 minutes, their
status every 10 seconds, presence every 30 seconds) under the client's rate-limit governor.
``mypy --strict`` accepts this file, and the test suite runs it against the sandbox
(tests/test_embedding_guide.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

import httpx

import xbox
from xbox.auth.tokens import MsaToken, Session
from xbox.exceptions import AuthenticationException, XboxException
from xbox.models import Console, ConsoleStatus, Person

log = logging.getLogger(__name__)
T = TypeVar("T")

LOGIN = "https://login.live.com"
#: The Microsoft account scope of an Azure app (the ``d=`` ticket family).
SCOPE = "Xboxlive.signin Xboxlive.offline_access"


# -- what the host already has ---------------------------------------------------------------

class HostOAuth:
    """The host's OAuth session for one Microsoft account (Home Assistant's
    ``OAuth2Session``): it holds the token and refreshes it with the host's own client."""

    def __init__(self, http: httpx.AsyncClient, client_id: str, token: dict[str, str | float],
                 *, login_url: str = LOGIN, clock: Callable[[], float] = time.time) -> None:
        self.http, self.client_id, self.token = http, client_id, token
        self.login_url, self.clock = login_url, clock
        self.refreshes = 0

    @property
    def valid_token(self) -> bool:
        return float(self.token["expires_at"]) > self.clock() + 20

    async def async_ensure_token_valid(self) -> None:
        """Refresh the token with the refresh-token grant when it is about to expire."""
        if self.valid_token:
            return
        response = await self.http.post(f"{self.login_url}/oauth20_token.srf", data={
            "grant_type": "refresh_token", "client_id": self.client_id, "scope": SCOPE,
            "refresh_token": str(self.token["refresh_token"])})
        response.raise_for_status()
        fresh = response.json()
        self.token = {**fresh, "expires_at": self.clock() + float(fresh["expires_in"])}
        self.refreshes += 1


async def link_account(http: httpx.AsyncClient, client_id: str, *, login_url: str = LOGIN,
                       show: Callable[[str, str], None] = print,
                       sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                       clock: Callable[[], float] = time.time) -> dict[str, str | float]:
    """The host's account linking, by device code: the person enters a code on any device
    (Home Assistant links accounts in a browser instead; either way the host gets a token)."""
    start = await http.post(f"{login_url}/oauth20_connect.srf", data={
        "client_id": client_id, "scope": SCOPE, "response_type": "device_code"})
    start.raise_for_status()
    code = start.json()
    show(str(code["verification_uri"]), str(code["user_code"]))
    while True:
        await sleep(float(code.get("interval", 5)))
        poll = await http.post(f"{login_url}/oauth20_token.srf", data={
            "client_id": client_id, "device_code": code["device_code"],
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code"})
        if poll.status_code == 200:
            token = poll.json()
            return {**token, "expires_at": clock() + float(token["expires_in"])}
        if poll.json().get("error") not in ("authorization_pending", "slow_down"):
            poll.raise_for_status()


class ConfigEntryStore:
    """The host's storage for xbox's tokens: a config entry's data (a dict the host
    persists). An ``xbox.auth.storage.AsyncTokenStorage``: its methods are awaited."""

    def __init__(self, data: dict[str, object]) -> None:
        self.data = data
        self.saves = 0

    async def load(self, account: str) -> Session | None:
        saved = self.data.get(f"xbox:{account}")
        return Session.from_dict(saved) if isinstance(saved, dict) else None

    async def save(self, account: str, session: Session) -> None:
        self.data[f"xbox:{account}"] = session.to_dict()
        self.saves += 1

    async def delete(self, account: str) -> bool:
        return self.data.pop(f"xbox:{account}", None) is not None


# -- the integration ---------------------------------------------------------------------------

class ReauthRequired(Exception):
    """The account must be linked again (Home Assistant: ``ConfigEntryAuthFailed``)."""


class Polled(Protocol):
    """What the host's scheduler sees of a coordinator."""

    name: str
    interval: float

    async def refresh(self) -> None: ...


@dataclass
class Coordinator(Generic[T]):
    """Polls ``update`` every ``interval`` seconds and keeps the last good ``data``
    (Home Assistant's ``DataUpdateCoordinator``)."""

    name: str
    interval: float
    update: Callable[[], Awaitable[T]]
    data: T | None = None
    updates: int = 0
    failures: list[str] = field(default_factory=list)

    async def refresh(self) -> None:
        try:
            self.data = await self.update()
            self.updates += 1
        except AuthenticationException as exc:  # the sign-in is gone: ask the person again
            raise ReauthRequired(str(exc)) from exc
        except XboxException as exc:  # an outage, a rate limit: keep the last data
            log.warning("%s update failed: %s", self.name, exc)
            self.failures.append(type(exc).__name__)


@dataclass
class ConsoleData:
    console: Console
    status: ConsoleStatus


class XboxIntegration:
    """One linked account: its client and three coordinators."""

    def __init__(self, client: xbox.AsyncClient, *, consoles_every: float = 600,
                 status_every: float = 10, presence_every: float = 30) -> None:
        self.client = client
        self.consoles: Coordinator[dict[str, Console]] = Coordinator(
            "consoles", consoles_every, self._consoles)
        self.status: Coordinator[dict[str, ConsoleData]] = Coordinator(
            "status", status_every, self._status)
        self.presence: Coordinator[dict[str, Person]] = Coordinator(
            "presence", presence_every, self._presence)

    @property
    def coordinators(self) -> tuple[Polled, ...]:
        return self.consoles, self.status, self.presence

    async def _consoles(self) -> dict[str, Console]:
        return {c.id: c for c in await self.client.consoles.list()}

    async def _status(self) -> dict[str, ConsoleData]:
        return {cid: ConsoleData(console, await self.client.consoles.status(cid))
                for cid, console in (self.consoles.data or {}).items()}

    async def _presence(self) -> dict[str, Person]:
        me = await self.client.people.batch([self.client.xuid or ""])
        favorites = [p for p in await self.client.people.friends() if p.is_favorite]
        return {p.xuid: p for p in [*me, *favorites]}


async def async_setup_entry(http: httpx.AsyncClient, oauth: HostOAuth,
                            entry_data: dict[str, object], *, base_url: str | None = None,
                            clock: Callable[[], float] | None = None,
                            sleep: Callable[[float], Awaitable[None]] | None = None,
                            intervals: tuple[float, float, float] = (600, 10, 30),
                            ) -> XboxIntegration:
    """Set the account up: a client on the host's client, tokens and storage; sign in
    (which checks the link still works) and fetch the first data."""

    async def microsoft_token() -> MsaToken:
        await oauth.async_ensure_token_valid()
        token = oauth.token
        return MsaToken.from_host(str(token["access_token"]),
                                  expires_at=float(token["expires_at"]),
                                  scope=str(token.get("scope", SCOPE)))

    client = xbox.AsyncClient(http_client=http, token_store=ConfigEntryStore(entry_data),
                              msa_token_provider=microsoft_token, base_url=base_url,
                              clock=clock, sleep=sleep)
    try:
        me = await client.whoami()  # signs in from the host's token the first time
    except AuthenticationException as exc:
        raise ReauthRequired(str(exc)) from exc
    log.info("linked Xbox account %s (%s)", me["gamertag"], me["xuid"])
    consoles_every, status_every, presence_every = intervals
    integration = XboxIntegration(client, consoles_every=consoles_every,
                                  status_every=status_every, presence_every=presence_every)
    for coordinator in integration.coordinators:
        await coordinator.refresh()
    return integration


async def run(integration: XboxIntegration, seconds: float, *,
              clock: Callable[[], float] = time.monotonic,
              sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """The host's scheduler for ``seconds``: each coordinator refreshes when it is due."""
    start = clock()
    due = {c.name: start + c.interval for c in integration.coordinators}
    while True:
        coordinator = min(integration.coordinators, key=lambda c: due[c.name])
        if due[coordinator.name] > start + seconds:
            return
        await sleep(max(0.0, due[coordinator.name] - clock()))
        await coordinator.refresh()
        due[coordinator.name] += coordinator.interval


async def main() -> None:
    """Link an account, then poll for a minute (run against ``xbox sandbox serve``:
    ``XBOX_LIVE_BASE_URL=http://127.0.0.1:PORT python embedding.py``)."""
    import os

    base_url = os.environ.get("XBOX_LIVE_BASE_URL") or None
    login = f"{base_url}/login.live.com" if base_url else LOGIN
    async with httpx.AsyncClient(timeout=20) as http:  # the host's client
        client_id = "5c3b8d4e-8a9f-4c1e-9f2a-6b7d0e1f2a3b"  # the host's own Azure app
        token = await link_account(http, client_id, login_url=login,
                                   show=lambda url, code: print(f"Open {url}, enter {code}"))
        entry_data: dict[str, object] = {}
        integration = await async_setup_entry(
            http, HostOAuth(http, client_id, token, login_url=login), entry_data,
            base_url=base_url)
        await run(integration, 60)
        for data in (integration.status.data or {}).values():
            print(data.console.name, data.status.power_state, data.status.focus_app_aumid)
        await integration.client.aclose()  # our pool only: the host's client stays open


if __name__ == "__main__":
    asyncio.run(main())

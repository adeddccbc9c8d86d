"""Embedding xbox in a host application: the host's httpx client, the host's Microsoft
tokens (and its hook that renews them), the host's token storage, several accounts in one
process, and response metadata on success.

The host side of these tests (its account linking, its OAuth refresh) is written here with
plain httpx against the sandbox, from the wire description: xbox only receives its tokens.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import xbox
from tests.auth_helpers import FakeClock, requests_to
from xbox.auth.storage import AsyncTokenStorage, MemoryTokenStore, TokenStorage
from xbox.auth.tokens import MsaToken, Session
from xbox.exceptions import (
    AuthenticationException,
    InvalidArgument,
    NotSignedIn,
    ReauthenticationRequired,
)
from xbox.sandbox import JOE_GAMERTAG, JOE_XUID, Sandbox
from xbox.sandbox._tokens import Lifetimes

HOST_APP = "5c3b8d4e-8a9f-4c1e-9f2a-6b7d0e1f2a3b"  # the host's own Azure app (any GUID)
AZURE_SCOPE = "XboxLive.signin XboxLive.offline_access"  # as Microsoft's answer spells it
LIVE_SCOPE = "service::user.auth.xboxlive.com::MBI_SSL"
XBOX_APP = "000000004C12AE6F"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SHORT = Lifetimes(msa_azure=1800, user=2 * 3600, xsts=3600)


# -- the host's side ---------------------------------------------------------------------------

def _sandbox(**options: Any) -> Sandbox:
    """A sandbox whose device codes approve at the first poll (the person was quick)."""
    return Sandbox(seed=0, device_code_pending_polls=0, **options)


def _oauth(base: str) -> str:
    return f"{base}/login.live.com"


def host_link(http: httpx.Client, base: str, client_id: str = HOST_APP,
              scope: str = AZURE_SCOPE) -> dict[str, Any]:
    """The host's account linking (device code; the sandbox approves at once): its token."""
    start = http.post(f"{_oauth(base)}/oauth20_connect.srf", data={
        "client_id": client_id, "scope": scope, "response_type": "device_code"})
    assert start.status_code == 200, start.text
    poll = http.post(f"{_oauth(base)}/oauth20_token.srf", data={
        "client_id": client_id, "grant_type": DEVICE_GRANT,
        "device_code": start.json()["device_code"]})
    assert poll.status_code == 200, poll.text
    token: dict[str, Any] = poll.json()
    return token


async def ahost_link(http: httpx.AsyncClient, base: str, client_id: str = HOST_APP,
                     scope: str = AZURE_SCOPE) -> dict[str, Any]:
    start = await http.post(f"{_oauth(base)}/oauth20_connect.srf", data={
        "client_id": client_id, "scope": scope, "response_type": "device_code"})
    assert start.status_code == 200, start.text
    poll = await http.post(f"{_oauth(base)}/oauth20_token.srf", data={
        "client_id": client_id, "grant_type": DEVICE_GRANT,
        "device_code": start.json()["device_code"]})
    assert poll.status_code == 200, poll.text
    token: dict[str, Any] = poll.json()
    return token


class HostOAuth:
    """The host's OAuth session (Home Assistant's OAuth2Session): refreshes by itself."""

    def __init__(self, http: httpx.AsyncClient, base: str, token: dict[str, Any],
                 clock: FakeClock) -> None:
        self.http, self.base, self.clock = http, base, clock
        self.token = {**token, "expires_at": clock() + float(token["expires_in"])}
        self.calls = 0
        self.refreshes = 0

    async def ensure_valid(self) -> MsaToken:
        self.calls += 1
        if self.token["expires_at"] <= self.clock() + 20:
            response = await self.http.post(f"{_oauth(self.base)}/oauth20_token.srf", data={
                "grant_type": "refresh_token", "client_id": HOST_APP, "scope": AZURE_SCOPE,
                "refresh_token": self.token["refresh_token"]})
            assert response.status_code == 200, response.text
            fresh = response.json()
            self.token = {**fresh, "expires_at": self.clock() + float(fresh["expires_in"])}
            self.refreshes += 1
        return MsaToken.from_host(self.token["access_token"],
                                  expires_at=self.token["expires_at"],
                                  scope=self.token["scope"])


class HostStore:
    """A host's async token storage (a config entry's data)."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {}
        self.saves: list[str] = []  # the XSTS token of each save, in order

    async def load(self, account: str) -> Session | None:
        await asyncio.sleep(0)
        saved = self.data.get(account)
        return Session.from_dict(saved) if saved else None

    async def save(self, account: str, session: Session) -> None:
        await asyncio.sleep(0)
        self.data[account] = session.to_dict()
        self.saves.append(session.xsts.token if session.xsts else "")

    async def delete(self, account: str) -> bool:
        await asyncio.sleep(0)
        return self.data.pop(account, None) is not None


def _settings(http: httpx.Client | httpx.AsyncClient) -> dict[str, Any]:
    """What "unchanged" means for a host's client."""
    return {"headers": list(http.headers.multi_items()), "timeout": http.timeout,
            "base_url": http.base_url, "auth": http.auth,
            "hooks": {k: list(v) for k, v in http.event_hooks.items()},
            "follow_redirects": http.follow_redirects, "closed": http.is_closed}


@pytest.fixture
def empty_home(isolated_home: Path) -> Iterator[Path]:
    """XBOX_HOME, created empty: the test checks that it stays so."""
    isolated_home.mkdir(parents=True)
    yield isolated_home
    assert sorted(p.name for p in isolated_home.rglob("*")) == []


# -- the whole of it: the host's client and tokens, on the served sandbox --------------------------

async def test_a_host_client_and_host_tokens_do_everything(empty_home: Path,
                                                           tmp_path: Path) -> None:
    clock = FakeClock()
    sb = _sandbox(clock=clock, lifetimes=SHORT)
    seen: list[httpx.Request] = []

    async def count(request: httpx.Request) -> None:
        seen.append(request)

    with sb.serve() as served:
        base = served.base_url
        async with httpx.AsyncClient(
                event_hooks={"request": [count]}, timeout=httpx.Timeout(7.0),
                headers={"X-Host-App": "homeassistant", "Authorization": "Bearer host-secret"},
                auth=httpx.BasicAuth("host", "pw"), follow_redirects=True,
                base_url="https://example.invalid/api") as http:
            before = _settings(http)
            oauth = HostOAuth(http, base, await ahost_link(http, base), clock)
            store = HostStore()
            xbl = xbox.AsyncClient(http_client=http, base_url=base, token_store=store,
                                   msa_token_provider=oauth.ensure_valid, clock=clock,
                                   sleep=clock.asleep)
            session = await xbl.login_msa_token(await oauth.ensure_valid())
            assert (session.gamertag, session.flow) == (JOE_GAMERTAG, "plain")
            me = await xbl.profiles.me()
            clips = await xbl.clips.recent(me.xuid, limit=3).to_list()
            friends = await xbl.people.friends()
            result = await xbl.download(clips[0], tmp_path / "clip.mp4")
            assert me.xuid == JOE_XUID and friends and result.size > 0

            # An hour on: the XSTS token and the host's Microsoft token have run out; two
            # hours: the user token too, so the host's hook is asked and refreshes itself.
            clock.advance(2 * 3600 + 60)
            assert (await xbl.profiles.me()).xuid == JOE_XUID
            assert oauth.refreshes == 1
            assert len(store.saves) == 2 and store.saves[0] != store.saves[1]
            await xbl.aclose()

            assert _settings(http) == before  # still open, nothing of it changed
            host_call = await http.get(f"{base}/profile.xboxlive.com/users/me/profile/settings")
            assert host_call.status_code == 401  # the host's own request: no token of ours
            ours = [r for r in seen if r.headers.get("user-agent", "").startswith("xbox-python")]

    # Every request the sandbox saw went through the host's hook, and ours carried our
    # headers only: never the host's default headers or its auth.
    assert len(seen) == len(sb.requests) and len(ours) == 9
    assert {r.url.host for r in ours} == {"127.0.0.1"}
    for request in ours:
        assert "x-host-app" not in request.headers
        assert request.headers.get("authorization", "XBL3.0").startswith("XBL3.0")
    # The hook, not a refresh-token grant of xbox, renewed the Microsoft token: the only
    # token requests are the host's (its link, its refresh), by its User-Agent.
    grants = requests_to(sb, "login.live.com", "/oauth20_token.srf")
    assert len(grants) == 2
    assert not any(r.headers["user-agent"].startswith("xbox-python") for r in grants)


async def test_the_host_client_is_checked_and_never_closed() -> None:
    sb = _sandbox(rate_limits=False)
    with pytest.raises(TypeError, match=r"httpx\.AsyncClient for xbox\.AsyncClient"):
        xbox.AsyncClient(http_client=httpx.Client())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"httpx\.Client for xbox\.Client"):
        xbox.Client(http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="http_client must be"):
        xbox.AsyncClient(http_client=object())  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=sb.transport()) as http:
        with pytest.raises(TypeError, match="either transport or http_client"):
            xbox.AsyncClient(http_client=http, transport=sb.transport())
    with pytest.raises(TypeError, match="closed"):
        xbox.AsyncClient(http_client=http)
    http = httpx.AsyncClient(transport=sb.transport())
    async with xbox.AsyncClient(http_client=http, base_url=sb.base_url, token_store=None) as xbl:
        await xbl.login_msa_token((await ahost_link(http, sb.base_url))["access_token"])
        await xbl.profiles.me()
    assert not http.is_closed  # `async with` closed our side only
    await http.aclose()


def test_the_sync_client_takes_a_host_httpx_client(empty_home: Path) -> None:
    sb = _sandbox(rate_limits=False)
    hits: list[str] = []
    with httpx.Client(transport=sb.transport(), event_hooks={
            "response": [lambda r: hits.append(r.request.url.path)]}) as http:
        before = _settings(http)
        token = host_link(http, sb.base_url)
        store = MemoryTokenStore()
        with xbox.Client(http_client=http, base_url=sb.base_url, token_store=store) as xbl:
            xbl.login_msa_token(token["access_token"], refresh_token=token["refresh_token"],
                                client_id=HOST_APP, scope=token["scope"],
                                expires_in=token["expires_in"])
            assert xbl.profiles.me().gamertag == JOE_GAMERTAG
        assert _settings(http) == before
        assert len(hits) == len(sb.requests)
        assert store.accounts() == ["default"] and store.load("default") is not None


# -- sign-in from the host's tokens --------------------------------------------------------------

def _rps_tickets(sb: Sandbox) -> list[str]:
    return [json.loads(r.read())["Properties"]["RpsTicket"][:2]
            for r in requests_to(sb, "user.auth.xboxlive.com")]


@pytest.mark.parametrize("scope", [AZURE_SCOPE, "XboxLive.offline_access XboxLive.signin"])
async def test_an_azure_token_goes_as_d_and_a_live_token_as_t(scope: str) -> None:
    sb = _sandbox(rate_limits=False)
    async with httpx.AsyncClient(transport=sb.transport()) as http:
        azure = await ahost_link(http, sb.base_url, scope=scope)
        live = await ahost_link(http, sb.base_url, client_id=XBOX_APP, scope=LIVE_SCOPE)
        async with xbox.AsyncClient(http_client=http, base_url=sb.base_url,
                                    token_store=None) as xbl:
            await xbl.login_msa_token(azure["access_token"], scope=scope)
            await xbl.login_msa_token(live["access_token"], scope=LIVE_SCOPE, flow="plain")
    assert _rps_tickets(sb) == ["d=", "t="]


async def test_the_hook_is_asked_when_the_microsoft_token_is_needed_and_never_the_grant(
        ) -> None:
    clock = FakeClock()
    sb = _sandbox(clock=clock, lifetimes=SHORT, rate_limits=False)
    async with httpx.AsyncClient(transport=sb.transport()) as http:
        handed: list[str] = []

        async def provider() -> MsaToken:  # the host links anew each time (its "refresh")
            token = await ahost_link(http, sb.base_url)
            handed.append(token["access_token"])
            return MsaToken.from_host(token["access_token"], expires_in=token["expires_in"],
                                      scope=token["scope"], now=clock())

        async with xbox.AsyncClient(http_client=http, base_url=sb.base_url, token_store=None,
                                    msa_token_provider=provider, clock=clock,
                                    sleep=clock.asleep) as xbl:
            assert (await xbl.profiles.me()).xuid == JOE_XUID  # signs in through the hook
            assert len(handed) == 1
            clock.advance(3600 + 1)  # XSTS out, user token still good: no Microsoft token
            await xbl.profiles.me()
            assert len(handed) == 1
            clock.advance(3600)  # the user token too (and the Microsoft one): the hook
            await xbl.profiles.me()
            assert len(handed) == 2
            # Microsoft revokes everything while our copy of the hook's token has time left:
            # the API refuses (401), the user token request is refused, the hook is asked.
            for grant in sb.tokens.grants.values():
                if grant.kind in ("msa", "user", "xsts"):
                    grant.revoked = True
            assert (await xbl.profiles.me()).xuid == JOE_XUID
            assert len(handed) == 3
    # Every token request was the host's own link: xbox never redeemed a refresh token.
    assert len(requests_to(sb, "login.live.com", "/oauth20_token.srf")) == len(handed)


async def test_a_hook_may_hand_over_the_bare_access_token() -> None:
    sb = _sandbox(rate_limits=False)
    async with httpx.AsyncClient(transport=sb.transport()) as http:
        token = await ahost_link(http, sb.base_url)

        async def provider() -> str:
            return str(token["access_token"])

        async with xbox.AsyncClient(http_client=http, base_url=sb.base_url, token_store=None,
                                    msa_token_provider=provider) as xbl:
            session = await xbl.login_msa_token()
            assert session.gamertag == JOE_GAMERTAG and session.flow == "plain"
    assert _rps_tickets(sb) == ["d="]


async def test_what_the_hook_raises_reaches_the_caller_unchanged() -> None:
    class ConfigEntryAuthFailed(Exception):
        pass

    async def provider() -> MsaToken:
        raise ConfigEntryAuthFailed("reauth")

    sb = _sandbox(rate_limits=False)
    async with xbox.AsyncClient(transport=sb.transport(), base_url=sb.base_url,
                                token_store=None, msa_token_provider=provider) as xbl:
        with pytest.raises(ConfigEntryAuthFailed):
            await xbl.profiles.me()
        with pytest.raises(ConfigEntryAuthFailed):
            await xbl.login_msa_token()

    async def wrong() -> MsaToken:
        return 42  # type: ignore[return-value]

    async with xbox.AsyncClient(transport=sb.transport(), base_url=sb.base_url,
                                token_store=None, msa_token_provider=wrong) as xbl:
        with pytest.raises(TypeError, match=r"str or an xbox\.auth\.tokens\.MsaToken"):
            await xbl.profiles.me()


async def test_without_a_hook_the_refresh_token_renews_and_without_one_a_clear_error() -> None:
    clock = FakeClock()
    sb = _sandbox(clock=clock, lifetimes=SHORT, rate_limits=False)
    async with httpx.AsyncClient(transport=sb.transport()) as http:
        token = await ahost_link(http, sb.base_url)
        async with xbox.AsyncClient(http_client=http, base_url=sb.base_url, token_store=None,
                                    clock=clock, sleep=clock.asleep) as xbl:
            await xbl.login_msa_token(token["access_token"], refresh_token=token["refresh_token"],
                                      client_id=HOST_APP, expires_in=token["expires_in"])
            clock.advance(2 * 3600 + 1)
            await xbl.profiles.me()  # the user token renewed with a refreshed MSA token
            assert len(requests_to(sb, "login.live.com", "/oauth20_token.srf")) == 2

            fresh = await ahost_link(http, sb.base_url)
            await xbl.login_msa_token(fresh["access_token"])  # no refresh token, no hook
            clock.advance(2 * 3600 + 1)
            with pytest.raises(ReauthenticationRequired, match="msa_token_provider"):
                await xbl.profiles.me()
        async with xbox.AsyncClient(http_client=http, base_url=sb.base_url,
                                    token_store=None) as xbl:
            with pytest.raises(InvalidArgument, match="msa_token_provider"):
                await xbl.login_msa_token()
            with pytest.raises(NotSignedIn):
                await xbl.profiles.me()
            with pytest.raises(AuthenticationException):
                await xbl.login_msa_token("not-a-token")
            with pytest.raises(InvalidArgument, match="go with an access token given as a str"):
                await xbl.login_msa_token(MsaToken.from_host("abc"), scope=AZURE_SCOPE)


async def test_a_sisu_sign_in_the_host_ran_is_taken_over_and_renewed() -> None:
    from cryptography.hazmat.primitives import serialization

    from tests.sandbox import signing

    clock = FakeClock()
    sb = _sandbox(clock=clock, rate_limits=False)
    host = signing.Signer()
    with signing.client(sb) as http:  # the host's own SISU sign-in, written from the wire
        device = signing.device_token(http, host, clock())
        linked = host_link(http, "", client_id=XBOX_APP, scope=LIVE_SCOPE)
        answer = host.post(http, signing.SISU_AUTHORIZE, signing.sisu_authorize_body(
            linked["access_token"], device["Token"], host), clock()).json()
    access = MsaToken.from_host(linked["access_token"], refresh_token=linked["refresh_token"],
                                client_id=XBOX_APP, expires_in=linked["expires_in"],
                                now=clock())
    pem = host.key.private_bytes(serialization.Encoding.PEM,
                                 serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode()
    store = MemoryTokenStore()
    async with xbox.AsyncClient(transport=sb.transport(), base_url=sb.base_url,
                                token_store=store, clock=clock, sleep=clock.asleep) as xbl:
        session = await xbl.login_sisu_tokens(answer, device_key=pem, msa_token=access,
                                              device_token=device)
        assert (session.flow, session.gamertag) == ("sisu", JOE_GAMERTAG)
        # mediahub takes only a signed device's XSTS token: the host's one is that.
        assert (await xbl.clips.mine().to_list())
        authorizes = len(requests_to(sb, "sisu.xboxlive.com", "/authorize"))
        clock.advance(17 * 3600)  # the XSTS token has run out: SISU again, with the host's key
        assert (await xbl.profiles.me()).xuid == JOE_XUID
    assert len(requests_to(sb, "sisu.xboxlive.com", "/authorize")) == authorizes + 1
    assert store.saves["default"] == 2
    with pytest.raises(InvalidArgument, match="SISU authorize answer"):
        await xbox.AsyncClient(token_store=None).login_sisu_tokens(
            {"UserToken": {}}, device_key=pem, msa_token=access)
    with pytest.raises(InvalidArgument, match="PEM"):
        await xbox.AsyncClient(token_store=None).login_sisu_tokens(
            answer, device_key="not a key", msa_token=access)


def test_host_tokens_are_checked() -> None:
    assert MsaToken.from_host("abc", now=100.0).expires_at == 100.0  # unknown: use now
    assert MsaToken.from_host("abc", expires_in=60, now=100.0).expires_at == 160.0
    assert MsaToken.from_host("abc").scope.lower().startswith("xboxlive.signin")
    assert MsaToken.from_host("abc", client_id=XBOX_APP).scope == LIVE_SCOPE
    for bad in ({"access_token": ""}, {"access_token": "a", "expires_at": "soon"},
                {"access_token": "a", "refresh_token": 5}):
        with pytest.raises(InvalidArgument):
            MsaToken.from_host(**bad)
    assert "abc" not in repr(MsaToken.from_host("abc", refresh_token="def"))


# -- token storage as an interface ------------------------------------------------------------

async def test_token_changes_reach_the_host_store_once_per_renewal() -> None:
    clock = FakeClock()
    sb = _sandbox(clock=clock, lifetimes=SHORT, rate_limits=False)
    store = HostStore()
    assert isinstance(store, AsyncTokenStorage) and isinstance(MemoryTokenStore(), TokenStorage)
    assert isinstance(xbox.TokenStore(), TokenStorage)  # the file store follows the protocol
    async with httpx.AsyncClient(transport=sb.transport()) as http:
        token = await ahost_link(http, sb.base_url)
        async with xbox.AsyncClient(http_client=http, base_url=sb.base_url, token_store=store,
                                    clock=clock, sleep=clock.asleep) as xbl:
            await xbl.login_msa_token(token["access_token"], refresh_token=token["refresh_token"],
                                      client_id=HOST_APP)
            assert len(store.saves) == 1
            clock.advance(3600 + 1)
            await asyncio.gather(*[xbl.profiles.me() for _ in range(20)])
            assert len(store.saves) == 2  # twenty callers, one renewal, one save
            await xbl.xsts_token("rp://api.minecraftservices.com/")
            assert len(store.saves) == 3  # a token for another relying party is kept too
            assert "rp://api.minecraftservices.com/" in store.data["default"]["relying_parties"]

        # Another client (a restart) picks the session up from the host's store.
        async with xbox.AsyncClient(http_client=http, base_url=sb.base_url, token_store=store,
                                    clock=clock, sleep=clock.asleep) as again:
            assert not again.authenticated  # an async store cannot be read from a property
            assert (await again.whoami(refresh=False))["gamertag"] == JOE_GAMERTAG
            assert again.authenticated
            assert await again.logout() is True
            assert store.data == {} and await again.logout() is False


def test_the_sync_client_refuses_an_async_store() -> None:
    with pytest.raises(TypeError, match="AsyncTokenStorage"):
        xbox.Client(token_store=HostStore())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="load, save and delete"):
        xbox.Client(token_store=object())  # type: ignore[arg-type]

    class Sneaky:  # plain methods that hand back coroutines
        def load(self, account: str) -> Any:
            return HostStore().load(account)

        save = delete = load

    sb = _sandbox()
    with xbox.Client(transport=sb.transport(), base_url=sb.base_url, token_store=Sneaky()
                     ) as xbl, pytest.raises(TypeError, match="returned an awaitable"):
        xbl.profiles.me()


def test_the_memory_store_keeps_copies() -> None:
    store = MemoryTokenStore()
    session = Session(login="joe@example.org")
    store.save("joe", session)
    session.login = "changed"
    loaded = store.load("joe")
    assert loaded is not None and loaded.login == "joe@example.org"
    assert store.accounts() == ["joe"] and store.delete("joe") and not store.delete("joe")
    assert store.load("joe") is None


# -- several accounts in one process ----------------------------------------------------------

async def test_several_accounts_each_with_its_own_client_and_budget() -> None:
    clock = FakeClock()
    sb = _sandbox(clock=clock)  # rate limits on
    async with httpx.AsyncClient(transport=sb.transport()) as http:
        joe = await ahost_link(http, sb.base_url)
        sb.device_code_account = "user3@example.org"
        other = await ahost_link(http, sb.base_url)
        waits: dict[str, list[float]] = {"joe": [], "other": []}

        def sleeper(name: str) -> Any:
            async def sleep(seconds: float) -> None:
                waits[name].append(seconds)
                clock.advance(seconds)
            return sleep

        store = MemoryTokenStore()  # one store, an account name each
        clients = {name: xbox.AsyncClient(http_client=http, base_url=sb.base_url,
                                          account=name, token_store=store, clock=clock,
                                          sleep=sleeper(name))
                   for name in ("joe", "other")}
        await clients["joe"].login_msa_token(joe["access_token"])
        await clients["other"].login_msa_token(other["access_token"])
        assert clients["joe"].governor is not clients["other"].governor
        burst = 10  # profile.xboxlive.com: 10 requests in 15 s per user
        for _ in range(burst + 1):
            await clients["joe"].profiles.me()
        assert sum(waits["joe"]) > 0  # joe's 11th request waited for its own window
        mine = [await clients["other"].profiles.me() for _ in range(burst)]
        assert waits["other"] == []  # the other account's budget is untouched
        assert {p.gamertag for p in mine} == {"Shadow Knight"}
        assert store.accounts() == ["joe", "other"]
        for xbl in clients.values():
            await xbl.aclose()


# -- response metadata on success -------------------------------------------------------------

async def test_with_raw_response_hands_back_status_headers_and_correlation_id() -> None:
    sb = _sandbox(rate_limits=False)
    async with xbox.AsyncClient(transport=sb.transport(), base_url=sb.base_url,
                                token_store=None) as xbl:
        await xbl.login_password("joe@example.org", "hunter2")
        raw = await xbl.with_raw_response(xbl.profiles.get, "JoeAlcorn")
        assert raw.parse().gamertag == JOE_GAMERTAG
        assert raw.status_code == 200 and raw.correlation_id
        assert raw.headers["Content-Type"].startswith("application/json")
        assert raw.correlation_id == raw.headers["x-xblcorrelationid"]
        assert raw.response.url.startswith("https://profile.xboxlive.com/users/gt(")
        assert "set-cookie" not in raw.headers and len(raw.responses) == 1

        pages = await xbl.with_raw_response(xbl.clips.recent(JOE_XUID, page_size=50).to_list)
        assert len(pages.responses) == 3 and len(pages.parse()) == 130
        with pytest.raises(InvalidArgument, match="made no request"):
            await xbl.with_raw_response(asyncio.sleep, 0)

        # Concurrent calls each get their own responses; another client's are not mixed in.
        other = xbox.AsyncClient(transport=sb.transport(), base_url=sb.base_url,
                                 token_store=None)
        await other.login_password("joe@example.org", "hunter2")

        async def both() -> None:
            await other.profiles.me()
            await xbl.profiles.me()

        one, two = await asyncio.gather(xbl.with_raw_response(both),
                                        xbl.with_raw_response(xbl.presence.get))
        assert [r.url.split("/")[2] for r in one.responses] == ["profile.xboxlive.com"]
        assert [r.url.split("/")[2] for r in two.responses] == ["userpresence.xboxlive.com"]
        await other.aclose()


def test_with_raw_response_in_the_sync_client_too() -> None:
    sb = _sandbox(rate_limits=False)
    with xbox.Client(transport=sb.transport(), base_url=sb.base_url, token_store=None) as xbl:
        xbl.login_password("joe@example.org", "hunter2")
        raw = xbl.with_raw_response(xbl.request, "GET", "profile.xboxlive.com",
                                    "/users/me/profile/settings", contract_version=3,
                                    params={"settings": "Gamertag"})
        assert raw.status_code == 200
        assert raw.parse()["profileUsers"][0]["id"] == JOE_XUID
        assert "RawResponse 200" in repr(raw) and "Authorization" not in repr(raw.responses)

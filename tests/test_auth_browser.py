"""Browser sign-in (authorization code) with the one-shot listener, over real sockets."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest

import xbox
from tests.auth_helpers import async_client, form, requests_to
from xbox.auth import flows
from xbox.auth.store import TokenStore
from xbox.exceptions import AuthenticationException
from xbox.sandbox import Sandbox, ServedSandbox
from xbox.sandbox.world import JOE_EMAIL, JOE_GAMERTAG

# Loopback redirects are for a user's own Azure app: login.live.com refuses them for
# Microsoft's own client ids (the sandbox's client registry, xbox.sandbox.clients).
AZURE_CLIENT = "388ea51c-0b25-4029-aae2-17df49d23905"


@pytest.fixture
def served_sb() -> Iterator[ServedSandbox]:
    with Sandbox().serve() as served:
        yield served


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def browser(served: ServedSandbox, seen: list[str],
            tamper: Callable[[str], str] = lambda location: location,
            pages: list[str] | None = None) -> Callable[[str], None]:
    """A stand-in for a person's browser: opens the URL (signed in as joe through
    ``login_hint``), then follows login.live.com's redirect to the listener."""
    pages = pages if pages is not None else []

    def open_browser(url: str) -> None:
        seen.append(url)
        assert url.startswith(served.base_url + "/login.live.com/oauth20_authorize.srf?")
        with httpx.Client() as http:
            answer = http.get(_with_query(url, login_hint=JOE_EMAIL))
            assert answer.status_code == 302
            back = http.get(tamper(answer.headers["Location"]))
            assert back.status_code == 200
            pages.append(back.text)

    return open_browser


async def test_browser_sign_in_over_http(served_sb: ServedSandbox) -> None:
    seen: list[str] = []
    pages: list[str] = []
    async with xbox.AsyncClient(base_url=served_sb.base_url) as xbl:
        session = await xbl.login_browser(client_id=AZURE_CLIENT,
                                          open_browser=browser(served_sb, seen, pages=pages))
        assert session.gamertag == JOE_GAMERTAG
    assert "close this window" in pages[0]
    [url] = seen
    query = parse_qs(urlsplit(url).query)
    assert query["response_type"] == ["code"] and query["client_id"] == [AZURE_CLIENT]
    assert query["redirect_uri"][0].startswith("http://127.0.0.1:")
    assert query["redirect_uri"][0].endswith("/auth/callback")
    assert len(query["state"][0]) >= 20  # random, unguessable
    sb = served_sb.sandbox
    [redeem] = requests_to(sb, "login.live.com", "oauth20_token.srf")
    assert form(redeem)["grant_type"] == "authorization_code"
    assert form(redeem)["redirect_uri"] == query["redirect_uri"][0]
    assert TokenStore().load("default") is not None


def test_browser_sign_in_with_an_azure_app_sync(served_sb: ServedSandbox) -> None:
    seen: list[str] = []
    with xbox.Client(base_url=served_sb.base_url) as xbl:
        xbl.login_browser(client_id=AZURE_CLIENT, client_secret="app-secret",
                          open_browser=browser(served_sb, seen), state="fixed-state-value")
        assert xbl.whoami()["gamertag"] == JOE_GAMERTAG
    query = parse_qs(urlsplit(seen[0]).query)
    assert query["scope"] == [flows.AZURE_SCOPE] and query["state"] == ["fixed-state-value"]
    sb = served_sb.sandbox
    [redeem] = requests_to(sb, "login.live.com", "oauth20_token.srf")
    assert form(redeem)["client_secret"] == "app-secret"
    [user] = requests_to(sb, "user.auth.xboxlive.com")
    assert json.loads(user.content)["Properties"]["RpsTicket"].startswith("d=")


async def test_state_mismatch_refuses_and_does_not_redeem_the_code(
        served_sb: ServedSandbox) -> None:
    seen: list[str] = []
    pages: list[str] = []
    evil = browser(served_sb, seen, tamper=lambda loc: _with_query(loc, state="forged"),
                   pages=pages)
    async with xbox.AsyncClient(base_url=served_sb.base_url) as xbl:
        with pytest.raises(AuthenticationException, match="state"):
            await xbl.login_browser(client_id=AZURE_CLIENT, open_browser=evil)
    assert "did not complete" in pages[0]
    assert requests_to(served_sb.sandbox, "login.live.com", "oauth20_token.srf") == []
    assert TokenStore().accounts() == []


async def test_an_error_from_the_browser_is_reported(served_sb: ServedSandbox) -> None:
    def deny(location: str) -> str:
        parts = urlsplit(location)
        state = parse_qs(parts.query)["state"][0]
        return urlunsplit(parts._replace(query=urlencode(
            {"error": "access_denied", "error_description": "The user said no",
             "state": state})))

    async with xbox.AsyncClient(base_url=served_sb.base_url) as xbl:
        with pytest.raises(AuthenticationException, match="access_denied"):
            await xbl.login_browser(client_id=AZURE_CLIENT,
                                    open_browser=browser(served_sb, [], tamper=deny))


async def test_no_answer_times_out_and_closes_the_listener(served_sb: ServedSandbox) -> None:
    opened: list[str] = []
    async with xbox.AsyncClient(base_url=served_sb.base_url) as xbl:
        with pytest.raises(AuthenticationException, match=r"within 0\.3 s"):
            await xbl.login_browser(client_id=AZURE_CLIENT, open_browser=opened.append,
                                    timeout=0.3)
    redirect = parse_qs(urlsplit(opened[0]).query)["redirect_uri"][0]
    with pytest.raises(httpx.ConnectError), httpx.Client() as http:
        http.get(redirect + "?code=late&state=x")


async def test_own_web_server_building_blocks() -> None:
    sb = Sandbox()
    redirect = "http://localhost/auth/callback"
    async with async_client(sb) as xbl:
        url = xbl.authorization_url(redirect, client_id=AZURE_CLIENT, state="s1",
                                    login_hint=JOE_EMAIL)
        async with httpx.AsyncClient(transport=sb.transport()) as http:
            answer = await http.get(url)
        location = answer.headers["Location"]
        query = parse_qs(urlsplit(location).query)
        assert location.startswith(redirect) and query["state"] == ["s1"]
        session = await xbl.finish_authorization_code(query["code"][0], redirect,
                                                      client_id=AZURE_CLIENT)
        assert session.gamertag == JOE_GAMERTAG
        with pytest.raises(AuthenticationException, match="already used"):
            await xbl.finish_authorization_code(query["code"][0], redirect,
                                                client_id=AZURE_CLIENT)
    # A code is single use: it was sent exactly twice (once per call), never retried.
    assert len(requests_to(sb, "login.live.com", "oauth20_token.srf")) == 2


def _listener_port(url: str) -> int:
    redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
    port = urlsplit(redirect).port
    assert port is not None
    return port


def _refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_an_interrupted_browser_sign_in_closes_its_listener_at_once() -> None:
    """Ctrl-C while the browser is awaited: the client closes the flow it was driving (as
    httpx closes its auth flows), so the loopback listener goes at once, not whenever the
    flow is garbage collected (the exception's traceback keeps it alive meanwhile)."""
    sb = Sandbox()
    seen: list[str] = []

    def interrupt(seconds: float) -> None:
        assert not _refuses_connections(_listener_port(seen[0]))  # listening while awaited
        raise KeyboardInterrupt

    with xbox.Client(base_url=sb.base_url, transport=sb.transport(), token_store=None,
                     sleep=interrupt) as xbl, pytest.raises(KeyboardInterrupt) as interrupted:
        xbl.login_browser(client_id=AZURE_CLIENT, open_browser=seen.append)
    assert _refuses_connections(_listener_port(seen[0]))
    assert interrupted.traceback  # (still held: the flow's frame is reachable from it)


async def test_a_cancelled_browser_sign_in_closes_its_listener_at_once() -> None:
    sb = Sandbox()
    seen: list[str] = []

    async def cancel(seconds: float) -> None:
        raise asyncio.CancelledError

    async with xbox.AsyncClient(base_url=sb.base_url, transport=sb.transport(),
                                token_store=None, sleep=cancel) as xbl:
        with pytest.raises(asyncio.CancelledError) as cancelled:
            await xbl.login_browser(client_id=AZURE_CLIENT, open_browser=seen.append)
    assert _refuses_connections(_listener_port(seen[0]))
    assert cancelled.traceback

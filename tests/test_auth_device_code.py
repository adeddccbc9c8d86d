"""Device-code sign-in end to end against the sandbox's login.live.com (spec §1c)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest

import xbox
from tests.auth_helpers import START, FakeClock, async_client, form, requests_to, sync_client
from xbox.auth import flows, xboxlive
from xbox.auth.store import TokenStore
from xbox.exceptions import (
    AuthenticationException,
    DeviceCodeDeclined,
    DeviceCodeExpired,
    NotSignedIn,
)
from xbox.sandbox import Fault, Sandbox
from xbox.sandbox._tokens import Lifetimes
from xbox.sandbox.services.login import approve_device_code, decline_device_code
from xbox.sandbox.world import JOE_EMAIL, JOE_GAMERTAG, JOE_XUID

# A user's own Azure app registered as a public client (xbox-webapi's own app, 388ea51c-..., is
# a web app: Microsoft gives it no device code).
AZURE_CLIENT = "0b0c4f8e-9d1e-4a5b-8c7d-6e5f4a3b2c1d"


def _ticket(sb: Sandbox) -> str:
    [request] = requests_to(sb, "user.auth.xboxlive.com")
    return str(json.loads(request.content)["Properties"]["RpsTicket"])


async def test_device_code_signs_in_and_saves_the_session() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock)
    shown: list[flows.DeviceCode] = []
    async with async_client(sb, clock) as xbl:
        session = await xbl.login_device_code(on_code=shown.append)
        assert session.gamertag == JOE_GAMERTAG and session.xuid == JOE_XUID
        me = await xbl.whoami()
    [code] = shown
    assert code.verification_uri == "https://www.microsoft.com/link"
    assert len(code.user_code) == 8
    [connect] = requests_to(sb, "login.live.com", "oauth20_connect.srf")
    assert form(connect) == {"client_id": flows.PUBLIC_CLIENT_ID, "scope": flows.LEGACY_SCOPE,
                             "response_type": "device_code"}
    # The sandbox answers authorization_pending once: the client waited one interval.
    assert clock.slept == [5.0] and len(requests_to(sb, "login.live.com", "oauth20_token")) == 2
    signed_in = START + 5
    # The Xbox app's id goes on through SISU: a signed device token, then one signed
    # sisu/authorize with the MBI_SSL token (t= prefix), and no plain user.auth at all.
    assert not requests_to(sb, "user.auth.xboxlive.com")
    [device] = requests_to(sb, "device.auth.xboxlive.com")
    [authorize] = requests_to(sb, "sisu.xboxlive.com", "authorize")
    assert device.headers["Signature"] and authorize.headers["Signature"]
    assert json.loads(authorize.content)["AccessToken"].startswith("t=")
    assert json.loads(authorize.content)["AppId"] == flows.PUBLIC_CLIENT_ID
    assert me["gamertag"] == JOE_GAMERTAG and me["xuid"] == JOE_XUID
    assert me["account"] == "default" and me["can_refresh"] is True
    assert me["flow"] == "sisu" and me["app_id"] == flows.PUBLIC_CLIENT_ID
    assert me["device_expires"] == datetime.fromtimestamp(signed_in + 14 * 86400, UTC)
    assert me["xsts_expires"] == datetime.fromtimestamp(signed_in + 16 * 3600, UTC)
    assert me["user_expires"] == datetime.fromtimestamp(signed_in + 14 * 86400, UTC)
    assert me["msa_expires"] == datetime.fromtimestamp(signed_in + 86400, UTC)
    # Saved: a new client on the same store is signed in without any request.
    before = len(sb.requests)
    with sync_client(sb, clock) as again:
        assert again.whoami()["gamertag"] == JOE_GAMERTAG
    assert len(sb.requests) == before


def test_device_code_sync_client_polls_until_a_person_approves() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock, auto_approve_device_codes=False)
    with sync_client(sb, clock) as xbl:
        code = xbl.start_device_code()

        def approve_on_third_sleep(_: float) -> None:
            if len(clock.slept) == 3:
                assert approve_device_code(sb, code.user_code, JOE_EMAIL)

        clock.on_sleep = approve_on_third_sleep
        session = xbl.finish_device_code(code)
    assert session.gamertag == JOE_GAMERTAG
    assert clock.slept == [5.0, 5.0, 5.0]  # polled at the interval the server asked for
    assert len(requests_to(sb, "login.live.com", "oauth20_token.srf")) == 4


async def test_slow_down_adds_five_seconds_for_good() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock, auto_approve_device_codes=False)
    sb.faults.append(Fault(status=400, host="login.live.com", path_contains="oauth20_token",
                           body={"error": "slow_down", "error_description": "Back off."}))
    async with async_client(sb, clock) as xbl:
        code = await xbl.start_device_code()

        def approve_on_second_sleep(_: float) -> None:
            if len(clock.slept) == 2:
                approve_device_code(sb, code.user_code, JOE_EMAIL)

        clock.on_sleep = approve_on_second_sleep
        await xbl.finish_device_code(code)
    assert clock.slept == [10.0, 10.0]


async def test_an_azure_app_sends_d_and_the_sandbox_refuses_it_without() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock)
    async with async_client(sb, clock) as xbl:
        code = await xbl.start_device_code(client_id=AZURE_CLIENT)
        assert code.scope == flows.AZURE_SCOPE  # a GUID client id means an Azure app
        session = await xbl.finish_device_code(code)
        assert _ticket(sb).startswith("d=")
        assert session.msa is not None
        token = session.msa.access_token
    with httpx.Client(transport=sb.transport(), base_url=sb.base_url) as raw:
        for ticket in ("t=" + token, token):
            response = raw.post("/user.auth.xboxlive.com/user/authenticate",
                                json=xboxlive.user_token_body(ticket))
            assert response.status_code == 400


async def test_password_sign_in_sends_a_t_ticket_as_xboxreplay_does() -> None:
    # The password sign-in signs in with the Xbox app's id today (XboxReplay 5.1), whose
    # tickets go as t=... (XboxReplay: exchangeRpsTicketForUserToken(token, 't')).
    sb = Sandbox()
    async with async_client(sb) as xbl:
        session = await xbl.login_password(JOE_EMAIL, "hunter2")
    assert session.login == JOE_EMAIL and session.msa is not None
    assert session.msa.client_id == "000000004C12AE6F"
    assert _ticket(sb).startswith("t=EwCAAupv")


async def test_expired_code_stops_with_a_clear_error_and_saves_nothing() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock, auto_approve_device_codes=False,
                 lifetimes=Lifetimes(device_code=60))
    async with async_client(sb, clock) as xbl:
        code = await xbl.start_device_code()
        with pytest.raises(DeviceCodeExpired) as info:
            await xbl.finish_device_code(code)
    assert "xbox login" in str(info.value)
    assert sum(clock.slept) <= 60
    assert TokenStore().accounts() == []


async def test_the_server_saying_expired_token_is_reported_too() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock, auto_approve_device_codes=False,
                 lifetimes=Lifetimes(device_code=60))
    async with async_client(sb, clock) as xbl:
        code = await xbl.start_device_code()
        # The client believes the code lives longer than the server does.
        code = flows.DeviceCode(**{**code.__dict__, "expires_at": code.expires_at + 600})
        with pytest.raises(DeviceCodeExpired):
            await xbl.finish_device_code(code)


async def test_timeout_gives_up_before_the_code_expires() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock, auto_approve_device_codes=False)
    async with async_client(sb, clock) as xbl:
        code = await xbl.start_device_code()
        with pytest.raises(DeviceCodeExpired, match="within 12 s"):
            await xbl.finish_device_code(code, timeout=12)
    assert sum(clock.slept) == 12


async def test_declined_code_raises_device_code_declined() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock, auto_approve_device_codes=False)
    async with async_client(sb, clock) as xbl:
        code = await xbl.start_device_code()

        def decline(_: float) -> None:
            decline_device_code(sb, code.user_code)

        clock.on_sleep = decline
        with pytest.raises(DeviceCodeDeclined) as info:
            await xbl.finish_device_code(code)
    assert "declined" in str(info.value)
    assert TokenStore().accounts() == []


def test_ctrl_c_while_waiting_propagates_and_saves_nothing() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock, auto_approve_device_codes=False)

    def interrupt(_: float) -> None:
        raise KeyboardInterrupt

    clock.on_sleep = interrupt
    with sync_client(sb, clock) as xbl:
        with pytest.raises(KeyboardInterrupt):
            xbl.login_device_code(on_code=lambda code: None)
        assert not xbl.authenticated
    assert TokenStore().accounts() == []


async def test_cancelling_the_task_propagates_and_saves_nothing() -> None:
    sb = Sandbox(auto_approve_device_codes=False)
    waiting = asyncio.Event()

    async def block(seconds: float) -> None:
        waiting.set()
        await asyncio.Event().wait()  # a person who never comes

    async with async_client(sb, sleep=block) as xbl:
        task = asyncio.create_task(xbl.login_device_code(on_code=lambda code: None))
        await waiting.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        with pytest.raises(NotSignedIn):
            await xbl.whoami()
    assert TokenStore().accounts() == []


async def test_device_code_repr_shows_what_a_person_needs_and_no_secret() -> None:
    sb = Sandbox()
    async with async_client(sb) as xbl:
        code = await xbl.start_device_code()
    assert code.user_code in repr(code) and code.device_code not in repr(code)


async def test_an_unknown_client_is_refused_readably() -> None:
    sb = Sandbox()
    sb.faults.append(Fault(status=400, host="login.live.com", path_contains="connect",
                           body={"error": "invalid_client", "error_description": "Unknown app."}))
    async with async_client(sb) as xbl:
        with pytest.raises(AuthenticationException, match="invalid_client"):
            await xbl.start_device_code(client_id=str(uuid.uuid4()))


def test_accounts_keep_separate_sessions(sandbox: Sandbox) -> None:
    sandbox.device_code_pending_polls = 0  # about accounts, not polling: approve at once
    with xbox.Client(base_url=sandbox.base_url, transport=sandbox.transport(),
                     account="main") as main:
        main.login_device_code(on_code=lambda code: None)
    with xbox.Client(base_url=sandbox.base_url, transport=sandbox.transport(),
                     account="alt@example.org") as alt:
        alt.login_password(JOE_EMAIL, "hunter2")
        assert alt.whoami()["login"] == JOE_EMAIL
    assert TokenStore().accounts() == ["alt@example.org", "main"]
    with xbox.Client(base_url=sandbox.base_url, transport=sandbox.transport(),
                     account="main") as main:
        assert main.whoami(refresh=False)["login"] is None  # device code knows no e-mail
        assert main.logout() is True
        assert main.logout() is False
        with pytest.raises(NotSignedIn):
            main.whoami()
    assert TokenStore().accounts() == ["alt@example.org"]

"""Staying signed in: silent refresh before expiry and on a 401, shared by concurrent callers,
safe across processes, and a readable demand to sign in again when it cannot work."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.auth_helpers import (
    PROFILE,
    FakeClock,
    async_client,
    form,
    profile_params,
    requests_to,
    sync_client,
    yielding_transport,
)
from xbox.auth.store import TokenStore
from xbox.exceptions import ReauthenticationRequired
from xbox.sandbox import Sandbox
from xbox.sandbox._tokens import Lifetimes
from xbox.sandbox.services.login import revoke_refresh_tokens
from xbox.sandbox.world import JOE_EMAIL, JOE_GAMERTAG, JOE_PASSWORD, JOE_XUID

SHORT = Lifetimes(msa_legacy=3 * 3600, user=2 * 3600, xsts=3600)


def _revoke(sb: Sandbox, kind: str) -> None:
    for grant in sb.tokens.grants.values():
        if grant.kind == kind:
            grant.revoked = True


async def test_twenty_concurrent_calls_after_expiry_share_one_refresh() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock, rate_limits=False)
    async with async_client(sb, clock, rate_limits=False,
                            transport=yielding_transport(sb)) as xbl:
        await xbl.login_device_code(on_code=lambda code: None, flow="plain")
        clock.advance(16 * 3600)  # the XSTS token has just expired
        first = len(requests_to(sb, "xsts.auth.xboxlive.com"))
        results = await asyncio.gather(*[
            xbl.request("GET", *PROFILE, contract_version=2, params=profile_params())
            for _ in range(20)])
    assert all(r["profileUsers"][0]["id"] == JOE_XUID for r in results)
    assert len(requests_to(sb, "xsts.auth.xboxlive.com")) == first + 1
    assert len(requests_to(sb, "user.auth.xboxlive.com")) == 1  # 14 days: still good


async def test_twenty_concurrent_401s_share_one_refresh() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock, rate_limits=False)
    async with async_client(sb, clock, rate_limits=False,
                            transport=yielding_transport(sb)) as xbl:
        await xbl.login_device_code(on_code=lambda code: None, flow="plain")
        _revoke(sb, "xsts")  # Xbox Live stops honouring the token early
        results = await asyncio.gather(*[
            xbl.request("GET", *PROFILE, contract_version=2, params=profile_params())
            for _ in range(20)])
    assert len(results) == 20
    assert len(requests_to(sb, "xsts.auth.xboxlive.com")) == 2


def test_ten_threads_after_expiry_share_one_refresh() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock, rate_limits=False)
    with sync_client(sb, clock, rate_limits=False) as xbl:
        xbl.login_device_code(on_code=lambda code: None, flow="plain")
        clock.advance(16 * 3600)
        barrier = threading.Barrier(10)
        results: list[object] = []
        errors: list[BaseException] = []

        def call() -> None:
            barrier.wait()
            try:
                results.append(xbl.request("GET", *PROFILE, contract_version=2,
                                           params=profile_params()))
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=call) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == [] and len(results) == 10
    assert len(requests_to(sb, "xsts.auth.xboxlive.com")) == 2


async def test_expired_msa_token_is_refreshed_with_the_refresh_token_and_saved() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock, lifetimes=SHORT)
    async with async_client(sb, clock) as xbl:
        await xbl.login_device_code(on_code=lambda code: None, flow="plain")
        old = TokenStore().load("default")
        assert old is not None and old.msa is not None
        clock.advance(3 * 3600)  # MSA, user and XSTS tokens all expired
        await xbl.request("GET", *PROFILE, contract_version=2, params=profile_params())
    [refresh] = [r for r in requests_to(sb, "login.live.com", "oauth20_token.srf")
                 if form(r).get("grant_type") == "refresh_token"]
    assert form(refresh)["refresh_token"] == old.msa.refresh_token
    assert form(refresh)["scope"]  # login.live.com insists on the scope
    new = TokenStore().load("default")
    assert new is not None and new.msa is not None and new.xsts is not None
    assert new.msa.refresh_token != old.msa.refresh_token
    assert new.msa.expires_at > old.msa.expires_at
    assert new.xsts.expires_at == clock.now + 3600


async def test_a_refused_user_token_is_renewed_once() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock)
    async with async_client(sb, clock) as xbl:
        await xbl.login_device_code(on_code=lambda code: None, flow="plain")
        _revoke(sb, "user")
        clock.advance(16 * 3600)
        result = await xbl.request("GET", *PROFILE, contract_version=2, params=profile_params())
    assert result["profileUsers"][0]["id"] == JOE_XUID
    assert len(requests_to(sb, "user.auth.xboxlive.com")) == 2


async def test_revoked_refresh_token_asks_to_run_xbox_login_again() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock, lifetimes=SHORT)
    async with async_client(sb, clock) as xbl:
        await xbl.login_device_code(on_code=lambda code: None, flow="plain")
        assert revoke_refresh_tokens(sb, JOE_XUID) == 1
        clock.advance(3 * 3600)
        with pytest.raises(ReauthenticationRequired) as info:
            await xbl.request("GET", *PROFILE, contract_version=2, params=profile_params())
    assert "run `xbox login` again" in str(info.value)


async def test_48_simulated_hours_never_need_a_new_sign_in() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock, lifetimes=SHORT)
    async with async_client(sb, clock) as xbl:
        await xbl.login_password(JOE_EMAIL, JOE_PASSWORD)
        for _ in range(48 * 6):  # a call every 10 simulated minutes
            clock.advance(600)
            me = await xbl.request("GET", *PROFILE, contract_version=2, params=profile_params())
            assert me["profileUsers"][0]["settings"][0]["value"] == JOE_GAMERTAG
    assert len(requests_to(sb, "login.live.com", "oauth20_authorize.srf")) == 1
    assert len(requests_to(sb, "login.live.com", "post.srf")) == 1
    refreshes = requests_to(sb, "login.live.com", "oauth20_token.srf")
    assert 10 <= len(refreshes) <= 24  # about one per 2-hour user token, never per call
    assert len(requests_to(sb, "xsts.auth.xboxlive.com")) <= 50


async def test_a_client_uses_tokens_another_client_already_refreshed() -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock)
    async with async_client(sb, clock) as first, async_client(sb, clock) as second:
        await first.login_device_code(on_code=lambda code: None, flow="plain")
        assert (await second.whoami())["gamertag"] == JOE_GAMERTAG  # loaded from the store
        clock.advance(16 * 3600)
        await first.request("GET", *PROFILE, contract_version=2, params=profile_params())
        before = len(requests_to(sb, "xsts.auth.xboxlive.com"))
        await second.request("GET", *PROFILE, contract_version=2, params=profile_params())
        assert len(requests_to(sb, "xsts.auth.xboxlive.com")) == before


_REFRESHER = """
import sys, xbox
with xbox.Client() as xbl:
    me = xbl.request("GET", "profile.xboxlive.com", "/users/me/profile/settings",
                     contract_version=2, params={"settings": "Gamertag"})
    print(me["profileUsers"][0]["settings"][0]["value"])
"""


def test_processes_refreshing_at_once_keep_the_store_valid(isolated_home: Path) -> None:
    # Signed in two simulated hours ago with one-hour tokens: every process must refresh
    # the whole chain (MSA by refresh token, user token, XSTS) and save it.
    clock = FakeClock(start=__import__("time").time() - 2 * 3600)
    sb = Sandbox(clock=clock, lifetimes=Lifetimes(msa_legacy=3600, user=3600, xsts=3600),
                 rate_limits=False)
    with sync_client(sb, clock) as xbl:
        xbl.login_device_code(on_code=lambda code: None, flow="plain")
    sb.clock = __import__("time").time
    sb.limiter.clock = sb.clock
    with sb.serve() as served:
        env = {**os.environ, "XBOX_HOME": str(isolated_home),
               "XBOX_LIVE_BASE_URL": served.base_url}
        procs = [subprocess.Popen([sys.executable, "-c", _REFRESHER], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(6)]
        outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert out.strip() == JOE_GAMERTAG
    path = isolated_home / "accounts" / "default.json"
    json.loads(path.read_text())
    session = TokenStore().load("default")
    assert session is not None and session.usable(__import__("time").time())
    refreshes = [r for r in requests_to(sb, "login.live.com", "oauth20_token.srf")
                 if form(r).get("grant_type") == "refresh_token"]
    assert 1 <= len(refreshes) <= 6
    assert not list(path.parent.glob("*.tmp"))

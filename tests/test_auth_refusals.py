"""Readable refusals: every XSTS XErr account and every way a password sign-in can fail."""

from __future__ import annotations

import pytest

from tests.auth_helpers import async_client
from xbox.auth.flows import XERR_REASONS
from xbox.auth.store import TokenStore
from xbox.exceptions import (
    AuthenticationException,
    InvalidCredentials,
    NotSignedIn,
    SignInBlocked,
    XstsError,
)
from xbox.sandbox import Sandbox
from xbox.sandbox.world import JOE_EMAIL, JOE_PASSWORD, XERR_ACCOUNTS

# The actions each message must name, so a person knows what to do next.
ACTIONS = {
    2148916227: "Enforcement",
    2148916229: "family",
    2148916233: "CreateAccount",
    2148916234: "accept",
    2148916235: "country or region",
    2148916236: "AgeVerification",
    2148916237: "age verification",
    2148916238: "AddChildToFamily",
}


UNDER_18 = "child@example.org"


@pytest.mark.parametrize(("email", "flow"), [
    (email, flow) for email in sorted(XERR_ACCOUNTS) for flow in ("device_code", "password")
    # Through SISU (device code's default) an under-18 account is admitted: see below.
    if not (email == UNDER_18 and flow == "device_code")])
async def test_each_xerr_account_gets_a_readable_xsts_error(email: str, flow: str) -> None:
    xerr, redirect = XERR_ACCOUNTS[email]
    sb = Sandbox(device_code_account=email, device_code_pending_polls=0)  # approve at once
    async with async_client(sb) as xbl:
        with pytest.raises(XstsError) as info:
            if flow == "device_code":
                await xbl.login_device_code(on_code=lambda code: None)
            else:
                await xbl.login_password(email, JOE_PASSWORD)
        assert not xbl.authenticated
    error = info.value
    reason, fix = XERR_REASONS[xerr]
    assert error.xerr == xerr
    assert error.reason == reason
    assert error.redirect == (redirect or fix)
    assert error.status_code == 401 and error.service == "xsts.auth.xboxlive.com"
    assert error.correlation_id  # what Microsoft support asks for
    text = str(error)
    assert text.startswith(reason) and ACTIONS[xerr] in text
    if error.redirect:
        assert error.redirect in text
    assert TokenStore().accounts() == []


async def test_password_failures_are_told_apart() -> None:
    sb = Sandbox()
    async with async_client(sb) as xbl:
        with pytest.raises(InvalidCredentials) as wrong:
            await xbl.login_password(JOE_EMAIL, "not-the-password")
        with pytest.raises(InvalidCredentials) as unknown:
            await xbl.login_password("nobody@example.org", JOE_PASSWORD)
        with pytest.raises(SignInBlocked) as blocked:
            await xbl.login_password("blocked@example.org", JOE_PASSWORD)
        with pytest.raises(SignInBlocked) as two_factor:
            await xbl.login_password("twofactor@example.org", JOE_PASSWORD)
    assert "password is incorrect" in str(wrong.value)
    assert "doesn't exist" in str(unknown.value)
    assert "blocked" in str(blocked.value) and "account.live.com/activity" in str(blocked.value)
    assert "two-step verification" in str(two_factor.value)
    assert "xbox login" in str(two_factor.value)  # the way out: device code
    messages = {str(e.value) for e in (wrong, unknown, blocked, two_factor)}
    assert len(messages) == 4
    assert "not-the-password" not in "".join(messages)


async def test_a_failed_sign_in_signs_out_and_leaves_the_saved_file() -> None:
    sb = Sandbox(device_code_pending_polls=0)  # the device code approves at once
    async with async_client(sb) as xbl:
        await xbl.login_device_code(on_code=lambda code: None)
        saved = TokenStore().path("default").read_bytes()
        with pytest.raises(AuthenticationException):
            await xbl.login_password("someone.else@example.org", "wrong")
        # It must not go on as the earlier account: a script that catches the error and
        # carries on would act as the wrong person.
        assert not xbl.authenticated
        with pytest.raises(NotSignedIn):
            await xbl.whoami()
        with pytest.raises(NotSignedIn):
            await xbl.profiles.get("JoeAlcorn")
    assert TokenStore().path("default").read_bytes() == saved  # the earlier file is untouched
    async with async_client(sb) as again:  # a new client finds it as before
        assert (await again.whoami())["gamertag"] == "JoeAlcorn"


async def test_an_under_18_account_is_refused_on_the_plain_path_and_signs_in_through_sisu() -> None:
    sb = Sandbox(device_code_account=UNDER_18, device_code_pending_polls=0)
    async with async_client(sb) as xbl:
        with pytest.raises(XstsError) as info:  # the 2014 path: user token + XSTS
            await xbl.login_device_code(on_code=lambda code: None, flow="plain")
        assert info.value.xerr == 2148916238
        session = await xbl.login_device_code(on_code=lambda code: None)  # as the Xbox app
        assert session.flow == "sisu" and session.gamertag and session.xsts is not None
        assert session.xsts.claims["agg"] == "Child"
        profile = await xbl.profiles.me()
        assert profile.xuid == session.xuid

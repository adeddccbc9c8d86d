"""The Xbox app's sign-in end to end in-process: device token -> sisu/authenticate ->
login.live.com (PKCE) -> sisu/authorize -> the AuthorizationToken on the API routes."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.fidelity import assert_same_shape, recorded
from tests.sandbox.signing import (
    SISU_AUTHENTICATE,
    SISU_AUTHORIZE,
    SWITCH_MINECRAFT,
    XBOX_APP,
    XBOX_APP_REDIRECT,
    Clock,
    Signer,
    client,
    device_code_token,
    device_token,
    pkce,
    redeem,
    sisu_authenticate_body,
    sisu_authorize_body,
    sisu_browser,
)
from xbox.sandbox import JOE_XUID, Sandbox


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sb(clock: Clock) -> Sandbox:
    return Sandbox(seed=0, clock=clock, device_code_pending_polls=0)


@pytest.fixture
def http(sb: Sandbox) -> httpx.Client:
    return client(sb)


def _sign_in(sb: Sandbox, http: httpx.Client, clock: Clock, signer: Signer,
             email: str = "joe@example.org") -> httpx.Response:
    device = device_token(http, signer, clock.now)["Token"]
    browser = sisu_browser(http, signer, device, clock.now, email)
    tokens = redeem(http, browser.code, browser.verifier)
    assert tokens.status_code == 200
    return signer.post(http, SISU_AUTHORIZE, sisu_authorize_body(
        tokens.json()["access_token"], device, signer,
        browser.authenticate.headers["X-SessionId"]), clock.now)


def test_the_whole_sign_in_then_an_api_call(sb: Sandbox, http: httpx.Client,
                                            clock: Clock) -> None:
    signer = Signer()
    device = device_token(http, signer, clock.now)
    browser = sisu_browser(http, signer, device["Token"], clock.now)
    # login.live.com sent the person back to the Xbox app's own scheme, code and state.
    assert browser.landing.startswith(XBOX_APP_REDIRECT + "?code=")
    tokens = redeem(http, browser.code, browser.verifier)
    assert tokens.status_code == 200 and tokens.json()["scope"] == \
        "service::user.auth.xboxlive.com::MBI_SSL"
    clock.now += 30
    answer = signer.post(http, SISU_AUTHORIZE, sisu_authorize_body(
        tokens.json()["access_token"], device["Token"], signer,
        browser.authenticate.headers["X-SessionId"]), clock.now)
    assert answer.status_code == 200
    body = answer.json()
    assert_same_shape(body, recorded("xal_authorization_resp.json"))
    assert list(body) == list(recorded("xal_authorization_resp.json"))
    xsts = body["AuthorizationToken"]
    claims = xsts["DisplayClaims"]["xui"][0]
    assert list(claims) == list(recorded("xal_authorization_resp.json")
                                ["AuthorizationToken"]["DisplayClaims"]["xui"][0])
    assert claims["xid"] == JOE_XUID and claims["gtg"] == "JoeAlcorn"
    assert body["TitleToken"]["DisplayClaims"] == {"xti": {"tid": "328178078"}}
    assert body["DeviceToken"] == device["Token"] and body["Sandbox"] == "RETAIL"
    assert body["WebPage"] == "https://sisu.xboxlive.com/client/v27/000000004c12ae6f/view/index.html"
    # The XSTS token carries the user and the device and title claims, and works.
    grant = sb.tokens.check(xsts["Token"], "xsts", clock.now)
    assert grant is not None and grant.xuid == JOE_XUID
    assert grant.device_id == device["DisplayClaims"]["xdi"]["did"]
    assert grant.title_id == "328178078"
    authorization = f"XBL3.0 x={claims['uhs']};{xsts['Token']}"
    profile = http.get("/profile.xboxlive.com/users/me/profile/settings?settings=Gamertag",
                       headers={"Authorization": authorization, "x-xbl-contract-version": "3"})
    assert profile.status_code == 200
    titles = http.get(f"/titlehub.xboxlive.com/users/xuid({JOE_XUID})/titles/titlehistory/"
                      "decoration/achievement",
                      headers={"Authorization": authorization, "x-xbl-contract-version": "2"})
    assert titles.status_code == 200
    # Every auth route passes through the same gate, which takes the SISU token:
    assert sb.authorize(httpx.Request("GET", "http://x/", headers={
        "Authorization": authorization})) is sb.world.joe
    # Lifetimes as recorded: user and title 14 days, XSTS 16 hours.
    assert xsts["NotAfter"][:13] == "2026-11-02T04"
    assert body["UserToken"]["NotAfter"][:10] == body["TitleToken"]["NotAfter"][:10] == "2026-11-15"


def test_authenticate_answers_the_recorded_shape_and_a_session(http: httpx.Client,
                                                               clock: Clock) -> None:
    signer = Signer()
    device = device_token(http, signer, clock.now)["Token"]
    _, challenge = pkce()
    answer = signer.post(http, SISU_AUTHENTICATE,
                         sisu_authenticate_body(device, challenge, "s+t/a=te"), clock.now)
    assert answer.status_code == 200
    assert answer.headers["X-SessionId"]
    body = answer.json()
    assert_same_shape(body, recorded("xal_authentication_resp.json"))
    url = urlsplit(body["MsaOauthRedirect"])
    assert (url.scheme, url.netloc, url.path) == ("https", "login.live.com",
                                                  "/oauth20_authorize.srf")
    query = parse_qsl(url.query)
    expected = parse_qsl(urlsplit(recorded("xal_authentication_resp.json")
                                  ["MsaOauthRedirect"]).query)
    assert [k for k, _ in query] == [k for k, _ in expected]  # the recorded order
    values = dict(query)
    assert values["client_id"] == XBOX_APP and values["redirect_uri"] == XBOX_APP_REDIRECT
    assert values["code_challenge"] == challenge and values["state"] == "s+t/a=te"
    assert values["scope"] == "service::user.auth.xboxlive.com::MBI_SSL"
    assert body["MsaRequestParameters"] == {}


def test_pkce_the_code_needs_its_verifier(http: httpx.Client, clock: Clock) -> None:
    signer = Signer()
    device = device_token(http, signer, clock.now)["Token"]
    browser = sisu_browser(http, signer, device, clock.now)
    for verifier in (None, "", "not-the-verifier" * 3, browser.verifier + "x"):
        refused = redeem(http, browser.code, verifier)
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
        assert "'code_verifier'" in refused.json()["error_description"]
    assert redeem(http, browser.code, browser.verifier).status_code == 200
    assert redeem(http, browser.code, browser.verifier).status_code == 400  # single use


def test_plain_pkce_on_a_browser_code(http: httpx.Client) -> None:
    """A code asked with a plain challenge is redeemed with that same string."""
    query = {"client_id": XBOX_APP, "response_type": "code", "redirect_uri": XBOX_APP_REDIRECT,
             "scope": "service::user.auth.xboxlive.com::MBI_SSL", "code_challenge": "abc" * 15,
             "login_hint": "joe@example.org"}
    answer = http.get("/login.live.com/oauth20_authorize.srf", params=query)
    assert answer.status_code == 302
    code = dict(parse_qsl(urlsplit(answer.headers["Location"]).query))["code"]
    assert redeem(http, code, "abd" * 15).status_code == 400
    assert redeem(http, code, "abc" * 15).status_code == 200


@pytest.mark.parametrize("mistake", ["unsigned", "other key", "stale", "proof key"])
def test_sisu_requests_must_be_signed_by_the_device(http: httpx.Client, clock: Clock,
                                                    mistake: str) -> None:
    signer, other = Signer(), Signer()
    device = device_token(http, signer, clock.now)["Token"]
    _, challenge = pkce()
    body = sisu_authenticate_body(device, challenge, "s")
    if mistake == "proof key":
        body["ProofKey"] = other.jwk  # a key sent along must be the device's
    sender = other if mistake == "other key" else signer
    when = clock.now - 600 if mistake == "stale" else clock.now
    answer = sender.post(http, SISU_AUTHENTICATE, body, when, signed=mistake != "unsigned")
    assert answer.status_code == 403 and answer.content == b""
    token = device_code_token(http, XBOX_APP)
    body = sisu_authorize_body(token, device, other if mistake == "proof key" else signer)
    answer = sender.post(http, SISU_AUTHORIZE, body, when, signed=mistake != "unsigned")
    assert answer.status_code == 403 and answer.content == b""


def test_authorize_without_a_session_after_a_device_code(http: httpx.Client,
                                                         clock: Clock) -> None:
    """prismarine-auth and RaphiMC authorize a device-code token directly, no SessionId."""
    signer = Signer()
    device = device_token(http, signer, clock.now, "Android")["Token"]
    token = device_code_token(http, XBOX_APP)
    answer = signer.post(http, SISU_AUTHORIZE, sisu_authorize_body(
        token, device, signer, RelyingParty="http://xboxlive.com", UseModernGamertag=True),
        clock.now)
    assert answer.status_code == 200
    assert answer.json()["UseModernGamertag"] is True  # echoed when asked for


def test_authorize_refusals(sb: Sandbox, http: httpx.Client, clock: Clock) -> None:
    signer = Signer()
    device = device_token(http, signer, clock.now)["Token"]
    token = device_code_token(http, XBOX_APP)

    def authorize(**changes: object) -> httpx.Response:
        body = {**sisu_authorize_body(token, device, signer), **changes}
        return signer.post(http, SISU_AUTHORIZE, {k: v for k, v in body.items()
                                                  if v is not None}, clock.now)

    assert authorize().status_code == 200
    # An access token of another app: 403.
    other = device_code_token(http, SWITCH_MINECRAFT)
    assert authorize(AccessToken=f"t={other}").status_code == 403
    # Not a live ticket, unknown token, unknown session: 400 / 401 / 403.
    assert authorize(AccessToken=f"d={token}").status_code == 400
    assert authorize(AccessToken="t=EwCAAupvmadeup").status_code == 401
    assert authorize(SessionId="not-a-session").status_code == 403
    # An app that does not sign in through SISU, another sandbox, missing fields: 400.
    assert authorize(AppId="0000000048093EE3").status_code == 400
    assert authorize(Sandbox="XDKS.1").status_code == 400
    assert authorize(ProofKey=None).status_code == 400
    assert authorize(SiteName="elsewhere").status_code == 400
    # An expired device token: 401.
    clock.now += 14 * 86400 + 1
    assert authorize().status_code == 401


def test_a_session_belongs_to_its_device_and_is_used_once(http: httpx.Client,
                                                          clock: Clock) -> None:
    signer, other = Signer(), Signer()
    device = device_token(http, signer, clock.now)["Token"]
    other_device = device_token(http, other, clock.now)["Token"]
    browser = sisu_browser(http, signer, device, clock.now)
    token = redeem(http, browser.code, browser.verifier).json()["access_token"]
    session = browser.authenticate.headers["X-SessionId"]
    assert other.post(http, SISU_AUTHORIZE, sisu_authorize_body(
        token, other_device, other, session), clock.now).status_code == 403
    browser = sisu_browser(http, signer, device, clock.now)
    token = redeem(http, browser.code, browser.verifier).json()["access_token"]
    session = browser.authenticate.headers["X-SessionId"]
    body = sisu_authorize_body(token, device, signer, session)
    assert signer.post(http, SISU_AUTHORIZE, body, clock.now).status_code == 200
    assert signer.post(http, SISU_AUTHORIZE, body, clock.now).status_code == 403


@pytest.mark.parametrize("change", [
    {"RedirectUri": "http://127.0.0.1:8080/auth/callback"},  # not registered for the app
    {"RedirectUri": "ms-xal-000000004c20a908://auth"},  # another app's
    {"TitleId": "1016898439"},  # another app's title
    {"AppId": "0000000048093EE3"},  # not a SISU app
    {"AppId": "00000000deadbeef"},  # no such app
    {"Sandbox": "XDKS.1"},
    {"TokenType": "token"},
    {"Query": {"code_challenge": "abc", "code_challenge_method": "plain", "state": "s"}},
])
def test_authenticate_refuses_what_the_app_did_not_register(
        http: httpx.Client, clock: Clock, change: dict[str, object]) -> None:
    signer = Signer()
    device = device_token(http, signer, clock.now)["Token"]
    body = {**sisu_authenticate_body(device, pkce()[1], "s"), **change}
    answer = signer.post(http, SISU_AUTHENTICATE, body, clock.now)
    assert answer.status_code == 400 and answer.content == b""


def test_the_recorded_game_pass_app_signs_in_too(http: httpx.Client, clock: Clock) -> None:
    signer = Signer()
    device = device_token(http, signer, clock.now, "Android")["Token"]
    body = sisu_authenticate_body(device, pkce()[1], "s", app_id="000000004c20a908",
                                  title_id="1016898439",
                                  redirect="ms-xal-public-beta-000000004c20a908://auth")
    answer = signer.post(http, SISU_AUTHENTICATE, body, clock.now)
    assert answer.status_code == 200
    assert "client_id=000000004C20A908" in answer.json()["MsaOauthRedirect"]


def test_under_18_is_admitted_through_sisu(sb: Sandbox, http: httpx.Client,
                                           clock: Clock) -> None:
    answer = _sign_in(sb, http, clock, Signer(), "child@example.org")
    assert answer.status_code == 200
    claims = answer.json()["AuthorizationToken"]["DisplayClaims"]["xui"][0]
    assert claims["agg"] == "Child" and claims["xid"] == sb.world.by_email["child@example.org"].xuid


def test_other_refusals_come_with_the_xerr_body_and_header(sb: Sandbox, http: httpx.Client,
                                                           clock: Clock) -> None:
    answer = _sign_in(sb, http, clock, Signer(), "noprofile@example.org")
    assert answer.status_code == 401
    assert answer.headers["X-Err"] == "2148916233"
    assert answer.json() == {"Identity": "0", "XErr": 2148916233, "Message": "",
                             "Redirect": "https://start.ui.xboxlive.com/CreateAccount"}

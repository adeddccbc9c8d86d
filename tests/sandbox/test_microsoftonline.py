"""login.microsoftonline.com v2.0 for Azure app ids signing in with ``XboxLive.signin``, as
MSAL-style clients do (prismarine-auth's msal flow, Minecraft launchers), through to Xbox
Live tokens (user.auth with ``d=``)."""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.fidelity import assert_same_shape, recorded
from tests.sandbox.signing import mapped
from xbox.sandbox import Sandbox
from xbox.sandbox.services.login import approve_device_code

# prismarine-auth's msalConfig client (Office365APIEditor's id), authority consumers.
MSAL_APP = "389b1b32-b5d5-43b2-bddc-84ce938d6737"
OPENXBOX_APP = "388ea51c-0b25-4029-aae2-17df49d23905"  # "Personal Microsoft accounts only"
SCOPES = "XboxLive.signin offline_access"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
AAD = "/login.microsoftonline.com"
SIGN_IN = "recorded-sign-in"  # tests/fixtures/recorded-sign-in/


def _http(**options: object) -> tuple[Sandbox, httpx.Client]:
    sb = Sandbox(seed=0, **options)  # type: ignore[arg-type]
    return sb, httpx.Client(base_url=sb.base_url, transport=sb.transport())


def _devicecode(http: httpx.Client, client_id: str = MSAL_APP, tenant: str = "consumers",
                scope: str = SCOPES) -> httpx.Response:
    return http.post(f"{AAD}/{tenant}/oauth2/v2.0/devicecode",
                     data={"client_id": client_id, "scope": scope})


def _poll(http: httpx.Client, device_code: str, client_id: str = MSAL_APP,
          tenant: str = "consumers") -> httpx.Response:
    return http.post(f"{AAD}/{tenant}/oauth2/v2.0/token", data={
        "client_id": client_id, "grant_type": DEVICE_GRANT, "device_code": device_code,
        "client_info": "1"})


def _error(response: httpx.Response) -> tuple[str, int]:
    assert response.status_code == 400
    body = response.json()
    assert_same_shape(body, recorded("aad_authorization_pending.json", SIGN_IN))
    assert list(body) == list(recorded("aad_authorization_pending.json", SIGN_IN))
    code = body["error_codes"][0]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert body["error_uri"] == f"https://login.microsoftonline.com/error?code={code}"
    return body["error"], code


def _xsts_with(http: httpx.Client, access_token: str, prefix: str = "d=") -> httpx.Response:
    user = http.post("/user.auth.xboxlive.com/user/authenticate", json={
        "RelyingParty": "http://auth.xboxlive.com", "TokenType": "JWT",
        "Properties": {"AuthMethod": "RPS", "SiteName": "user.auth.xboxlive.com",
                       "RpsTicket": prefix + access_token}})
    return user


def test_device_code_through_to_a_profile() -> None:
    _, http = _http()
    start = _devicecode(http)
    assert start.status_code == 200
    body = start.json()
    assert_same_shape(body, recorded("aad_devicecode_consumers.json", SIGN_IN))
    assert list(body) == list(recorded("aad_devicecode_consumers.json", SIGN_IN))
    assert (body["verification_uri"], body["expires_in"], body["interval"]) == (
        "https://www.microsoft.com/link", 900, 5)
    assert body["message"] == (f"To sign in, use a web browser to open the page "
                               f"https://www.microsoft.com/link and enter the code "
                               f"{body['user_code']} to authenticate.")
    assert _error(_poll(http, body["device_code"])) == ("authorization_pending", 70016)
    tokens = _poll(http, body["device_code"])
    assert tokens.status_code == 200
    answer = tokens.json()
    assert list(answer) == ["token_type", "scope", "expires_in", "ext_expires_in",
                            "access_token", "refresh_token", "client_info"]
    assert answer["token_type"] == "Bearer" and answer["expires_in"] == 3600
    assert answer["scope"] == SCOPES
    info = json.loads(base64.urlsafe_b64decode(answer["client_info"] + "=="))
    assert info["utid"] == "9188040d-6c67-4c5b-b112-36a304b66dad"
    # An Azure app's token goes to user.auth as d=...; bare or t= is refused.
    assert _xsts_with(http, answer["access_token"], "t=").status_code == 400
    user = _xsts_with(http, answer["access_token"])
    assert user.status_code == 200
    xsts = http.post("/xsts.auth.xboxlive.com/xsts/authorize", json={
        "RelyingParty": "http://xboxlive.com", "TokenType": "JWT",
        "Properties": {"UserTokens": [user.json()["Token"]], "SandboxId": "RETAIL"}}).json()
    header = f"XBL3.0 x={xsts['DisplayClaims']['xui'][0]['uhs']};{xsts['Token']}"
    profile = http.get("/profile.xboxlive.com/users/me/profile/settings",
                       params={"settings": "Gamertag"},
                       headers={"Authorization": header, "x-xbl-contract-version": "2"})
    assert profile.status_code == 200
    # Used once; the refresh token gives a new pair.
    assert _error(_poll(http, body["device_code"]))[1] == 70000
    refreshed = http.post(f"{AAD}/consumers/oauth2/v2.0/token", data={
        "client_id": MSAL_APP, "grant_type": "refresh_token",
        "refresh_token": answer["refresh_token"], "scope": SCOPES})
    assert refreshed.status_code == 200 and refreshed.json()["access_token"]


def test_device_code_approved_on_the_link_page() -> None:
    sb, http = _http(auto_approve_device_codes=False)
    body = _devicecode(http).json()
    assert _error(_poll(http, body["device_code"])) == ("authorization_pending", 70016)
    assert approve_device_code(sb, body["user_code"], "joe@example.org")
    assert _poll(http, body["device_code"]).status_code == 200


def test_codes_belong_to_the_host_that_issued_them() -> None:
    _, http = _http()
    aad = _devicecode(http).json()["device_code"]
    live = http.post("/login.live.com/oauth20_connect.srf", data={
        "client_id": MSAL_APP, "scope": SCOPES, "response_type": "device_code"}).json()
    polled = http.post("/login.live.com/oauth20_token.srf", data={
        "client_id": MSAL_APP, "grant_type": DEVICE_GRANT, "device_code": aad})
    assert polled.json()["error"] == "invalid_grant"
    assert _error(_poll(http, live["device_code"]))[1] == 70000


@pytest.mark.parametrize(("client_id", "tenant", "scope", "error", "code"), [
    (OPENXBOX_APP, "consumers", SCOPES, "invalid_client", 70002),  # a web app
    ("000000004C12AE6F", "consumers", SCOPES, "unauthorized_client", 700016),  # a Live id
    (OPENXBOX_APP, "common", SCOPES, "invalid_request", 9002331),  # personal accounts only
    (MSAL_APP, "organizations", SCOPES, "invalid_request", 9002331),  # no work accounts
    (MSAL_APP, "contoso.onmicrosoft.com", SCOPES, "invalid_request", 90002),
    (MSAL_APP, "consumers", "openid profile", "invalid_scope", 70011),
    (MSAL_APP, "consumers", "", "invalid_request", 900144),
])
def test_refusals_in_aads_shape(client_id: str, tenant: str, scope: str, error: str,
                                code: int) -> None:
    _, http = _http()
    assert _error(_devicecode(http, client_id, tenant, scope)) == (error, code)


def test_common_and_the_consumers_tenant_id_serve_other_apps() -> None:
    _, http = _http()
    for tenant in ("common", "9188040d-6c67-4c5b-b112-36a304b66dad"):
        assert _devicecode(http, tenant=tenant).status_code == 200


def _pkce() -> tuple[str, str]:
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")


@pytest.mark.parametrize("mode", ["query", "fragment"])
def test_the_browser_sign_in_goes_through_login_live_com(mode: str) -> None:
    _, http = _http()
    verifier, challenge = _pkce()
    redirect = "http://localhost:5173/auth"
    authorize = http.get(f"{AAD}/consumers/oauth2/v2.0/authorize", params={
        "client_id": MSAL_APP, "response_type": "code", "redirect_uri": redirect,
        "scope": f"openid {SCOPES}", "state": "s1", "code_challenge": challenge,
        "code_challenge_method": "S256", "response_mode": mode,
        "login_hint": "joe@example.org"})
    assert authorize.status_code == 302
    live = urlsplit(authorize.headers["Location"])
    assert live.netloc == "login.live.com" and live.path == "/oauth20_authorize.srf"
    query = parse_qs(live.query)
    assert query["issuer"] == ["mso"] and query["tenant"] == ["consumers"]
    assert query["msproxy"] == ["1"] and query["scope"] == [SCOPES]
    landing = http.get(mapped(authorize.headers["Location"]))
    assert landing.status_code == 302  # login_hint: the sandbox's signed-in shortcut
    back = urlsplit(landing.headers["Location"])
    answer = parse_qs(back.fragment if mode == "fragment" else back.query)
    assert answer["state"] == ["s1"]
    form = {"client_id": MSAL_APP, "grant_type": "authorization_code", "redirect_uri": redirect,
            "code": answer["code"][0], "scope": SCOPES}
    wrong = http.post(f"{AAD}/consumers/oauth2/v2.0/token",
                      data={**form, "code_verifier": "x" * 50})
    assert _error(wrong) == ("invalid_grant", 501481)
    tokens = http.post(f"{AAD}/consumers/oauth2/v2.0/token",
                       data={**form, "code_verifier": verifier})
    assert tokens.status_code == 200 and tokens.json()["scope"] == SCOPES
    assert _xsts_with(http, tokens.json()["access_token"]).status_code == 200
    again = http.post(f"{AAD}/consumers/oauth2/v2.0/token",
                      data={**form, "code_verifier": verifier})
    assert _error(again) == ("invalid_grant", 54005)


def test_an_authorize_request_it_cannot_serve_shows_an_error_page() -> None:
    _, http = _http()
    page = http.get(f"{AAD}/common/oauth2/v2.0/authorize", params={
        "client_id": OPENXBOX_APP, "response_type": "code",
        "redirect_uri": "http://localhost:8080/auth/callback", "scope": SCOPES})
    assert page.status_code == 400 and "AADSTS9002331" in page.text
    assert "Location" not in page.headers

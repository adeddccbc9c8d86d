"""The five XAL app identities xbox-webapi 2.1 and python-xbox 0.4 ship sign in through SISU
as their ``XALManager.auth_flow`` does it, and the Minecraft Java id signs in through SISU
as prismarine-auth does (where its title authentication is refused)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.sandbox.signing import (
    SISU_AUTHENTICATE,
    SISU_AUTHORIZE,
    Clock,
    Signer,
    client,
    device_code_token,
    device_token,
    mapped,
    pkce,
    redeem,
    sisu_authenticate_body,
    sisu_authorize_body,
)
from xbox.sandbox import Sandbox

# (name, AppId, TitleId, RedirectUri) exactly as xbox-webapi 2.1.0's xal.py (and python-xbox
# 0.4.0's copy) declare them.
XAL_APPS = [
    ("Xbox app", "000000004c12ae6f", "328178078", "ms-xal-000000004c12ae6f://auth"),
    ("Xbox beta app", "000000004415494b", "177887386", "ms-xal-000000004415494b://auth"),
    ("Game Pass", "000000004c20a908", "1016898439", "ms-xal-000000004c20a908://auth"),
    ("Game Pass beta", "000000004c20a908", "1016898439",
     "ms-xal-public-beta-000000004c20a908://auth"),
    ("Family Settings", "00000000482C8F49", "1618633878",
     "https://login.live.com/oauth20_desktop.srf"),
]
# Their two client parameter sets: device type and the query's display.
XAL_CLIENTS = [("Android", "android_phone"), ("iOS", "ios_phone")]
MINECRAFT_JAVA = "00000000402b5328"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def http(clock: Clock) -> httpx.Client:
    return client(Sandbox(seed=0, clock=clock, device_code_pending_polls=0))


def _browser(http: httpx.Client, url: str) -> str:
    """A person signing in on the page ``url`` names; where the browser lands."""
    page = http.get(mapped(url))
    assert page.status_code == 200 and "<form" in page.text
    action = re.search(r'action="([^"]+)"', page.text)
    assert action is not None
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    target = httpx.URL(url).join(action.group(1).replace("&amp;", "&"))
    posted = http.post(mapped(str(target)), data={**fields, "login": "joe@example.org",
                                                  "passwd": "hunter2"})
    assert posted.status_code == 302
    landing: str = posted.headers["Location"]
    return landing


@pytest.mark.parametrize(("device_type", "display"), XAL_CLIENTS)
@pytest.mark.parametrize(("name", "app_id", "title_id", "redirect"), XAL_APPS)
def test_each_xal_identity_signs_in_and_reads_a_profile(
        http: httpx.Client, clock: Clock, name: str, app_id: str, title_id: str,
        redirect: str, device_type: str, display: str) -> None:
    signer = Signer()
    device = device_token(http, signer, clock.now, device_type)["Token"]
    verifier, challenge = pkce()
    body = sisu_authenticate_body(device, challenge, "c3RhdGU=", app_id=app_id,
                                  title_id=title_id, redirect=redirect)
    body["Query"]["display"] = display
    authenticate = signer.post(http, SISU_AUTHENTICATE, body, clock.now)
    assert authenticate.status_code == 200, name
    landing = _browser(http, authenticate.json()["MsaOauthRedirect"])
    assert landing.startswith(redirect)  # xal.py checks this before reading the code
    query = parse_qs(urlsplit(landing).query)
    assert query["state"] == ["c3RhdGU="]
    tokens = redeem(http, query["code"][0], verifier, client_id=app_id, redirect=redirect)
    assert tokens.status_code == 200, name
    authorize = signer.post(http, SISU_AUTHORIZE, sisu_authorize_body(
        tokens.json()["access_token"], device, signer,
        session_id=authenticate.headers["X-SessionId"], app_id=app_id), clock.now)
    assert authorize.status_code == 200, name
    answer = authorize.json()
    assert answer["TitleToken"]["DisplayClaims"]["xti"]["tid"] == title_id
    xsts = answer["AuthorizationToken"]
    header = f"XBL3.0 x={xsts['DisplayClaims']['xui'][0]['uhs']};{xsts['Token']}"
    profile = http.get("/profile.xboxlive.com/users/me/profile/settings",
                       params={"settings": "Gamertag"},
                       headers={"Authorization": header, "x-xbl-contract-version": "2"})
    assert profile.status_code == 200


def test_the_game_pass_id_is_granted_a_device_code(http: httpx.Client) -> None:
    # prismarine-auth's Titles.XboxGamepassIOS signs in by device code.
    assert device_code_token(http, "000000004C20A908")


def test_minecraft_java_signs_in_through_sisu_for_its_relying_party(
        http: httpx.Client, clock: Clock) -> None:
    # prismarine-auth's doSisuAuth: device code, a Win32 device token, then sisu/authorize
    # with the Java id and Minecraft's relying party (prismarine-auth #182: "That flow can
    # obtain a token").
    access = device_code_token(http, MINECRAFT_JAVA)
    signer = Signer()
    device = device_token(http, signer, clock.now, "Win32")["Token"]
    authorize = signer.post(http, SISU_AUTHORIZE, sisu_authorize_body(
        access, device, signer, app_id=MINECRAFT_JAVA, UseModernGamertag=True,
        RelyingParty="rp://api.minecraftservices.com/"), clock.now)
    assert authorize.status_code == 200
    xsts = authorize.json()["AuthorizationToken"]
    claims = xsts["DisplayClaims"]["xui"][0]
    assert "xid" not in claims  # another relying party's claims: the user hash only
    # A token for Minecraft's relying party reads no Xbox Live profile.
    header = f"XBL3.0 x={claims['uhs']};{xsts['Token']}"
    profile = http.get("/profile.xboxlive.com/users/me/profile/settings",
                       params={"settings": "Gamertag"},
                       headers={"Authorization": header, "x-xbl-contract-version": "2"})
    assert profile.status_code == 401

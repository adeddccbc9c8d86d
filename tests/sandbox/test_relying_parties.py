"""XSTS tokens carry their relying party, and every service takes only its own (the host ->
relying party table Xbox Live serves at title.mgt.xboxlive.com, recorded)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.fidelity import recorded
from tests.sandbox.signing import XBOX_APP, client, device_code_token
from xbox.sandbox import Sandbox
from xbox.sandbox._http import ROUTES
from xbox.sandbox.relying_parties import relying_parties

MINECRAFT_RP = "rp://api.minecraftservices.com/"
XBOXLIVE_RP = "http://xboxlive.com"
ACCOUNTS_RP = "http://accounts.xboxlive.com"
JOE = "2533274812246958"
PACKAGED = (Path(__file__).resolve().parents[2] / "src" / "xbox" / "sandbox" / "data"
            / "title_endpoints.json")

# One authenticated request per host the sandbox serves with a token (method, mapped URL,
# contract version, JSON body).
SERVICE_CALLS: list[tuple[str, str, str, object]] = [
    ("GET", "/profile.xboxlive.com/users/me/profile/settings?settings=Gamertag", "2", None),
    ("GET", "/gameclipsmetadata.xboxlive.com/users/me/clips", "1", None),
    ("GET", "/screenshotsmetadata.xboxlive.com/users/me/screenshots", "5", None),
    ("POST", "/mediahub.xboxlive.com/gameclips/search", "3",
     {"max": 1, "query": f"OwnerXuid eq {JOE}"}),
    ("GET", f"/achievements.xboxlive.com/users/xuid({JOE})/history/titles", "2", None),
    ("GET", "/userpresence.xboxlive.com/users/me", "3", None),
    ("GET", "/social.xboxlive.com/users/me/summary", "2", None),
    ("GET", "/peoplehub.xboxlive.com/users/me/people/social", "3", None),
    ("GET", f"/titlehub.xboxlive.com/users/xuid({JOE})/titles/titlehistory/decoration/detail",
     "2", None),
    ("GET", "/usersearch.xboxlive.com/suggest?q=Joe", "1", None),
    ("GET", "/xccs.xboxlive.com/lists/devices?queryCurrentDevice=false", "4", None),
    ("GET", "/xblmessaging.xboxlive.com/network/Xbox/users/me/inbox", "1", None),
    ("GET", f"/eplists.xboxlive.com/users/xuid({JOE})/lists/PINS/XBLPins", "2", None),
    ("POST", "/user.mgt.xboxlive.com/gamertags/reserve", "1",
     {"Gamertag": "FreshName1", "ReservationId": JOE}),
]


def _send(http: httpx.Client, authorization: str, method: str, url: str, version: str,
          body: object) -> httpx.Response:
    headers = {"Authorization": authorization, "x-xbl-contract-version": version}
    if body is None:
        return http.request(method, url, headers=headers)
    return http.request(method, url, headers=headers, json=body)


def _xsts_for(http: httpx.Client, relying_party: str) -> str:
    """The Authorization header of a plain sign-in's XSTS token for ``relying_party``, signed
    in the way a community client does it (device code, user token, XSTS)."""
    access = device_code_token(http, XBOX_APP)
    user = http.post("/user.auth.xboxlive.com/user/authenticate", json={
        "RelyingParty": "http://auth.xboxlive.com", "TokenType": "JWT",
        "Properties": {"AuthMethod": "RPS", "SiteName": "user.auth.xboxlive.com",
                       "RpsTicket": f"t={access}"}})
    assert user.status_code == 200
    xsts = http.post("/xsts.auth.xboxlive.com/xsts/authorize", json={
        "RelyingParty": relying_party, "TokenType": "JWT",
        "Properties": {"UserTokens": [user.json()["Token"]], "SandboxId": "RETAIL"}})
    assert xsts.status_code == 200
    answer = xsts.json()
    return f"XBL3.0 x={answer['DisplayClaims']['xui'][0]['uhs']};{answer['Token']}"


@pytest.fixture
def http() -> httpx.Client:
    return client(Sandbox(seed=0, device_code_pending_polls=0))


def test_a_minecraft_token_does_not_read_profiles(http: httpx.Client) -> None:
    url = "/profile.xboxlive.com/users/me/profile/settings?settings=Gamertag"
    minecraft = _xsts_for(http, MINECRAFT_RP)
    refused = http.get(url, headers={"Authorization": minecraft, "x-xbl-contract-version": "2"})
    # The 401 a token the service does not take gets: no body, Xbox Live's headers.
    assert refused.status_code == 401
    assert refused.content == b"" and refused.headers["content-length"] == "0"
    assert refused.headers["x-xblcorrelationid"] and refused.headers["ms-cv"]
    xboxlive = _xsts_for(http, XBOXLIVE_RP)
    ok = http.get(url, headers={"Authorization": xboxlive, "x-xbl-contract-version": "2"})
    assert ok.status_code == 200


@pytest.mark.parametrize("relying_party", [MINECRAFT_RP, "http://made.up.example/",
                                           "https://multiplayer.minecraft.net/", ""])
@pytest.mark.parametrize(("method", "url", "version", "body"),
                         [c for c in SERVICE_CALLS if "user.mgt" not in c[1]])
def test_every_service_refuses_a_token_for_another_relying_party(
        relying_party: str, method: str, url: str, version: str, body: object) -> None:
    sb = Sandbox(seed=0)
    http = client(sb)
    wrong = sb.authorization_for(relying_party=relying_party)
    assert _send(http, wrong, method, url, version, body).status_code == 401
    right = sb.authorization_for()
    assert _send(http, right, method, url, version, body).status_code in (200, 204)


def test_the_gamertag_hosts_take_the_accounts_party_and_xboxlive() -> None:
    sb = Sandbox(seed=0)
    http = client(sb)
    method, url, version, body = SERVICE_CALLS[-1]
    for relying_party in (ACCOUNTS_RP, XBOXLIVE_RP):
        answer = _send(http, sb.authorization_for(relying_party=relying_party), method, url,
                       version, body)
        assert answer.status_code == 200
    assert _send(http, sb.authorization_for(relying_party=MINECRAFT_RP), method, url, version,
                 body).status_code == 401
    # ... and the accounts party reads no profile.
    profile = http.get(SERVICE_CALLS[0][1], headers={
        "Authorization": sb.authorization_for(relying_party=ACCOUNTS_RP),
        "x-xbl-contract-version": "2"})
    assert profile.status_code == 401


def test_the_relying_party_table_is_xbox_lives() -> None:
    assert relying_parties("profile.xboxlive.com") == {XBOXLIVE_RP}
    assert relying_parties("mediahub.xboxlive.com") == {XBOXLIVE_RP}
    assert relying_parties("accounts.xboxlive.com") == {XBOXLIVE_RP}
    assert relying_parties("user.mgt.xboxlive.com") == {ACCOUNTS_RP, XBOXLIVE_RP}
    assert relying_parties("gssv-auth-prod.xboxlive.com") == {"http://gssv.xboxlive.com/"}
    assert relying_parties("displaycatalog.mp.microsoft.com") == {"http://mp.microsoft.com/"}
    # A path entry beats its host's; an entry without a relying party takes no token.
    assert relying_parties("device.mgt.xboxlive.com", "/devices/current/unlock") == {
        "http://unlock.device.mgt.xboxlive.com"}
    assert relying_parties("device.mgt.xboxlive.com", "/devices") == {
        "http://device.mgt.xboxlive.com"}
    assert relying_parties("musicimage.xboxlive.com") == frozenset()
    assert relying_parties("example.org") == frozenset()


def test_every_authenticated_route_is_on_a_host_with_a_relying_party() -> None:
    """The check sits in the router for every ``auth`` route; none may be on a host the
    table gives no relying party (which would refuse every token)."""
    hosts = {"profile", "gameclipsmetadata", "screenshotsmetadata", "mediahub", "achievements",
             "userpresence", "social", "peoplehub", "titlehub", "usersearch", "userstats",
             "xccs", "xblmessaging", "eplists", "cqs", "accounts", "user.mgt", "gamertag",
             "rta"}
    for name in hosts:
        host = f"{name}.xboxlive.com"
        served = [rt for rt in ROUTES if rt.auth and rt.host.fullmatch(host)]
        assert served, host
        assert relying_parties(host), host
    for rt in ROUTES:
        if rt.auth:
            assert any(rt.host.fullmatch(f"{name}.xboxlive.com") for name in hosts), \
                rt.host.pattern


def test_the_packaged_table_is_the_recording() -> None:
    assert json.loads(PACKAGED.read_text("utf-8")) == recorded("auth_title_endpoints.json")


# -- title.mgt.xboxlive.com ------------------------------------------------------------------

def test_title_endpoints_answer_the_recorded_list(http: httpx.Client) -> None:
    # As xbox-webapi's and python-xbox's XALManager.get_title_endpoints ask for it.
    answer = http.get("/title.mgt.xboxlive.com/titles/default/endpoints",
                      params={"type": 1}, headers={"x-xbl-contract-version": "1"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == recorded("auth_title_endpoints.json")
    wrong = http.get("/title.mgt.xboxlive.com/titles/default/endpoints",
                     params={"type": 1}, headers={"x-xbl-contract-version": "99"})
    assert wrong.status_code == 406

"""Fidelity of the sandbox's profile, user.auth and XSTS services against real recordings.

Bodies recorded from Xbox Live live in tests/fixtures/recorded/ (ORIGIN.md says where each
came from); profile's error bodies are the 2014 recordings quoted byte for byte, and the XSTS
refusal is the shape Microsoft's XSAPI test mock and the community clients agree on (no
recording holds it).
"""

from __future__ import annotations

import json

import httpx
import pytest

from tests.fidelity import assert_same_shape, recorded
from xbox.auth import flows, xboxlive
from xbox.sandbox import JOE_XUID, Sandbox

PROFILE = "/profile.xboxlive.com"
SETTINGS_V3 = [s["id"] for s in recorded("profile_by_gamertag.json")["profileUsers"][0]["settings"]]
SETTINGS_BATCH = [s["id"] for s in recorded("profile_batch.json")["profileUsers"][0]["settings"]]


@pytest.fixture
def api(sandbox: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sandbox.base_url, transport=sandbox.transport(),
                        headers={"Authorization": sandbox.authorization_for(),
                                 "x-xbl-contract-version": "3"})


def test_profile_by_gamertag_matches_recording(api: httpx.Client) -> None:
    r = api.get(f"{PROFILE}/users/gt(joealcorn)/profile/settings",
                params={"settings": ",".join(SETTINGS_V3)})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert_same_shape(body, recorded("profile_by_gamertag.json"))
    user = body["profileUsers"][0]
    # Settings come back in the requested order, all values strings, hostId == id.
    assert [s["id"] for s in user["settings"]] == SETTINGS_V3
    assert user["hostId"] == user["id"] == JOE_XUID
    assert {s["id"]: s["value"] for s in user["settings"]}["Gamertag"] == "JoeAlcorn"


def test_profile_by_xuid_matches_recording(api: httpx.Client) -> None:
    # The 2014 client sends the commas raw and contract 2; both forms work.
    r = api.get(f"{PROFILE}/users/xuid({JOE_XUID})/profile/settings?settings=" + ",".join(SETTINGS_V3),
                headers={"x-xbl-contract-version": "2"})
    assert r.status_code == 200
    assert_same_shape(r.json(), recorded("profile_by_xuid.json"))


def test_profile_batch_matches_recording(api: httpx.Client, sandbox: Sandbox) -> None:
    xuids = [a.xuid for a in sandbox.world.accounts[-2:]]
    r = api.post(f"{PROFILE}/users/batch/profile/settings",
                 json={"userIds": [int(x) for x in xuids], "settings": SETTINGS_BATCH})
    assert r.status_code == 200
    body = r.json()
    assert_same_shape(body, recorded("profile_batch.json"))
    assert [u["id"] for u in body["profileUsers"]] == xuids


def test_profile_errors_are_the_recorded_bodies(api: httpx.Client) -> None:
    r = api.get(f"{PROFILE}/users/gt(2533274812246958)/profile/settings?settings=Gamertag")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"code": 28, "source": "Profile",
                        "description": "The server found no data for the requested entity.",
                        "traceInformation": None}
    r = api.get(f"{PROFILE}/users/xuid(0000000000000000)/profile/settings?settings=Gamertag")
    assert r.status_code == 400
    assert r.json() == {"code": 2, "source": "Profile", "description": "Xuid 0 is invalid",
                        "traceInformation": None}


def test_profile_needs_a_valid_token(sandbox: Sandbox) -> None:
    http = httpx.Client(base_url=sandbox.base_url, transport=sandbox.transport())
    url = f"{PROFILE}/users/me/profile/settings?settings=Gamertag"
    assert http.get(url).status_code == 401
    assert http.get(url, headers={"Authorization": "XBL3.0 x=1;forged"}).status_code == 401
    other = Sandbox(seed=0).authorization_for()  # issued by another sandbox: foreign
    assert http.get(url, headers={"Authorization": other}).status_code == 401


def _msa_token(sandbox: Sandbox, scope: str = flows.LEGACY_SCOPE) -> str:
    return sandbox.tokens.issue("msa", JOE_XUID, sandbox.now() + 3600, scope=scope)


def test_user_token_and_xsts_match_recordings(sandbox: Sandbox) -> None:
    http = httpx.Client(base_url=sandbox.base_url, transport=sandbox.transport())
    r = http.post("/user.auth.xboxlive.com/user/authenticate",
                  json=xboxlive.user_token_body("t=" + _msa_token(sandbox)))
    assert r.status_code == 200
    assert r.headers["x-err"] == "00000005"
    user = r.json()
    assert_same_shape(user, recorded("auth_user_token.json"))
    r = http.post("/xsts.auth.xboxlive.com/xsts/authorize", json=xboxlive.xsts_body(user["Token"]))
    assert r.status_code == 200
    xsts = r.json()
    assert_same_shape(xsts, recorded("auth_xsts_token.json"))
    claims = xsts["DisplayClaims"]["xui"][0]
    assert claims["xid"] == JOE_XUID and claims["gtg"] == "JoeAlcorn"
    assert claims["uhs"] == user["DisplayClaims"]["xui"][0]["uhs"]
    # Lifetimes as recorded: user token 14 days, XSTS 16 hours; 7 fraction digits.
    from xbox.auth.tokens import parse_wire_time

    def life(body: dict[str, str]) -> float:
        return parse_wire_time(body["NotAfter"]) - parse_wire_time(body["IssueInstant"])

    assert life(user) == pytest.approx(14 * 86400)
    assert life(xsts) == pytest.approx(16 * 3600)
    assert len(xsts["IssueInstant"].split(".")[1]) == 8  # 7 digits + "Z"


def test_rps_ticket_prefixes(sandbox: Sandbox) -> None:
    http = httpx.Client(base_url=sandbox.base_url, transport=sandbox.transport())
    url = "/user.auth.xboxlive.com/user/authenticate"
    for ticket in (_msa_token(sandbox), "t=" + _msa_token(sandbox), "d=" + _msa_token(sandbox)):
        assert http.post(url, json=xboxlive.user_token_body(ticket)).status_code == 200
    azure = _msa_token(sandbox, scope=flows.AZURE_SCOPE)
    assert http.post(url, json=xboxlive.user_token_body(azure)).status_code == 400
    assert http.post(url, json=xboxlive.user_token_body("d=" + azure)).status_code == 200
    assert http.post(url, content=b"{}", headers={"Content-Type": "application/json"}).status_code == 400
    assert http.post(url, json=xboxlive.user_token_body("t=unknown")).status_code == 401


def test_xsts_refusal_is_the_xerr_body_peers_agree_on(sandbox: Sandbox) -> None:
    """No recording holds an XSTS refusal: this is the shape of Microsoft's XSAPI test mock
    (``GetCreateAccountXErrorResponse``) and of the community sign-in clients (spec §1d)."""
    http = httpx.Client(base_url=sandbox.base_url, transport=sandbox.transport())
    account = sandbox.world.by_email["noprofile@example.org"]
    msa = sandbox.tokens.issue("msa", account.xuid, sandbox.now() + 3600, scope=flows.LEGACY_SCOPE)
    user = http.post("/user.auth.xboxlive.com/user/authenticate",
                     json=xboxlive.user_token_body(msa)).json()
    r = http.post("/xsts.auth.xboxlive.com/xsts/authorize", json=xboxlive.xsts_body(user["Token"]))
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/json"
    assert json.loads(r.content) == {"Identity": "0", "XErr": 2148916233, "Message": "",
                                     "Redirect": "https://start.ui.xboxlive.com/CreateAccount"}
    r = http.post("/xsts.auth.xboxlive.com/xsts/authorize", content=b"nonsense")
    assert r.status_code == 400 and r.content == b""


def test_tokens_expire_on_the_sandbox_clock() -> None:
    t = [1_000_000.0]
    sb = Sandbox(seed=0, clock=lambda: t[0])
    auth = sb.authorization_for()
    http = httpx.Client(base_url=sb.base_url, transport=sb.transport(), headers={"Authorization": auth})
    url = f"{PROFILE}/users/me/profile/settings?settings=Gamertag"
    assert http.get(url).status_code == 200
    t[0] += 16 * 3600 + 1
    assert http.get(url).status_code == 401


def test_same_seed_same_world_and_bodies() -> None:
    a, b = Sandbox(seed=7), Sandbox(seed=7)
    assert [x.gamertag for x in a.world.accounts] == [x.gamertag for x in b.world.accounts]
    assert a.world.joe.clips[3].media_bytes() == b.world.joe.clips[3].media_bytes()
    assert [c.id for c in Sandbox(seed=8).world.joe.clips] != [c.id for c in a.world.joe.clips]


def test_sustain_retry_after_is_enough_even_though_rejections_count() -> None:
    """Waiting the Retry-After of a sustain 429 must be enough to get through, although the
    rejected requests count toward sustain (as Xbox Live counts them)."""
    t = [0.0]
    sb = Sandbox(seed=0, clock=lambda: t[0])
    http = httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                        headers={"Authorization": sb.authorization_for()})
    url = f"{PROFILE}/users/me/profile/settings?settings=Gamertag"
    statuses = []
    for _ in range(40):  # one request every 5.1 s: never over burst, over sustain at 31
        statuses.append(http.get(url))
        t[0] += 5.1
    first = next(r for r in statuses if r.status_code == 429)
    assert statuses.index(first) == 30
    assert first.json() == {"version": 1, "currentRequests": 31, "maxRequests": 30,
                            "periodInSeconds": 300, "type": "sustain"}
    last = statuses[-1]
    assert last.status_code == 429
    t[0] += float(last.headers["Retry-After"]) - 5.1
    assert http.get(url).status_code == 200


def test_profile_cache_headers_as_recorded(api: httpx.Client, sandbox: Sandbox) -> None:
    one = api.get(f"{PROFILE}/users/me/profile/settings?settings=Gamertag")
    assert one.headers["cache-control"] == "no-cache, no-store,14400"
    many = api.post(f"{PROFILE}/users/batch/profile/settings",
                    json={"userIds": [JOE_XUID], "settings": ["Gamertag"]})
    assert many.headers["cache-control"] == "no-cache, no-store"
    assert many.headers["pragma"] == "no-cache" and many.headers["expires"] == "-1"


@pytest.mark.parametrize("who", ["gt(joealcorn)", f"xuid({JOE_XUID})"])
def test_the_legacy_settings_path_answers_like_profile_settings(api: httpx.Client,
                                                               who: str) -> None:
    """XboxReplay's xboxlive-api reads ``/users/{gt|xuid}(X)/settings`` (no ``/profile``)
    with contract 2, and its end-to-end test passed against Xbox Live."""
    v2 = {"x-xbl-contract-version": "2"}
    settings = {"settings": ",".join(SETTINGS_V3)}
    legacy = api.get(f"{PROFILE}/users/{who}/settings", params=settings, headers=v2)
    modern = api.get(f"{PROFILE}/users/{who}/profile/settings", params=settings, headers=v2)
    assert legacy.status_code == modern.status_code == 200
    assert legacy.json() == modern.json()
    assert_same_shape(legacy.json(), recorded("profile_by_gamertag.json"))
    assert legacy.headers["cache-control"] == modern.headers["cache-control"]
    # Without ?settings= (its gamertag-to-xuid look-up): the user's id, no settings.
    bare = api.get(f"{PROFILE}/users/{who}/settings", headers=v2).json()
    assert bare["profileUsers"][0]["id"] == JOE_XUID
    assert api.get(f"{PROFILE}/users/{who}/settings",
                   headers={"x-xbl-contract-version": "99"}).status_code == 406


def test_the_legacy_settings_path_with_an_encoded_gamertag(sandbox: Sandbox,
                                                           api: httpx.Client) -> None:
    """xboxlive-api encodes the gamertag (``gt(Major%20Nelson)``); unknown ones get
    profile's recorded 404."""
    spaced = next(a for a in sandbox.world.accounts if " " in a.gamertag)
    v2 = {"x-xbl-contract-version": "2"}
    r = api.get(f"{PROFILE}/users/gt({spaced.gamertag.replace(' ', '%20')})/settings",
                headers=v2)
    assert r.status_code == 200 and r.json()["profileUsers"][0]["id"] == spaced.xuid
    missing = api.get(f"{PROFILE}/users/gt(No%20Such%20Gamer)/settings", headers=v2)
    assert missing.status_code == 404 and missing.json()["code"] == 28

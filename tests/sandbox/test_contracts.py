"""Every service's contract versions, from the one table :mod:`xbox.sandbox.contracts`.

Each row's versions are answered; a version outside them (99) gets the empty 406 of the
table's refusal, on every service: clips, screenshots and mediahub included, which once
answered any version with a 200. A request without the header is served at the default.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fidelity import assert_same_shape, recorded
from xbox.sandbox import JOE_XUID, Sandbox
from xbox.sandbox.contracts import CONTRACTS, REFUSAL_STATUS
from xbox.sandbox.services.cqs import HEADEND_ID

ACH = f"/achievements.xboxlive.com/users/xuid({JOE_XUID})"

# One request per row of the table (method, mapped URL, JSON body), answered 2xx when its
# version is served. A row without a request here fails test_every_row_has_a_request.
PROBES: dict[str, tuple[str, str, Any]] = {
    "profile": ("GET", f"/profile.xboxlive.com/users/xuid({JOE_XUID})/profile/settings"
                       "?settings=Gamertag", None),
    "achievements": ("GET", ACH + "/history/titles", None),
    "presence": ("GET", "/userpresence.xboxlive.com/users/me", None),
    "peoplehub": ("GET", "/peoplehub.xboxlive.com/users/me/people/social", None),
    "social": ("GET", "/social.xboxlive.com/users/me/summary", None),
    "titlehub": ("GET", f"/titlehub.xboxlive.com/users/xuid({JOE_XUID})/titles/titlehistory",
                 None),
    "userstats": ("POST", "/userstats.xboxlive.com/batch",
                  {"arrangebyfield": "xuid", "xuids": [JOE_XUID],
                   "stats": [{"name": "MinutesPlayed", "titleId": "1717113201"}]}),
    "gameclips": ("GET", "/gameclipsmetadata.xboxlive.com/users/me/clips?maxItems=2", None),
    "screenshots": ("GET", "/screenshotsmetadata.xboxlive.com/users/me/screenshots?maxItems=2",
                    None),
    "mediahub": ("POST", "/mediahub.xboxlive.com/gameclips/search",
                 {"max": 2, "query": f"OwnerXuid eq {JOE_XUID}", "skip": 0}),
    "smartglass": ("GET", "/xccs.xboxlive.com/lists/devices", None),
    "messaging": ("GET", "/xblmessaging.xboxlive.com/network/Xbox/users/me/inbox", None),
    "eplists": ("GET", f"/eplists.xboxlive.com/users/xuid({JOE_XUID})/lists/PINS/XBLPins", None),
    "account-reserve": ("POST", "/user.mgt.xboxlive.com/gamertags/reserve",
                        {"Gamertag": "Probe Name", "ReservationId": JOE_XUID}),
    "account-change": ("POST", "/accounts.xboxlive.com/users/current/profile/gamertag",
                       {"gamertag": "Probe Name", "preview": True, "previewOnly": True,
                        "reservationId": JOE_XUID}),
    "cqs": ("GET", f"/cqs.xboxlive.com/epg/en-US/lineups/{HEADEND_ID}/channels", None),
    "title-mgt": ("GET", "/title.mgt.xboxlive.com/titles/default/endpoints?type=1", None),
}


def _send(api: httpx.Client, service: str, version: str | None) -> httpx.Response:
    method, url, body = PROBES[service]
    headers = {"x-xbl-contract-version": version} if version is not None else {}
    if body is None:
        return api.request(method, url, headers=headers)
    return api.request(method, url, headers=headers, json=body)


def test_every_row_has_a_request() -> None:
    assert set(PROBES) == set(CONTRACTS)


def test_every_row_names_its_sources() -> None:
    for row in CONTRACTS.values():
        assert row.versions and row.sources, row.service
        assert row.default in row.versions, row.service
        named = " ".join(row.sources)
        for version in row.versions:
            assert version in named, (row.service, version)


@pytest.mark.parametrize("service", sorted(CONTRACTS))
def test_served_versions_answer(api: httpx.Client, service: str) -> None:
    for version in [*CONTRACTS[service].versions, None]:
        r = _send(api, service, version)
        assert 200 <= r.status_code < 300, (service, version, r.status_code)


@pytest.mark.parametrize("service", sorted(CONTRACTS))
def test_an_unserved_version_is_refused(api: httpx.Client, service: str) -> None:
    r = _send(api, service, "99")
    assert r.status_code == REFUSAL_STATUS == 406, service
    assert r.content == b"" and r.headers["content-length"] == "0"


@pytest.mark.parametrize(("url", "version"), [
    ("/gameclipsmetadata.xboxlive.com/users/me/clips", "5"),
    ("/gameclipsmetadata.xboxlive.com/users/me/clips/saved", "99"),
    (f"/gameclipsmetadata.xboxlive.com/users/xuid({JOE_XUID})/titles/219630713/clips", "3"),
    ("/gameclipsmetadata.xboxlive.com/public/titles/219630713/clips", "99"),
    (f"/gameclipsmetadata.xboxlive.com/users/xuid({JOE_XUID})/scids/"
     "1370999b-fca2-4c53-8ec5-73493bcb67e5/clips/x", "99"),
    ("/screenshotsmetadata.xboxlive.com/users/me/screenshots", "3"),
    ("/screenshotsmetadata.xboxlive.com/public/scids/1370999b-fca2-4c53-8ec5-73493bcb67e5"
     "/screenshots", "99"),
])
def test_every_capture_route_checks_the_version(api: httpx.Client, url: str,
                                                version: str) -> None:
    r = api.get(url, headers={"x-xbl-contract-version": version})
    assert r.status_code == 406 and r.content == b""


def test_mediahub_checks_the_version_on_both_searches(api: httpx.Client) -> None:
    body = {"max": 2, "query": f"OwnerXuid eq {JOE_XUID}"}
    for kind in ("gameclips", "screenshots"):
        url = f"/mediahub.xboxlive.com/{kind}/search"
        assert api.post(url, json=body, headers={"x-xbl-contract-version": "3"}).status_code == 200
        assert api.post(url, json=body, headers={"x-xbl-contract-version": "99"}).status_code == 406
        assert api.post(url, json=body, headers={"x-xbl-contract-version": "1"}).status_code == 406


def _achievements(api: httpx.Client, path: str, version: str, **params: str) -> Any:
    r = api.get(ACH + path, params=params, headers={"x-xbl-contract-version": version})
    assert r.status_code == 200, (path, version, r.status_code)
    return r.json()


def test_python_xboxs_achievement_versions_answer_with_rarity(api: httpx.Client) -> None:
    """python-xbox 0.4.0 asks Xbox 360 lists with 3 and Xbox One lists with 4: the shapes of
    1 and 2, each achievement with the rarity block its models read."""
    one_v2 = _achievements(api, "/achievements", "2", titleId="219630713")["achievements"]
    one_v4 = _achievements(api, "/achievements", "4", titleId="219630713")["achievements"]
    assert [a["id"] for a in one_v4] == [a["id"] for a in one_v2]
    assert [{k: v for k, v in a.items() if k != "rarity"} for a in one_v4] == one_v2
    assert all(set(a["rarity"]) == {"currentCategory", "currentPercentage"} for a in one_v4)
    assert {a["rarity"]["currentCategory"] for a in one_v4} <= {"Rare", "Common"}
    assert all(isinstance(a["rarity"]["currentPercentage"], float) for a in one_v4)
    x360_v1 = _achievements(api, "/titleachievements", "1", titleId="1297290392")["achievements"]
    x360_v3 = _achievements(api, "/titleachievements", "3", titleId="1297290392")["achievements"]
    assert [{k: v for k, v in a.items() if k != "rarity"} for a in x360_v3] == x360_v1
    earned = _achievements(api, "/achievements", "3", titleId="1297290392")["achievements"]
    assert earned and all(a["unlocked"] and "rarity" in a for a in earned)
    # History: 3 is the Xbox 360 history, 4 (and 5) the Xbox One one.
    assert _achievements(api, "/history/titles", "3") == _achievements(api, "/history/titles", "1")
    assert _achievements(api, "/history/titles", "4") == _achievements(api, "/history/titles", "2")
    assert _achievements(api, "/history/titles", "5") == _achievements(api, "/history/titles", "2")
    # The rarity of an achievement is the same for every player.
    detail = _achievements(api, "/achievements/1370999b-fca2-4c53-8ec5-73493bcb67e5/1", "4")
    assert detail["achievements"][0]["rarity"] == next(
        a["rarity"] for a in one_v4 if a["id"] == "1")


@pytest.mark.parametrize("version", ["1", "3"])
def test_xbox_360_recent_unlocks_span_every_title(sb: Sandbox, api: httpx.Client,
                                                  version: str) -> None:
    """Both peers' "recent unlocks" of Xbox 360 titles name no title: the earned achievements
    of every title, in the 360 shape, newest unlock first."""
    body = _achievements(api, "/achievements", version, unlockedOnly="true",
                         orderBy="UnlockTime", maxItems="32")
    items = body["achievements"]
    assert len(items) == 32 and body["pagingInfo"]["continuationToken"] == "32"
    assert all(a["unlocked"] is True for a in items)
    assert len({a["titleId"] for a in items}) > 1
    times = [a["timeUnlocked"] for a in items]
    assert times == sorted(times, reverse=True)
    rarity = {"rarity": {"currentCategory": "Rare", "currentPercentage": 1.5}}
    assert_same_shape(body, recorded("achievements_360_earned.json"),
                      nullable=frozenset({"continuationToken"}),
                      optional=rarity if version == "3" else None)
    assert all(("rarity" in a) is (version == "3") for a in items)

"""Gamertag reservation and change (user.mgt / accounts.xboxlive.com): the statuses the peers
document, and a change every other service then shows."""

from __future__ import annotations

import httpx
import pytest

from xbox.sandbox import JOE_XUID, Sandbox

RESERVE = "/user.mgt.xboxlive.com/gamertags/reserve"
CHANGE = "/accounts.xboxlive.com/users/current/profile/gamertag"
V1 = {"x-xbl-contract-version": "1"}
V2 = {"x-xbl-contract-version": "2"}


@pytest.fixture
def clock() -> list[float]:
    return [1_800_000_000.0]


@pytest.fixture
def sb(clock: list[float]) -> Sandbox:
    return Sandbox(seed=0, rate_limits=False, clock=lambda: clock[0])


def _client(sb: Sandbox, email: str = "joe@example.org") -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                        headers={"Authorization": sb.authorization_for(email)})


def test_reserve_free_and_taken(sb: Sandbox, api: httpx.Client) -> None:
    r = api.post(RESERVE, json={"Gamertag": "Sandbox Pilot", "ReservationId": JOE_XUID},
                 headers=V1)
    assert r.status_code == 200 and r.content == b""
    taken = sb.world.accounts[-1].gamertag.upper()  # case does not matter
    assert api.post(RESERVE, json={"Gamertag": taken, "ReservationId": JOE_XUID},
                    headers=V1).status_code == 409
    # Held for Joe: someone else is told it is taken, Joe is told again it is free.
    other = sb.world.by_email["user3@example.org"]
    with _client(sb, "user3@example.org") as them:
        assert them.post(RESERVE, json={"Gamertag": "sandbox pilot",
                                        "ReservationId": other.xuid}).status_code == 409
    assert api.post(RESERVE, json={"Gamertag": "Sandbox Pilot",
                                   "ReservationId": JOE_XUID}).status_code == 200
    modern = api.post("/gamertag.xboxlive.com/gamertags/reserve",
                      json={"classicGamertag": "Another Name", "reservationId": JOE_XUID,
                            "targetGamertagFields": "classicGamertag"})
    assert modern.status_code == 200


def test_reservations_expire(sb: Sandbox, api: httpx.Client, clock: list[float]) -> None:
    api.post(RESERVE, json={"Gamertag": "Fleeting", "ReservationId": JOE_XUID})
    other = sb.world.by_email["user3@example.org"]
    with _client(sb, "user3@example.org") as them:
        body = {"Gamertag": "Fleeting", "ReservationId": other.xuid}
        assert them.post(RESERVE, json=body).status_code == 409
        clock[0] += 3601
        assert them.post(RESERVE, json=body).status_code == 200


def test_change_shows_everywhere(sb: Sandbox, api: httpx.Client) -> None:
    api.post(RESERVE, json={"Gamertag": "Sandbox Pilot", "ReservationId": JOE_XUID})
    preview = api.post(CHANGE, json={"gamertag": "Sandbox Pilot", "preview": True,
                                     "reservationId": int(JOE_XUID)}, headers=V2)
    assert preview.status_code == 200 and sb.world.joe.gamertag == "JoeAlcorn"
    r = api.post(CHANGE, json={"gamertag": "Sandbox Pilot", "preview": False,
                               "reservationId": int(JOE_XUID)}, headers=V2)
    assert r.status_code == 200 and r.content == b""
    profile = api.get("/profile.xboxlive.com/users/me/profile/settings",
                      params={"settings": "Gamertag"}).json()
    assert profile["profileUsers"][0]["settings"][0]["value"] == "Sandbox Pilot"
    by_gt = api.get("/profile.xboxlive.com/users/gt(sandbox%20pilot)/profile/settings",
                    params={"settings": "Gamertag"})
    assert by_gt.status_code == 200
    assert api.get("/profile.xboxlive.com/users/gt(JoeAlcorn)/profile/settings",
                   params={"settings": "Gamertag"}).status_code == 404
    found = api.get("/usersearch.xboxlive.com/suggest", params={"q": "sandbox pilot"}).json()
    assert found["results"][0]["result"]["id"] == JOE_XUID
    friend = sb.world.by_xuid[sb.world.joe.friends[0]]
    with _client(sb, friend.email or "") as them:
        seen = them.post("/peoplehub.xboxlive.com/users/me/people/batch",
                         json={"xuids": [JOE_XUID]}).json()["people"][0]
        assert seen["gamertag"] == "Sandbox Pilot"
    # The free change is spent; asking for the current gamertag changes nothing.
    again = api.post(CHANGE, json={"gamertag": "Third Try", "preview": False,
                                   "reservationId": int(JOE_XUID)})
    assert again.status_code == 400 and again.json()["code"] == 1020
    assert api.post(CHANGE, json={"gamertag": "Sandbox Pilot", "preview": False,
                                  "reservationId": int(JOE_XUID)}).status_code == 200
    other = sb.world.by_email["user3@example.org"]  # the old name is free again
    with _client(sb, "user3@example.org") as them:
        assert them.post(RESERVE, json={"Gamertag": "JoeAlcorn",
                                        "ReservationId": other.xuid}).status_code == 200


def test_change_refusals(sb: Sandbox, api: httpx.Client) -> None:
    taken = sb.world.accounts[-1].gamertag
    r = api.post(CHANGE, json={"gamertag": taken, "preview": False,
                               "reservationId": int(JOE_XUID)})
    assert r.status_code == 400 and r.json()["code"] == 1372
    for bad in ("", "9Lives", "two  spaces", "x" * 16, "trailing "):
        assert api.post(CHANGE, json={"gamertag": bad, "reservationId": JOE_XUID}
                        ).status_code == 400, bad
    assert api.post(CHANGE, json={"gamertag": "Fine Name", "reservationId": "1"}
                    ).status_code == 400
    assert api.post(CHANGE, json={"gamertag": "Fine Name", "reservationId": JOE_XUID},
                    headers={"x-xbl-contract-version": "1"}).status_code == 406
    modern = api.post(CHANGE, json={"gamertag": {"gamertag": "Fine Name", "gamertagSuffix": "",
                                                 "classicGamertag": "Fine Name"},
                                    "previewOnly": True, "reservationId": JOE_XUID},
                      headers={"x-xbl-contract-version": "6"})
    assert modern.status_code == 200 and sb.world.joe.gamertag == "JoeAlcorn"

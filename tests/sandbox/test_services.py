"""The sandbox's achievements, presence, people, titlehub and usersearch services.

Every body is checked against a real recording (tests/fixtures/recorded/) for key set and
value types; behaviour (paging, errors, auth, determinism) is checked on its own.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fidelity import assert_same_shape, recorded, recorded_2025
from xbox.sandbox import JOE_XUID, Sandbox
from xbox.sandbox.world import Account

ACH = "/achievements.xboxlive.com"
PRES = "/userpresence.xboxlive.com"
HUB = "/peoplehub.xboxlive.com"
SOCIAL = "/social.xboxlive.com"
TITLEHUB = "/titlehub.xboxlive.com"
SEARCH = "/usersearch.xboxlive.com"
HALO5 = 219630713
HALO5_SCID = "1370999b-fca2-4c53-8ec5-73493bcb67e5"
HEXIC = 1297290392
V1 = {"x-xbl-contract-version": "1"}
V2 = {"x-xbl-contract-version": "2"}
# `current` is null until an achievement is started (achievements_one_details.json).
# `continuationToken` is null on the last page.
NULLABLE = frozenset({"current", "continuationToken"})


def make_client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                        headers={"Authorization": sb.authorization_for()})


@pytest.fixture
def client(sb: Sandbox) -> Iterator[httpx.Client]:
    with make_client(sb) as c:
        yield c


def _offline_with_title(sb: Sandbox) -> Account:
    return next(a for a in sb.world.accounts
                if a.presence_state == "Offline" and a.last_seen_title is not None)


def _offline_without_title(sb: Sandbox) -> Account:
    return next(a for a in sb.world.accounts
                if a.presence_state == "Offline" and a.last_seen_title is None)


# -- achievements (Xbox One, v2) ---------------------------------------------------------------

def test_v2_achievements_first_page_matches_recording(client: httpx.Client) -> None:
    r = client.get(f"{ACH}/users/xuid({JOE_XUID})/achievements", params={"titleId": HALO5},
                   headers=V2)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert_same_shape(body, recorded("achievements_one_gameprogress.json"), nullable=NULLABLE)
    assert list(body) == ["achievements", "pagingInfo"]
    assert len(body["achievements"]) == 32  # the service's default page
    assert body["pagingInfo"] == {"continuationToken": "32", "totalRecords": 73}
    first = body["achievements"][0]
    assert list(first) == list(recorded("achievements_one_gameprogress.json")["achievements"][0])
    assert first["titleAssociations"] == [{"name": "Halo 5: Guardians", "id": HALO5}]
    states = {a["progressState"] for a in body["achievements"]}
    assert states <= {"Achieved", "InProgress", "NotStarted"}
    for a in body["achievements"]:
        unlocked = a["progression"]["timeUnlocked"]
        assert (unlocked == "0001-01-01T00:00:00.0000000Z") == (a["progressState"] != "Achieved")


def test_v2_paging_through_all_achievements(client: httpx.Client) -> None:
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"titleId": HALO5, "maxItems": 20}
        if token:
            params["continuationToken"] = token
        body = client.get(f"{ACH}/users/xuid({JOE_XUID})/achievements", params=params,
                          headers=V2).json()
        assert body["pagingInfo"]["totalRecords"] == 73
        seen += [a["id"] for a in body["achievements"]]
        token = body["pagingInfo"]["continuationToken"]
        pages += 1
        if token is None:
            break
    assert pages == 4
    assert seen == [str(n) for n in range(1, 74)]


def test_v2_skip_max_unlocked_and_order(client: httpx.Client) -> None:
    url = f"{ACH}/users/xuid({JOE_XUID})/achievements"
    body = client.get(url, params={"titleId": HALO5, "skipItems": 70, "maxItems": 1000}).json()
    assert [a["id"] for a in body["achievements"]] == ["71", "72", "73"]
    assert body["pagingInfo"]["continuationToken"] is None
    unlocked = client.get(url, params={"titleId": HALO5, "unlockedOnly": "true",
                                       "maxItems": 1000, "orderBy": "UnlockTime"}).json()
    items = unlocked["achievements"]
    assert items and all(a["progressState"] == "Achieved" for a in items)
    times = [a["progression"]["timeUnlocked"] for a in items]
    assert times == sorted(times, reverse=True)
    assert unlocked["pagingInfo"]["totalRecords"] == len(items)


def test_v2_achievement_detail(client: httpx.Client) -> None:
    r = client.get(f"{ACH}/users/xuid({JOE_XUID})/achievements/{HALO5_SCID}/39")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "private, max-age=15"
    body = r.json()
    assert_same_shape(body, recorded("achievements_one_details.json"), nullable=NULLABLE)
    assert body["achievements"][0]["id"] == "39"
    assert body["pagingInfo"] == {"continuationToken": None, "totalRecords": 1}
    missing = client.get(f"{ACH}/users/xuid({JOE_XUID})/achievements/{HALO5_SCID}/999")
    assert missing.status_code == 404


def test_v2_history(client: httpx.Client) -> None:
    body = client.get(f"{ACH}/users/xuid({JOE_XUID})/history/titles", headers=V2).json()
    assert_same_shape(body, recorded("achievements_one_recent_progress.json"), nullable=NULLABLE)
    ids = [t["titleId"] for t in body["titles"]]
    assert ids == sorted(ids) and len(ids) == 10
    assert body["pagingInfo"] == {"continuationToken": None, "totalRecords": 10}
    halo = next(t for t in body["titles"] if t["titleId"] == HALO5)
    all_halo = client.get(f"{ACH}/users/xuid({JOE_XUID})/achievements",
                          params={"titleId": HALO5, "maxItems": 1000}).json()["achievements"]
    assert halo["earnedAchievements"] == sum(a["progressState"] == "Achieved" for a in all_halo)
    page = client.get(f"{ACH}/users/xuid({JOE_XUID})/history/titles",
                      params={"maxItems": 4}).json()
    assert page["pagingInfo"]["continuationToken"] == "4"


# -- achievements (Xbox 360, v1) ---------------------------------------------------------------

def test_v1_all_and_earned(client: httpx.Client) -> None:
    r = client.get(f"{ACH}/users/xuid({JOE_XUID})/titleachievements", params={"titleId": HEXIC},
                   headers=V1)
    assert r.status_code == 200
    assert r.headers["cache-control"] == "private, max-age=30"
    everything = r.json()
    assert_same_shape(everything, recorded("achievements_360_all.json"))
    assert list(everything) == ["achievements", "pagingInfo", "version"]
    assert everything["pagingInfo"]["totalRecords"] == 15
    assert everything["version"] == "0001-01-01T00:00:00.0000000Z"
    earned = client.get(f"{ACH}/users/xuid({JOE_XUID})/achievements", params={"titleId": HEXIC},
                        headers=V1).json()
    assert_same_shape(earned, recorded("achievements_360_earned.json"))
    assert all(a["unlocked"] for a in earned["achievements"])
    assert {a["id"] for a in earned["achievements"]} == {
        a["id"] for a in everything["achievements"] if a["unlocked"]}
    assert client.get(f"{ACH}/users/xuid({JOE_XUID})/titleachievements",
                      headers=V1).status_code == 400


def test_v1_history(client: httpx.Client) -> None:
    body = client.get(f"{ACH}/users/xuid({JOE_XUID})/history/titles", headers=V1,
                      params={"maxItems": 3}).json()
    assert_same_shape(body, recorded("achievements_360_recent_progress.json"))
    assert body["pagingInfo"]["continuationToken"] == f"3,{body['version']}"
    played = [t["lastPlayed"] for t in body["titles"]]
    assert played == sorted(played, reverse=True)
    rest = client.get(f"{ACH}/users/xuid({JOE_XUID})/history/titles", headers=V1,
                      params={"continuationToken": body["pagingInfo"]["continuationToken"],
                              "maxItems": 100}).json()
    assert len(rest["titles"]) == 7
    assert rest["pagingInfo"]["continuationToken"] is None


def test_achievement_errors(client: httpx.Client) -> None:
    assert client.get(f"{ACH}/users/xuid(2533274800000001)/achievements",
                      params={"titleId": HALO5}).status_code == 404
    bad = client.get(f"{ACH}/users/xuid(abc)/achievements", params={"titleId": HALO5})
    # Achievements' own error body is unrecorded: an empty 400, not profile's body.
    assert bad.status_code == 400 and bad.content == b""
    assert client.get(f"{ACH}/users/xuid({JOE_XUID})/achievements",
                      params={"titleId": HALO5, "maxItems": "lots"}).status_code == 400
    assert client.get(f"{ACH}/users/xuid({JOE_XUID})/achievements",
                      params={"titleId": HALO5, "orderBy": "Sideways"}).status_code == 400


# -- presence ----------------------------------------------------------------------------------

def test_presence_offline_with_last_seen(sb: Sandbox, client: httpx.Client) -> None:
    who = _offline_with_title(sb)
    r = client.get(f"{PRES}/users/xuid({who.xuid})", params={"level": "all"})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "private, max-age=15"
    body = r.json()
    assert_same_shape(body, recorded("presence.json"))
    assert list(body) == ["xuid", "state", "lastSeen"]
    assert list(body["lastSeen"]) == ["deviceType", "titleId", "titleName", "timestamp"]
    assert body["lastSeen"]["titleId"] == str(who.last_seen_title.title_id)  # type: ignore[union-attr]


def test_presence_minimal_and_online(sb: Sandbox, client: httpx.Client) -> None:
    quiet = _offline_without_title(sb)
    body = client.get(f"{PRES}/users/xuid({quiet.xuid})", params={"level": "user"}).json()
    assert_same_shape(body, recorded("presence_own.json"))
    assert body == {"xuid": quiet.xuid, "state": "Offline"}
    # JoeAlcorn is online: "me" at level=user is the minimal record, deeper levels add devices.
    me = client.get(f"{PRES}/users/me", params={"level": "user"})
    assert me.headers["cache-control"] == "private, max-age=15"
    assert_same_shape(me.json(), recorded("presence_own.json"))
    full = client.get(f"{PRES}/users/me", params={"level": "title"}).json()
    assert full["state"] == "Online"
    title = full["devices"][0]["titles"][0]
    # Today's title (presence_activity.json, 2026) says when with "timestamp"...
    assert list(title) == ["id", "name", "state", "placement", "timestamp"]
    assert isinstance(title["id"], str) and title["placement"] == "Full"
    everything = client.get(f"{PRES}/users/me", params={"level": "all"}).json()
    assert_same_shape(everything, recorded_2025("presence_activity.json"))
    assert everything["devices"][0]["titles"][0]["activity"] == {
        "richPresence": f"Playing {title['name']}"}
    # ...the 2018 era's with "lastModified", as the older samples.
    then = Sandbox(seed=0, rate_limits=False, era="2018")
    old = httpx.Client(base_url=then.base_url, transport=then.transport(),
                       headers={"Authorization": then.authorization_for(),
                                "x-xbl-contract-version": "3"})
    old_title = old.get(f"{PRES}/users/me", params={"level": "all"}).json()["devices"][0]
    assert list(old_title["titles"][0]) == ["id", "name", "placement", "state", "lastModified",
                                            "activity"]
    device = client.get(f"{PRES}/users/me", params={"level": "device"}).json()
    assert device["devices"][0]["titles"] == []
    # An unknown level (xbox-webapi 2.1 sends "PresenceLevel.ALL") reads as the default, title.
    assert (client.get(f"{PRES}/users/me", params={"level": "PresenceLevel.ALL"}).json()
            == client.get(f"{PRES}/users/me", params={"level": "title"}).json())


def test_presence_batch(sb: Sandbox, client: httpx.Client) -> None:
    offline = [a.xuid for a in sb.world.accounts
               if a.presence_state == "Offline" and a.last_seen_title is not None][:3]
    r = client.post(f"{PRES}/users/batch",
                    json={"users": [*offline, "2533274800000001"], "onlineOnly": False,
                          "level": "user"})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-cache, no-store"
    body = r.json()
    assert isinstance(body, list)
    assert [p["xuid"] for p in body] == offline  # the unknown xuid is skipped
    assert_same_shape(body, recorded("presence_batch.json"))
    online = client.post(f"{PRES}/users/batch",
                         json={"users": [*offline, JOE_XUID], "onlineOnly": True}).json()
    assert [p["xuid"] for p in online] == [JOE_XUID]
    too_many = client.post(f"{PRES}/users/batch", json={"users": [JOE_XUID] * 1101})
    assert too_many.status_code == 400
    assert client.post(f"{PRES}/users/batch", json={"nope": 1}).status_code == 400


def test_presence_errors(client: httpx.Client) -> None:
    assert client.get(f"{PRES}/users/xuid(2533274800000001)").status_code == 404
    assert client.get(f"{PRES}/users/xuid(0)").status_code == 400


def test_presence_rate_limit_burst() -> None:
    sb = Sandbox(seed=0, clock=lambda: 1_700_000_000.0)
    with make_client(sb) as c:
        statuses = [c.get(f"{PRES}/users/me").status_code for _ in range(10)]
        assert statuses == [200] * 10
        r = c.get(f"{PRES}/users/me")
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"version": 1, "currentRequests": 11, "maxRequests": 10,
                        "periodInSeconds": 15, "type": "burst"}


# -- people ------------------------------------------------------------------------------------

def test_peoplehub_friends_with_decorations(sb: Sandbox, client: httpx.Client) -> None:
    r = client.get(f"{HUB}/users/me/people/social/decoration/"
                   "preferredcolor,detail,multiplayersummary,presencedetail")
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["people", "recommendationSummary", "friendFinderState",
                          "accountLinkDetails"]
    joe = sb.world.joe
    assert [p["xuid"] for p in body["people"]] == joe.friends
    person = body["people"][0]
    for key in ("preferredColor", "detail", "multiplayerSummary", "presenceDetails"):
        assert key in person
    assert person["isFollowedByCaller"] is True
    assert isinstance(person["gamerScore"], str)
    assert isinstance(person["detail"]["tenure"], str)
    assert set(person["preferredColor"]) == {"primaryColor", "secondaryColor", "tertiaryColor"}
    plain = client.get(f"{HUB}/users/me/people/social/decoration/detail").json()["people"][0]
    assert plain["detail"] is not None
    # Every key is always there (as recorded); an unasked block is null, not missing.
    for key in ("preferredColor", "multiplayerSummary", "presenceDetails"):
        assert plain[key] is None
    assert client.get(f"{HUB}/users/me/people/social/decoration/bogus").status_code == 400


def test_peoplehub_by_xuid_and_batch(sb: Sandbox, client: httpx.Client) -> None:
    friend = sb.world.by_xuid[sb.world.joe.friends[0]]
    body = client.get(f"{HUB}/users/xuid({friend.xuid})/people/social/decoration/detail").json()
    assert [p["xuid"] for p in body["people"]] == friend.friends
    batch = client.post(f"{HUB}/users/me/people/batch/decoration/preferredcolor",
                        json={"xuids": [friend.xuid, "2533274800000001"]}).json()
    assert [p["xuid"] for p in batch["people"]] == [friend.xuid]
    assert "preferredColor" in batch["people"][0]
    assert client.get(f"{HUB}/users/xuid(2533274800000001)/people/social/decoration/detail"
                      ).status_code == 404
    assert client.get(f"{HUB}/users/xuid(x1)/people/social/decoration/detail").status_code == 400


def test_social_people_and_summary(sb: Sandbox, client: httpx.Client) -> None:
    joe = sb.world.joe
    body = client.get(f"{SOCIAL}/users/me/people").json()
    assert body["totalCount"] == len(joe.friends) == len(body["people"])
    assert list(body["people"][0]) == ["xuid", "addedDateTimeUtc", "isFavorite", "isKnown",
                                       "socialNetworks", "isFollowedByCaller",
                                       "isFollowingCaller", "isUnfollowingFeed"]
    friend = sb.world.by_xuid[joe.friends[0]]
    theirs = client.get(f"{SOCIAL}/users/xuid({friend.xuid})/people").json()
    assert theirs["totalCount"] == len(friend.friends)
    mine = client.get(f"{SOCIAL}/users/me/summary", headers=V1).json()  # today's, any version
    assert list(mine) == ["isFriend", "targetFollowingCount", "targetFollowerCount",
                          "isCallerFollowingTarget", "isTargetFollowingCaller",
                          "hasCallerMarkedTargetAsFavorite",
                          "hasCallerMarkedTargetAsIdentityShared", "legacyFriendStatus",
                          "availablePeopleSlots", "recentChangeCount", "watermark"]
    assert mine["targetFollowingCount"] == 25
    assert isinstance(mine["watermark"], str)
    other = client.get(f"{SOCIAL}/users/gt({friend.gamertag.upper()})/summary",
                       headers=V1).json()
    assert len(other) == 8 and other["isCallerFollowingTarget"] is True
    by_xuid = client.get(f"{SOCIAL}/users/xuid({friend.xuid})/summary", headers=V1).json()
    assert by_xuid == other
    # Contract 2 (what the peers send) answers the same; the 2018 era's has no isFriend.
    modern = client.get(f"{SOCIAL}/users/xuid({friend.xuid})/summary", headers=V2).json()
    assert modern == other
    then = Sandbox(seed=0, rate_limits=False, era="2018")
    old = httpx.Client(base_url=then.base_url, transport=then.transport(),
                       headers={"Authorization": then.authorization_for(), **V2})
    assert list(old.get(f"{SOCIAL}/users/xuid({friend.xuid})/summary").json()) == \
        [key for key in other if key != "isFriend"]
    assert client.get(f"{SOCIAL}/users/gt(NoSuchGamer)/summary").status_code == 404


# -- titlehub ----------------------------------------------------------------------------------

def test_titlehub_history_is_gzip_with_string_title_ids(client: httpx.Client) -> None:
    r = client.get(f"{TITLEHUB}/users/xuid({JOE_XUID})/titles/titlehistory/decoration/"
                   "achievement,image,scid", params={"maxItems": 5},
                   headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert "last-modified" in r.headers
    raw = r.json()
    assert list(raw) == ["xuid", "titles"]
    assert len(raw["titles"]) == 5
    title = raw["titles"][0]
    assert isinstance(title["titleId"], str)
    assert title["serviceConfigId"] is not None
    assert set(title["achievement"]) == {"currentAchievements", "totalAchievements",
                                         "currentGamerscore", "totalGamerscore",
                                         "progressPercentage", "sourceVersion"}
    assert isinstance(title["achievement"]["progressPercentage"], float)
    played = [t["titleHistory"]["lastTimePlayed"] for t in raw["titles"]]
    assert played == sorted(played, reverse=True)
    bare = client.get(f"{TITLEHUB}/users/xuid({JOE_XUID})/titles/titlehistory/decoration/image",
                      headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in bare.headers
    first = bare.json()["titles"][0]
    # Without the scid decoration the key is absent, as in the history recording.
    assert first["achievement"] is None and "serviceConfigId" not in first
    assert len(bare.json()["titles"]) == 10


def test_titlehub_bytes_are_really_gzip(sb: Sandbox) -> None:
    request = httpx.Request(
        "GET", f"{sb.base_url}{TITLEHUB}/users/xuid({JOE_XUID})/titles/titlehistory"
        "/decoration/achievement?maxItems=1",
        headers={"Authorization": sb.authorization_for(), "Accept-Encoding": "gzip, deflate"})
    response = sb.handle(request)
    # .content is already decoded by httpx; the stream holds the bytes as sent on the wire.
    body = json.loads(gzip.decompress(b"".join(response.stream)))  # type: ignore[arg-type]
    assert body["xuid"] == JOE_XUID and len(body["titles"]) == 1


def test_titlehub_title_info(client: httpx.Client) -> None:
    body = client.get(f"{TITLEHUB}/users/xuid({JOE_XUID})/titles/titleid({HALO5})"
                      "/decoration/achievement").json()
    assert [t["titleId"] for t in body["titles"]] == [str(HALO5)]
    history = client.get(f"{ACH}/users/xuid({JOE_XUID})/history/titles").json()["titles"]
    halo = next(t for t in history if t["titleId"] == HALO5)
    assert body["titles"][0]["achievement"]["currentGamerscore"] == halo["currentGamerscore"]
    assert client.get(f"{TITLEHUB}/users/xuid({JOE_XUID})/titles/titleid(1)/decoration/scid"
                      ).json()["titles"] == []


# -- usersearch --------------------------------------------------------------------------------

def test_usersearch(sb: Sandbox, client: httpx.Client) -> None:
    r = client.get(f"{SEARCH}/suggest", params={"q": "joe"})
    assert r.status_code == 200
    body = r.json()
    assert_same_shape(body, recorded("usersearch_live_search.json"))
    assert body["results"][0]["text"] == "JoeAlcorn"
    assert body["results"][0]["result"]["id"] == JOE_XUID
    # A common fragment: at most 8, prefix matches before substring matches.
    fragment = sb.world.accounts[-1].gamertag[:2].lower()
    results = client.get(f"{SEARCH}/suggest", params={"q": fragment}).json()["results"]
    assert 1 <= len(results) <= 8
    prefixed = [x["text"].lower().startswith(fragment) for x in results]
    assert prefixed == sorted(prefixed, reverse=True)
    assert all(fragment in x["text"].lower() for x in results)
    assert client.get(f"{SEARCH}/suggest", params={"q": ""}).status_code == 400
    assert client.get(f"{SEARCH}/suggest").status_code == 400


# -- cross-cutting -----------------------------------------------------------------------------

ENDPOINTS = [
    ("GET", f"{ACH}/users/xuid({JOE_XUID})/achievements?titleId={HALO5}", V2, None),
    ("GET", f"{ACH}/users/xuid({JOE_XUID})/titleachievements?titleId={HEXIC}", V1, None),
    ("GET", f"{ACH}/users/xuid({JOE_XUID})/history/titles", V1, None),
    ("GET", f"{ACH}/users/xuid({JOE_XUID})/history/titles", V2, None),
    ("GET", f"{PRES}/users/me?level=all", {}, None),
    ("POST", f"{PRES}/users/batch", {}, {"users": [JOE_XUID], "level": "all"}),
    ("GET", f"{HUB}/users/me/people/social/decoration/detail,preferredcolor", {}, None),
    ("GET", f"{SOCIAL}/users/me/summary", {}, None),
    ("GET", f"{TITLEHUB}/users/xuid({JOE_XUID})/titles/titlehistory/decoration/achievement",
     {}, None),
    ("GET", f"{SEARCH}/suggest?q=a", {}, None),
]


@pytest.mark.parametrize(("method", "url", "headers", "body"), ENDPOINTS)
def test_unauthorized(method: str, url: str, headers: dict[str, str], body: Any) -> None:
    sb = Sandbox(seed=0, rate_limits=False)
    with httpx.Client(base_url=sb.base_url, transport=sb.transport()) as anon:
        r = anon.request(method, url, headers=headers, json=body)
    assert r.status_code == 401


@pytest.mark.parametrize(("method", "url", "headers", "body"), ENDPOINTS)
def test_deterministic(method: str, url: str, headers: dict[str, str], body: Any) -> None:
    bodies = []
    for _ in range(2):
        sb = Sandbox(seed=0, rate_limits=False)
        with make_client(sb) as c:
            r = c.request(method, url, headers=headers, json=body)
        assert r.status_code == 200
        bodies.append(r.content)
    assert bodies[0] == bodies[1]
    other = Sandbox(seed=1, rate_limits=False)
    with make_client(other) as c:
        assert c.request(method, url, headers=headers, json=body).status_code in (200, 404)


def test_social_people_batch_answers_for_followed_xuids(sb: Sandbox, client: httpx.Client) -> None:
    api = client
    joe = sb.world.joe
    stranger = next(a.xuid for a in sb.world.accounts if a.xuid not in joe.friends and a is not joe)
    r = api.post("/social.xboxlive.com/users/me/people/xuids",
                 json={"xuids": [joe.friends[0], stranger]}, headers={"x-xbl-contract-version": "1"})
    assert r.status_code == 200
    body = r.json()
    assert body["totalCount"] == 1 and [p["xuid"] for p in body["people"]] == [joe.friends[0]]
    assert set(body["people"][0]) == {"xuid", "addedDateTimeUtc", "isFavorite", "isKnown",
                                      "socialNetworks", "isFollowedByCaller", "isFollowingCaller",
                                      "isUnfollowingFeed"}
    assert api.post("/social.xboxlive.com/users/me/people/xuids", json={"x": 1}).status_code == 400

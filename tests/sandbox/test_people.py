"""peoplehub and social against the people recordings: every decoration, contract 7, the
recommendations, and follows that change what later reads show."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fidelity import assert_same_shape, recorded, recorded_2025
from xbox.sandbox import JOE_XUID, Sandbox
from xbox.sandbox.services.people import DECORATIONS

HUB = "/peoplehub.xboxlive.com"
SOCIAL = "/social.xboxlive.com"
FOUR = "preferredcolor,detail,multiplayersummary,presencedetail"
V3 = {"x-xbl-contract-version": "3", "Accept-Language": "en-US"}
V7 = {"x-xbl-contract-version": "7", "Accept-Language": "en-US"}
# Values the recordings happen to hold as null where the sandbox has a value (a player
# last seen long ago, a friend added on a date), or the other way round.
# The recorded friends were all offline, so their titlePresence names no title; isCloaked
# is false for the caller and null for anyone else (people_batch.json holds both).
NULLABLE = frozenset({"lastSeenDateTimeUtc", "addedDateTimeUtc", "PresenceText", "TitleName",
                      "TitleId", "isCloaked"})
# The block each decoration fills, and the 8 blocks the caller's own list fills unasked.
BLOCKS = {"suggestion": "suggestion", "recentplayer": "recentPlayer", "follower": "follower",
          "preferredcolor": "preferredColor", "detail": "detail",
          "multiplayersummary": "multiplayerSummary", "presencedetail": "presenceDetails",
          "titlepresence": "titlePresence", "titlesummary": "titleSummaries",
          "presencetitleids": "presenceTitleIds",
          "communitymanagertitles": "communityManagerTitles",
          "socialmanager": "socialManager", "broadcast": "broadcast",
          "tournamentsummary": "tournamentSummary", "avatar": "avatar"}
OWN = {"suggestion", "recentPlayer", "follower", "titlePresence", "presenceTitleIds",
       "socialManager", "broadcast", "avatar"}
# python-xbox's contract-7 bodies (tests/data/responses/people_profile_by_xuid.json and
# people_friends_own.json, 2025): the friend keys after presenceDevices, ten more in detail.
V7_PERSON_EXTRA = ["isFriend", "isFriendRequestReceived", "isFriendRequestSent"]
V7_DETAIL_EXTRA = ["isFriend", "canBeFriended", "canBeFollowed", "friendCount",
                   "isFriendRequestReceived", "isFriendRequestSent", "isFriendListShared",
                   "isFollowingCaller", "isFollowedByCaller", "isFavorite"]


def test_the_fifteen_decorations_are_the_peers_list() -> None:
    assert len(DECORATIONS) == 15 and set(BLOCKS) == DECORATIONS


def test_own_friends_match_recording(sb: Sandbox, api: httpx.Client) -> None:
    r = api.get(f"{HUB}/users/me/people/social/decoration/{FOUR}", headers=V3)
    assert r.status_code == 200
    body = r.json()
    assert_same_shape(body, recorded("people_friends_own.json"), nullable=NULLABLE)
    assert list(body["people"][0]) == list(recorded("people_friends_own.json")["people"][0])
    assert [p["xuid"] for p in body["people"]] == sb.world.joe.friends
    for p in body["people"]:
        assert all(p[block] is not None for block in OWN)  # unasked, as recorded
        assert p["titleSummaries"] is None and p["isFollowedByCaller"] is True


def test_someone_elses_friends_and_a_batch_match_recordings(sb: Sandbox,
                                                           api: httpx.Client) -> None:
    friend = sb.world.by_xuid[sb.world.joe.friends[0]]
    theirs = api.get(f"{HUB}/users/xuid({friend.xuid})/people/social/decoration/{FOUR}",
                     headers=V3).json()
    assert_same_shape(theirs, recorded("people_friends_by_xuid.json"), nullable=NULLABLE)
    assert [p["xuid"] for p in theirs["people"]] == friend.friends
    assert all(p[block] is None for p in theirs["people"] for block in OWN)
    batch = api.post(f"{HUB}/users/me/people/batch/decoration/{FOUR}", headers=V3,
                     json={"xuids": [friend.xuid, "2533274800000001", JOE_XUID]}).json()
    assert_same_shape(batch, recorded("people_batch.json"), nullable=NULLABLE)
    assert [p["xuid"] for p in batch["people"]] == [friend.xuid, JOE_XUID]
    assert [p["isCloaked"] for p in batch["people"]] == [None, False]  # only one's own
    assert all(p["displayName"] is None and p["detail"]["bio"] is None
               for p in batch["people"])


def test_every_decoration_fills_its_own_block(api: httpx.Client) -> None:
    friend = api.get(f"{HUB}/users/me/people/social", headers=V3).json()["people"][0]["xuid"]
    for decoration, block in BLOCKS.items():
        r = api.post(f"{HUB}/users/me/people/batch/decoration/{decoration}", headers=V3,
                     json={"xuids": [friend]})
        assert r.status_code == 200, decoration
        person = r.json()["people"][0]
        filled = {b for b in BLOCKS.values() if person[b] is not None}
        # tournamentSummary stays null: no recording shows a filled one.
        assert filled == ({block} if decoration != "tournamentsummary" else set()), decoration
    mixed = api.post(f"{HUB}/users/me/people/batch/decoration/preferredColor,Detail",
                     headers=V3, json={"xuids": [friend]}).json()["people"][0]
    assert mixed["preferredColor"] is not None and mixed["detail"] is not None
    bare = api.post(f"{HUB}/users/me/people/batch", headers=V3, json={"xuids": [friend]})
    assert all(bare.json()["people"][0][b] is None for b in BLOCKS.values())
    refused = api.post(f"{HUB}/users/me/people/batch/decoration/detail,bogus", headers=V3,
                       json={"xuids": [friend]})
    assert refused.status_code == 400 and refused.content == b""


def test_recommendations_match_recording(sb: Sandbox, api: httpx.Client) -> None:
    r = api.get(f"{HUB}/users/me/people/recommendations", headers=V3)
    assert r.status_code == 200
    body = r.json()
    assert_same_shape(body, recorded("people_recommendations.json"), nullable=NULLABLE)
    joe = sb.world.joe
    people = body["people"]
    assert people and all(p["xuid"] not in joe.friends and p["xuid"] != JOE_XUID
                          for p in people)
    kinds = [p["recommendation"]["Type"] for p in people]
    assert kinds == sorted(kinds, key=lambda k: k != "FriendOfFriend")
    assert body["recommendationSummary"]["friendOfFriend"] == kinds.count("FriendOfFriend")
    assert body["recommendationSummary"]["follower"] == kinds.count("Follower")
    assert all(p["displayName"] is None and p["detail"] is None for p in people)
    # python-xbox asks with decoration/detail, and the 2025 recording of that answer has
    # every block null all the same: the decorations are checked, and fill nothing.
    decorated = api.get(f"{HUB}/users/me/people/recommendations/decoration/detail",
                        headers=V7).json()
    assert all(p[b] is None for p in decorated["people"] for b in BLOCKS.values())
    assert_same_shape(decorated, recorded_2025("people_recommendations.json"),
                      nullable=NULLABLE)
    assert "communitySuggestion" in decorated["recommendationSummary"]
    bogus = api.get(f"{HUB}/users/me/people/recommendations/decoration/bogus", headers=V7)
    assert bogus.status_code == 400


def test_contract_7_adds_the_friend_system(sb: Sandbox, api: httpx.Client) -> None:
    joe = sb.world.joe
    v3 = api.get(f"{HUB}/users/me/people/social/decoration/{FOUR}", headers=V3).json()
    r = api.get(f"{HUB}/users/me/people/friends/decoration/{FOUR}", headers=V7)
    assert r.status_code == 200
    people = r.json()["people"]
    mutual = [x for x in joe.friends if JOE_XUID in sb.world.by_xuid[x].friends]
    assert [p["xuid"] for p in people] == mutual and mutual
    old_keys = list(v3["people"][0])
    at = old_keys.index("presenceDevices") + 1
    assert list(people[0]) == old_keys[:at] + V7_PERSON_EXTRA + old_keys[at:]
    assert all(p["isFriend"] is True for p in people)
    old_detail = list(v3["people"][0]["detail"])
    assert list(people[0]["detail"]) == old_detail + V7_DETAIL_EXTRA
    summaries = [p["multiplayerSummary"] for p in people]
    plain = [m for m in summaries if "partyDetails" not in m]
    partied = [m for m in summaries if "partyDetails" in m]
    assert plain and all(m == {"inMultiplayerSession": 0, "inParty": 0} for m in plain)
    # Some friends are in a party chat: the recorded blocks (people_friends_own.json, 2025).
    recorded_party = recorded_2025("people_friends_own.json")["people"][0]["multiplayerSummary"]
    assert partied and all(list(m) == list(recorded_party) for m in partied)
    for m in partied:
        assert_same_shape(m, recorded_party)
        assert m["partyDetails"][0]["sessionRef"]["scid"] == \
            recorded_party["partyDetails"][0]["sessionRef"]["scid"]
    one = api.get(f"{HUB}/users/me/people/xuids({mutual[0]})/decoration/detail",
                  headers=V7).json()["people"]
    assert [p["xuid"] for p in one] == [mutual[0]] and one[0]["suggestion"] is None
    followers = api.get(f"{HUB}/users/me/people/followers", headers=V7).json()["people"]
    assert {p["xuid"] for p in followers} == {
        a.xuid for a in sb.world.accounts if JOE_XUID in a.friends}
    assert all(p["isFollowingCaller"] for p in followers)


def test_follow_and_unfollow_change_the_world(sb: Sandbox, api: httpx.Client) -> None:
    joe = sb.world.joe
    # A follower of Joe whom Joe does not follow: following them makes them a friend.
    fan = next(a for a in sb.world.accounts if JOE_XUID in a.friends and a.xuid not in joe.friends)
    before = api.get(f"{SOCIAL}/users/me/summary").json()
    url = f"{SOCIAL}/users/me/people/xuid({fan.xuid})"
    r = api.put(url, headers={"x-xbl-contract-version": "2"})
    assert r.status_code == 204 and r.content == b""
    assert api.put(url).status_code == 204  # again: nothing more changes
    assert joe.friends.count(fan.xuid) == 1
    after = api.get(f"{SOCIAL}/users/me/summary").json()
    assert after["targetFollowingCount"] == before["targetFollowingCount"] + 1
    assert after["availablePeopleSlots"] == before["availablePeopleSlots"] - 1
    listed = [p["xuid"] for p in api.get(f"{HUB}/users/me/people/social").json()["people"]]
    assert fan.xuid in listed
    friends = api.get(f"{HUB}/users/me/people/friends", headers=V7).json()["people"]
    assert fan.xuid in [p["xuid"] for p in friends]
    assert api.get(f"{SOCIAL}/users/xuid({fan.xuid})/summary").json()["isFriend"] is True
    assert api.delete(url).status_code == 204
    assert api.delete(url).status_code == 204
    assert fan.xuid not in joe.friends
    own = api.put(f"{SOCIAL}/users/xuid({JOE_XUID})/people/xuid({fan.xuid})")
    assert own.status_code == 204 and fan.xuid in joe.friends  # the path may name oneself


def test_follow_refusals(sb: Sandbox, api: httpx.Client) -> None:
    assert api.put(f"{SOCIAL}/users/me/people/xuid(abc)").status_code == 400
    assert api.put(f"{SOCIAL}/users/me/people/xuid({JOE_XUID})").status_code == 400
    assert api.put(f"{SOCIAL}/users/me/people/xuid(2533274800000001)").status_code == 404
    other = sb.world.joe.friends[0]
    assert api.put(f"{SOCIAL}/users/xuid({other})/people/xuid({JOE_XUID})").status_code == 403
    from xbox.sandbox.services import people

    stranger = next(a for a in sb.world.accounts
                    if a.xuid not in sb.world.joe.friends and a.xuid != JOE_XUID and a.xerr is None)
    sb.world.joe.friends.extend(str(10**15 + n) for n in range(people.MAX_PEOPLE))
    full = api.put(f"{SOCIAL}/users/me/people/xuid({stranger.xuid})")
    assert full.status_code == 400 and full.json()["code"] == 1028


def test_summaries_match_recordings_of_their_era(sb: Sandbox, api: httpx.Client) -> None:
    """Today's summaries lead with isFriend (the 2025 recordings), whatever the version;
    the 2018 era's are the 2018 recordings, without it."""
    friend = sb.world.by_xuid[sb.world.joe.friends[0]]
    then = Sandbox(seed=0, rate_limits=False, era="2018")
    old = httpx.Client(base_url=then.base_url, transport=then.transport(),
                       headers={"Authorization": then.authorization_for()})
    for version in ("1", "2", "5"):
        v = {"x-xbl-contract-version": version}
        for who, name in (("me", "people_summary_own.json"),
                          (f"xuid({friend.xuid})", "people_summary_by_xuid.json"),
                          (f"gt({friend.gamertag})", "people_summary_by_gamertag.json")):
            today = api.get(f"{SOCIAL}/users/{who}/summary", headers=v).json()
            assert_same_shape(today, recorded_2025(name))
            assert next(iter(today)) == "isFriend"
            assert_same_shape(old.get(f"{SOCIAL}/users/{who}/summary", headers=v).json(),
                              recorded(name))
    mutual = api.get(f"{SOCIAL}/users/xuid({friend.xuid})/summary").json()
    assert mutual["isFriend"] is (JOE_XUID in friend.friends)
    assert api.get(f"{SOCIAL}/users/me/summary").json()["isFriend"] is False


@pytest.mark.parametrize(("method", "url", "body"), [
    ("GET", f"{HUB}/users/me/people/social", None),
    ("GET", f"{HUB}/users/me/people/recommendations", None),
    ("POST", f"{HUB}/users/me/people/batch", {"xuids": [JOE_XUID]}),
    ("GET", f"{SOCIAL}/users/me/summary", None),
    ("PUT", f"{SOCIAL}/users/me/people/xuid(2533274800000001)", None),
])
def test_unserved_contracts_are_406(api: httpx.Client, method: str, url: str,
                                    body: Any) -> None:
    r = api.request(method, url, json=body, headers={"x-xbl-contract-version": "4"})
    assert r.status_code == 406 and r.content == b""


def test_bad_xuids_get_the_services_own_empty_400(api: httpx.Client) -> None:
    for url in (f"{HUB}/users/xuid(x1)/people/social", f"{SOCIAL}/users/xuid(0)/summary",
                "/userpresence.xboxlive.com/users/xuid(0)",
                "/titlehub.xboxlive.com/users/xuid(abc)/titles/titlehistory",
                "/achievements.xboxlive.com/users/xuid(abc)/history/titles"):
        r = api.get(url)
        assert r.status_code == 400 and r.content == b"", url

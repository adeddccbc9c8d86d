"""userstats.xboxlive.com against its four recordings."""

from __future__ import annotations

import httpx

from tests.fidelity import assert_same_shape, recorded
from xbox.sandbox import JOE_XUID, Sandbox

STATS = "/userstats.xboxlive.com"
SEA_OF_THIEVES = 1717113201

API_HEADERS = {"x-xbl-contract-version": "2"}  # the api fixture's (conftest.py)


def _scid(sb: Sandbox, title_id: int) -> str:
    return next(t.scid for t in sb.world.titles if t.title_id == title_id)


def test_by_scid_matches_recordings(sb: Sandbox, api: httpx.Client) -> None:
    scid = _scid(sb, SEA_OF_THIEVES)
    url = f"{STATS}/users/xuid({JOE_XUID})/scids/{scid}/stats/MinutesPlayed"
    r = api.get(url)
    assert r.status_code == 200
    body = r.json()
    assert_same_shape(body, recorded("userstats_by_scid.json"))
    stat = body["statlistscollection"][0]["stats"][0]
    assert (stat["xuid"], stat["scid"], stat["name"], stat["type"]) == (
        JOE_XUID, scid, "MinutesPlayed", "Integer")
    assert stat["value"].isdigit()
    meta = api.get(url, params={"include": "valuemetadata"},
                   headers={"x-xbl-contract-version": "3"})
    assert_same_shape(meta.json(), recorded("userstats_by_scid_with_metadata.json"))
    assert meta.json() == body  # as recorded: MinutesPlayed has no metadata
    two = api.get(f"{STATS}/users/xuid({JOE_XUID})/scids/{scid}/stats/"
                  "VoyagesCompleted,NoSuchStat,MinutesPlayed").json()
    assert [s["name"] for s in two["statlistscollection"][0]["stats"]] == [
        "VoyagesCompleted", "MinutesPlayed"]
    again = api.get(url).json()
    assert again == body  # the same every time


def test_batch_by_title_matches_recording(sb: Sandbox, api: httpx.Client) -> None:
    players = [JOE_XUID, *sb.world.joe.friends[:3]]
    r = api.post(f"{STATS}/batch", json={
        "arrangebyfield": "xuid",
        "groups": [{"name": "Hero", "titleId": str(SEA_OF_THIEVES)}],
        "stats": [{"name": "MinutesPlayed", "titleId": str(SEA_OF_THIEVES)}],
        "xuids": players})
    assert r.status_code == 200
    body = r.json()
    assert_same_shape(body, recorded("userstats_batch.json"))
    hero = body["groups"][0]
    assert hero["titleid"] == str(SEA_OF_THIEVES)
    assert [c["arrangebyfieldid"] for c in hero["statlistscollection"]] == players
    joe = hero["statlistscollection"][0]["stats"]
    assert [s["name"] for s in joe] == [
        "ChestsCashedIn", "DistanceSailed", "VoyagesCompleted", "BountiesHandedIn",
        "CargoDelivered", "IslandsVisited"]
    assert [s["groupproperties"]["Ordinal"] for s in joe] == ["1", "2", "3", "4", "5", "6"]
    assert all(c["stats"] == [] for c in body["statlistscollection"])  # by titleId: none


def test_batch_by_scid_matches_recording(sb: Sandbox, api: httpx.Client) -> None:
    scid = _scid(sb, SEA_OF_THIEVES)
    r = api.post(f"{STATS}/batch", json={
        "arrangebyfield": "xuid", "groups": [{"name": "Hero", "scid": scid}],
        "stats": [{"name": "MinutesPlayed", "scid": scid}], "xuids": [JOE_XUID]})
    body = r.json()
    assert_same_shape(body, recorded("userstats_batch_by_scid.json"))
    assert body["groups"] == [{"name": "Hero", "statlistscollection": []}]
    stat = body["statlistscollection"][0]["stats"][0]
    assert stat["groupproperties"] == {} and stat["name"] == "MinutesPlayed"
    single = api.get(f"{STATS}/users/xuid({JOE_XUID})/scids/{scid}/stats/MinutesPlayed").json()
    assert stat["value"] == single["statlistscollection"][0]["stats"][0]["value"]


def test_unplayed_titles_and_refusals(sb: Sandbox, api: httpx.Client) -> None:
    never = next(a for a in sb.world.accounts
                 if a.titles and SEA_OF_THIEVES not in {t.title_id for t in a.titles})
    scid = _scid(sb, SEA_OF_THIEVES)
    body = api.get(f"{STATS}/users/xuid({never.xuid})/scids/{scid}/stats/MinutesPlayed").json()
    assert body["statlistscollection"][0]["stats"] == []
    assert api.get(f"{STATS}/users/xuid(abc)/scids/{scid}/stats/MinutesPlayed").status_code == 400
    assert api.get(f"{STATS}/users/xuid(2533274800000001)/scids/{scid}/stats/MinutesPlayed"
                   ).status_code == 404
    assert api.post(f"{STATS}/batch", json={"xuids": []}).status_code == 400
    assert api.post(f"{STATS}/batch", json={"xuids": [JOE_XUID] * 101}).status_code == 400
    assert api.post(f"{STATS}/batch", json={"xuids": [JOE_XUID],
                                            "arrangebyfield": "gamertag"}).status_code == 400
    assert api.get(f"{STATS}/users/xuid({JOE_XUID})/scids/{scid}/stats/MinutesPlayed",
                   headers={"x-xbl-contract-version": "4"}).status_code == 406

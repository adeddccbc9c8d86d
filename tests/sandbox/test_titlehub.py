"""titlehub against its three recordings, with every decoration, look-ups by pfn and batches."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fidelity import assert_same_shape, recorded
from xbox.sandbox import JOE_XUID, Sandbox
from xbox.sandbox.world_services import services_world

TITLEHUB = "/titlehub.xboxlive.com"
V2 = {"x-xbl-contract-version": "2", "Accept-Language": "en-US"}
SEA_OF_THIEVES, FIFA = 1717113201, 1813362885
# The XboxApp's own history decorations (the 2020 recording has all these blocks filled and
# no serviceConfigId key); the peers' look-up and batch defaults.
HISTORY = "achievement,stats,gamepass,image,detail,friendswhoplayed,alternatetitleid"
INFO = "achievement,alternateTitleId,detail,image,scid"
BATCH = "achievement,detail,image,scid"
# Values null in some recorded titles and set in others, or the other way round.
NULLABLE = frozenset({"applicablePlatforms", "maximum", "minimum", "releaseDate", "bingId"})

API_HEADERS = V2  # the api fixture's (conftest.py)


def _against_recorded(titles: list[dict[str, Any]], recording: list[dict[str, Any]]) -> None:
    """Each title against the recorded title with the same optional keys (``xboxLiveTier``
    and ``isStreamable`` are only on some titles), keys in the recorded order."""
    for title in titles:
        twin = next((r for r in recording if set(r) == set(title)), None)
        assert twin is not None, f"no recorded title has the keys {sorted(title)}"
        assert_same_shape(title, twin, nullable=NULLABLE)
        assert list(title) == list(twin)


def test_history_matches_recording(api: httpx.Client) -> None:
    r = api.get(f"{TITLEHUB}/users/xuid({JOE_XUID})/titles/titlehistory/decoration/{HISTORY}",
                params={"maxItems": 10}, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    body = r.json()
    assert list(body) == ["xuid", "titles"] and body["xuid"] == JOE_XUID
    recording = recorded("titlehub_titlehistory.json")["titles"]
    # No recorded history title is streamable: the flag is checked on its own, and the rest
    # of each title against the recording.
    streamable = [t.pop("isStreamable") for t in body["titles"] if "isStreamable" in t]
    assert streamable and all(flag is True for flag in streamable)
    _against_recorded(body["titles"], recording)
    for title in body["titles"]:
        assert "serviceConfigId" not in title and "genres" not in title["detail"]
        assert title["achievement"]["totalAchievements"] == 0  # as recorded
        assert title["alternateTitleIds"] == [] and title["contentBoards"] is None
        assert isinstance(title["gamePass"]["isGamePass"], bool)
    with_people = next(t for t in body["titles"] if t["friendsWhoPlayed"]["people"])
    people = with_people["friendsWhoPlayed"]
    assert people["havePlayedCount"] >= len(people["people"])


def test_title_info_and_pfn_match_recording(sb: Sandbox, api: httpx.Client) -> None:
    r = api.get(f"{TITLEHUB}/users/xuid({JOE_XUID})/titles/titleid({SEA_OF_THIEVES})"
                f"/decoration/{INFO}")
    assert r.status_code == 200
    body = r.json()
    _against_recorded(body["titles"], recorded("titlehub_titleinfo.json")["titles"])
    title = body["titles"][0]
    assert title["serviceConfigId"] and title["titleHistory"] is None
    assert title["isStreamable"] is True and "genres" in title["detail"]
    assert title["stats"] is None and title["gamePass"] is None
    pfn = services_world(sb).facts[SEA_OF_THIEVES].pfn
    by_pfn = api.get(f"{TITLEHUB}/users/xuid({JOE_XUID})/titles/pfn({pfn})/decoration/{INFO}")
    assert by_pfn.json()["titles"] == body["titles"]
    unknown = api.get(f"{TITLEHUB}/users/xuid({JOE_XUID})/titles/pfn(No.Such_app)")
    assert unknown.status_code == 200 and unknown.json()["titles"] == []


def test_batch_matches_recording(sb: Sandbox, api: httpx.Client) -> None:
    facts = services_world(sb).facts
    r = api.post(f"{TITLEHUB}/titles/batch/decoration/{BATCH}",
                 json={"pfns": [facts[FIFA].pfn, "No.Such_app", facts[SEA_OF_THIEVES].pfn],
                       "windowsPhoneProductIds": [facts[FIFA].windows_phone_product_id]})
    assert r.status_code == 200
    body = r.json()
    assert body["xuid"] is None
    assert [t["titleId"] for t in body["titles"]] == [str(FIFA), str(SEA_OF_THIEVES)]
    _against_recorded(body["titles"], recorded("titlehub_batch.json")["titles"])
    assert all(t["achievement"]["sourceVersion"] == 0 for t in body["titles"])
    too_many = api.post(f"{TITLEHUB}/titles/batch", json={"pfns": ["x"] * 101})
    assert too_many.status_code == 400


def test_each_decoration_fills_its_block(api: httpx.Client) -> None:
    blocks = {"achievement": "achievement", "image": "images", "detail": "detail",
              "stats": "stats", "gamepass": "gamePass", "friendswhoplayed": "friendsWhoPlayed"}
    url = f"{TITLEHUB}/users/xuid({JOE_XUID})/titles/titleid({SEA_OF_THIEVES})"
    for decoration, block in blocks.items():
        title = api.get(f"{url}/decoration/{decoration}").json()["titles"][0]
        filled = {b for b in blocks.values() if title[b] is not None}
        assert filled == {block}, decoration
    assert "serviceConfigId" in api.get(f"{url}/decoration/SCID").json()["titles"][0]
    for harmless in ("productid", "contentboard", "alternatetitleid"):
        assert api.get(f"{url}/decoration/{harmless}").status_code == 200
    refused = api.get(f"{url}/decoration/achievement,bogus")
    assert refused.status_code == 400 and refused.content == b""


def test_refusals(api: httpx.Client) -> None:
    history = f"{TITLEHUB}/users/xuid({JOE_XUID})/titles/titlehistory"
    assert api.get(history, headers={"x-xbl-contract-version": "3"}).status_code == 406
    assert api.get(f"{TITLEHUB}/users/xuid(2533274800000001)/titles/titlehistory"
                   ).status_code == 404
    assert api.get(history, params={"maxItems": "many"}).status_code == 400

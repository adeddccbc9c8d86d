"""The sandbox's capture metadata services: gameclipsmetadata, screenshotsmetadata, mediahub.

These pin the 2018 era against the 2018 recordings; test_eras.py covers 2014 and 2025.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.fidelity import assert_same_shape, recorded
from xbox.sandbox import JOE_XUID, Sandbox
from xbox.sandbox.services.captures import decode_continuation_token, encode_continuation_token

CLIPS = "/gameclipsmetadata.xboxlive.com"
SHOTS = "/screenshotsmetadata.xboxlive.com"
MEDIAHUB = "/mediahub.xboxlive.com"

SANDBOX = {"era": "2018"}  # the sb fixture's (conftest.py)


@pytest.fixture
def client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                        headers={"Authorization": sb.authorization_for()})


def _all_pages(client: httpx.Client, url: str, key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, str] = {}
    while True:
        body = client.get(url, params=params).json()
        items += body[key]
        token = body["pagingInfo"]["continuationToken"]
        if token is None:
            return items
        params = {"continuationToken": token}


# -- continuation tokens --------------------------------------------------------------------

def test_continuation_tokens_match_recordings() -> None:
    assert encode_continuation_token(25) == "abcde_vwxyzGQAAAA2"
    assert encode_continuation_token(100) == "abcde_vwxyzZAAAAA2"
    assert recorded("gameclips_recent_own.json")["pagingInfo"]["continuationToken"] == \
        encode_continuation_token(25)
    assert recorded("gameclips_recent_community.json")["pagingInfo"]["continuationToken"] == \
        encode_continuation_token(100)
    assert decode_continuation_token("abcde_vwxyzGQAAAA2") == 25
    assert decode_continuation_token("abcde_vwxyzZAAAAA==") == 100  # 2014 form
    assert decode_continuation_token("garbage") is None


# -- lists ----------------------------------------------------------------------------------

def test_default_page_is_100_then_rest_via_token(sb: Sandbox, client: httpx.Client) -> None:
    r = client.get(f"{CLIPS}/users/me/clips")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert "content-encoding" not in r.headers
    assert "x-xblcorrelationid" in r.headers
    body = r.json()
    assert list(body) == ["gameClips", "pagingInfo"]
    assert len(body["gameClips"]) == 100
    assert body["pagingInfo"] == {"continuationToken": "abcde_vwxyzZAAAAA2"}
    rest = client.get(f"{CLIPS}/users/me/clips",
                      params={"continuationToken": "abcde_vwxyzZAAAAA2", "skipItems": "5"}).json()
    assert len(rest["gameClips"]) == len(sb.world.joe.clips) - 100
    assert rest["pagingInfo"] == {"continuationToken": None}
    ids = [c["gameClipId"] for c in body["gameClips"] + rest["gameClips"]]
    assert ids == [c.id for c in sb.world.joe.clips]
    dates = [c["dateRecorded"] for c in body["gameClips"] + rest["gameClips"]]
    assert dates == sorted(dates, reverse=True)


def test_xuid_form_and_contract_header_optional(sb: Sandbox, client: httpx.Client) -> None:
    a = client.get(f"{CLIPS}/users/xuid({JOE_XUID})/clips", params={"maxItems": "5"})
    b = client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "5"},
                   headers={"x-xbl-contract-version": "1"})
    ids = [c["gameClipId"] for c in a.json()["gameClips"]]
    assert ids == [c["gameClipId"] for c in b.json()["gameClips"]]


def test_max_items_and_skip_items(sb: Sandbox, client: httpx.Client) -> None:
    body = client.get(f"{CLIPS}/users/me/clips",
                      params={"maxItems": "25", "skipItems": "10"}).json()
    assert [c["gameClipId"] for c in body["gameClips"]] == [c.id for c in sb.world.joe.clips[10:35]]
    assert body["pagingInfo"]["continuationToken"] == encode_continuation_token(35)
    capped = client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "1000"}).json()
    assert len(capped["gameClips"]) == 100


def test_bad_token_and_bad_xuid_are_400(client: httpx.Client) -> None:
    r = client.get(f"{CLIPS}/users/me/clips", params={"continuationToken": "nope"})
    assert r.status_code == 400
    assert client.get(f"{CLIPS}/users/xuid(abc)/clips").status_code == 400
    assert client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "x"}).status_code == 400


def test_order_ascending(sb: Sandbox, client: httpx.Client) -> None:
    body = client.get(f"{CLIPS}/users/me/clips", params={"order": "A", "maxItems": "3"}).json()
    assert [c["gameClipId"] for c in body["gameClips"]] == \
        [c.id for c in reversed(sb.world.joe.clips)][:3]


def test_saved_filter(sb: Sandbox, client: httpx.Client) -> None:
    clips = _all_pages(client, f"{CLIPS}/users/me/clips/saved", "gameClips")
    assert clips
    assert all(c["savedByUser"] for c in clips)
    assert [c["gameClipId"] for c in clips] == [c.id for c in sb.world.joe.clips if c.saved]


def test_title_filter(sb: Sandbox, client: httpx.Client) -> None:
    title = sb.world.joe.clips[0].title
    clips = _all_pages(client, f"{CLIPS}/users/me/titles/{title.title_id}/clips", "gameClips")
    assert [c["gameClipId"] for c in clips] == \
        [c.id for c in sb.world.joe.clips if c.title == title]
    assert all(c["titleId"] == title.title_id for c in clips)
    saved = _all_pages(
        client, f"{CLIPS}/users/xuid({JOE_XUID})/titles/{title.title_id}/clips/saved", "gameClips")
    assert [c["gameClipId"] for c in saved] == \
        [c.id for c in sb.world.joe.clips if c.title == title and c.saved]
    by_scid = _all_pages(client, f"{CLIPS}/users/me/scids/{title.scid}/clips", "gameClips")
    assert [c["gameClipId"] for c in by_scid] == [c["gameClipId"] for c in clips]


def test_clip_json_keys_types_and_formats(sb: Sandbox, client: httpx.Client) -> None:
    rec = recorded("gameclips_recent_own.json")
    body = client.get(f"{CLIPS}/users/me/clips").json()
    published = [c for c in body["gameClips"] if c["state"] == "Published"]
    # Same keys, same order, same value types as the 2018 recording.
    assert list(published[0]) == list(rec["gameClips"][0])
    assert_same_shape({"gameClips": published, "pagingInfo": body["pagingInfo"]}, rec)
    for clip in published:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", clip["dateRecorded"])
        assert re.fullmatch(r"[\d:T-]{19}(\.\d{0,6}[1-9])?Z", clip["datePublished"])
        assert isinstance(clip["titleId"], int) and isinstance(clip["rating"], float)
        assert clip["type"] in ("UserGenerated", "DeveloperInitiated")
        small, large = clip["thumbnails"]
        # As recorded since 2017: one file for both sizes, fileSize 0.
        assert small["uri"] == large["uri"] and small["uri"].endswith(f"{clip['gameClipId']}_Thumbnail.PNG")
        assert (small["fileSize"], large["fileSize"]) == (0, 0)
        assert small["uri"].startswith(
            f"https://gameclipscontent-t3017.xboxlive.com/xuid-{JOE_XUID}-public/")
        (download,) = clip["gameClipUris"]
        assert download["uriType"] == "Download"
        assert re.fullmatch(
            rf"https://gameclipscontent-d3017\.xboxlive\.com/xuid-{JOE_XUID}-private/"
            rf"{clip['gameClipId']}\.MP4\?sv=2015-12-11&sr=b&si=DefaultAccess&sig=[^&]+"
            r"&__gda__=\d+_[0-9a-f]{32}", download["uri"])
        assert re.fullmatch(r"[\d:T-]{19}(\.\d{0,6}[1-9])?Z", download["expiration"])
    captures = {c.id: c for c in sb.world.joe.clips}
    for clip in published:
        c = captures[clip["gameClipId"]]
        assert clip["gameClipUris"][0]["fileSize"] == c.size
        assert clip["savedByUser"] is c.saved


def test_expiration_is_sas_lifetime_from_now() -> None:
    t = [1_700_000_000.25]
    sb = Sandbox(seed=0, clock=lambda: t[0], era="2018")
    client = httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                          headers={"Authorization": sb.authorization_for()})
    clip = client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "1"}).json()["gameClips"][0]
    download = clip["gameClipUris"][0]
    assert download["expiration"] == "2023-11-14T23:13:20.25Z"  # 1_700_003_600.25
    assert "__gda__=1700003600_" in download["uri"]


def test_pending_clips_have_empty_lists(sb: Sandbox, client: httpx.Client) -> None:
    clips = _all_pages(client, f"{CLIPS}/users/me/clips", "gameClips")
    pending = [c for c in clips if c["state"] == "PendingUpload"]
    assert pending
    for clip in pending:
        assert clip["thumbnails"] == [] and clip["gameClipUris"] == []


def test_saved_clips_have_download_only(client: httpx.Client) -> None:
    # The 2018 recordings show saved clips with a Download URI only (2014: see test_eras.py).
    rec = recorded("gameclips_recent_own.json")["gameClips"]
    assert all(c["savedByUser"] and len(c["gameClipUris"]) == 1 for c in rec)
    saved = client.get(f"{CLIPS}/users/me/clips/saved", params={"maxItems": "5"}).json()
    published = [c for c in saved["gameClips"] if c["state"] == "Published"]
    assert published
    assert all([u["uriType"] for u in c["gameClipUris"]] == ["Download"] for c in published)


def test_unknown_xuid_list_is_empty(client: httpx.Client) -> None:
    body = client.get(f"{CLIPS}/users/xuid(2533274899999999)/clips").json()
    assert body == {"gameClips": [], "pagingInfo": {"continuationToken": None}}


def test_401_without_authorization(sb: Sandbox) -> None:
    anonymous = httpx.Client(base_url=sb.base_url, transport=sb.transport())
    assert anonymous.get(f"{CLIPS}/users/me/clips").status_code == 401
    assert anonymous.get(f"{SHOTS}/users/me/screenshots").status_code == 401
    assert anonymous.post(f"{MEDIAHUB}/gameclips/search",
                          json={"max": 5, "query": f"OwnerXuid eq {JOE_XUID}", "skip": 0}
                          ).status_code == 401


# -- single clip ----------------------------------------------------------------------------

def test_single_clip(sb: Sandbox, client: httpx.Client) -> None:
    clip = next(c for c in sb.world.joe.clips if c.state == "Published")
    url = f"{CLIPS}/users/xuid({JOE_XUID})/scids/{clip.title.scid}/clips/{clip.id}"
    r = client.get(url)
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["gameClip"]
    assert body["gameClip"]["gameClipId"] == clip.id
    assert_same_shape(body["gameClip"], recorded("gameclips_recent_own.json")["gameClips"][0])


def test_single_clip_wrong_scid_still_found(sb: Sandbox, client: httpx.Client) -> None:
    clip = sb.world.joe.clips[0]
    wrong = "00000000-1111-2222-3333-444444444444"
    r = client.get(f"{CLIPS}/users/xuid({JOE_XUID})/scids/{wrong}/clips/{clip.id}")
    assert r.status_code == 200
    assert r.json()["gameClip"]["scid"] == clip.title.scid


def test_single_clip_not_found(sb: Sandbox, client: httpx.Client) -> None:
    clip = sb.world.joe.clips[0]
    other = next(a for a in sb.world.accounts if a.xuid != JOE_XUID and a.clips)
    for url in (
        f"{CLIPS}/users/xuid({JOE_XUID})/scids/{clip.title.scid}/clips/"
        "00000000-0000-0000-0000-000000000000",
        f"{CLIPS}/users/xuid({other.xuid})/scids/{clip.title.scid}/clips/{clip.id}",
        f"{CLIPS}/users/xuid(2533274899999999)/scids/{clip.title.scid}/clips/{clip.id}",
    ):
        r = client.get(url)
        assert r.status_code == 404
        assert r.content == b'{"errorCode":3004}'
        assert r.headers["content-type"] == "application/json"
        assert r.headers["content-length"] == "18"


# -- community ------------------------------------------------------------------------------

def test_community_clips(sb: Sandbox, client: httpx.Client) -> None:
    title = sb.world.titles[1]
    clips = _all_pages(client, f"{CLIPS}/public/titles/{title.title_id}/clips", "gameClips")
    expected = [c for a in sb.world.accounts for c in a.clips
                if c.title == title and c.state == "Published"]
    assert len(clips) == len(expected)
    assert len({c["xuid"] for c in clips}) > 1
    assert {c["titleId"] for c in clips} == {title.title_id}
    dates = [c["dateRecorded"] for c in clips]
    assert dates == sorted(dates, reverse=True)
    first = client.get(f"{CLIPS}/public/titles/{title.title_id}/clips",
                       params={"qualifier": "created"}).json()
    # This title fits one page, so the token is null where the recording has a string.
    assert_same_shape(first, recorded("gameclips_recent_community.json"),
                      nullable=frozenset({"continuationToken"}))
    saved = _all_pages(client, f"{CLIPS}/public/titles/{title.title_id}/clips/saved", "gameClips")
    assert saved and all(c["savedByUser"] for c in saved)
    assert len(saved) == sum(1 for c in expected if c.saved)


# -- screenshots ----------------------------------------------------------------------------

SCREENSHOT_KEYS = [
    "screenshotId", "resolutionHeight", "resolutionWidth", "state", "datePublished", "dateTaken",
    "lastModified", "userCaption", "type", "scid", "titleId", "rating", "ratingCount", "views",
    "titleData", "systemProperties", "savedByUser", "achievementId", "greatestMomentId",
    "thumbnails", "screenshotUris", "xuid", "screenshotName", "titleName", "screenshotLocale",
    "screenshotContentAttributes", "deviceType",
]


def test_screenshots_list_and_shape(sb: Sandbox, client: httpx.Client) -> None:
    body = client.get(f"{SHOTS}/users/me/screenshots", params={"maxItems": "25"}).json()
    assert list(body) == ["screenshots", "pagingInfo"]
    assert len(body["screenshots"]) == 25
    assert body["pagingInfo"]["continuationToken"] == "abcde_vwxyzGQAAAA2"
    shot = body["screenshots"][0]
    assert list(shot) == SCREENSHOT_KEYS
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", shot["dateTaken"])
    assert (shot["resolutionWidth"], shot["resolutionHeight"]) == (1920, 1080)
    assert shot["screenshotUris"][0]["uri"].startswith(
        f"https://screenshotscontent-d5001.xboxlive.com/xuid-{JOE_XUID}-private/"
        f"{shot['screenshotId']}.png?sv=2015-12-11&sr=b&si=DefaultAccess&sig=")
    assert shot["thumbnails"][0]["uri"].startswith("https://screenshotscontent-t5001.xboxlive.com/")
    everything = _all_pages(client, f"{SHOTS}/users/me/screenshots", "screenshots")
    assert [s["screenshotId"] for s in everything] == [s.id for s in sb.world.joe.screenshots]
    saved = _all_pages(client, f"{SHOTS}/users/me/screenshots/saved", "screenshots")
    assert [s["screenshotId"] for s in saved] == [s.id for s in sb.world.joe.screenshots if s.saved]
    title = sb.world.joe.screenshots[0].title
    by_title = _all_pages(
        client, f"{SHOTS}/users/xuid({JOE_XUID})/titles/{title.title_id}/screenshots",
        "screenshots")
    assert {s["titleId"] for s in by_title} == {title.title_id}


def test_single_screenshot_and_404(sb: Sandbox, client: httpx.Client) -> None:
    shot = sb.world.joe.screenshots[0]
    r = client.get(f"{SHOTS}/users/xuid({JOE_XUID})/scids/{shot.title.scid}/screenshots/{shot.id}")
    assert r.status_code == 200
    assert r.json()["screenshot"]["screenshotId"] == shot.id
    # A clip id is not a screenshot id.
    clip = sb.world.joe.clips[0]
    r = client.get(f"{SHOTS}/users/xuid({JOE_XUID})/scids/{shot.title.scid}/screenshots/{clip.id}")
    assert r.status_code == 404
    assert r.content == b'{"errorCode":3004}'


def test_community_screenshots(sb: Sandbox, client: httpx.Client) -> None:
    title = sb.world.titles[0]
    shots = _all_pages(client, f"{SHOTS}/public/titles/{title.title_id}/screenshots",
                       "screenshots")
    expected = [c for a in sb.world.accounts for c in a.screenshots if c.title == title]
    assert len(shots) == len(expected)


# -- mediahub -------------------------------------------------------------------------------

def test_mediahub_gameclips(sb: Sandbox, client: httpx.Client) -> None:
    query = {"max": 500, "query": f"OwnerXuid eq {JOE_XUID}", "skip": 0}
    r = client.post(f"{MEDIAHUB}/gameclips/search", json=query,
                    headers={"x-xbl-contract-version": "3"})
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["values"]  # everything fits: no token, like the recording
    assert [v["contentId"] for v in body["values"]] == \
        [c.id for c in sb.world.mediahub(sb.world.joe, "clip")]
    rec = recorded("mediahub_gameclips_own.json")
    published = [v for v in body["values"] if v["contentState"] == "Published"]
    assert list(published[0]) == list(rec["values"][0])
    # Locators differ by type (Download has fileSize/expiration, thumbnails do not), so
    # compare each against the recorded locator of the same type, the rest as a whole.
    recorded_locators = {loc["locatorType"]: loc for loc in rec["values"][0]["contentLocators"]}
    for value in published:
        assert_same_shape({**value, "contentLocators": []}, {**rec["values"][0],
                                                            "contentLocators": []})
        for locator in value["contentLocators"]:
            assert_same_shape(locator, recorded_locators[locator["locatorType"]])
    item = published[0]
    assert item["ownerXuid"] == int(JOE_XUID)
    assert [loc["locatorType"] for loc in item["contentLocators"]] == \
        ["Download", "Thumbnail_Small", "Thumbnail_Large"]
    assert item["contentLocators"][0]["uri"].startswith(
        f"https://gameclipscontent-d3023.media.xboxlive.com/xuid-{JOE_XUID}-private/")
    pending = [v for v in body["values"] if v["contentState"] == "PendingUpload"]
    assert pending and all(v["contentLocators"] == [] for v in pending)


def test_mediahub_paging_and_bad_query(sb: Sandbox, client: httpx.Client) -> None:
    first = client.post(f"{MEDIAHUB}/gameclips/search",
                        json={"max": 100, "query": f"OwnerXuid eq {JOE_XUID}", "skip": 0}).json()
    assert len(first["values"]) == 100
    assert first["continuationToken"] == encode_continuation_token(100)
    rest = client.post(f"{MEDIAHUB}/gameclips/search",
                       json={"max": 100, "query": f"OwnerXuid eq {JOE_XUID}", "skip": 100}).json()
    assert len(rest["values"]) == len(sb.world.mediahub(sb.world.joe, "clip")) - 100
    assert "continuationToken" not in rest
    bad = client.post(f"{MEDIAHUB}/gameclips/search", json={"max": 5, "query": "Owner = 1"})
    assert bad.status_code == 400


def test_mediahub_screenshots(sb: Sandbox, client: httpx.Client) -> None:
    body = client.post(f"{MEDIAHUB}/screenshots/search",
                       json={"max": 500, "query": f"OwnerXuid eq {JOE_XUID}", "skip": 0}).json()
    shots = sb.world.mediahub(sb.world.joe, "screenshot")
    assert [v["contentId"] for v in body["values"]] == [s.id for s in shots]
    locators = body["values"][0]["contentLocators"]
    assert locators[0]["uri"].startswith("https://screenshotscontent-d4002.media.xboxlive.com/")
    assert locators[0]["fileSize"] == shots[0].size

"""Wire eras of the capture services: 2025 (integer enums, the default), 2018, 2014.

2018 is pinned against the 2018 recordings, 2025 against the 2025-26 recordings and the wire
spec ("Since 2025: integer enums on captures"), 2014 against the spec's §3. Every recording
of both folders is also checked on its own in test_recordings.py. The era changes shapes
only: the same world, the same paging, the same mediahub bodies in every era.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from tests.fidelity import assert_same_shape, recorded, recorded_2025
from xbox.sandbox import DEFAULT_ERA, ERA_ENV, ERAS, JOE_XUID, Sandbox
from xbox.sandbox.eras import (
    GAME_CLIP_STATE,
    GAME_CLIP_TYPE_FLAGS,
    THUMBNAIL_TYPE,
    URI_TYPE,
    type_flags,
)

CLIPS = "/gameclipsmetadata.xboxlive.com"
SHOTS = "/screenshotsmetadata.xboxlive.com"
MEDIAHUB = "/mediahub.xboxlive.com"
START = 1_793_534_400.0  # 2026-11-01 12:00 UTC

# Spec §3: the 2014 clip has the first 24 keys of the 2017+ clip, without datePublished.
KEYS_2014 = [
    "gameClipId", "state", "dateRecorded", "lastModified", "userCaption", "type",
    "durationInSeconds", "scid", "titleId", "rating", "ratingCount", "views", "titleData",
    "systemProperties", "savedByUser", "achievementId", "greatestMomentId", "thumbnails",
    "gameClipUris", "xuid", "clipName", "titleName", "gameClipLocale", "clipContentAttributes",
]


def _sandbox(era: str | None = None) -> Sandbox:
    return Sandbox(seed=0, rate_limits=False, era=era, clock=lambda: START)


def _client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                        headers={"Authorization": sb.authorization_for()})


def _mapped(url: str) -> str:
    """A real ``http(s)://host/path?query`` URL in the sandbox's mapped layout."""
    m = re.fullmatch(r"https?://(.+)", url)
    assert m, url
    return "/" + m.group(1)


def _pages(client: httpx.Client, url: str, key: str, size: int) -> list[list[dict[str, Any]]]:
    pages: list[list[dict[str, Any]]] = []
    params = {"maxItems": str(size)}
    for _ in range(100):  # bounded: the lists here are a few pages long
        body = client.get(url, params=params).json()
        pages.append(body[key])
        token = body["pagingInfo"]["continuationToken"]
        if token is None:
            return pages
        params = {"maxItems": str(size), "continuationToken": token}
    raise AssertionError("paging did not end")


def _as_2025(body: dict[str, Any], uris_key: str) -> dict[str, Any]:
    """A 2018 recorded body with the enum fields as the integers of the 2025 recordings."""
    out = copy.deepcopy(body)
    attributes = "clipContentAttributes" if uris_key == "gameClipUris" \
        else "screenshotContentAttributes"
    out[attributes] = 0
    out["state"], out["type"] = 6, 8
    for thumb in out["thumbnails"]:
        thumb["thumbnailType"] = 1
    for uri in out[uris_key]:
        uri["uriType"] = 2
    return out


# -- choosing an era ------------------------------------------------------------------------

def test_eras_and_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ERAS == ("2014", "2018", "2025")
    assert DEFAULT_ERA == "2025"
    assert Sandbox().era == "2025"
    assert Sandbox(era="2014").era == "2014"
    monkeypatch.setenv(ERA_ENV, "2018")
    assert Sandbox().era == "2018"  # the environment names the default...
    assert Sandbox(era="2025").era == "2025"  # ...an explicit era wins


@pytest.mark.parametrize("bad", ["2019", "", "today", 2018, None])
def test_unknown_era_is_a_clear_value_error(bad: object, monkeypatch: pytest.MonkeyPatch) -> None:
    if bad is None:  # an unknown era from the environment is refused too
        monkeypatch.setenv(ERA_ENV, "1999")
    with pytest.raises(ValueError, match=r"unknown sandbox era .*'2014', '2018', '2025'"):
        Sandbox(era=bad)  # type: ignore[arg-type]


def test_cli_serve_era_option(monkeypatch: pytest.MonkeyPatch) -> None:
    from xbox.cli import cli
    from xbox.sandbox import asgi

    served: list[Sandbox] = []
    monkeypatch.setattr(asgi, "run_server", lambda sb, host, port, on_ready: served.append(sb))
    for args, era in ((["--era", "2014"], "2014"), (["--era", "2018"], "2018"), ([], "2025")):
        result = CliRunner().invoke(cli, ["sandbox", "serve", *args])
        assert result.exit_code == 0, result.output
        assert served[-1].era == era
    bad = CliRunner().invoke(cli, ["sandbox", "serve", "--era", "2019"])
    assert bad.exit_code == 2 and "2019" in bad.output
    help_text = CliRunner().invoke(cli, ["sandbox", "serve", "--help"]).output
    assert all(era in help_text for era in ERAS)


# -- 2025: integer enums --------------------------------------------------------------------

def test_enum_integers_follow_the_declaration_order() -> None:
    assert GAME_CLIP_STATE == {
        "None": 0, "PendingUpload": 1, "PendingDelete": 2, "Processed": 3, "Processing": 4,
        "Publishing": 5, "Published": 6, "Flagged": 7, "Banned": 8, "Uploaded": 9,
        "Deleted": 10, "Error": 11}
    assert THUMBNAIL_TYPE == {"None": 0, "Small": 1, "Large": 2}
    assert URI_TYPE == {"None": 0, "Original": 1, "Download": 2, "SmoothStreaming": 3, "Ahls": 4}
    assert GAME_CLIP_TYPE_FLAGS == {"None": 0, "MetadataOnly": 1, "DeveloperInitiated": 2,
                                    "Achievement": 4, "UserGenerated": 8}
    assert type_flags("UserGenerated") == 8
    assert type_flags("DeveloperInitiated, Achievement") == 6


def test_2025_clips_are_the_2018_keys_with_integer_enums() -> None:
    sb = _sandbox()  # the default era
    client = _client(sb)
    clips = [c for page in _pages(client, f"{CLIPS}/users/me/clips", "gameClips", 100)
             for c in page]
    rec = recorded("gameclips_recent_own.json")["gameClips"][0]
    today = recorded_2025("gameclips_recent_own.json")["gameClips"][0]
    published = [c for c in clips if c["state"] == 6]
    pending = [c for c in clips if c["state"] == 1]
    assert len(published) + len(pending) == len(clips) == len(sb.world.joe.clips)
    assert pending and all(c["thumbnails"] == c["gameClipUris"] == [] for c in pending)
    for clip in published:
        assert list(clip) == list(rec)  # same keys, same order
        assert_same_shape(clip, _as_2025(rec, "gameClipUris"))
        assert_same_shape(clip, today)  # the 2025 recording itself
        assert list(clip) == list(today) and clip["clipContentAttributes"] == 0
        assert [t["thumbnailType"] for t in clip["thumbnails"]] == [1, 2]
        assert [u["uriType"] for u in clip["gameClipUris"]] == [2]
    captures = sb.world.captures_by_id
    assert {c["type"] for c in clips} == {2, 8}
    for clip in clips:
        want = 2 if captures[clip["gameClipId"]].greatest_moment else 8
        assert clip["type"] == want


def test_2025_screenshots_are_the_2018_keys_with_integer_enums() -> None:
    client = _client(_sandbox("2025"))
    body = client.get(f"{SHOTS}/users/me/screenshots", headers={"x-xbl-contract-version": "5"}).json()
    rec = recorded("screenshots_recent_own.json")
    assert list(body) == list(rec)
    for shot in body["screenshots"]:
        assert list(shot) == list(rec["screenshots"][0])
        assert_same_shape(shot, _as_2025(rec["screenshots"][0], "screenshotUris"))
        assert_same_shape(shot, recorded_2025("screenshots_recent_own.json")["screenshots"][0])
        assert shot["screenshotContentAttributes"] == 0
        assert [t["thumbnailType"] for t in shot["thumbnails"]] == [1, 2]
        assert [u["uriType"] for u in shot["screenshotUris"]] == [2]


@pytest.mark.parametrize("kind", ["clips", "screenshots"])
def test_the_contract_version_does_not_pick_the_shape(kind: str) -> None:
    # The era is chosen by date: clients keep sending 1 (clips) and 5 (screenshots), and
    # every version each service serves answers the era's shape.
    client = _client(_sandbox("2025"))
    host = CLIPS if kind == "clips" else SHOTS
    key = "gameClips" if kind == "clips" else "screenshots"
    versions = ("1", "2", None) if kind == "clips" else ("1", "5", None)
    bodies = [client.get(f"{host}/users/me/{kind}", params={"maxItems": "3"},
                         headers={"x-xbl-contract-version": v} if v else {}).json()
              for v in versions]
    for body in bodies:
        assert body[key][0]["state"] in (1, 6)
        ids = [c["gameClipId" if kind == "clips" else "screenshotId"] for c in body[key]]
        assert ids == [c["gameClipId" if kind == "clips" else "screenshotId"]
                       for c in bodies[0][key]]


# -- 2018: string enums, as recorded --------------------------------------------------------

def test_2018_bodies_match_the_recordings() -> None:
    client = _client(_sandbox("2018"))
    clips = client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "25"}).json()
    published = [c for c in clips["gameClips"] if c["state"] == "Published"]
    assert_same_shape({**clips, "gameClips": published}, recorded("gameclips_recent_own.json"))
    shots = client.get(f"{SHOTS}/users/me/screenshots", params={"maxItems": "100"}).json()
    rec = recorded("screenshots_recent_own.json")
    assert [list(s) for s in shots["screenshots"]] == \
        [list(rec["screenshots"][0])] * len(shots["screenshots"])
    assert_same_shape(shots, rec)
    assert {s["state"] for s in shots["screenshots"]} == {"Published"}
    assert {u["uriType"] for s in shots["screenshots"] for u in s["screenshotUris"]} == {"Download"}


# -- 2014: the 2014 clip shape --------------------------------------------------------------

def test_2014_clip_shape() -> None:
    sb = _sandbox("2014")
    client = _client(sb)
    clips = [c for page in _pages(client, f"{CLIPS}/users/me/clips", "gameClips", 100)
             for c in page]
    hexuid = f"{int(JOE_XUID):016x}"
    assert hexuid == "00090000014d6bae"  # as in the 2014 recordings (spec §3)
    rec = recorded("gameclips_recent_own.json")["gameClips"][0]
    expected_scalars = {k: v for k, v in rec.items() if k in KEYS_2014
                        and k not in ("thumbnails", "gameClipUris")}
    saved = unsaved = 0
    for clip in clips:
        assert list(clip) == KEYS_2014
        assert "datePublished" not in clip and "deviceType" not in clip
        assert_same_shape({k: v for k, v in clip.items() if k in expected_scalars},
                          expected_scalars)
        capture = sb.world.captures_by_id[clip["gameClipId"]]
        if clip["state"] == "PendingUpload":
            assert clip["thumbnails"] == clip["gameClipUris"] == []
            continue
        assert clip["state"] == "Published" and isinstance(clip["type"], str)
        small, large = clip["thumbnails"]
        assert small == {"uri": f"http://gameclipscontent-t3003.xboxlive.com/{hexuid}-"
                                f"{clip['gameClipId']}/Thumbnail_Small.PNG",
                         "fileSize": capture.thumb_small_size, "thumbnailType": "Small"}
        assert large["uri"].endswith("/Thumbnail_Large.PNG")
        assert large["fileSize"] == capture.thumb_large_size > 0
        download = clip["gameClipUris"][-1]
        assert download["uriType"] == "Download" and download["fileSize"] == capture.size
        m = re.fullmatch(
            r"http://gameclipscontent-d3003\.xboxlive\.com/asset-[0-9a-f-]{36}/GameClip-Original"
            r"\.MP4\?sv=2012-02-12&st=(\S+?)&se=(\S+?)&sr=c&sp=r&sig=[^&]+%3D"
            r"&__gda__=(\d+)_[0-9a-f]{32}", download["uri"])
        assert m, download["uri"]
        # st = 5 minutes before the request, se = the SAS expiry, one hour after it.
        assert (m.group(1), m.group(2)) == ("2026-11-01T11%3A55%3A00Z", "2026-11-01T13%3A00%3A00Z")
        assert int(m.group(3)) == START + 3600
        assert download["expiration"] == "2026-11-01T13:00:00Z"
        types = [u["uriType"] for u in clip["gameClipUris"]]
        if capture.saved:
            saved += 1
            smooth, ahls, _ = clip["gameClipUris"]
            assert types == ["SmoothStreaming", "Ahls", "Download"]
            base = download["uri"].split("?")[0].removesuffix(".MP4")
            assert smooth["uri"].startswith(f"{base}.ism/manifest?__gda__=")
            assert ahls["uri"].startswith(f"{base}.ism/manifest(format=m3u8-aapl)?__gda__=")
            assert smooth["fileSize"] == ahls["fileSize"] == 0
            assert smooth["expiration"].startswith("2126-")  # ~100 years ahead
        else:
            unsaved += 1
            assert types == ["Download"]
    assert saved and unsaved


def test_2014_media_is_served_at_its_urls() -> None:
    sb = _sandbox("2014")
    client = _client(sb)
    clips = client.get(f"{CLIPS}/users/me/clips/saved", params={"maxItems": "5"}).json()
    clip = next(c for c in clips["gameClips"] if c["state"] == "Published")
    capture = sb.world.captures_by_id[clip["gameClipId"]]
    r = client.get(_mapped(clip["gameClipUris"][-1]["uri"]))
    assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
    assert r.content == capture.media_bytes()
    assert len(r.content) == clip["gameClipUris"][-1]["fileSize"]
    for thumb in clip["thumbnails"]:
        t = httpx.Client(base_url=sb.base_url, transport=sb.transport()).get(_mapped(thumb["uri"]))
        assert t.status_code == 200 and len(t.content) == thumb["fileSize"]
        assert t.content == capture.thumbnail_bytes(thumb["thumbnailType"])
    # A tampered 2014 URL is refused like any other.
    forged = clip["gameClipUris"][-1]["uri"].replace("sig=", "sig=A")
    assert client.get(_mapped(forged)).status_code == 403


def test_2014_tokens_keep_their_padding_and_single_clips_have_the_2014_shape() -> None:
    sb = _sandbox("2014")
    client = _client(sb)
    first = client.get(f"{CLIPS}/users/me/clips").json()
    assert first["pagingInfo"] == {"continuationToken": "abcde_vwxyzZAAAAA=="}
    clip = sb.world.joe.clips[0]
    single = client.get(f"{CLIPS}/users/xuid({JOE_XUID})/scids/{clip.title.scid}/clips/{clip.id}")
    assert list(single.json()) == ["gameClip"] and list(single.json()["gameClip"]) == KEYS_2014


def test_2014_screenshots_are_served_in_the_2018_shape() -> None:
    # Screenshots did not exist in 2014: an era-2014 sandbox serves them as 2018 did.
    old, then = _client(_sandbox("2014")), _client(_sandbox("2018"))
    url = f"{SHOTS}/users/me/screenshots"
    a, b = old.get(url).json(), then.get(url).json()
    strip = re.compile(r"sig=[^&\"]+")  # the signing key is per sandbox: equal here anyway
    assert strip.sub("", str(a)) == strip.sub("", str(b))
    assert_same_shape(a, recorded("screenshots_recent_own.json"))


# -- what the era does not change -----------------------------------------------------------

@pytest.mark.parametrize("kind", ["clips", "screenshots"])
def test_paging_is_the_same_in_every_era(kind: str) -> None:
    key, id_key = ("gameClips", "gameClipId") if kind == "clips" else ("screenshots", "screenshotId")
    host = CLIPS if kind == "clips" else SHOTS
    walks = {}
    for era in ERAS:
        sb = _sandbox(era)
        pages = _pages(_client(sb), f"{host}/users/me/{kind}", key, 30)
        walks[era] = [[c[id_key] for c in page] for page in pages]
        world = sb.world.joe.clips if kind == "clips" else sb.world.joe.screenshots
        assert [i for page in walks[era] for i in page] == [c.id for c in world]
    assert walks["2014"] == walks["2018"] == walks["2025"]
    assert len(walks["2025"]) > 1


@pytest.mark.parametrize("kind", ["gameclips", "screenshots"])
def test_mediahub_is_the_same_in_every_era(kind: str) -> None:
    query = {"max": 500, "query": f"OwnerXuid eq {JOE_XUID}", "skip": 0}
    bodies = [_client(_sandbox(era)).post(f"{MEDIAHUB}/{kind}/search", json=query).json()
              for era in ERAS]
    assert bodies[0] == bodies[1] == bodies[2]
    assert {v["contentState"] for v in bodies[0]["values"]} <= {"Published", "PendingUpload"}

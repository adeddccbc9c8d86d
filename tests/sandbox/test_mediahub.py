"""Mediahub search: every title's captures, newer titles' only there; body paging and queries.

Shapes against ``mediahub_gameclips_own.json`` / ``mediahub_screenshots_own.json``; the request
and paging choices no recording shows are the assumptions listed in docs/sandbox.rst.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fidelity import assert_same_shape, recorded
from xbox.sandbox import JOE_XUID, Sandbox, World
from xbox.sandbox.world import JOE_MEDIAHUB_ONLY_CLIPS, JOE_MEDIAHUB_ONLY_SCREENSHOTS

CLIPS = "/gameclipsmetadata.xboxlive.com"
SHOTS = "/screenshotsmetadata.xboxlive.com"
MEDIAHUB = "/mediahub.xboxlive.com"
# kind -> (mediahub path word, metadata host, metadata path word, list key, id key)
KINDS = {
    "clip": ("gameclips", CLIPS, "clips", "gameClips", "gameClipId"),
    "screenshot": ("screenshots", SHOTS, "screenshots", "screenshots", "screenshotId"),
}
# The metadata services' own contract versions (the client's default header is mediahub's 3).
METADATA_CONTRACT = {"clip": "1", "screenshot": "5"}

SANDBOX = {"clock": lambda: 1_793_534_400.0}  # the sb fixture's (conftest.py)


@pytest.fixture
def client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                        headers={"Authorization": sb.authorization_for(),
                                 "x-xbl-contract-version": "3"})


def _search(client: httpx.Client, kind: str, **body: Any) -> httpx.Response:
    return client.post(f"{MEDIAHUB}/{KINDS[kind][0]}/search", json=body)


def _walk(client: httpx.Client, kind: str, query: str, size: int) -> list[list[dict[str, Any]]]:
    """Every page of a search, following the continuationToken sent back in the body."""
    pages: list[list[dict[str, Any]]] = []
    body: dict[str, Any] = {"max": size, "query": query, "skip": 0}
    for _ in range(100):
        answer = _search(client, kind, **body).json()
        pages.append(answer["values"])
        if "continuationToken" not in answer:
            return pages
        assert len(answer["values"]) == size
        body = {"max": size, "query": query, "continuationToken": answer["continuationToken"]}
    raise AssertionError("paging did not end")


def _metadata_ids(client: httpx.Client, kind: str, owner: str = "me") -> list[str]:
    _, host, word, key, id_key = KINDS[kind]
    ids: list[str] = []
    params: dict[str, str] = {}
    for _ in range(100):
        body = client.get(f"{host}/users/{owner}/{word}", params=params,
                          headers={"x-xbl-contract-version": METADATA_CONTRACT[kind]}).json()
        ids += [c[id_key] for c in body[key]]
        token = body["pagingInfo"]["continuationToken"]
        if token is None:
            return ids
        params = {"continuationToken": token}
    raise AssertionError("paging did not end")


# -- shapes ---------------------------------------------------------------------------------

def test_screenshot_values_match_the_recording(sb: Sandbox, client: httpx.Client) -> None:
    rec = recorded("mediahub_screenshots_own.json")["values"][0]
    by_type = {loc["locatorType"]: loc for loc in rec["contentLocators"]}
    body = _search(client, "screenshot", max=500, query=f"OwnerXuid eq {JOE_XUID}", skip=0).json()
    assert list(body) == ["values"]
    assert len(body["values"]) == len(sb.world.mediahub(sb.world.joe, "screenshot"))
    for value in body["values"]:
        assert list(value) == list(rec)  # same keys, same order (CreationType capitalised)
        assert_same_shape({**value, "contentLocators": []}, {**rec, "contentLocators": []})
        # No Download_HDR: the sandbox serves no .JXR files.
        assert [loc["locatorType"] for loc in value["contentLocators"]] == \
            ["Download", "Thumbnail_Small", "Thumbnail_Large"]
        for locator in value["contentLocators"]:
            assert_same_shape(locator, by_type[locator["locatorType"]])


def test_newer_titles_look_like_the_recording(sb: Sandbox, client: httpx.Client) -> None:
    msfs = next(t for t in sb.world.titles if t.title_id == 1777860928)
    assert msfs.name == "Microsoft Flight Simulator" and msfs.mediahub_only
    assert {t.name for t in sb.world.titles if t.mediahub_only} == \
        {"Microsoft Flight Simulator", "Halo Infinite", "Starfield"}
    shots = _search(client, "screenshot", max=500, skip=0,
                    query=f"OwnerXuid eq {JOE_XUID} and TitleId eq 1777860928").json()["values"]
    for value in shots:
        assert value["titleName"] == "Microsoft Flight Simulator"
        assert (value["resolutionWidth"], value["resolutionHeight"]) == (3840, 2160)


# -- which captures mediahub lists ----------------------------------------------------------

@pytest.mark.parametrize("kind", ["clip", "screenshot"])
def test_joes_newest_captures_include_mediahub_only_ones(sb: Sandbox, client: httpx.Client,
                                                         kind: str) -> None:
    joe = sb.world.joe
    only = sb.world.mediahub_only(joe, kind)
    want = JOE_MEDIAHUB_ONLY_CLIPS if kind == "clip" else JOE_MEDIAHUB_ONLY_SCREENSHOTS
    assert len(only) == want >= 3
    assert all(c.mediahub_only and c.title.mediahub_only for c in only)
    # Joe's metadata-visible counts are what they were before newer titles existed.
    assert len(sb.world.metadata(joe, kind)) == (130 if kind == "clip" else 40)
    values = _search(client, kind, max=500, query=f"OwnerXuid eq {JOE_XUID}", skip=0).json()
    ids = [v["contentId"] for v in values["values"]]
    only_ids = {c.id for c in only}
    assert ids[0] in only_ids  # the very newest capture is one the metadata lists lack
    assert len(only_ids & set(ids[:3 * want])) == want  # all among his newest
    listed = _metadata_ids(client, kind)
    # Everything listed is in mediahub with the same id; mediahub has the newer ones besides.
    assert set(ids) == set(listed) | only_ids and not only_ids & set(listed)
    assert len(ids) == len(listed) + want == len(set(ids))


@pytest.mark.parametrize("kind", ["clip", "screenshot"])
def test_a_mediahub_only_capture_is_not_found_by_the_metadata_service(
        sb: Sandbox, client: httpx.Client, kind: str) -> None:
    _, host, word, _, _ = KINDS[kind]
    version = {"x-xbl-contract-version": METADATA_CONTRACT[kind]}
    for capture in sb.world.mediahub_only(sb.world.joe, kind):
        r = client.get(f"{host}/users/xuid({JOE_XUID})/scids/{capture.title.scid}/{word}/{capture.id}",
                       headers=version)
        assert r.status_code == 404 and r.content == b'{"errorCode":3004}'
    listed = sb.world.metadata(sb.world.joe, kind)[0]
    r = client.get(f"{host}/users/xuid({JOE_XUID})/scids/{listed.title.scid}/{word}/{listed.id}",
                   headers=version)
    assert r.status_code == 200


def test_newer_titles_have_no_community_lists(sb: Sandbox, client: httpx.Client) -> None:
    for title in (t for t in sb.world.titles if t.mediahub_only):
        assert any(c.title == title for a in sb.world.accounts for c in a.mediahub_only_clips)
        body = client.get(f"{CLIPS}/public/titles/{title.title_id}/clips",
                          headers={"x-xbl-contract-version": "1"}).json()
        assert body["gameClips"] == []


def test_any_owner_is_answered_with_their_captures(sb: Sandbox, client: httpx.Client) -> None:
    other = next(a for a in sb.world.accounts
                 if a.xuid != JOE_XUID and a.clips and a.mediahub_only_clips)
    values = _search(client, "clip", max=500, query=f"OwnerXuid eq {other.xuid}").json()["values"]
    assert [v["contentId"] for v in values] == [c.id for c in sb.world.mediahub(other, "clip")]
    assert {v["ownerXuid"] for v in values} == {int(other.xuid)}
    assert set(_metadata_ids(client, "clip", f"xuid({other.xuid})")) < {v["contentId"] for v in values}
    nobody = _search(client, "clip", max=5, query="OwnerXuid eq 2533274899999999").json()
    assert nobody == {"values": []}


def test_every_account_lists_the_metadata_captures_too() -> None:
    world = World(0)
    for account in world.accounts:
        for kind in ("clip", "screenshot"):
            hub = world.mediahub(account, kind)
            assert {c.id for c in hub} == {c.id for c in world.metadata(account, kind)} | \
                {c.id for c in world.mediahub_only(account, kind)}
            assert [c.recorded for c in hub] == sorted((c.recorded for c in hub), reverse=True)


# -- queries --------------------------------------------------------------------------------

def test_title_and_local_id_queries(sb: Sandbox, client: httpx.Client) -> None:
    joe = sb.world.joe
    old = joe.clips[0].title
    values = _search(client, "clip", max=500,
                     query=f"OwnerXuid eq {JOE_XUID} and TitleId eq {old.title_id}").json()["values"]
    assert [v["contentId"] for v in values] == [c.id for c in joe.clips if c.title == old]
    everything = _search(client, "clip", max=500, query=f"OwnerXuid eq {JOE_XUID}").json()["values"]
    target = everything[7]
    one = _search(client, "clip", max=500,
                  query=f"OwnerXuid eq {JOE_XUID} and localId eq '{target['localId']}'").json()
    assert one == {"values": [target]}
    assert target["localId"] != target["contentId"]
    none = _search(client, "clip", query=f"OwnerXuid eq {JOE_XUID} and localId eq 'nothing'")
    assert none.json() == {"values": []}
    # Names are case-insensitive, as OData's are on this service (and as clients vary).
    lower = _search(client, "clip", max=3, query=f"ownerxuid EQ {JOE_XUID}").json()["values"]
    assert [v["contentId"] for v in lower] == [v["contentId"] for v in everything[:3]]


@pytest.mark.parametrize("body", [
    None, [], {"max": 5}, {"query": 5},
    {"max": "5", "query": f"OwnerXuid eq {JOE_XUID}"},
    {"max": -1, "query": f"OwnerXuid eq {JOE_XUID}"},
    {"max": True, "query": f"OwnerXuid eq {JOE_XUID}"},
    {"skip": 1.5, "query": f"OwnerXuid eq {JOE_XUID}"},
    {"query": "TitleId eq 1777860928"},  # no owner
    {"query": f"OwnerXuid eq {JOE_XUID} or TitleId eq 1"},
    {"query": f"OwnerXuid eq '{JOE_XUID}'"},
    {"query": f"OwnerXuid eq {JOE_XUID} and localId eq unquoted"},
    {"query": f"OwnerXuid eq {JOE_XUID}", "continuationToken": "garbage"},
])
def test_malformed_searches_are_an_empty_400(client: httpx.Client, body: Any) -> None:
    r = client.post(f"{MEDIAHUB}/gameclips/search", json=body)
    assert r.status_code == 400 and r.content == b""
    assert client.post(f"{MEDIAHUB}/gameclips/search", content=b"{not json").status_code == 400


# -- paging ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["clip", "screenshot"])
def test_paging_by_continuation_token_in_the_body(sb: Sandbox, client: httpx.Client,
                                                  kind: str) -> None:
    everything = [c.id for c in sb.world.mediahub(sb.world.joe, kind)]
    pages = _walk(client, kind, f"OwnerXuid eq {JOE_XUID}", 20)
    assert [v["contentId"] for page in pages for v in page] == everything
    assert len(pages) == -(-len(everything) // 20)
    # skip pages too, and a token wins over skip.
    second = _search(client, kind, max=20, skip=20, query=f"OwnerXuid eq {JOE_XUID}").json()
    assert second["values"] == pages[1]
    first = _search(client, kind, max=20, query=f"OwnerXuid eq {JOE_XUID}").json()
    third = _search(client, kind, max=20, skip=0, query=f"OwnerXuid eq {JOE_XUID}",
                    continuationToken=second["continuationToken"]).json()
    assert third["values"] == pages[2] and first["values"] == pages[0]


def test_page_size_default_and_cap() -> None:
    sb = Sandbox(seed=0, rate_limits=False, world=World(0, joe_clips=520))
    client = httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                          headers={"Authorization": sb.authorization_for()})
    query = f"OwnerXuid eq {JOE_XUID}"
    assert len(_search(client, "clip", query=query).json()["values"]) == 100  # no max
    assert len(_search(client, "clip", max=0, query=query).json()["values"]) == 100
    capped = _search(client, "clip", max=5000, query=query).json()
    assert len(capped["values"]) == 500 and "continuationToken" in capped


def test_mediahub_only_media_is_served(sb: Sandbox, client: httpx.Client) -> None:
    values = _search(client, "clip", max=500, query=f"OwnerXuid eq {JOE_XUID}").json()["values"]
    only = {c.id for c in sb.world.mediahub_only(sb.world.joe, "clip")}
    item = next(v for v in values if v["contentId"] in only and v["contentLocators"])
    download = item["contentLocators"][0]
    r = client.get("/" + download["uri"].removeprefix("https://"))
    assert r.status_code == 200 and len(r.content) == download["fileSize"]
    assert r.content == sb.world.captures_by_id[item["contentId"]].media_bytes()

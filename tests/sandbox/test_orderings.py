"""Capture lists are sorted once per world state, not once per page.

Sorting an owner's whole list for every page made paging cost grow with the square of the
list. These count sorts (no clocks involved) and check that results are unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from xbox.sandbox import JOE_XUID, Sandbox
from xbox.sandbox.services import captures
from xbox.sandbox.world import Capture

CLIPS = "/gameclipsmetadata.xboxlive.com"
MEDIAHUB = "/mediahub.xboxlive.com"

SANDBOX = {"era": "2018", "clock": lambda: 1_793_534_400.0}  # the sb fixture's (conftest.py)


@pytest.fixture
def client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                        headers={"Authorization": sb.authorization_for()})


@pytest.fixture
def sorts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many captures each sort of the capture services was given."""
    calls: list[int] = []
    real = captures._sorted

    def counting(items: Iterable[Capture], qualifier: str, ascending: bool) -> list[Capture]:
        out = real(items, qualifier, ascending)
        calls.append(len(out))
        return out

    monkeypatch.setattr(captures, "_sorted", counting)
    return calls


def _walk(client: httpx.Client, url: str, **params: str) -> tuple[list[str], int]:
    ids: list[str] = []
    query = dict(params)
    for pages in range(1, 100):
        body = client.get(url, params=query).json()
        ids += [c["gameClipId"] for c in body["gameClips"]]
        token = body["pagingInfo"]["continuationToken"]
        if token is None:
            return ids, pages
        query = {**params, "continuationToken": token}
    raise AssertionError("paging did not end")


def test_paging_sorts_each_list_once(sb: Sandbox, client: httpx.Client, sorts: list[int]) -> None:
    joe = sb.world.joe
    ids, pages = _walk(client, f"{CLIPS}/users/me/clips", maxItems="10")
    assert pages == 13 and ids == [c.id for c in joe.clips]
    assert sorts == [130]  # one sort for thirteen pages (it was thirteen sorts)
    again, _ = _walk(client, f"{CLIPS}/users/xuid({JOE_XUID})/clips", maxItems="7")
    assert again == ids and sorts == [130]  # same list, same ordering: no new sort
    ascending, _ = _walk(client, f"{CLIPS}/users/me/clips", maxItems="50", order="A")
    assert ascending == ids[::-1] and sorts == [130, 130]  # another order is another sort
    by_views, _ = _walk(client, f"{CLIPS}/users/me/clips", maxItems="50", qualifier="views")
    assert by_views == [c.id for c in sorted(joe.clips, key=lambda c: (c.views, c.recorded, c.id),
                                             reverse=True)]
    title = sb.world.titles[1]
    community, pages = _walk(client, f"{CLIPS}/public/titles/{title.title_id}/clips",
                             maxItems="5")
    assert pages > 2 and len(sorts) == 4
    assert len(community) == sum(c.title == title and c.state == "Published"
                                 for a in sb.world.accounts for c in a.clips)


def test_the_page_slices_one_cached_ordering(sb: Sandbox, client: httpx.Client) -> None:
    client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "10"})
    (key,) = [k for k in sb.world.cache if k[0] == "captures.order"]
    first = sb.world.cache[key]
    client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "10", "skipItems": "10"})
    assert sb.world.cache[key] is first


def test_mediahub_pages_and_local_ids_sort_once(sb: Sandbox, client: httpx.Client,
                                                sorts: list[int]) -> None:
    query = f"OwnerXuid eq {JOE_XUID}"
    body: dict[str, Any] = {"max": 10, "query": query}
    seen: list[dict[str, Any]] = []
    for _ in range(100):
        answer = client.post(f"{MEDIAHUB}/gameclips/search", json=body).json()
        seen += answer["values"]
        if "continuationToken" not in answer:
            break
        body = {"max": 10, "query": query, "continuationToken": answer["continuationToken"]}
    assert len(seen) == 135 and len(sorts) == 1
    for value in seen[:5]:
        one = client.post(f"{MEDIAHUB}/gameclips/search",
                          json={"query": f"{query} and localId eq '{value['localId']}'"}).json()
        assert one["values"] == [value]
    assert len(sorts) == 1


def test_a_changed_world_is_seen_after_changed(sb: Sandbox, client: httpx.Client,
                                               sorts: list[int]) -> None:
    joe = sb.world.joe
    before, _ = _walk(client, f"{CLIPS}/users/me/clips/saved")
    newest = dataclasses.replace(joe.clips[1], id="00000000-0000-4000-8000-000000000001",
                                 recorded=joe.clips[0].recorded + timedelta(minutes=5), saved=True)
    joe.clips.insert(0, newest)
    sb.world.changed()
    after, _ = _walk(client, f"{CLIPS}/users/me/clips/saved")
    assert after == [newest.id, *before] and len(sorts) == 2
    single = client.get(f"{CLIPS}/users/me/scids/{newest.title.scid}/clips/{newest.id}")
    assert single.status_code == 200  # the id map was rebuilt too

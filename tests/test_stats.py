"""xbl.stats (userstats.xboxlive.com): one player's stats by SCID, with metadata, and
batches over players, against the sandbox and the four recorded bodies."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from xbox._api import stats as api
from xbox.exceptions import GamertagNotFound, InvalidArgument
from xbox.models import Stat
from xbox.models.base import parse_records
from xbox.sandbox import JOE_XUID, Fault, Sandbox

from .service_clients import recorded, sent, signed_in
from .twins import call

HOST = "userstats.xboxlive.com"
SOT = 1717113201
SOT_SCID = "6f4a0100-7b91-4e9b-8cd6-08a765e5e0b1"  # the sandbox's Sea of Thieves
HERO = ["ChestsCashedIn", "DistanceSailed", "VoyagesCompleted", "BountiesHandedIn",
        "CargoDelivered", "IslandsVisited"]


@pytest.fixture(params=["sync", "async"])
async def xbl(request: pytest.FixtureRequest, sandbox: Sandbox) -> AsyncIterator[Any]:
    async with signed_in(request.param, sandbox) as client:
        yield client


def test_recorded_bodies_read() -> None:
    one = api._stats_of(recorded("userstats_by_scid.json"), None)
    assert [(s.name, s.value, s.number, s.type) for s in one] == [
        ("MinutesPlayed", "1220", 1220, "Integer")]
    assert api._stats_of(recorded("userstats_by_scid_with_metadata.json"), None) == one
    spec = api.batch(["2584878536129841"], SOT, None, ["MinutesPlayed"])
    found = spec.read(recorded("userstats_batch.json"), [])
    assert [s.name for s in found] == HERO  # the group's; the top-level list is empty
    assert found[1].display_name == "Distance Sailed (Metres)" and found[1].number == 92173
    assert found[0].group_properties["Ordinal"] == "1"
    by_scid = spec.read(recorded("userstats_batch_by_scid.json"), [])
    assert [s.name for s in by_scid] == ["MinutesPlayed"] and by_scid[0].group_properties == {}


def test_a_stat_without_a_name_is_set_aside() -> None:
    body = recorded("userstats_by_scid.json")
    body["statlistscollection"][0]["stats"].append({"value": "3"})
    errors: list[Any] = []
    assert [s.name for s in api._stats_of(body, errors)] == ["MinutesPlayed"]
    assert len(errors) == 1
    odd = parse_records(Stat, [{"name": "Ratio", "value": "0.25"}, {"name": "X", "value": "?"}])
    assert [s.number for s in odd] == [0.25, None]


async def test_get_by_scid(xbl: Any, sandbox: Sandbox) -> None:
    found = await call(xbl.stats.get(None, SOT_SCID, ["MinutesPlayed", "DistanceSailed", "Nope"]))
    assert [s.name for s in found] == ["MinutesPlayed", "DistanceSailed"]
    assert all(s.xuid == JOE_XUID and s.scid == SOT_SCID for s in found)
    assert isinstance(found[0].number, int)
    request = sent(sandbox, HOST)[-1]
    assert request.url.path == (f"/{HOST}/users/xuid({JOE_XUID})/scids/{SOT_SCID}"
                                "/stats/MinutesPlayed,DistanceSailed,Nope")
    assert request.headers["x-xbl-contract-version"] == "2" and "include" not in request.url.params


async def test_get_with_metadata_uses_contract_3(xbl: Any, sandbox: Sandbox) -> None:
    found = await call(xbl.stats.get(JOE_XUID, SOT_SCID, metadata=True))
    assert [s.name for s in found] == ["MinutesPlayed"]
    request = sent(sandbox, HOST)[-1]
    assert request.headers["x-xbl-contract-version"] == "3"
    assert request.url.params["include"] == "valuemetadata"


async def test_get_refuses_bad_arguments_and_unknown_users(xbl: Any, sandbox: Sandbox) -> None:
    for bad in ({"scid": "not-a-scid"}, {"scid": SOT_SCID, "stats": []},
                {"scid": SOT_SCID, "stats": ["a,b"]}):
        with pytest.raises(InvalidArgument):
            await call(xbl.stats.get(None, **bad))
    assert not sent(sandbox, HOST)
    with pytest.raises(GamertagNotFound):
        await call(xbl.stats.get("2533274799999999", SOT_SCID))


async def test_batch_by_title_and_scid(xbl: Any, sandbox: Sandbox) -> None:
    friend = sandbox.world.joe.friends[0]
    found = await call(xbl.stats.batch([JOE_XUID, friend], title_id=SOT, scid=SOT_SCID))
    mine = [s.name for s in found if s.xuid == JOE_XUID]
    assert mine == [*HERO, "MinutesPlayed"]
    body = json.loads(sent(sandbox, HOST, "POST")[-1].content)
    # Each part by the id that resolves it, as the recordings show.
    assert body == {"arrangebyfield": "xuid", "groups": [{"name": "Hero", "titleId": str(SOT)}],
                    "stats": [{"name": "MinutesPlayed", "scid": SOT_SCID}],
                    "xuids": [JOE_XUID, friend]}


async def test_batch_as_the_peers_send_it(xbl: Any, sandbox: Sandbox) -> None:
    by_title = await call(xbl.stats.batch([JOE_XUID], title_id=SOT))
    assert [s.name for s in by_title] == HERO  # the top-level stats by titleId: nothing
    by_scid = await call(xbl.stats.batch([JOE_XUID], scid=SOT_SCID))
    assert [s.name for s in by_scid] == ["MinutesPlayed"]  # the group by scid: nothing
    with pytest.raises(InvalidArgument):
        await call(xbl.stats.batch([JOE_XUID]))


async def test_batch_chunks_and_is_retried(xbl: Any, sandbox: Sandbox) -> None:
    xuids = [JOE_XUID, *[str(2533274800000000 + n) for n in range(120)]]
    sandbox.faults.append(Fault(kind="server_error", host=HOST, method="POST"))
    found = await call(xbl.stats.batch(xuids, scid=SOT_SCID))
    assert [s.xuid for s in found] == [JOE_XUID]
    assert len(sent(sandbox, HOST, "POST")) == 3  # two chunks, the first one twice

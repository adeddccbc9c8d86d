"""xbl.titles beyond history and one title: look-ups by package family name, batches, and
every decoration read into typed blocks, against the sandbox and the recorded bodies."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from xbox._api.titles import ALL_DECORATIONS
from xbox.exceptions import InvalidArgument, NotFoundException
from xbox.models import Title
from xbox.sandbox import JOE_XUID, Fault, Sandbox

from .service_clients import recorded, sent, signed_in
from .twins import call

HOST = "titlehub.xboxlive.com"
SOT_PFN = "Microsoft.SeaofThieves_8wekyb3d8bbwe"
MINECRAFT_PFN = "Microsoft.Minecraft_8wekyb3d8bbwe"


@pytest.fixture(params=["sync", "async"])
async def xbl(request: pytest.FixtureRequest, sandbox: Sandbox) -> AsyncIterator[Any]:
    async with signed_in(request.param, sandbox) as client:
        yield client


def test_recorded_titles_read_every_decoration() -> None:
    info = Title.from_wire(recorded("titlehub_titleinfo.json")["titles"][0])
    assert info.detail is not None and info.detail.genres and info.detail.developer_name == "Rare Ltd"
    assert info.detail.availabilities[0].availability_id == "9R3F7V8SQ2XD"  # PascalCase block
    assert info.is_streamable is True and info.service_config_id
    history = [Title.from_wire(t) for t in recorded("titlehub_titlehistory.json")["titles"]]
    assert all(t.service_config_id is None for t in history)  # no scid decoration asked
    assert all(t.detail is not None and t.detail.genres is None for t in history)
    assert {t.game_pass.is_game_pass for t in history if t.game_pass} == {True, False}
    assert all(t.stats is not None and t.stats.source_version is not None for t in history
               if t.raw["stats"] is not None)
    played = [t.friends_who_played for t in history if t.friends_who_played]
    assert played and all(f.have_played_count is not None for f in played)
    assert any(p.gamertag and p.last_time_played for f in played for p in f.people)
    batch = [Title.from_wire(t) for t in recorded("titlehub_batch.json")["titles"]]
    assert [t.achievement.current_gamerscore for t in batch if t.achievement] == [0, 0]


def test_a_drifting_block_does_not_sink_the_title() -> None:
    raw = dict(recorded("titlehub_titleinfo.json")["titles"][0])
    raw["detail"] = {"releaseDate": 12, "developerName": ["not", "text"]}
    raw["gamePass"] = "yes"
    title = Title.from_wire(raw)
    assert title.name == "Sea of Thieves" and title.game_pass is None
    assert title.raw["gamePass"] == "yes"


async def test_every_decoration_is_asked_for_and_filled(xbl: Any, sandbox: Sandbox) -> None:
    title = await call(xbl.titles.get(1717113201, decorations=ALL_DECORATIONS))
    path = sent(sandbox, HOST)[-1].url.path
    assert path.endswith("/titleid(1717113201)/decoration/" + ",".join(ALL_DECORATIONS))
    assert title.detail.publisher_name == "Microsoft Studios" and title.detail.genres
    assert title.game_pass.is_game_pass is True and title.stats.source_version == 2
    assert title.friends_who_played.have_played_count >= len(title.friends_who_played.people)
    history = await call(xbl.titles.history(decorations=("detail", "gamepass", "stats")))
    assert history and all(t.detail is not None and t.game_pass is not None for t in history)
    assert all(t.achievement is None for t in history)  # not asked: null on the wire


async def test_by_pfn(xbl: Any, sandbox: Sandbox) -> None:
    title = await call(xbl.titles.by_pfn(SOT_PFN))
    assert (title.title_id, title.name, title.pfn) == ("1717113201", "Sea of Thieves", SOT_PFN)
    assert sent(sandbox, HOST)[-1].url.path == (
        f"/{HOST}/users/xuid({JOE_XUID})/titles/pfn({SOT_PFN})/decoration/achievement,image,scid")
    with pytest.raises(NotFoundException, match=r"No such title: Nope\.Nope_1"):
        await call(xbl.titles.by_pfn("Nope.Nope_1"))
    before = len(sandbox.requests)
    with pytest.raises(InvalidArgument):
        await call(xbl.titles.by_pfn("not a pfn/../x"))
    assert len(sandbox.requests) == before  # refused before anything was sent


async def test_batch_by_pfn(xbl: Any, sandbox: Sandbox) -> None:
    titles = await call(xbl.titles.batch([SOT_PFN, "Nope.Nope_1", MINECRAFT_PFN]))
    assert [t.name for t in titles] == ["Sea of Thieves", "Minecraft"]
    assert all(t.detail is not None and t.title_history is None for t in titles)
    request = sent(sandbox, HOST, "POST")[-1]
    assert request.url.path == f"/{HOST}/titles/batch/decoration/achievement,detail,image,scid"
    assert request.headers["x-xbl-contract-version"] == "2"
    assert json.loads(request.content) == {
        "pfns": [SOT_PFN, "Nope.Nope_1", MINECRAFT_PFN], "windowsPhoneProductIds": []}


async def test_batch_chunks_by_100(xbl: Any, sandbox: Sandbox) -> None:
    names = [f"Sandbox.Missing{n}_x" for n in range(150)] + [SOT_PFN]
    titles = await call(xbl.titles.batch(names))
    assert [t.name for t in titles] == ["Sea of Thieves"]
    assert len(sent(sandbox, HOST, "POST")) == 2


async def test_a_batch_look_up_is_retried(xbl: Any, sandbox: Sandbox) -> None:
    sandbox.faults.append(Fault(kind="server_error", host=HOST, method="POST"))
    sandbox.faults.append(Fault(error=httpx.ConnectError, host=HOST, method="POST"))
    assert [t.name for t in await call(xbl.titles.batch([SOT_PFN]))] == ["Sea of Thieves"]
    assert len(sent(sandbox, HOST, "POST")) == 3

"""Every resource of the modern client against the in-process sandbox, sync and async.

Each test is written once, async; the ``xbl`` fixture hands it a signed-in sync ``Client``
or ``AsyncClient`` and the helpers ``call``/``collect`` await or iterate either one.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import xbox
from xbox.exceptions import GamertagNotFound, MalformedResponse, NotFoundException
from xbox.models import (
    Achievement,
    Achievement360,
    Clip,
    MalformedRecord,
    Person,
    Presence,
    SearchResult,
    Title,
    TitleProgress,
    TitleProgress360,
)
from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, JOE_XUID, Sandbox

from .drift import Drift
from .twins import call, collect, use

RECORDED = Path(__file__).parent / "fixtures" / "recorded"
HALO5 = 219630713  # 73 achievements in the sandbox, as in the recording
HEXIC = 1297290392  # an Xbox 360 title with 15 achievements
HALO5_SCID = "1370999b-fca2-4c53-8ec5-73493bcb67e5"






@pytest.fixture
def drift(sandbox: Sandbox) -> Drift:
    return Drift(sandbox)


@pytest.fixture(params=["sync", "async"])
async def xbl(request: pytest.FixtureRequest, sandbox: Sandbox, drift: Drift) -> AsyncIterator[Any]:
    """A client signed in as JoeAlcorn, sync or async (over ``drift``: no drift unless asked)."""
    use(request.param)
    if request.param == "sync":
        with xbox.Client(base_url=sandbox.base_url, transport=drift.transport(),
                         token_store=None) as c:
            c.authenticate(JOE_EMAIL, JOE_PASSWORD)
            yield c
    else:
        async with xbox.AsyncClient(base_url=sandbox.base_url, transport=drift.transport(),
                                    token_store=None) as ac:
            await ac.authenticate(JOE_EMAIL, JOE_PASSWORD)
            yield ac


def requests_to(sandbox: Sandbox, host: str) -> list[Any]:
    return [r for r in sandbox.requests if f"/{host}/" in str(r.url)]


# -- achievements ---------------------------------------------------------------------------

async def test_achievements_auto_page_through_every_page(xbl: Any, sandbox: Sandbox) -> None:
    pager = xbl.achievements.list(JOE_XUID, title_id=HALO5)
    items = await collect(pager)
    assert len(items) == 73  # more than two pages of 32
    assert pager.pages == 3
    assert len({a.id for a in items}) == 73
    assert all(isinstance(a, Achievement) for a in items)
    sent = requests_to(sandbox, "achievements.xboxlive.com")
    assert [r.headers["x-xbl-contract-version"] for r in sent] == ["2", "2", "2"]
    assert [r.url.params.get("continuationToken") for r in sent] == [None, "32", "64"]
    first = items[0]
    assert first.service_config_id == HALO5_SCID and first.title_id == HALO5
    assert first.progress_state in {"Achieved", "InProgress", "NotStarted"}
    assert first.unlocked == (first.unlocked_at is not None)


async def test_achievements_default_to_signed_in_user_and_limit(xbl: Any, sandbox: Sandbox) -> None:
    items = await collect(xbl.achievements.list(title_id=HALO5, limit=40))
    assert len(items) == 40
    paths = [r.url.path for r in requests_to(sandbox, "achievements.xboxlive.com")]
    assert len(paths) == 2  # stopped after the page holding the 40th
    assert all(f"xuid({JOE_XUID})" in p for p in paths)


async def test_achievements_unlocked_only_and_page_size(xbl: Any) -> None:
    pager = xbl.achievements.list(title_id=HALO5, unlocked_only=True, page_size=5)
    items = await collect(pager)
    assert items and all(a.unlocked and a.unlocked_at is not None for a in items)
    assert pager.pages == -(-len(items) // 5)


async def test_achievement_get_and_not_found(xbl: Any) -> None:
    one = await call(xbl.achievements.get(JOE_XUID, HALO5_SCID, "39"))
    assert one.id == "39" and one.gamerscore is not None
    with pytest.raises(NotFoundException) as info:
        await call(xbl.achievements.get(JOE_XUID, HALO5_SCID, "9999"))
    assert info.value.status_code == 404 and "9999" in str(info.value)


async def test_achievements_360_all_and_earned(xbl: Any, sandbox: Sandbox) -> None:
    every = await collect(xbl.achievements.list_360(JOE_XUID, HEXIC))
    earned = await collect(xbl.achievements.list_360(JOE_XUID, HEXIC, earned_only=True))
    assert len(every) == 15 and all(isinstance(a, Achievement360) for a in every)
    assert {a.id for a in earned} == {a.id for a in every if a.unlocked}
    assert all(a.unlocked_at is None for a in every if not a.unlocked)
    sent = requests_to(sandbox, "achievements.xboxlive.com")
    assert [r.url.path.rsplit("/", 1)[1] for r in sent] == ["titleachievements", "achievements"]
    assert {r.headers["x-xbl-contract-version"] for r in sent} == {"1"}


async def test_achievement_history_v2_and_360(xbl: Any) -> None:
    v2 = await collect(xbl.achievements.history())
    v1 = await collect(xbl.achievements.history_360(JOE_XUID, limit=3))
    assert len(v2) == 10 and all(isinstance(t, TitleProgress) for t in v2)
    assert [t.title_id for t in v2] == sorted(t.title_id for t in v2)
    assert len(v1) == 3 and all(isinstance(t, TitleProgress360) for t in v1)
    assert v1[0].last_played is not None and v1[0].last_played >= v1[1].last_played


async def test_achievement_arguments_are_checked_before_any_request(xbl: Any,
                                                                   sandbox: Sandbox) -> None:
    before = len(sandbox.requests)
    with pytest.raises(ValueError, match="xuid"):
        xbl.achievements.list("joe")
    with pytest.raises(ValueError, match="title id"):
        xbl.achievements.list(title_id="halo")
    with pytest.raises(ValueError, match="order_by"):
        xbl.achievements.list(order_by="newest")
    with pytest.raises(ValueError, match="limit"):
        xbl.achievements.history(limit=-1)
    with pytest.raises(ValueError, match="SCID"):
        await call(xbl.achievements.get(JOE_XUID, "a/b", "1"))
    assert len(sandbox.requests) == before


async def test_one_malformed_achievement_does_not_sink_the_listing(xbl: Any, drift: Drift) -> None:
    def drifting(body: Any) -> None:
        for item in body["achievements"]:
            if item["id"] == "40":  # on the second page
                del item["id"]
            elif item["id"] == "41":
                item["progression"]["timeUnlocked"] = "yesterday"

    drift.on("achievements.xboxlive.com", drifting)
    pager = xbl.achievements.list(title_id=HALO5)
    with pytest.warns(MalformedRecord, match="1 record could not be read") as caught:
        items = await collect(pager)
    assert len(items) == 72 and len(caught) == 1  # one warning for the whole listing
    assert "40" not in {a.id for a in items}
    survivor = next(a for a in items if a.id == "41")  # a drifted date keeps the record
    assert survivor.progression is not None and survivor.progression.time_unlocked is None
    assert survivor.raw["progression"]["timeUnlocked"] == "yesterday"
    assert len(pager.errors) == 1 and isinstance(pager.errors[0], MalformedResponse)
    assert "id" in str(pager.errors[0]) and pager.errors[0].body["name"]


# -- presence -------------------------------------------------------------------------------

async def test_presence_get_me_and_other(xbl: Any, sandbox: Sandbox) -> None:
    me = await call(xbl.presence.get())
    assert me.xuid == JOE_XUID and me.online and me.titles[0].name == "FIFA 14"
    offline = next(a for a in sandbox.world.accounts
                   if a.presence_state == "Offline" and a.last_seen_title and a.xerr is None)
    other = await call(xbl.presence.get(offline.xuid, level="user"))
    assert not other.online and other.last_seen is not None
    assert other.last_seen.title_id == str(offline.last_seen_title.title_id)  # type: ignore[union-attr]
    assert other.last_seen.timestamp.tzinfo is not None
    sent = requests_to(sandbox, "userpresence.xboxlive.com")
    assert [r.url.params["level"] for r in sent] == ["all", "user"]
    assert {r.headers["x-xbl-contract-version"] for r in sent} == {"3"}
    with pytest.raises(GamertagNotFound):
        await call(xbl.presence.get("2533274800000001"))
    with pytest.raises(ValueError, match="level"):
        await call(xbl.presence.get(level="everything"))


async def test_presence_batch_is_chunked_and_tolerant(
        xbl: Any, sandbox: Sandbox, drift: Drift) -> None:
    everyone = [a.xuid for a in sandbox.world.accounts]
    unknown = [str(2533274800000000 + n) for n in range(2300)]  # pushes it to 3 chunks
    broken = everyone[3]

    def drifting(body: Any) -> None:
        for record in body:
            if record.get("xuid") == broken:
                del record["xuid"]

    drift.on("userpresence.xboxlive.com", drifting, path="/users/batch")
    errors: list[MalformedResponse] = []
    with pytest.warns(MalformedRecord, match="1 record could not"):
        got = await call(xbl.presence.batch(everyone + unknown, errors=errors))
    assert [p.xuid for p in got] == [x for x in everyone if x != broken]
    assert all(isinstance(p, Presence) for p in got)
    assert len(errors) == 1 and errors[0].body["state"]
    posts = requests_to(sandbox, "userpresence.xboxlive.com")
    assert [len(json.loads(r.content)["users"]) for r in posts] == [1100, 1100, 170]
    online = await call(xbl.presence.batch(everyone, online_only=True))
    assert online and all(p.online for p in online)
    assert await call(xbl.presence.batch([])) == []


# -- people ---------------------------------------------------------------------------------

async def test_friends_with_decorations(xbl: Any, sandbox: Sandbox) -> None:
    friends = await call(xbl.people.friends())
    assert [p.xuid for p in friends] == sandbox.world.joe.friends
    first = friends[0]
    assert isinstance(first, Person) and first.is_followed_by_caller
    assert first.multiplayer_summary is not None and first.multiplayer_summary.in_party == 0
    assert first.preferred_color is not None and first.preferred_color.primary_color
    assert first.detail is not None and first.detail.account_tier
    assert first.title_presence is not None
    assert first.gamerscore == int(first.gamer_score)  # type: ignore[arg-type]
    sent = requests_to(sandbox, "peoplehub.xboxlive.com")[-1]
    assert sent.url.path.endswith(
        "/users/me/people/social/decoration/preferredcolor,detail,multiplayersummary,presencedetail")
    assert sent.headers["x-xbl-contract-version"] == "3"
    bare = await call(xbl.people.friends(first.xuid, decorations=()))
    assert all(p.detail is None and p.multiplayer_summary is None for p in bare)
    with pytest.raises(ValueError, match="decoration"):
        await call(xbl.people.friends(decorations=("detail/../x",)))


async def test_people_batch_and_summary(xbl: Any, sandbox: Sandbox) -> None:
    xuids = [a.xuid for a in sandbox.world.accounts if a.xerr is None]
    unknown = [str(2533274800000000 + n) for n in range(120 - len(xuids))]
    got = await call(xbl.people.batch(xuids + unknown))
    assert [p.xuid for p in got] == xuids  # unknown ones are left out, as the service does
    posts = requests_to(sandbox, "peoplehub.xboxlive.com")
    assert [len(json.loads(r.content)["xuids"]) for r in posts] == [100, 20]
    me = await call(xbl.people.summary())
    assert me.target_following_count == len(sandbox.world.joe.friends)
    assert me.available_people_slots is not None
    other = await call(xbl.people.summary(xuids[1]))
    assert other.available_people_slots is None and other.target_follower_count is not None


async def test_one_malformed_person_is_reported(xbl: Any, sandbox: Sandbox,
                                               drift: Drift) -> None:
    drifted, lost = sandbox.world.joe.friends[2], sandbox.world.joe.friends[4]

    def drifting(body: Any) -> None:
        for person in body["people"]:
            if person["xuid"] == drifted:
                person["isFavorite"] = {"not": "a bool"}
            elif person["xuid"] == lost:
                person["xuid"] = None

    drift.on("peoplehub.xboxlive.com", drifting)
    errors: list[MalformedResponse] = []
    with pytest.warns(MalformedRecord, match="xuid"):
        got = await call(xbl.people.friends(errors=errors))
    assert lost not in {p.xuid for p in got} and len(errors) == 1
    assert len(got) == len(sandbox.world.joe.friends) - 1
    kept = next(p for p in got if p.xuid == drifted)
    assert kept.is_favorite is None and kept.raw["isFavorite"] == {"not": "a bool"}


# -- titles ---------------------------------------------------------------------------------

async def test_title_history_and_get(xbl: Any, sandbox: Sandbox) -> None:
    titles = await call(xbl.titles.history())
    assert len(titles) == 10 and all(isinstance(t, Title) for t in titles)
    played = [t.last_played for t in titles]
    assert played == sorted(played, reverse=True)
    assert all(t.achievement is not None and t.service_config_id for t in titles)
    assert isinstance(titles[0].title_id, str)  # a string on titlehub's wire
    sent = requests_to(sandbox, "titlehub.xboxlive.com")[-1]
    assert sent.url.path.endswith(f"/users/xuid({JOE_XUID})/titles/titlehistory/decoration/"
                                  "achievement,image,scid")
    assert sent.headers["x-xbl-contract-version"] == "2"
    two = await call(xbl.titles.history(JOE_XUID, limit=2))
    assert [t.title_id for t in two] == [t.title_id for t in titles[:2]]
    assert requests_to(sandbox, "titlehub.xboxlive.com")[-1].url.params["maxItems"] == "2"
    halo = await call(xbl.titles.get(HALO5))
    assert halo.title_id == str(HALO5) and halo.name == "Halo 5: Guardians"
    with pytest.raises(NotFoundException, match="No such title"):
        await call(xbl.titles.get(12345))
    with pytest.raises(ValueError, match="title id"):
        await call(xbl.titles.get("halo"))


async def test_title_history_tolerates_a_bad_title(xbl: Any, drift: Drift) -> None:
    def drifting(body: Any) -> None:
        for title in body["titles"]:
            if title["titleId"] == str(HALO5):
                title["titleId"] = None

    drift.on("titlehub.xboxlive.com", drifting)
    errors: list[MalformedResponse] = []
    with pytest.warns(MalformedRecord):
        titles = await call(xbl.titles.history(errors=errors))
    assert len(titles) == 9 and len(errors) == 1


# -- search ---------------------------------------------------------------------------------

async def test_search_gamertags(xbl: Any, sandbox: Sandbox) -> None:
    results = await call(xbl.search.gamertags("tux"))
    assert results and len(results) <= 8
    assert all(isinstance(r, SearchResult) and "tux" in (r.gamertag or "").lower() for r in results)
    by_xuid = sandbox.world.by_xuid
    assert all(by_xuid[r.xuid].gamertag == r.gamertag for r in results)
    sent = requests_to(sandbox, "usersearch.xboxlive.com")[-1]
    assert sent.url.params["q"] == "tux" and sent.headers["x-xbl-contract-version"] == "1"
    with pytest.raises(ValueError, match="search text"):
        await call(xbl.search.gamertags("   "))


# -- model fidelity: real recorded bodies ---------------------------------------------------

def _recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def test_recorded_v2_achievements_parse() -> None:
    body = _recorded("achievements_one_gameprogress.json")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        items = [Achievement.from_wire(item) for item in body["achievements"]]
    assert len(items) == 32
    first = items[0]
    assert first.id == "5" and first.name == "Your Team is Your Weapon"
    assert first.unlocked and first.unlocked_at == datetime(2015, 10, 26, 18, 11, 3, 668950,
                                                            tzinfo=UTC)
    assert first.progression is not None
    assert first.progression.requirements[0].current == "3"
    assert first.media_assets[0].type == "Icon" and first.gamerscore is not None
    assert first.raw is body["achievements"][0]
    assert first.title_id == HALO5
    detail = Achievement.from_wire(_recorded("achievements_one_details.json")["achievements"][0])
    assert detail.progress_state == "NotStarted" and detail.unlocked_at is None
    assert detail.progression is not None and detail.progression.requirements[0].current is None


def test_recorded_360_achievements_and_histories_parse() -> None:
    every = [Achievement360.from_wire(a) for a in _recorded("achievements_360_all.json")["achievements"]]
    assert len(every) == 15 and every[0].title_id == HEXIC and every[0].gamerscore == 10
    assert every[0].unlocked is False and every[0].unlocked_at is None
    earned = Achievement360.from_wire(_recorded("achievements_360_earned.json")["achievements"][0])
    assert earned.unlocked_at == datetime(2014, 4, 12, 14, 5, 2, tzinfo=UTC)
    v1 = [TitleProgress360.from_wire(t)
          for t in _recorded("achievements_360_recent_progress.json")["titles"]]
    assert v1[0].name == "SSX™" and v1[0].platforms == [1] and v1[0].total_gamerscore == 1000
    v2 = [TitleProgress.from_wire(t)
          for t in _recorded("achievements_one_recent_progress.json")["titles"]]
    assert v2[0].title_type == "LiveApp" and v2[0].last_unlocked_at is not None
    assert v2[0].last_unlock == datetime(2013, 11, 16, 15, 37, 26, 801856, tzinfo=UTC)


def test_recorded_presence_parses() -> None:
    one = Presence.from_wire(_recorded("presence.json"))
    assert one.state == "Offline" and not one.online and one.last_seen is not None
    assert one.last_seen.device_type == "iOS" and one.last_seen.title_id == "1016898439"
    assert one.last_seen.title_name == ""
    own = Presence.from_wire(_recorded("presence_own.json"))
    assert own.xuid == "2535428504476914" and own.last_seen is None and own.devices == []
    batch_body = _recorded("presence_batch.json")
    batch = [Presence.from_wire(p) for p in batch_body]
    assert [p.xuid for p in batch] == ["2669321029139235", "2584878536129841"]
    assert batch[1].raw == batch_body[1]


def test_recorded_search_and_clips_parse() -> None:
    results = [SearchResult.from_wire(r) for r in _recorded("usersearch_live_search.json")["results"]]
    assert len(results) == 8
    assert results[0].xuid == "2533274895244106" and results[0].gamertag == "Tux"
    assert results[0].score == 0.0 and results[0].display_pic_uri.startswith("http://")  # type: ignore[union-attr]
    clips = [Clip.from_wire(c) for c in _recorded("gameclips_recent_own.json")["gameClips"]]
    assert len(clips) == 25 and clips[0].game_clip_id == "44b7e94d-b3e9-4b97-be73-417be9091e93"
    assert clips[0].duration_in_seconds == 28 and clips[0].title_id == 822567888


def test_unknown_fields_are_kept_and_raw_untouched() -> None:
    body = _recorded("achievements_one_details.json")["achievements"][0]
    body = {**body, "brandNewField": {"x": 1}}
    snapshot = json.dumps(body, sort_keys=True)
    model = Achievement.from_wire(body)
    assert model.model_extra == {"brandNewField": {"x": 1}}
    assert json.dumps(model.raw, sort_keys=True) == snapshot
    person = Person.from_wire({"xuid": "1", "multiplayerSummary": {"InMultiplayerSession": 2,
                                                                   "InParty": 1, "New": 3},
                               "suggestion": {"Type": "x", "Priority": 4}})
    assert person.multiplayer_summary is not None
    assert person.multiplayer_summary.in_multiplayer_session == 2
    assert person.multiplayer_summary.model_extra == {"New": 3}
    assert person.suggestion is not None and person.suggestion.priority == 4


def test_models_require_only_identities() -> None:
    assert Achievement.from_wire({"id": "1"}).name is None
    assert Title.from_wire({"titleId": "1"}).achievement is None
    assert Presence.from_wire({"xuid": "1"}).state is None
    for model, body in ((Achievement, {"name": "x"}), (Presence, {"state": "Online"}),
                        (Title, {"name": "x"}), (Person, {}), (SearchResult, {"text": "x"})):
        with pytest.raises(MalformedResponse):
            model.from_wire(body)


# -- profiles, clips and screenshots through the modern client --------------------------------

async def test_profiles_me_get_and_a_batch_longer_than_one_request(xbl: Any,
                                                                  sandbox: Sandbox) -> None:
    me = await call(xbl.profiles.me())
    assert me.xuid == JOE_XUID and me.gamertag == "JoeAlcorn" and me.gamerscore == 22791
    assert me.app_display_name == "JoeAlcorn" and me.raw["id"] == JOE_XUID
    by_tag = await call(xbl.profiles.get("joealcorn"))
    assert by_tag.xuid == JOE_XUID
    everyone = [a.xuid for a in sandbox.world.accounts if not a.email
                or a.email.startswith(("user", "joe"))]
    wanted = (everyone * 5)[:260]  # 260 look-ups: three requests of at most 100
    assert len(wanted) == 260
    before = len(requests_to(sandbox, "profile.xboxlive.com"))
    profiles = await call(xbl.profiles.batch(wanted))
    assert [p.xuid for p in profiles] == wanted
    assert len(requests_to(sandbox, "profile.xboxlive.com")) - before == 3
    with pytest.raises(GamertagNotFound):
        await call(xbl.profiles.get("NobodyAtAll"))


async def test_clips_saved_by_title_and_single(xbl: Any, sandbox: Sandbox) -> None:
    joe = sandbox.world.joe
    saved = await collect(xbl.clips.saved(JOE_XUID))
    assert [c.game_clip_id for c in saved] == [c.id for c in joe.clips if c.saved]
    title = joe.clips[0].title
    by_title = await collect(xbl.clips.recent(JOE_XUID, title_id=title.title_id))
    assert by_title and all(c.title_id == title.title_id for c in by_title)
    assert len(by_title) == sum(c.title.title_id == title.title_id for c in joe.clips)
    first = joe.clips[1]
    one = await call(xbl.clips.get(JOE_XUID, first.title.scid, first.id))
    assert isinstance(one, Clip) and one.game_clip_id == first.id
    assert one.download is not None and one.download.file_size == first.size
    limited = await collect(xbl.clips.recent(limit=7))  # default: the signed-in user
    assert [c.id for c in limited] == [c.id for c in joe.clips[:7]]


async def test_screenshots_recent_saved_and_single(xbl: Any, sandbox: Sandbox) -> None:
    from xbox.exceptions import ScreenshotNotFound

    joe = sandbox.world.joe
    shots = await collect(xbl.screenshots.recent(JOE_XUID))
    assert [s.screenshot_id for s in shots] == [s.id for s in joe.screenshots]
    saved = await collect(xbl.screenshots.saved(JOE_XUID))
    assert [s.id for s in saved] == [s.id for s in joe.screenshots if s.saved]
    target = joe.screenshots[2]
    one = await call(xbl.screenshots.get(JOE_XUID, target.title.scid, target.id))
    assert one.screenshot_id == target.id and one.resolution_width == 1920
    with pytest.raises(ScreenshotNotFound):
        await call(xbl.screenshots.get(JOE_XUID, target.title.scid,
                                       "00000000-0000-4000-8000-000000000000"))


async def test_a_drifted_clip_field_keeps_the_record(
        xbl: Any, sandbox: Sandbox, drift: Drift) -> None:
    drifted = sandbox.world.joe.clips[2]

    def drifting(body: Any) -> None:
        for clip in body["gameClips"]:
            if clip["gameClipId"] == drifted.id:
                clip["views"] = "lots"  # a drifted field: not a number any more

    drift.on("gameclipsmetadata.xboxlive.com", drifting)
    pager = xbl.clips.recent(JOE_XUID, limit=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MalformedRecord)  # nothing is set aside
        clips = await collect(pager)
    assert len(clips) == 10 and pager.errors == []
    kept = next(c for c in clips if c.id == drifted.id)
    assert kept.views is None and kept.raw["views"] == "lots"
    assert kept.download is not None and kept.title_name == drifted.title.name


async def test_a_clip_without_its_id_is_set_aside_and_reported_once(
        xbl: Any, sandbox: Sandbox, drift: Drift) -> None:
    broken = {sandbox.world.joe.clips[2].id, sandbox.world.joe.clips[5].id}

    def drop_ids(body: Any) -> None:
        for clip in body["gameClips"]:
            if clip["gameClipId"] in broken:
                del clip["gameClipId"]

    drift.on("gameclipsmetadata.xboxlive.com", drop_ids)
    pager = xbl.clips.recent(JOE_XUID, limit=10)
    with pytest.warns(MalformedRecord, match="2 records could not be read") as caught:
        clips = await collect(pager)
    assert len(caught) == 1  # once per call, with the count and the first error
    assert "gameClipId" in str(caught[0].message)
    assert len(clips) == 10 and not broken & {c.id for c in clips}
    assert len(pager.errors) == 2 and all(e.body["state"] for e in pager.errors)

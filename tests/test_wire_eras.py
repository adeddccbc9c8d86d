"""Every capture path in every era of the wire, and mediahub for the signed-in user.

Xbox Live changed its capture bodies without changing the request (integer enums since
2025), and newer titles' captures are listed only by mediahub. The seed API, the modern
client (sync and async), the CLI and the archiver must find every capture in each era
(``Sandbox(era=...)``), keep ``.raw`` exactly as sent, and archive mediahub-only captures.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

import xbox
from xbox.archive import Archive, Catalogue, status
from xbox.cli import cli
from xbox.models import CaptureState, MediahubClip, MediahubScreenshot, ThumbnailType
from xbox.sandbox import ERA_ENV, ERAS, JOE_EMAIL, JOE_PASSWORD, JOE_XUID, Fault, Sandbox

from .auth_helpers import xbox_app_sign_in
from .drift import Drift
from .fidelity import recorded_2025
from .twins import call, collect, use

ERA = pytest.mark.parametrize("era", ERAS)
NOW = 1_793_534_400.0  # 2026-11-01 12:00 UTC
KIND = pytest.mark.parametrize("kind", ["sync", "async"])






def wire(sb: Sandbox, path: str) -> list[dict[str, Any]]:
    """Every record a metadata list sends, exactly as sent (paged by hand)."""
    raw = httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                       headers={"Authorization": sb.authorization_for()})
    out: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        body = raw.get(path, params={"continuationToken": token} if token else {}).json()
        out += body.get("gameClips") or body.get("screenshots") or []
        token = body["pagingInfo"]["continuationToken"]
        if not token:
            return out


@pytest.fixture
async def joe(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Any, Sandbox]]:
    """(client, sandbox): Joe signed in on a sandbox of the era in ``request.param``."""
    kind, era = request.param
    use(kind)
    # One frozen clock for both: signed URLs (which carry times) come out the same twice.
    sb = Sandbox(seed=0, era=era, rate_limits=False, clock=lambda: NOW)
    if kind == "sync":
        with xbox.Client(base_url=sb.base_url, transport=sb.transport(), token_store=None,
                         sleep=lambda s: None, clock=lambda: NOW) as c:
            xbox_app_sign_in(c, sb)
            yield c, sb
    else:
        async def no_sleep(seconds: float) -> None:
            return None

        async with xbox.AsyncClient(base_url=sb.base_url, transport=sb.transport(),
                                    token_store=None, sleep=no_sleep, clock=lambda: NOW) as ac:
            await xbox_app_sign_in(ac, sb)
            yield ac, sb


BOTH = pytest.mark.parametrize("joe", [(k, e) for k in ("sync", "async") for e in ERAS],
                               indirect=True, ids=lambda p: f"{p[0]}-{p[1]}")


# -- the modern client -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["gameclips_recent_own.json", "gameclips_recent_community.json",
                                  "screenshots_recent_own.json",
                                  "screenshots_recent_community.json"])
def test_the_2025_recordings_parse_whole(name: str) -> None:
    """Today's bodies (recorded-2025) carry every enum as an integer, the content attributes
    too: every record parses, with the integer kept as sent."""
    from xbox.models import Clip, Screenshot

    body = recorded_2025(name)
    model, key, attributes = ((Clip, "gameClips", "clip_content_attributes")
                              if name.startswith("gameclips")
                              else (Screenshot, "screenshots", "screenshot_content_attributes"))
    records = [model.model_validate(item) for item in body[key]]
    assert records and all(getattr(r, attributes) == 0 for r in records)
    assert all(r.state == CaptureState.PUBLISHED and r.download is not None for r in records)


@BOTH
async def test_every_clip_and_screenshot_is_read_with_raw_as_sent(joe: tuple[Any, Sandbox]) -> None:
    xbl, sb = joe
    clips = await collect(xbl.clips.recent(JOE_XUID))
    sent = wire(sb, f"/gameclipsmetadata.xboxlive.com/users/xuid({JOE_XUID})/clips")
    assert len(clips) == len(sent) == len(sb.world.joe.clips)
    assert [c.raw for c in clips] == sent  # untouched, whatever the era's shapes
    published = [c for c in clips if c.state == CaptureState.PUBLISHED]
    assert len(published) == sum(c.state == "Published" for c in sb.world.joe.clips)
    for clip in published:
        assert clip.state == "Published"  # the enum compares equal to the old name
        assert clip.download is not None and clip.download.uri.startswith("http")
        assert clip.thumbnail("Small") is not None and clip.thumbnail(ThumbnailType.LARGE)
    shots = await collect(xbl.screenshots.recent(JOE_XUID))
    assert [s.raw for s in shots] == wire(
        sb, f"/screenshotsmetadata.xboxlive.com/users/xuid({JOE_XUID})/screenshots")
    assert all(s.download is not None for s in shots)


@BOTH
async def test_a_clip_of_each_era_downloads_verified(joe: tuple[Any, Sandbox], tmp_path: Path) -> None:
    xbl, sb = joe
    clip = next(c for c in await collect(xbl.clips.recent(JOE_XUID, limit=10))
                if c.state == "Published")
    result = await call(xbl.download(clip, tmp_path / "clip.mp4"))
    assert (tmp_path / "clip.mp4").read_bytes() == sb.world.captures_by_id[clip.id].media_bytes()
    assert result.size == clip.download.file_size
    thumb = await call(xbl.download(clip, tmp_path / "thumb.png", thumbnail="Small"))
    assert thumb.content_type == "image/png"


# -- the seed API ----------------------------------------------------------------------------

@ERA
def test_the_seed_api_lists_every_clip_with_its_documented_strings(
        era: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sb = Sandbox(seed=0, era=era)
    client = xbox.Client(base_url=sb.base_url, transport=sb.transport(), token_store=None)
    monkeypatch.setattr(xbox, "client", client)
    xbox.client.authenticate(JOE_EMAIL, JOE_PASSWORD)
    gt = xbox.GamerProfile.from_gamertag("JoeAlcorn")
    clips = list(gt.clips())
    world = sb.world.joe.clips
    assert len(clips) == sum(c.state == "Published" for c in world)  # pending left out
    assert all(c.state == "Published" for c in clips)
    assert all(c.thumbnails.small and c.thumbnails.large and c.media_url for c in clips)
    assert all(c.recorded is not None and c.recorded.tzinfo is not None for c in clips)
    everything = list(xbox.Clip.latest_from_user(gt, include_pending=True))
    assert len(everything) == len(world)
    pending = [c for c in everything if c.state == "PendingUpload"]
    assert pending and all(c.media_url is None and c.thumbnails.small is None for c in pending)
    if era == "2025":
        assert clips[0].raw_json["state"] == 6  # raw_json is what was sent
    saved = list(xbox.Clip.saved_from_user(gt))
    assert saved and all(c.saved for c in saved)
    one = xbox.Clip.get(JOE_XUID, clips[0].scid, clips[0].clip_id)
    assert one.state == "Published" and one.media_url
    client.close()


# -- the CLI and the archiver ----------------------------------------------------------------

@ERA
def test_the_cli_lists_and_archives_in_each_era(era: str, tmp_path: Path) -> None:
    env = {ERA_ENV: era}
    listed = CliRunner().invoke(cli, ["--sandbox", "--json", "clips", "JoeAlcorn", "--limit", "500"],
                                env=env, catch_exceptions=False)
    assert listed.exit_code == 0, listed.stderr
    clips = json.loads(listed.stdout)
    assert len(clips) == len(Sandbox(seed=0).world.joe.clips)
    assert "warning" not in listed.stderr
    dest = tmp_path / "archive"
    archived = CliRunner().invoke(cli, ["--sandbox", "archive", "JoeAlcorn", "--dest", str(dest),
                                        "--limit", "3"], env=env, catch_exceptions=False)
    assert archived.exit_code == 0, archived.stderr
    assert "3 archived" in archived.stdout
    assert status(dest).archived == 3


@ERA
def test_the_archiver_plans_every_capture_in_each_era(era: str, tmp_path: Path) -> None:
    sb = Sandbox(seed=0, era=era, rate_limits=False)
    joe = sb.world.joe
    with xbox.Client(base_url=sb.base_url, transport=sb.transport(), token_store=None) as xbl, \
            Archive(tmp_path) as folder:
        xbox_app_sign_in(xbl, sb)
        report = folder.archive_user(xbl, "JoeAlcorn", dry_run=True)
    everything = [*joe.clips, *joe.screenshots, *joe.mediahub_only_clips,
                  *joe.mediahub_only_screenshots]
    planned = {i.id for i in [*report.plan.fetch, *report.plan.uploading]}
    assert planned == {c.id for c in everything}
    assert report.ok and report.unreadable == []


# -- mediahub: the signed-in user's own captures ----------------------------------------------

@pytest.mark.parametrize("joe", [("sync", "2025"), ("async", "2025")], indirect=True,
                         ids=["sync", "async"])
async def test_mine_lists_every_own_capture_from_mediahub(joe: tuple[Any, Sandbox]) -> None:
    xbl, sb = joe
    world = sb.world
    pager = xbl.clips.mine(page_size=50)
    clips = await collect(pager)
    assert all(isinstance(c, MediahubClip) and c.source == "mediahub" for c in clips)
    assert [c.id for c in clips] == [c.id for c in world.mediahub(world.joe, "clip")]
    assert pager.pages == 3  # 135 clips, 50 a page, by continuation token
    only = {c.id for c in world.mediahub_only(world.joe, "clip")}
    newest = clips[0]
    assert newest.id in only  # the newest clip: the metadata lists never show it
    assert newest.title_name and newest.recorded is not None and newest.xuid == JOE_XUID
    assert newest.download is not None and newest.download.file_size
    assert newest.thumbnail("Small") is not None and newest.saved_by_user is None
    assert newest.raw["contentId"] == newest.id
    listed = {c.id for c in await collect(xbl.clips.recent())}
    assert only and not only & listed
    shots = await collect(xbl.screenshots.mine())
    assert all(isinstance(s, MediahubScreenshot) for s in shots)
    assert len(shots) == len(world.mediahub(world.joe, "screenshot"))
    title = newest.title_id
    of_title = await collect(xbl.clips.mine(title_id=title))
    assert of_title and all(c.title_id == title for c in of_title)
    sent = [json.loads(r.content) for r in sb.requests if "/mediahub.xboxlive.com/" in str(r.url)]
    assert sent[0] == {"max": 50, "query": f"OwnerXuid eq {JOE_XUID}", "skip": 0}
    assert "continuationToken" in sent[1]
    assert {r.headers["x-xbl-contract-version"] for r in sb.requests
            if "/mediahub.xboxlive.com/" in str(r.url)} == {"3"}


@pytest.mark.parametrize("joe", [("sync", "2025"), ("async", "2025")], indirect=True,
                         ids=["sync", "async"])
async def test_a_mediahub_capture_is_refreshed_by_its_local_id(joe: tuple[Any, Sandbox],
                                                              tmp_path: Path) -> None:
    xbl, sb = joe
    clip = (await collect(xbl.clips.mine(limit=1)))[0]
    fresh = await call(xbl.clips.refresh(clip))
    assert isinstance(fresh, MediahubClip) and fresh.id == clip.id
    assert fresh.download is not None and fresh.download.uri.startswith("https://")
    asked = json.loads(sb.requests[-1].content)
    assert asked["query"] == f"OwnerXuid eq {JOE_XUID} and localId eq '{clip.local_id}'"
    # Downloading it refreshes the same way when the host refuses the signed URL.
    sb.faults.append(Fault(status=403, host=clip.download.uri.split("/")[2], times=1))
    result = await call(xbl.download(clip, tmp_path / "clip.mp4"))
    assert result.refreshed == 1
    assert (tmp_path / "clip.mp4").read_bytes() == sb.world.captures_by_id[clip.id].media_bytes()


def test_mediahub_without_tokens_is_paged_by_skip(sandbox: Sandbox) -> None:
    # A full page and no continuation token: ask for what follows with "skip".
    drift = Drift(sandbox)
    drift.on("mediahub.xboxlive.com", lambda body: body.pop("continuationToken", None))
    with xbox.Client(base_url=sandbox.base_url, transport=drift.transport(),
                     token_store=None) as xbl:
        xbox_app_sign_in(xbl, sandbox)
        pager = xbl.screenshots.mine(page_size=20)
        shots = list(pager)
    assert len(shots) == len(sandbox.world.mediahub(sandbox.world.joe, "screenshot"))
    skips = [json.loads(r.content)["skip"] for r in sandbox.requests
             if "/mediahub.xboxlive.com/" in str(r.url)]
    assert skips == [0, 20, 40]  # the third page is short: the listing ends there


# -- the archive: union, refusals, unreadable records ---------------------------------------

@pytest.fixture
def archived(tmp_path: Path) -> Iterator[tuple[Sandbox, Path]]:
    yield Sandbox(seed=0, rate_limits=False), tmp_path / "archive"


def test_mediahub_only_captures_are_archived_and_their_sources_recorded(
        archived: tuple[Sandbox, Path]) -> None:
    sb, dest = archived
    world = sb.world
    result = CliRunner().invoke(cli, ["--sandbox", "archive", "JoeAlcorn", "--dest", str(dest)],
                                obj=sb, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    only = [*world.mediahub_only(world.joe, "clip"), *world.mediahub_only(world.joe, "screenshot")]
    with Catalogue(dest, readonly=True) as cat:
        rows = {r.id: r for r in cat.rows()}
    for capture in only:
        row = rows[capture.id]
        if capture.state == "Published":
            assert row.status == "done" and (dest / row.path).read_bytes() == capture.media_bytes()
        assert row.sources == ("mediahub",)
    both = world.joe.clips[0]
    assert rows[both.id].sources == ("mediahub", "metadata")


def test_a_refused_mediahub_is_reported_never_taken_for_no_captures(
        archived: tuple[Sandbox, Path]) -> None:
    sb, dest = archived
    sb.faults.append(Fault(status=403, host="mediahub.xboxlive.com"))
    result = CliRunner().invoke(cli, ["--sandbox", "archive", "JoeAlcorn", "--dest", str(dest),
                                      "--only", "screenshots"], obj=sb, catch_exceptions=False)
    assert result.exit_code == 1
    assert "mediahub screenshots" in result.stderr and "may be missing" in result.stderr
    assert status(dest).archived == len(sb.world.joe.screenshots)  # the lists still archived
    data = CliRunner().invoke(cli, ["--sandbox", "--json", "archive", "JoeAlcorn", "--dest",
                                    str(dest), "--only", "screenshots", "--dry-run"], obj=sb,
                              catch_exceptions=False)
    report = json.loads(data.stdout)[0]
    assert report["source_errors"] == {}  # mediahub answers again: its own are planned
    assert len(report["planned"]) == len(sb.world.joe.mediahub_only_screenshots)


def test_unreadable_records_fail_the_run_and_are_listed(archived: tuple[Sandbox, Path],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    sb, dest = archived
    broken = sb.world.joe.screenshots[3].id
    drifted = sb.world.joe.screenshots[4].id
    drift = Drift(sb)

    def drifting(body: Any) -> None:
        for shot in body["screenshots"]:
            if shot["screenshotId"] == broken:
                del shot["screenshotId"]  # no identity: set aside
            elif shot["screenshotId"] == drifted:
                shot["views"] = "many"  # a drifted detail: kept

    drift.on("screenshotsmetadata.xboxlive.com", drifting)
    with xbox.Client(base_url=sb.base_url, transport=drift.transport(), token_store=None) as xbl, \
            Archive(dest) as folder:
        xbox_app_sign_in(xbl, sb)
        with pytest.warns(xbox.models.MalformedRecord, match="1 record could not be read"):
            report = folder.archive_user(xbl, JOE_XUID, kinds=["screenshot"])
    assert not report.ok and len(report.unreadable) == 1
    assert report.unreadable[0].source == "metadata" and "screenshotId" in report.unreadable[0].error
    assert drifted in {i.id for i in report.downloaded}
    assert broken in {i.id for i in report.downloaded}  # mediahub still knew it
    listed = CliRunner().invoke(cli, ["--json", "archive", "status", "--dest", str(dest)],
                                catch_exceptions=False)
    unreadable = json.loads(listed.stdout)["unreadable"]
    assert len(unreadable) == 1 and unreadable[0]["kind"] == "screenshot"
    table = CliRunner().invoke(cli, ["archive", "status", "--dest", str(dest)])
    assert "could not read" in table.output  # the title of the piped table is on stderr

"""The capture archiver against the sandbox: complete, incremental, ordered, crash-safe."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

import xbox
from tests.auth_helpers import xbox_app_sign_in
from xbox.archive import (
    CATALOGUE_NAME,
    Archive,
    ArchiveEvent,
    AsyncArchive,
    Catalogue,
    plan_captures,
    render_path,
    status,
)
from xbox.archive.planner import KnownCapture, sanitize_component
from xbox.models import Clip
from xbox.sandbox import JOE_XUID, Fault, Sandbox

# JoeAlcorn in the seed-0 world: 130 clips and 40 screenshots that the metadata lists and
# mediahub both know, and 5 clips and 4 screenshots of newer titles that only mediahub
# lists (he is the signed-in user, so the archiver reads both). 6 clips are still uploading.
_JOE = Sandbox(seed=0).world.joe
JOE_SCREENSHOTS = len(_JOE.screenshots) + len(_JOE.mediahub_only_screenshots)
JOE_UPLOADING = sum(c.state == "PendingUpload" for c in (*_JOE.clips, *_JOE.mediahub_only_clips))
JOE_PUBLISHED = len(_JOE.clips) + len(_JOE.mediahub_only_clips) - JOE_UPLOADING + JOE_SCREENSHOTS
assert (JOE_PUBLISHED, JOE_UPLOADING, JOE_SCREENSHOTS) == (173, 6, 44)


async def _no_sleep(seconds: float) -> None:
    return None


@pytest.fixture
def sb() -> Sandbox:
    return Sandbox(seed=0, rate_limits=False)


@pytest.fixture
def joe(sb: Sandbox) -> Iterator[xbox.Client]:
    with xbox.Client(base_url=sb.base_url, transport=sb.transport(), token_store=None,
                     sleep=lambda s: None) as client:
        xbox_app_sign_in(client, sb)
        yield client


@pytest.fixture
async def ajoe(sb: Sandbox) -> AsyncIterator[xbox.AsyncClient]:
    async with xbox.AsyncClient(base_url=sb.base_url, transport=sb.transport(), token_store=None,
                                sleep=_no_sleep) as client:
        await xbox_app_sign_in(client, sb)
        yield client


def _media_requests(sb: Sandbox) -> int:
    return sum(1 for r in sb.requests if "content-d" in str(r.url) or "content-t" in str(r.url))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_disk_matches(sb: Sandbox, dest: Path, expect_done: int) -> None:
    """Every archived row's files are on disk with the sandbox's bytes; nothing else is."""
    with Catalogue(dest, readonly=True) as cat:
        done = [r for r in cat.rows() if r.status == "done"]
    assert len(done) == expect_done
    media_on_disk = set()
    for path in dest.rglob("*"):
        if path.is_file() and not path.name.startswith(CATALOGUE_NAME):
            assert not path.name.endswith(".part"), path
            if path.suffix in (".mp4", ".png") and not path.name.endswith((".small.png", ".large.png")):
                media_on_disk.add(path.relative_to(dest).as_posix())
    assert media_on_disk == {r.path for r in done}  # no duplicate, no orphan
    for row in done:
        world = sb.world.captures_by_id[row.id.lower()]
        data = (dest / row.path).read_bytes()
        assert _sha(data) == row.sha256 == _sha(world.media_bytes())
        assert row.size == len(data)


def test_archive_everything_then_nothing_then_the_deleted_file(sb: Sandbox, joe: xbox.Client,
                                                                tmp_path: Path) -> None:
    dest = tmp_path / "archive"
    events: list[ArchiveEvent] = []
    with Archive(dest) as archive:
        report = archive.archive_user(joe, "JoeAlcorn", progress=events.append)
    assert report.ok and report.gamertag == "JoeAlcorn" and report.xuid == JOE_XUID
    assert len(report.downloaded) == JOE_PUBLISHED
    assert len(report.skipped_uploading) == JOE_UPLOADING
    assert events[0].type == "planned"
    assert sum(e.type == "done" for e in events) == JOE_PUBLISHED
    assert all(e.bytes_total for e in events if e.type == "progress")
    _check_disk_matches(sb, dest, JOE_PUBLISHED)
    assert status(dest).uploading == JOE_UPLOADING

    # Thumbnails, sidecar and mtimes of one clip.
    item = next(i for i in report.downloaded if i.kind == "clip")
    world = sb.world.captures_by_id[item.id.lower()]
    media = dest / item.path
    assert media.parent.parent.name == "JoeAlcorn"
    assert media.parent.name == sanitize_component(world.title.name)  # "Halo 5_ Guardians"
    assert media.name.startswith(world.recorded.strftime("%Y-%m-%d_%H%M%S_"))
    assert media.name.endswith(f"{item.id}.mp4")
    small = dest / item.companions.thumbnails["Small"]
    # A clip's Small and Large locators name one file (fileSize 0), as recorded since 2017.
    assert small.read_bytes() == world.thumbnail_bytes("Large")
    assert (dest / item.companions.thumbnails["Large"]).read_bytes() == world.thumbnail_bytes("Large")
    sidecar = json.loads((dest / item.companions.sidecar).read_text(encoding="utf-8"))
    assert sidecar["gameClipId"] == item.id and sidecar["titleName"] == world.title.name
    for path in (media, small, dest / item.companions.sidecar):
        assert path.stat().st_mtime == world.recorded.timestamp()

    # A second run fetches nothing.
    before = _media_requests(sb)
    with Archive(dest) as archive:
        again = archive.archive_user(joe, "JoeAlcorn")
    assert again.downloaded == [] and len(again.up_to_date) == JOE_PUBLISHED
    assert _media_requests(sb) == before

    # A file the user deleted is fetched again, and only that one.
    media.unlink()
    with Archive(dest) as archive:
        third = archive.archive_user(joe, JOE_XUID)  # by xuid this time
    assert [i.id for i in third.downloaded] == [item.id]
    assert third.reconciled.reset == [item.id]
    _check_disk_matches(sb, dest, JOE_PUBLISHED)


async def test_async_archiver_runs_concurrently(tmp_path: Path) -> None:
    # Over real sockets: in-process transports never suspend, so tasks could not overlap.
    sb = Sandbox(seed=0, rate_limits=False)
    running = [0]
    peak = [0]

    def track(event: ArchiveEvent) -> None:
        if event.type == "start":
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        elif event.type in ("done", "failed"):
            running[0] -= 1

    with sb.serve() as served:
        async with xbox.AsyncClient(base_url=served.base_url, token_store=None) as ajoe, \
                AsyncArchive(tmp_path) as archive:
            await xbox_app_sign_in(ajoe, sb)
            report = await archive.archive_user(ajoe, "JoeAlcorn", kinds=("screenshot",),
                                                concurrency=3, progress=track)
    assert report.ok and len(report.downloaded) == JOE_SCREENSHOTS
    assert peak[0] == 3
    _check_disk_matches(sb, tmp_path, JOE_SCREENSHOTS)


def test_dry_run_writes_nothing_and_plans_soonest_deletion_first(sb: Sandbox, joe: xbox.Client,
                                                                 tmp_path: Path) -> None:
    dest = tmp_path / "never-created"
    with Archive(dest) as archive:
        report = archive.archive_user(joe, "JoeAlcorn", dry_run=True)
    assert not dest.exists()
    assert _media_requests(sb) == 0
    plan = report.plan.fetch
    assert len(plan) == JOE_PUBLISHED and report.downloaded == []
    expiries = [i.expires_at for i in plan]
    assert expiries == sorted(expiries)  # type: ignore[type-var]
    for item in plan:
        world = sb.world.captures_by_id[item.id.lower()]
        # Mediahub does not say whether a capture was saved: its own are assumed unsaved
        # (30 days, the sooner deletion) so that they are rescued first, never too late.
        saved = world.saved and not world.mediahub_only
        assert item.expires_at == world.recorded + timedelta(days=90 if saved else 30)
    assert report.plan.bytes_to_fetch == sum(
        sb.world.captures_by_id[i.id.lower()].size for i in plan)


def test_limit_takes_the_soonest_and_since_filters(sb: Sandbox, joe: xbox.Client, tmp_path: Path) -> None:
    with Archive(tmp_path / "a") as archive:
        planned = archive.archive_user(joe, "JoeAlcorn", dry_run=True).plan.fetch
        report = archive.archive_user(joe, "JoeAlcorn", limit=5, concurrency=1)
    assert [i.id for i in report.downloaded] == [i.id for i in planned[:5]]
    assert len(report.plan.deferred) == JOE_PUBLISHED - 5

    recorded = sorted(sb.world.captures_by_id[i.id.lower()].recorded for i in planned)
    since = recorded[len(recorded) // 2]
    with Archive(tmp_path / "b") as archive:
        recent = archive.archive_user(joe, "JoeAlcorn", since=since.replace(tzinfo=None))
    assert {i.id for i in recent.downloaded} == {
        i.id for i in planned if sb.world.captures_by_id[i.id.lower()].recorded >= since}
    assert len(recent.downloaded) < JOE_PUBLISHED


def test_status_lists_what_is_at_risk(sb: Sandbox, joe: xbox.Client, tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        report = archive.archive_user(joe, "JoeAlcorn", limit=10, concurrency=2)
    now = sb.world.epoch.timestamp() + 5 * 86400
    summary = status(tmp_path, within_days=7, now=now)
    assert (summary.total, summary.archived, summary.pending, summary.uploading) == (
        JOE_PUBLISHED + JOE_UPLOADING, 10, JOE_PUBLISHED - 10, JOE_UPLOADING)
    horizon = datetime.fromtimestamp(now, UTC) + timedelta(days=7)
    expected = [i.id for i in report.plan.deferred if i.expires_at and i.expires_at <= horizon]
    assert expected and [r.id for r in summary.at_risk] == expected
    assert summary.expired and all(r.days_left(now) < 0 for r in summary.expired)  # type: ignore[operator]
    archived = {i.id for i in report.downloaded}
    assert not archived & {r.id for r in summary.at_risk}


def test_reconcile_resumes_parts_of_pending_captures_and_removes_strays(
        sb: Sandbox, joe: xbox.Client, tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        first = archive.archive_user(joe, "JoeAlcorn", limit=0)  # catalogue only
    target = first.plan.deferred[0]
    data = sb.world.captures_by_id[target.id.lower()].media_bytes()
    part = tmp_path / (target.path.as_posix() + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(data[:1000])
    stray = tmp_path / "JoeAlcorn" / "gone.mp4.part"
    stray.write_bytes(b"junk")
    with Archive(tmp_path) as archive:
        report = archive.archive_user(joe, "JoeAlcorn", limit=1)
    assert report.reconciled.kept_parts == [part]
    assert report.reconciled.removed_parts == [stray]
    assert [i.id for i in report.downloaded] == [target.id]
    ranges = [r.headers.get("Range") for r in sb.requests if f"{target.id}.MP4" in str(r.url)]
    assert ranges == ["bytes=1000-"]
    _check_disk_matches(sb, tmp_path, 1)


def test_a_failed_capture_is_reported_and_retried(sb: Sandbox, joe: xbox.Client, tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        victim = archive.archive_user(joe, "JoeAlcorn", dry_run=True).plan.fetch[1]
        sb.faults.append(Fault(status=404, path_contains=victim.id))
        report = archive.archive_user(joe, "JoeAlcorn", limit=3, concurrency=1)
        assert list(report.failed) == [victim.id] and "gone" in report.failed[victim.id]
        assert len(report.downloaded) == 2
        row = archive.catalogue.get(victim.id)
        assert row is not None and row.status == "failed" and row.error
        again = archive.archive_user(joe, "JoeAlcorn", limit=1)
    assert [i.id for i in again.downloaded] == [victim.id]  # still the most urgent
    _check_disk_matches(sb, tmp_path, 3)


def _clip(days_ago: int, saved: bool, title: str = "Halo 5: Guardians") -> Clip:
    recorded = datetime(2026, 11, 1, tzinfo=UTC) - timedelta(days=days_ago)
    return Clip.from_wire({
        "gameClipId": f"00000000-0000-0000-0000-{days_ago:012d}", "xuid": JOE_XUID,
        "scid": "c4060100-4951-4a51-a630-dce26c15b8c5", "state": "Published",
        "dateRecorded": recorded.strftime("%Y-%m-%dT%H:%M:%SZ"), "savedByUser": saved,
        "titleName": title, "gameClipUris": [{"uri": "https://x/y.MP4", "fileSize": 10,
                                              "uriType": "Download"}]})


def test_rescue_order_unsaved_first_then_by_age() -> None:
    captures = [_clip(60, True), _clip(10, False), _clip(5, False), _clip(100, True)]
    plan = plan_captures(captures, gamertag="Joe", known={}, present=lambda p, s: False)
    # unsaved: recorded + 30 days; saved: recorded + 90 days
    assert [c.capture.id[-3:] for c in plan.fetch] == ["100", "010", "005", "060"]
    done = {captures[0].id: KnownCapture(captures[0].id, "done", "Joe/x.mp4", 10)}
    plan = plan_captures(captures, gamertag="Joe", known=done, present=lambda p, s: True, limit=2)
    assert [c.id for c in plan.up_to_date] == [captures[0].id]
    assert len(plan.fetch) == 2 and len(plan.deferred) == 1


def test_paths_are_sanitised_and_never_collide() -> None:
    clip = _clip(3, False, title="Halo: Reach / Remastered?")
    path = render_path("{gamertag}/{title}/{date:%Y}/{id}.{ext}", clip, "CON")
    assert path == PurePosixPath("_CON", "Halo_ Reach _ Remastered_", "2026", f"{clip.id}.mp4")
    assert render_path("../{title}", clip, "x").parts[0] == "_"
    twins = [_clip(3, False), _clip(4, False)]
    plan = plan_captures(twins, gamertag="Joe", known={}, present=lambda p, s: False,
                         template="{gamertag}/{date:%Y}")
    paths = [str(i.path) for i in plan.fetch]
    assert len(set(paths)) == 2 and "Joe/2026.mp4" in paths
    with pytest.raises(ValueError, match="unknown field"):
        render_path("{game}/{id}", clip, "Joe")


_CHILD = """
import sys, xbox
from xbox.archive import Archive
with xbox.Client() as xbl, Archive(sys.argv[1]) as archive:
    report = archive.archive_user(xbl, "JoeAlcorn", concurrency=2)
print(len(report.downloaded), len(report.reconciled.kept_parts), len(report.failed))
"""


def _done(dest: Path) -> int:
    db = dest / CATALOGUE_NAME
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM captures WHERE status='done'").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_killed_archiver_resumes_to_a_consistent_archive(tmp_path: Path) -> None:
    sb = Sandbox(seed=0, rate_limits=False)
    dest = tmp_path / "archive"
    with sb.serve() as served:
        # Sign in once; the child processes use the saved session from the same XBOX_HOME.
        with xbox.Client(base_url=served.base_url) as xbl:
            xbox_app_sign_in(xbl, sb)
        env: dict[str, Any] = {**os.environ, "XBOX_LIVE_BASE_URL": served.base_url}
        child = subprocess.Popen([sys.executable, "-c", _CHILD, str(dest)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while _done(dest) < 50 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert child.poll() is None, child.communicate()  # still running: the kill lands mid-way
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        at_kill = _done(dest)
        assert 0 < at_kill < JOE_PUBLISHED

        rerun = subprocess.run([sys.executable, "-c", _CHILD, str(dest)], env=env,
                               capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    downloaded, _kept, failed = (int(n) for n in rerun.stdout.split())
    assert failed == 0
    assert downloaded == JOE_PUBLISHED - at_kill  # exactly the rest, nothing twice
    _check_disk_matches(sb, dest, JOE_PUBLISHED)
    with Catalogue(dest, readonly=True) as cat:
        assert sorted(r.status for r in cat.rows()) == sorted(
            ["done"] * JOE_PUBLISHED + ["uploading"] * JOE_UPLOADING)

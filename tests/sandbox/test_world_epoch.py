"""A sandbox's world counts back from its clock's time, to the hour, by offsets fixed per seed.

So the captures a sandbox serves look as recent as they would on Xbox Live today, and tests
with a fake clock at 2026-11-01 12:00 UTC (tests/auth_helpers.START) see the world they
always saw.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.auth_helpers import START
from xbox.sandbox import Sandbox, World
from xbox.sandbox.world import EPOCH_ENV, WORLD_EPOCH, world_epoch

CLIPS = "/gameclipsmetadata.xboxlive.com"
LATER = 1_900_000_123.7  # 2030-03-17 17:48:43.7 UTC


def _offsets(world: World) -> list[timedelta]:
    """Every date of the world as an offset back from its epoch."""
    out: list[timedelta] = []
    for account in world.accounts:
        out.append(world.epoch - account.last_seen)
        for capture in (*account.clips, *account.screenshots, *account.mediahub_only_clips,
                        *account.mediahub_only_screenshots):
            out += [world.epoch - capture.recorded, world.epoch - capture.published,
                    world.epoch - capture.last_modified]
    return out


def test_a_fake_clock_at_start_gives_the_fixed_world() -> None:
    assert datetime.fromtimestamp(START, UTC) == WORLD_EPOCH
    sb = Sandbox(seed=0, clock=lambda: START)
    assert sb.world.epoch == WORLD_EPOCH == World(0).epoch
    assert [c.recorded for c in sb.world.joe.clips] == [c.recorded for c in World(0).joe.clips]


def test_the_epoch_is_the_clock_to_the_hour_and_offsets_stay() -> None:
    sb = Sandbox(seed=0, clock=lambda: LATER)
    assert sb.world.epoch == datetime(2030, 3, 17, 17, 0, tzinfo=UTC)
    assert _offsets(sb.world) == _offsets(World(0))
    assert _offsets(Sandbox(seed=5, clock=lambda: LATER).world) == _offsets(World(5))
    # Within the same hour, the same world: answers stay stable through a run.
    assert sb.world.epoch == Sandbox(seed=0, clock=lambda: LATER + 600).world.epoch
    assert Sandbox(seed=0, clock=lambda: LATER + 700).world.epoch == sb.world.epoch + timedelta(hours=1)


def test_served_dates_are_recent_for_the_clock() -> None:
    sb = Sandbox(seed=0, clock=lambda: LATER, rate_limits=False, era="2018")
    client = httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                          headers={"Authorization": sb.authorization_for()})
    newest = client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "1"}).json()["gameClips"][0]
    recorded = datetime.strptime(newest["dateRecorded"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    now = datetime.fromtimestamp(LATER, UTC)
    assert timedelta(0) < now - recorded < timedelta(days=3)
    newest_anywhere = sb.world.mediahub(sb.world.joe, "clip")[0].recorded
    assert timedelta(0) < now - newest_anywhere < timedelta(hours=4)


def test_a_prebuilt_world_keeps_its_epoch() -> None:
    world = World(0, epoch=datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert Sandbox(world=world, clock=lambda: LATER).world.epoch == world.epoch
    assert Sandbox(world=World(0), clock=lambda: LATER).world.epoch == WORLD_EPOCH
    with pytest.raises(ValueError, match="timezone-aware"):
        World(0, epoch=datetime(2031, 1, 2))


def test_the_environment_pins_the_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EPOCH_ENV, "2026-11-01T12:00:00Z")
    assert Sandbox(seed=0, clock=lambda: LATER).world.epoch == WORLD_EPOCH
    monkeypatch.setenv(EPOCH_ENV, "2027-05-06T07:08:09+02:00")
    assert world_epoch(LATER) == datetime(2027, 5, 6, 5, 8, 9, tzinfo=UTC)
    monkeypatch.setenv(EPOCH_ENV, "last tuesday")
    with pytest.raises(ValueError, match=EPOCH_ENV):
        Sandbox(seed=0)
    monkeypatch.delenv(EPOCH_ENV)
    assert world_epoch(LATER) == datetime(2030, 3, 17, 17, 0, tzinfo=UTC)

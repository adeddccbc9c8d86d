"""A sandbox's world counts back from its clock's week (the latest Sunday 12:00 UTC) by
offsets fixed per seed.

So the captures a sandbox serves look about as recent as they would on Xbox Live today, the
same dates come back all week (a listing or an archive made twice sees no date move), and
tests with a fake clock at 2026-11-01 12:00 UTC (tests/auth_helpers.START, a Sunday noon)
see the world they always saw.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.auth_helpers import START
from xbox.sandbox import Sandbox, World
from xbox.sandbox.world import EPOCH_ENV, EPOCH_STEP, WORLD_EPOCH, world_epoch

CLIPS = "/gameclipsmetadata.xboxlive.com"
LATER = 1_900_000_123.7  # 2030-03-17 17:48:43.7 UTC, a Sunday
LATER_WEEK = datetime(2030, 3, 17, 12, 0, tzinfo=UTC)  # its week began that Sunday at noon
HOUR, DAY = 3600, 86400


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


def test_the_epoch_is_the_week_of_the_clock_and_offsets_stay() -> None:
    sb = Sandbox(seed=0, clock=lambda: LATER)
    assert sb.world.epoch == LATER_WEEK
    assert _offsets(sb.world) == _offsets(World(0))
    assert _offsets(Sandbox(seed=0, clock=lambda: LATER).world) == _offsets(World(0))
    assert _offsets(Sandbox(seed=5, clock=lambda: LATER).world) == _offsets(World(5))
    # The epoch moves a whole week at a time: every date with it, by the same amount.
    next_week = Sandbox(seed=0, clock=lambda: LATER + 7 * DAY).world
    assert next_week.epoch == LATER_WEEK + EPOCH_STEP == LATER_WEEK + timedelta(days=7)
    assert ([c.recorded - EPOCH_STEP for c in next_week.joe.clips]
            == [c.recorded for c in sb.world.joe.clips])


def _dates(sb: Sandbox) -> list[str]:
    """Every date of Joe's clips as the service sends them."""
    client = httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                          headers={"Authorization": sb.authorization_for()})
    clips = client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "200"}).json()["gameClips"]
    return [c[key] for c in clips for key in ("dateRecorded", "datePublished", "lastModified")]


@pytest.mark.parametrize("later", [HOUR, 2 * HOUR + 1, DAY, 6 * DAY + 18 * HOUR])
def test_dates_stay_put_from_one_run_to_the_next(later: float) -> None:
    """Two runs of ``xbox --sandbox clips`` (each a new sandbox on the machine's clock) an
    hour, a day or most of a week apart list the same dates: was every hour, issue 23."""
    week = LATER_WEEK.timestamp()
    first = Sandbox(seed=0, clock=lambda: week + 5 * 60, rate_limits=False)
    second = Sandbox(seed=0, clock=lambda: week + 5 * 60 + later, rate_limits=False)
    assert second.world.epoch == first.world.epoch
    assert _dates(second) == _dates(first)


@pytest.mark.parametrize("into_the_week", [0, HOUR, 3 * DAY, 7 * DAY - 1])
def test_served_dates_are_recent_for_the_clock(into_the_week: float) -> None:
    now = LATER_WEEK.timestamp() + into_the_week
    sb = Sandbox(seed=0, clock=lambda: now, rate_limits=False, era="2018")
    client = httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                          headers={"Authorization": sb.authorization_for()})
    newest = client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "1"}).json()["gameClips"][0]
    recorded = datetime.strptime(newest["dateRecorded"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    clock = datetime.fromtimestamp(now, UTC)
    assert timedelta(0) < clock - recorded < timedelta(days=9)
    newest_anywhere = sb.world.mediahub(sb.world.joe, "clip")[0].recorded
    assert timedelta(0) < clock - newest_anywhere < timedelta(days=7, hours=4)


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
    assert world_epoch(LATER) == LATER_WEEK

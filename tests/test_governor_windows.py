"""The governor's window lengths can match a sandbox whose windows are scaled
(``rate_limit_scale``): the bench's rate-limit rows depend on it."""

from __future__ import annotations

import pytest

import xbox
from xbox._core.governor import Governor
from xbox._core.limits import BURST_SECONDS, SUSTAIN_SECONDS
from xbox.sandbox import JOE_EMAIL, JOE_GAMERTAG, JOE_PASSWORD, Sandbox

SCALE = 0.01


class FakeTime:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


def test_the_default_windows_are_xbox_lives() -> None:
    governor = Governor()
    assert (governor.burst_seconds, governor.sustain_seconds) == (BURST_SECONDS, SUSTAIN_SECONDS)


@pytest.mark.parametrize("scaled", [True, False])
def test_scaled_windows_wait_only_the_scaled_time(scaled: bool) -> None:
    fake = FakeTime()
    sb = Sandbox(clock=fake.clock, rate_limit_scale=SCALE)
    lim = sb.limits_for("profile")
    assert lim is not None
    with xbox.Client(base_url=sb.base_url, transport=sb.transport(), token_store=None,
                     clock=fake.clock, sleep=fake.sleep,
                     limits={"profile": xbox.Limit(lim.burst, lim.sustain)}) as xbl:
        if scaled:
            xbl.governor.burst_seconds = lim.burst_seconds
            xbl.governor.sustain_seconds = lim.sustain_seconds
        xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
        started = fake.now
        for _ in range(2 * lim.sustain + 1):
            xbl.profiles.get(JOE_GAMERTAG)
    elapsed = fake.now - started
    assert sb.limiter.rejected == 0
    if scaled:
        # Two whole sustain windows of the scaled table, and not one of the real one.
        assert 2 * lim.sustain_seconds <= elapsed < SUSTAIN_SECONDS
    else:
        assert elapsed >= 2 * SUSTAIN_SECONDS

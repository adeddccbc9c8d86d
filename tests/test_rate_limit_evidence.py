"""Rate limits that are evidence, not guesses (issue 26): the governor paces at the limits
Microsoft publishes, at the caller's own, and at what the service's 429s state; a service
with no published limit (the capture lists) is not held back until it answers 429.

Everything runs on one fake clock that the sandbox and the client share, so "no pacing" and
"honours Retry-After" are measured in sandbox time and requests, never by a wall clock.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from xbox import Limit
from xbox._core.governor import UNLIMITED, Governor
from xbox._core.limits import FGRL_DOC, PUBLISHED, TABLE, limit_for_host, published_limit
from xbox.sandbox import JOE_XUID, Sandbox
from xbox.sandbox.limits import Limit as SandboxLimit

from .auth_helpers import FakeClock
from .signed_in import KINDS, signed_in
from .twins import collect

CLIPS = "gameclipsmetadata.xboxlive.com"
PROFILE = "profile.xboxlive.com"
# The hosts whose requests count against the capture-list budget (the sandbox's and ours).
CAPTURE_LIST_HOSTS = (CLIPS, "mediahub.xboxlive.com")


# -- the table: each limit's source ------------------------------------------------------------

def test_every_limit_says_where_it_comes_from() -> None:
    for name, row in TABLE.items():
        if row.published:
            assert row.source == FGRL_DOC, name
            assert PUBLISHED[name] == (row.read, row.write)
        else:
            assert "no published limit" in row.source and name not in PUBLISHED, name
    # Spec §5: Microsoft publishes nothing for these.
    for name in ("gameclips", "screenshots", "peoplehub", "titlehub", "usersearch"):
        assert not TABLE[name].published and published_limit(name) is None
    assert published_limit("profile") == Limit(10, 30)
    assert published_limit("presence", "PUT") == Limit(3, 30)
    # The assumed numbers remain, as a poller's polite share, and pace nothing.
    assert limit_for_host(CLIPS) == Limit(100, 300)


# -- the governor's books ----------------------------------------------------------------------

def test_an_unpublished_service_is_counted_but_not_paced() -> None:
    governor = Governor()
    waits = [governor.reserve(JOE_XUID, CLIPS, "GET", 0.0) for _ in range(1000)]
    assert all(b is not None and b.wait == 0.0 for b in waits)
    assert governor.limit(JOE_XUID, CLIPS) is None  # none known
    # A published service, on the same books, is paced from its first request.
    profile = [governor.reserve(JOE_XUID, PROFILE, "GET", 0.0) for _ in range(11)]
    assert [b.wait > 0 for b in profile if b is not None] == [False] * 10 + [True]


def test_a_429_body_becomes_the_limit_and_retry_after_the_pause() -> None:
    governor = Governor()
    for _ in range(7):
        booking = governor.reserve(JOE_XUID, CLIPS, "GET", 100.0)
        assert booking is not None and booking.wait == 0.0
        governor.settle(booking, 100.0)
    body = {"version": 1, "currentRequests": 8, "maxRequests": 7, "periodInSeconds": 15,
            "type": "burst"}
    governor.penalize(JOE_XUID, CLIPS, "GET", 100.0, 9.0, body)
    assert governor.limit(JOE_XUID, CLIPS) == Limit(7, UNLIMITED)
    nxt = governor.reserve(JOE_XUID, CLIPS, "GET", 100.0)
    assert nxt is not None and nxt.wait == pytest.approx(15.01)  # the window the 7 opened
    # A sustain body (the best-practices doc's variant) names the other window.
    governor.penalize(JOE_XUID, CLIPS, "GET", 100.0, 200.0,
                      {"maxRequests": 40, "periodInSeconds": 120, "limitType": "Rate"})
    assert governor.limit(JOE_XUID, CLIPS) == Limit(7, 40)


def test_a_429_without_a_stated_limit_only_pauses() -> None:
    """Our own count is no evidence of the limit: other programs share the budget."""
    governor = Governor()
    for _ in range(3):
        governor.reserve(JOE_XUID, CLIPS, "GET", 0.0)
    governor.penalize(JOE_XUID, CLIPS, "GET", 0.0, 30.0, None)
    assert governor.limit(JOE_XUID, CLIPS) is None
    paused = governor.reserve(JOE_XUID, CLIPS, "GET", 1.0)
    assert paused is not None and paused.wait == pytest.approx(29.0)
    after = governor.reserve(JOE_XUID, CLIPS, "GET", 31.0)
    assert after is not None and after.wait == 0.0


# -- end to end: a long listing against the sandbox --------------------------------------------

def _capture_lists(sb: Sandbox, clock: FakeClock) -> tuple[httpx.MockTransport, list[Any]]:
    """The sandbox's router, noting (sandbox time, status, Retry-After) of each request that
    counts against the capture-list budget."""
    seen: list[tuple[float, int, float | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        response = sb.handle(request)
        if any(f"/{host}/" in str(request.url) for host in CAPTURE_LIST_HOSTS):
            after = response.headers.get("Retry-After")
            seen.append((clock(), response.status_code, float(after) if after else None))
        return response

    return httpx.MockTransport(handler), seen


@KINDS
async def test_a_long_listing_runs_unpaced_until_the_429_then_honours_retry_after(
        kind: str, clock: FakeClock) -> None:
    # The sandbox enforces a capture-list limit the client cannot know, above the 100 per
    # 15 s we used to assume (and pace at): 120 per 15 s, 125 per 300 s.
    sb = Sandbox(seed=0, clock=clock, limits={"gameclips": SandboxLimit(120, 125)})
    transport, seen = _capture_lists(sb, clock)
    async with signed_in(kind, sb, clock, transport=transport) as xbl:
        start = clock()
        clips = await collect(xbl.clips.recent(page_size=1))
    assert len(clips) == len(sb.world.joe.clips) > 125
    times = [t for t, _, _ in seen]
    statuses = [s for _, s, _ in seen]
    # No pacing before the service objected: 120 pages at the same sandbox instant.
    assert statuses[:121] == [200] * 120 + [429]
    assert times[:121] == [start] * 121
    # Then nothing before its Retry-After, and the next page right when it allows.
    assert seen[120][2] == 15.0
    assert times[121] == start + 15.0
    # From then on the limits the 429s stated pace the listing: one refusal per window (the
    # burst's, then the sustain's), each honoured, and never another.
    refused = [i for i, s in enumerate(statuses) if s == 429]
    assert len(refused) == 2 and sb.limiter.rejected == 2
    at, _, retry_after = seen[refused[1]]
    assert retry_after is not None and times[refused[1] + 1] == pytest.approx(
        at + retry_after, abs=0.02)
    assert all(s == 200 for s in statuses[refused[1] + 1:])
    # Measured in sandbox time: the sustain window had to roll over once.
    assert 300.0 <= times[-1] - start < 320.0


@KINDS
async def test_a_limit_the_caller_gives_paces_from_the_first_request(
        kind: str, clock: FakeClock) -> None:
    """The contrast: a limit given as evidence (here the caller's) meets no 429 at all."""
    sb = Sandbox(seed=0, clock=clock, limits={"gameclips": SandboxLimit(5, 12)})
    transport, seen = _capture_lists(sb, clock)
    async with signed_in(kind, sb, clock, transport=transport,
                         limits={"gameclips": Limit(5, 12)}) as xbl:
        clips = await collect(xbl.clips.recent(page_size=5, limit=60))
    assert len(clips) == 60
    assert sb.limiter.rejected == 0 and {s for _, s, _ in seen} == {200}

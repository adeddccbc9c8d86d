"""xbl.events(): real-time events from the sandbox's RTA service, sync and async.

Each test is written once, async, and runs both clients (a sync stream is read in the test's
thread; the in-process sandbox needs no event loop, the served one runs in its own thread).
World changes are made between two reads: the service queues what it pushes, as a real
socket buffers it, so no test needs a second thread to make something happen.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest

import xbox
from xbox.events import AsyncEvents, Events
from xbox.exceptions import GamertagNotFound, InvalidArgument
from xbox.models.events import (
    AchievementEvent,
    CaptureEvent,
    DeviceEvent,
    FriendsEvent,
    PresenceEvent,
    StatEvent,
    StatusEvent,
    TitlePresenceEvent,
)
from xbox.sandbox import JOE_XUID, Fault, Lifetimes, Sandbox

from .auth_helpers import FakeClock, xbox_app_sign_in
from .signed_in import KINDS
from .twins import call, use

HALO, HALO_SCID = 219630713, "1370999b-fca2-4c53-8ec5-73493bcb67e5"
SEA = 1717113201
TIMEOUT = 20.0


@contextlib.asynccontextmanager
async def client_for(kind: str, sb: Sandbox, *, served: str | None = None,
                     clock: FakeClock | None = None) -> AsyncIterator[Any]:
    """A client of ``kind`` signed in as Joe, in-process, or over ``served`` (a base URL)."""
    use(kind)
    options: dict[str, Any] = {"token_store": None}
    if served is None:
        options["transport"] = sb.transport()
    if clock is not None:
        options["clock"] = clock
        options["sleep"] = clock.sleep if kind == "sync" else clock.asleep
    base = served or sb.base_url
    if kind == "sync":
        with xbox.Client(base_url=base, **options) as c:
            xbox_app_sign_in(c, sb)
            yield c
    else:
        async with xbox.AsyncClient(base_url=base, **options) as ac:
            await xbox_app_sign_in(ac, sb)
            yield ac


def stream_of(xbl: Any, *args: Any, **kwargs: Any) -> Any:
    """``xbl.events(...)``; with ``jitter=``, the stream class itself (no reconnect jitter)."""
    if "jitter" in kwargs:
        cls = AsyncEvents if isinstance(xbl, xbox.AsyncClient) else Events
        return cls(xbl, *args, **kwargs)
    return xbl.events(*args, **kwargs)


async def next_event(stream: Any, timeout: float = TIMEOUT) -> Any:
    """The stream's next event, or a failure after ``timeout`` seconds."""
    if isinstance(stream, AsyncEvents):
        return await asyncio.wait_for(stream.__anext__(), timeout)
    assert isinstance(stream, Events)
    watchdog = threading.Timer(timeout, stream.close)  # ends a read that would hang
    watchdog.start()
    try:
        return next(stream)
    except StopIteration:
        raise AssertionError(f"no event within {timeout} s") from None
    finally:
        watchdog.cancel()


async def close(stream: Any) -> None:
    await call(stream.aclose() if isinstance(stream, AsyncEvents) else stream.close())


async def until(stream: Any, predicate: Any, timeout: float = TIMEOUT) -> Any:
    """The first event that ``predicate`` accepts (others are skipped)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        event = await next_event(stream, max(deadline - loop.time(), 0.1))
        if predicate(event):
            return event


# -- presence and the handshake --------------------------------------------------------------------

@KINDS
async def test_presence_as_it_happens(kind: str) -> None:
    sb = Sandbox(seed=0)
    async with client_for(kind, sb) as xbl:
        stream = stream_of(xbl, ["JoeAlcorn"], kinds="presence", initial=True)
        first = await next_event(stream)
        assert isinstance(first, PresenceEvent) and first.source == "snapshot"
        assert first.gamertag == "JoeAlcorn" and first.xuid == JOE_XUID and first.online
        sb.activity.play("JoeAlcorn", HALO, device="Scarlett", rich_presence="Ranked match")
        event = await next_event(stream)
        assert isinstance(event, PresenceEvent) and event.source == "rta"
        assert (event.title_id, event.title_name, event.rich_presence, event.device_type) == (
            HALO, "Halo 5: Guardians", "Ranked match", "Scarlett")
        assert event.summary() == "playing Halo 5: Guardians (Ranked match) on Scarlett"
        assert event.raw == event.data and event.raw["titleid"] == HALO
        assert event.resource == f"https://userpresence.xboxlive.com/users/xuid({JOE_XUID})/richpresence"
        sb.activity.offline("JoeAlcorn")
        gone = await next_event(stream)
        assert not gone.online and gone.summary() == "offline"
        await close(stream)
    handshake = [r for r in sb.requests if r.url.path.endswith("/rta.xboxlive.com/connect")]
    assert len(handshake) == 1
    headers = handshake[0].headers
    # The one send path's request: signed in, our User-Agent, the RFC 6455 handshake.
    assert headers["authorization"].startswith("XBL3.0 x=")
    assert headers["upgrade"] == "websocket" and headers["sec-websocket-version"] == "13"
    assert headers["sec-websocket-protocol"] == "rta.xboxlive.com.V2"
    assert headers["user-agent"].startswith("xbox-python/")
    assert sb.rta.sessions == []  # closed with the stream


@KINDS
async def test_the_signed_in_user_by_default_and_profiles_as_given(kind: str) -> None:
    sb = Sandbox(seed=0)
    async with client_for(kind, sb) as xbl:
        stream = stream_of(xbl, kinds="presence", initial=True)
        assert (await next_event(stream)).gamertag == "JoeAlcorn"
        await close(stream)
        friend = await call(xbl.profiles.get(xuid=sb.world.joe.friends[0]))
        stream = stream_of(xbl, [friend], kinds="presence", initial=True)
        event = await next_event(stream)
        assert (event.xuid, event.gamertag) == (friend.xuid, friend.gamertag)
        await close(stream)


@KINDS
async def test_achievements_of_the_title_being_played(kind: str) -> None:
    """Achievements are per title (SCID): the stream watches the title each user plays,
    looked up in titlehub when presence shows it."""
    sb = Sandbox(seed=0)
    async with client_for(kind, sb) as xbl:
        stream = stream_of(xbl, ["JoeAlcorn"], kinds="achievements,presence", initial=True)
        assert (await next_event(stream)).source == "snapshot"
        sb.activity.play("JoeAlcorn", HALO)
        assert isinstance(await next_event(stream), PresenceEvent)
        # Before the presence event was handed over, the title's achievements were subscribed.
        assert any(u.endswith(f"/achievements/{HALO_SCID}")
                   for u in sb.rta.sessions[0].subscriptions.values())
        change = sb.activity.unlock_achievement("JoeAlcorn", HALO)
        assert change is not None
        event = await until(stream, lambda e: isinstance(e, AchievementEvent))
        assert event.unlocked and event.achievement_id == str(change.details["achievement_id"])
        assert (event.scid, event.title_id, event.title_name) == (HALO_SCID, HALO, "Halo 5: Guardians")
        assert event.time_unlocked is not None and event.requirements
        await close(stream)


async def first_poll(stream: Any) -> None:
    """Step the stream until it has polled once (which learns what is there)."""
    for _ in range(10):
        if stream._seen:
            return
        await call(stream._step())
    raise AssertionError("the stream did not poll")


@KINDS
async def test_every_kind_rta_pushes(kind: str) -> None:
    sb = Sandbox(seed=0)
    async with client_for(kind, sb) as xbl:
        stream = stream_of(xbl, ["JoeAlcorn"], kinds="devices,titles,stats,friends,status",
                           titles=[HALO], stats=[f"{HALO_SCID}/Kills"], initial=True)
        assert (await next_event(stream)).status == "connected"
        stat = await until(stream, lambda e: isinstance(e, StatEvent))
        assert stat.source == "snapshot" and stat.name == "Kills" and stat.type == "Integer"
        sb.activity.offline("JoeAlcorn")
        sb.activity.play("JoeAlcorn", HALO, device="XboxOne")
        sb.activity.set_stat("JoeAlcorn", HALO, "Kills", 99)
        sb.activity.add_friend("JoeAlcorn", "2535499999999999")
        seen: dict[type, list[Any]] = {}
        while len(seen.get(DeviceEvent, [])) < 2 or not all(
                t in seen for t in (TitlePresenceEvent, StatEvent, FriendsEvent)):
            event = await next_event(stream)
            seen.setdefault(type(event), []).append(event)
        assert [(d.device_type, d.signed_in) for d in seen[DeviceEvent]][-1] == ("XboxOne", True)
        assert seen[DeviceEvent][0].signed_in is False
        assert (seen[TitlePresenceEvent][0].title_id, seen[TitlePresenceEvent][0].started) == (HALO, True)
        assert (seen[StatEvent][0].name, seen[StatEvent][0].value) == ("Kills", 99)
        assert (seen[FriendsEvent][0].change, seen[FriendsEvent][0].xuids) == (
            "Added", ["2535499999999999"])
        await close(stream)


# -- captures: polled ---------------------------------------------------------------------------------

@KINDS
async def test_new_captures_are_polled_within_the_budget(kind: str) -> None:
    clock = FakeClock()
    sb = Sandbox(seed=0, clock=clock)
    async with client_for(kind, sb, clock=clock) as xbl:
        stream = stream_of(xbl, ["JoeAlcorn"], kinds="captures", poll_interval=30)
        await first_poll(stream)  # what is there already is not news
        assert not stream._queue
        clip = sb.activity.record_clip("JoeAlcorn", HALO)
        shot = sb.activity.take_screenshot("JoeAlcorn", SEA)
        before = clock.now
        found = [await next_event(stream), await next_event(stream)]
        assert all(isinstance(e, CaptureEvent) and e.source == "poll" for e in found)
        assert {e.capture_id for e in found} == {clip.id, shot.id}
        assert clock.now - before >= 30  # the next poll waited for its interval
        event = next(e for e in found if e.capture_type == "clip")
        assert event.capture is not None and event.capture.id == clip.id
        assert event.title_name == "Halo 5: Guardians" and event.recorded is not None
        # Metadata lists and mediahub (JoeAlcorn is the signed-in user) both list a capture:
        # each is delivered once. Nothing else was new.
        assert any("mediahub" in str(r.url) for r in sb.requests)
        sb.activity.set_rich_presence("JoeAlcorn", "not a capture")
        clock.advance(60)
        await call(stream._step())
        assert not stream._queue
        await close(stream)


# -- status, refusals, resync ----------------------------------------------------------------------------

@KINDS
async def test_refused_subscriptions_are_reported_and_the_rest_goes_on(kind: str) -> None:
    sb = Sandbox(seed=0)
    async with client_for(kind, sb) as xbl:
        stream = stream_of(xbl, ["JoeAlcorn"], kinds="stats,presence,status",
                           stats=["00000000-0000-0000-0000-000000000001/Kills"])
        refused = await until(stream, lambda e: getattr(e, "status", None) == "refused")
        assert isinstance(refused, StatusEvent) and refused.reason == "unknown resource"
        assert refused.retry_in is None and "scids/00000000" in (refused.resource or "")
        sb.activity.set_rich_presence("JoeAlcorn", "Still here")
        assert (await until(stream, lambda e: e.kind == "presence")).rich_presence == "Still here"
        await close(stream)


@KINDS
async def test_a_throttled_subscription_is_asked_again(kind: str) -> None:
    sb = Sandbox(seed=0)
    sb.rta.unavailable = True
    async with client_for(kind, sb) as xbl:
        stream = stream_of(xbl, ["JoeAlcorn"], kinds="presence,status", initial=True)
        refused = await until(stream, lambda e: getattr(e, "status", None) == "refused")
        assert refused.retry_in == 1.0 and refused.reason == "service unavailable"
        sb.rta.unavailable = False
        snapshot = await until(stream, lambda e: e.kind == "presence")
        assert snapshot.source == "snapshot"
        await close(stream)


@KINDS
async def test_resync_reads_presence_again_and_delivers_what_changed(kind: str) -> None:
    clock = FakeClock()
    sb = Sandbox(seed=0, clock=clock)
    async with client_for(kind, sb, clock=clock) as xbl:
        stream = stream_of(xbl, ["JoeAlcorn"], kinds="presence,status", initial=True)
        await until(stream, lambda e: e.kind == "presence")
        # A change the service never pushed (an event it dropped), then its resync; XSAPI
        # ignores resyncs for 5 minutes after connecting.
        sb.world.joe.presence_state = "Offline"
        clock.advance(301)
        assert sb.rta.resync() == 1
        assert (await until(stream, lambda e: e.kind == "status")).status == "resync"
        event = await next_event(stream)
        assert isinstance(event, PresenceEvent) and event.source == "resync" and not event.online
        await close(stream)


# -- connections lost, tokens renewed ----------------------------------------------------------------------

@KINDS
async def test_a_connection_cut_mid_stream_is_made_again_and_keeps_delivering(kind: str) -> None:
    sb = Sandbox(seed=0)
    with sb.serve() as served:
        async with client_for(kind, sb, served=served.base_url) as xbl:
            stream = stream_of(xbl, ["JoeAlcorn"], kinds="presence,status", initial=True,
                               jitter=lambda: 0.0)
            assert (await next_event(stream)).status == "connected"
            await next_event(stream)  # the snapshot
            sb.activity.set_rich_presence("JoeAlcorn", "Before the cut")
            assert (await next_event(stream)).rich_presence == "Before the cut"
            assert sb.rta.drop() == 1  # the socket is cut: no closing handshake
            lost = await next_event(stream)
            assert lost.status == "disconnected" and lost.retry_in == 0.0
            assert "1006" in (lost.reason or "")
            # While it is down, the world moves on.
            sb.activity.set_rich_presence("JoeAlcorn", "While it was down")
            assert (await next_event(stream)).status == "connected"
            missed = await next_event(stream)
            assert missed.source == "snapshot" and missed.rich_presence == "While it was down"
            sb.activity.set_rich_presence("JoeAlcorn", "After the cut")
            after = await next_event(stream)
            assert after.source == "rta" and after.rich_presence == "After the cut"
            await close(stream)
    first, second = sb.rta.history
    assert len(first.received) == len(second.received) == 1  # subscribed again, once
    assert json_of(first.received[0])[2] == json_of(second.received[0])[2]


def json_of(text: str) -> Any:
    import json

    return json.loads(text)


@KINDS
async def test_an_expiring_token_is_renewed_on_a_new_connection(kind: str) -> None:
    """XSTS tokens live 16 h; the service ends a connection whose token expires. The stream
    opens a new one with a renewed token before that, and goes on."""
    clock = FakeClock()
    sb = Sandbox(seed=0, clock=clock, lifetimes=Lifetimes(xsts=3600))
    async with client_for(kind, sb, clock=clock) as xbl:
        stream = stream_of(xbl, ["JoeAlcorn"], kinds="presence,status", jitter=lambda: 0.0)
        assert (await next_event(stream)).status == "connected"
        clock.advance(3600 - 300)  # the client's refresh margin: the token is due now
        renewing = await next_event(stream)
        assert renewing.status == "renewing"
        assert (await next_event(stream)).status == "connected"
        sb.activity.set_rich_presence("JoeAlcorn", "On a fresh token")
        assert (await next_event(stream)).rich_presence == "On a fresh token"
        await close(stream)
    first, second = sb.rta.history
    assert first.token != second.token and second.token_expires > first.token_expires


@KINDS
async def test_a_connection_the_service_ends_for_its_token_is_made_again(kind: str) -> None:
    clock = FakeClock()
    sb = Sandbox(seed=0, clock=clock, lifetimes=Lifetimes(xsts=3600))
    async with client_for(kind, sb, clock=clock) as xbl:
        stream = stream_of(xbl, ["JoeAlcorn"], kinds="presence,status", jitter=lambda: 0.0)
        assert (await next_event(stream)).status == "connected"
        sb.rta.sessions[0].token_expires = clock.now  # as if the service's view ran ahead
        lost = await next_event(stream)
        assert lost.status == "disconnected" and "token expired" in (lost.reason or "")
        assert (await next_event(stream)).status == "connected"
        await close(stream)


@KINDS
async def test_a_refused_handshake_is_refreshed_once_then_retried_with_backoff(kind: str) -> None:
    clock = FakeClock()
    sb = Sandbox(seed=0, clock=clock)
    sb.faults.append(Fault(status=401, host="rta.xboxlive.com", path_contains="/connect"))
    async with client_for(kind, sb, clock=clock) as xbl:
        stream = stream_of(xbl, ["JoeAlcorn"], kinds="presence,status", jitter=lambda: 0.0)
        assert (await next_event(stream)).status == "connected"  # the 401 was refreshed past
        await close(stream)
        sb.faults.append(Fault(kind="server_error", status=503, times=6, host="rta.xboxlive.com"))
        stream = stream_of(xbl, ["JoeAlcorn"], kinds="presence,status", jitter=lambda: 0.0)
        waiting = await next_event(stream)
        assert waiting.status == "reconnecting" and waiting.retry_in == 1.0
        assert (await until(stream, lambda e: e.status == "connected")).status == "connected"
        # Every 503 was answered: the handshake's own retries, then the stream's backoff.
        assert not sb.faults or sb.faults[-1].times == 0
        await close(stream)


# -- arguments ---------------------------------------------------------------------------------------------

@KINDS
async def test_bad_arguments_are_refused_before_anything_is_sent(kind: str) -> None:
    sb = Sandbox(seed=0)
    async with client_for(kind, sb) as xbl:
        sent = len(sb.requests)
        for bad in ({"kinds": "presence,gamertags"}, {"kinds": "stats"},
                    {"stats": ["Kills"]}, {"titles": ["halo"]}):
            with pytest.raises(InvalidArgument):
                xbl.events(["JoeAlcorn"], **bad)
        with pytest.raises(InvalidArgument):
            xbl.events(["not a gamertag!"])
        assert len(sb.requests) == sent
        stream = xbl.events(["NoSuchGamer"], kinds="presence")
        with pytest.raises(GamertagNotFound):
            await next_event(stream)


def test_real_time_kinds_need_the_events_extra_and_polling_does_not() -> None:
    from .test_structure import _without

    script = """
import xbox
from xbox.exceptions import MissingDependency
from xbox.sandbox import Sandbox
sb = Sandbox()
with xbox.Client(base_url=sb.base_url, transport=sb.transport(), token_store=None) as xbl:
    xbl.login_password("joe@example.org", "hunter2")
    try:
        xbl.events(kinds="presence")
    except MissingDependency as exc:
        print(exc)
    with xbl.events(kinds="captures") as stream:
        print(type(stream).__name__)
"""
    done = _without({"wsproto"}, script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "real-time events: wsproto is not installed (pip install 'xbox[events]')", "Events"]


def test_the_websocket_handshake_has_an_http1_pool_when_the_main_one_speaks_http2() -> None:
    """rta.xboxlive.com may answer in HTTP/2, where there is no Upgrade: the handshake gets a
    pool of its own, HTTP/1.1, over the same transport settings."""
    from xbox import _http

    assert _http.speaks_http2(None, True) is _http._has_h2()
    assert not _http.speaks_http2(object(), True) and not _http.speaks_http2(None, False)
    sb = Sandbox(seed=0)
    with sb.serve() as served, xbox.Client(base_url=served.base_url, token_store=None) as xbl:
        xbox_app_sign_in(xbl, sb)
        with xbl.events(kinds="presence", initial=True) as stream:
            assert next(stream).kind == "presence"
        assert (xbl._upgrade_pool is not None) is _http._has_h2()


def test_a_hosts_http_client_carries_the_handshake_too() -> None:
    """An application's own httpx client (``http_client=``) sends every request, the
    websocket's handshake included, and stays open after."""
    import httpx

    sb = Sandbox(seed=0)
    seen: list[str] = []
    host = httpx.Client(transport=sb.transport(),
                        event_hooks={"request": [lambda r: seen.append(r.url.path)]})
    with xbox.Client(base_url=sb.base_url, http_client=host, token_store=None) as xbl:
        xbox_app_sign_in(xbl, sb)
        with xbl.events(kinds="presence", initial=True) as stream:
            assert next(stream).kind == "presence"
        assert xbl._upgrade_pool is None
    assert "/rta.xboxlive.com/connect" in seen and not host.is_closed
    host.close()

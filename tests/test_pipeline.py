"""The request pipeline, end to end against the sandbox: rate limits, retries, refresh,
error mapping, sockets and lazy imports."""

from __future__ import annotations

import asyncio
import dataclasses
import heapq
import itertools
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pydantic
import pytest

import xbox
from xbox import Limit, RetryPolicy
from xbox._core.limits import service_of_host
from xbox.exceptions import (
    AuthenticationException,
    GamertagNotFound,
    MalformedResponse,
    NotFoundException,
    PermissionDenied,
    RateLimited,
    ServerError,
    Timeout,
    TransportError,
    XboxException,
)
from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, JOE_XUID, Fault, Sandbox, ServedSandbox

from .twins import call, use

PROFILE = "profile.xboxlive.com"
START = 1_800_000_000.0


class FakeTime:
    """A virtual clock shared by the sandbox and the client; sleeping advances it at once.

    Async sleepers wake in deadline order (each spins until it holds the earliest deadline),
    so concurrent coroutines reach the sandbox at the times the governor booked for them.
    """

    def __init__(self) -> None:
        self.now = START
        self.slept: list[float] = []
        self._waiting: list[tuple[float, int]] = []
        self._ids = itertools.count()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        entry = (self.now + max(0.0, seconds), next(self._ids))
        heapq.heappush(self._waiting, entry)
        while self._waiting[0] != entry:
            await asyncio.sleep(0)
        heapq.heappop(self._waiting)
        self.now = max(self.now, entry[0])


def make_client(sb: Sandbox, kind: str, fake: FakeTime | None = None, **kwargs: Any) -> Any:
    """A sync or async client on the in-process sandbox (fake time if given)."""
    use(kind)
    if fake is not None:
        kwargs.setdefault("clock", fake.clock)
    cls: Any = xbox.Client if kind == "sync" else xbox.AsyncClient
    if fake is not None:
        kwargs.setdefault("sleep", fake.sleep if kind == "sync" else fake.async_sleep)
    return cls(base_url=sb.base_url, transport=kwargs.pop("transport", None) or sb.transport(),
               token_store=None, **kwargs)




async def signed_in(client: Any) -> Any:
    await call(client.authenticate(JOE_EMAIL, JOE_PASSWORD))
    return client


def count(sb: Sandbox, host: str, method: str | None = None) -> int:
    return sum(1 for r in sb.requests
               if f"/{host}/" in str(r.url) and (method is None or r.method == method))


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def timed_sandbox(fake: FakeTime) -> Sandbox:
    return Sandbox(clock=fake.clock)


KINDS = pytest.mark.parametrize("kind", ["sync", "async"])


# -- (a) the governor keeps us under the limits ---------------------------------------------

def test_a_thousand_profile_lookups_meet_no_429(fake: FakeTime, timed_sandbox: Sandbox) -> None:
    sb = timed_sandbox
    with make_client(sb, "sync", fake) as xbl:
        xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
        started = fake.now
        for _ in range(1000):
            assert xbl.profiles.get(xuid=JOE_XUID).gamertag == "JoeAlcorn"
    assert sb.limiter.rejected == 0
    assert count(sb, PROFILE) == 1000
    # 30 per 300 s sustain: 1000 calls cannot take less than 33 full windows.
    assert fake.now - started >= 33 * 300


async def test_concurrent_async_calls_share_one_budget(fake: FakeTime,
                                                       timed_sandbox: Sandbox) -> None:
    sb = timed_sandbox
    async with make_client(sb, "async", fake) as xbl:
        await xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
        got = await asyncio.gather(*(xbl.profiles.get(xuid=JOE_XUID) for _ in range(50)))
    assert [p.xuid for p in got] == [JOE_XUID] * 50
    assert sb.limiter.rejected == 0 and count(sb, PROFILE) == 50


def test_without_the_governor_the_sandbox_does_refuse(fake: FakeTime,
                                                      timed_sandbox: Sandbox) -> None:
    # The control for the two tests above: the same load does hit the limit unguarded.
    with make_client(timed_sandbox, "sync", fake, rate_limits=False,
                     retry=RetryPolicy(max_attempts=1)) as xbl:
        xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
        with pytest.raises(RateLimited) as info:
            for _ in range(11):
                xbl.profiles.get(xuid=JOE_XUID)
    assert timed_sandbox.limiter.rejected == 1
    assert info.value.retry_after is not None and info.value.retry_after > 0
    assert info.value.status_code == 429 and info.value.service == PROFILE


# -- (b) a 429 that still arrives is honoured and learned from -------------------------------

@KINDS
async def test_429_is_honoured_and_the_governor_learns(kind: str, fake: FakeTime) -> None:
    arrivals: list[tuple[float, int]] = []
    sb = Sandbox(clock=fake.clock, limits={"profile": Limit(2, 12)})

    def handler(request: httpx.Request) -> httpx.Response:
        response = sb.handle(request)
        if f"/{PROFILE}/" in str(request.url):
            arrivals.append((fake.now, response.status_code))
        return response

    xbl = make_client(sb, kind, fake, transport=httpx.MockTransport(handler),
                      retry=RetryPolicy(max_total=1000))
    await signed_in(xbl)
    for _ in range(20):
        profile = await call(xbl.profiles.get(xuid=JOE_XUID))
        assert profile.xuid == JOE_XUID
    await call(xbl.aclose() if kind == "async" else xbl.close())
    # One burst refusal and one sustain refusal, then the governor knows both limits.
    assert sb.limiter.rejected == 2
    assert xbl.governor.limit(JOE_XUID, PROFILE) == Limit(2, 12)
    # Nothing was sent to the service before the Retry-After of each refusal ran out.
    for n, (at, status) in enumerate(arrivals):
        if status == 429:
            assert arrivals[n + 1][0] >= at + 1
    sustain_429 = next(at for at, status in arrivals[3:] if status == 429)
    after = [at for at, _ in arrivals if at > sustain_429]
    assert after and min(after) >= sustain_429 + 200  # the sustain window's Retry-After


async def test_another_client_on_the_same_account_is_survived(fake: FakeTime,
                                                              timed_sandbox: Sandbox) -> None:
    sb = timed_sandbox
    with make_client(sb, "sync", fake, retry=RetryPolicy(max_total=1000)) as a, \
            make_client(sb, "sync", fake, retry=RetryPolicy(max_total=1000)) as b:
        a.authenticate(JOE_EMAIL, JOE_PASSWORD)
        b.authenticate(JOE_EMAIL, JOE_PASSWORD)
        for _ in range(40):
            assert a.profiles.get(xuid=JOE_XUID).xuid == JOE_XUID
            assert b.profiles.get(xuid=JOE_XUID).xuid == JOE_XUID
    assert sb.limiter.rejected > 0  # they did collide...
    assert count(sb, PROFILE) - sb.limiter.rejected == 80  # ...and every call got through


# -- (c) retries ----------------------------------------------------------------------------

@KINDS
async def test_5xx_and_transport_errors_are_retried_for_gets(kind: str, fake: FakeTime,
                                                             timed_sandbox: Sandbox) -> None:
    sb = timed_sandbox
    xbl = await signed_in(make_client(sb, kind, fake))
    sb.faults.append(Fault(status=503, times=2, host=PROFILE))
    assert (await call(xbl.profiles.get("JoeAlcorn"))).xuid == JOE_XUID
    assert count(sb, PROFILE) == 3
    sb.faults.append(Fault(error=httpx.ConnectError, times=2, host=PROFILE))
    assert (await call(xbl.profiles.get("JoeAlcorn"))).xuid == JOE_XUID
    assert count(sb, PROFILE) == 6
    # Backoff doubles: about 1 s then 2 s (+-25 % jitter), for each failure pair.
    waits = [s for s in fake.slept if s > 0]
    assert len(waits) == 4 and 0.75 <= waits[0] <= 1.25 and 1.5 <= waits[1] <= 2.5
    # A batch read is a POST the library marks idempotent: retried too.
    sb.faults.append(Fault(status=502, times=1, host=PROFILE))
    assert len(await call(xbl.profiles.batch([JOE_XUID]))) == 1
    assert count(sb, PROFILE, "POST") == 2


@KINDS
async def test_non_idempotent_posts_are_never_retried(kind: str, fake: FakeTime,
                                                      timed_sandbox: Sandbox) -> None:
    sb = timed_sandbox
    xbl = await signed_in(make_client(sb, kind, fake))
    body = {"userIds": [JOE_XUID], "settings": ["Gamertag"]}
    sb.faults.append(Fault(status=503, times=1, host=PROFILE))
    with pytest.raises(ServerError):
        await call(xbl.request("POST", PROFILE, "/users/batch/profile/settings",
                               contract_version=3, json=body))
    assert count(sb, PROFILE, "POST") == 1
    sb.faults.append(Fault(error=httpx.ConnectError, times=1, host=PROFILE))
    with pytest.raises(TransportError):
        await call(xbl.request("POST", PROFILE, "/users/batch/profile/settings",
                               contract_version=3, json=body))
    assert count(sb, PROFILE, "POST") == 2
    ok = await call(xbl.request("POST", PROFILE, "/users/batch/profile/settings",
                                contract_version=3, json=body))
    assert ok["profileUsers"][0]["id"] == JOE_XUID


@KINDS
async def test_giving_up_says_status_service_and_correlation_id(kind: str, fake: FakeTime,
                                                                timed_sandbox: Sandbox) -> None:
    sb = timed_sandbox
    xbl = await signed_in(make_client(sb, kind, fake))
    sb.faults.append(Fault(status=503, times=10, host=PROFILE,
                           headers={"x-xblcorrelationid": "cid-123"},
                           body={"description": "service unavailable"}))
    with pytest.raises(ServerError) as info:
        await call(xbl.profiles.get("JoeAlcorn"))
    err = info.value
    assert (err.status_code, err.service, err.correlation_id) == (503, PROFILE, "cid-123")
    assert err.body == {"description": "service unavailable"}
    assert "HTTP 503" in str(err) and "cid-123" in str(err)
    assert count(sb, PROFILE) == RetryPolicy().max_attempts
    sb.faults[:] = [Fault(error=httpx.ReadTimeout, times=10, host=PROFILE)]
    with pytest.raises(Timeout) as tinfo:
        await call(xbl.profiles.get("JoeAlcorn"))
    assert tinfo.value.service == PROFILE and str(tinfo.value)
    assert count(sb, PROFILE) == 2 * RetryPolicy().max_attempts


@KINDS
async def test_a_401_refreshes_once_silently(kind: str, fake: FakeTime,
                                             timed_sandbox: Sandbox) -> None:
    sb = timed_sandbox
    xbl = await signed_in(make_client(sb, kind, fake))
    old = xbl.auth.session.xsts.token
    sb.tokens.grants[old].revoked = True
    xsts_before = count(sb, "xsts.auth.xboxlive.com")
    assert (await call(xbl.profiles.get("JoeAlcorn"))).xuid == JOE_XUID
    assert count(sb, "xsts.auth.xboxlive.com") == xsts_before + 1
    assert count(sb, PROFILE) == 2
    assert xbl.auth.session.xsts.token != old
    # A 401 that persists after the refresh is an authentication error, not a loop.
    sb.faults.append(Fault(status=401, times=5, host=PROFILE))
    with pytest.raises(AuthenticationException) as info:
        await call(xbl.profiles.get("JoeAlcorn"))
    assert info.value.status_code == 401 and info.value.service == PROFILE
    assert count(sb, PROFILE) == 4


async def test_an_expired_xsts_token_is_renewed_before_the_call(fake: FakeTime,
                                                                timed_sandbox: Sandbox) -> None:
    sb = timed_sandbox
    with make_client(sb, "sync", fake) as xbl:
        xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
        fake.now += sb.lifetimes.xsts + 1
        assert xbl.profiles.get("JoeAlcorn").xuid == JOE_XUID
    assert count(sb, PROFILE) == 1  # renewed up front: no 401 round trip


# -- (d) every failure is one of ours -------------------------------------------------------

@KINDS
@pytest.mark.parametrize(("fault", "expected"), [
    (Fault(status=403, body={"code": 15, "description": "privacy"}), PermissionDenied),
    (Fault(status=404), NotFoundException),
    (Fault(status=429, headers={"Retry-After": "7"}), RateLimited),
    (Fault(status=500), ServerError),
    (Fault(status=200, body="<html>not json"), MalformedResponse),
    (Fault(error=httpx.ConnectError), TransportError),
])
async def test_error_mapping(kind: str, fault: Fault, expected: type[XboxException],
                             fake: FakeTime, timed_sandbox: Sandbox) -> None:
    sb = timed_sandbox
    xbl = await signed_in(make_client(sb, kind, fake, retry=RetryPolicy(max_attempts=1)))
    sb.faults.append(dataclasses.replace(fault))  # a fresh copy: faults count down
    with pytest.raises(expected) as info:
        await call(xbl.request("GET", PROFILE, "/users/me/profile/settings", contract_version=3,
                               params={"settings": "Gamertag"}))
    assert str(info.value)
    if fault.status is not None:
        assert info.value.status_code == fault.status and info.value.service == PROFILE
    if expected is RateLimited:
        assert isinstance(info.value, RateLimited) and info.value.retry_after == 7
    if expected is PermissionDenied:
        assert "privacy" in str(info.value)


async def test_resource_404s_name_what_was_missing(client: xbox.Client) -> None:
    client.authenticate(JOE_EMAIL, JOE_PASSWORD)
    with pytest.raises(GamertagNotFound, match="No such user: NobodyHere"):
        client.profiles.get("NobodyHere")


GARBAGE = [
    Fault(status=200, body="not json"),
    Fault(status=200, body=""),
    Fault(status=200, body=[1, 2, 3]),
    Fault(status=200, body={"achievements": {"0": 1}, "titles": {"a": 1}, "people": 5,
                            "results": "x", "pagingInfo": []}),
    Fault(status=200, body={"achievements": [{"id": {"x": 1}}], "titles": [None],
                            "people": [[]], "results": [{}], "xuid": []}),
    Fault(status=400, body="bad"),
    Fault(status=409),
    Fault(status=503, body={"maxRequests": "x"}),
    Fault(status=429, body={"maxRequests": "lots", "periodInSeconds": None},
          headers={"Retry-After": "soon"}),
    Fault(error=httpx.RemoteProtocolError),
    Fault(error=httpx.ReadTimeout),
]


def _surface(xbl: Any) -> list[Callable[[], Any]]:
    return [
        lambda: xbl.achievements.list(JOE_XUID, title_id=219630713),
        lambda: xbl.achievements.list_360(JOE_XUID, 1297290392),
        lambda: xbl.achievements.get(JOE_XUID, "1370999b-fca2-4c53-8ec5-73493bcb67e5", "1"),
        lambda: xbl.achievements.history(JOE_XUID),
        lambda: xbl.presence.get(JOE_XUID),
        lambda: xbl.presence.batch([JOE_XUID]),
        lambda: xbl.people.friends(),
        lambda: xbl.people.batch([JOE_XUID]),
        lambda: xbl.people.summary(),
        lambda: xbl.titles.history(JOE_XUID),
        lambda: xbl.titles.get(219630713, JOE_XUID),
        lambda: xbl.search.gamertags("tux"),
    ]


@KINDS
@pytest.mark.filterwarnings("ignore::xbox.models.MalformedRecord")
async def test_no_httpx_or_pydantic_exception_escapes(kind: str, fake: FakeTime,
                                                      timed_sandbox: Sandbox) -> None:
    sb = timed_sandbox
    xbl = await signed_in(make_client(sb, kind, fake, retry=RetryPolicy(max_attempts=1)))
    raised = 0
    for make_call in _surface(xbl):
        for fault in GARBAGE:
            # A fresh copy each time (faults count down); the client is signed in already,
            # so only the service call meets it.
            sb.faults[:] = [dataclasses.replace(fault, headers=dict(fault.headers))]
            try:
                result = await call(make_call())
                if hasattr(result, "__aiter__"):
                    [item async for item in result]
                elif hasattr(result, "__iter__") and not isinstance(result, (list, dict)):
                    list(result)
            except XboxException as exc:
                assert not isinstance(exc, (httpx.HTTPError, pydantic.ValidationError))
                assert str(exc)
                raised += 1
            except (httpx.HTTPError, pydantic.ValidationError, KeyError, TypeError,
                    AttributeError, IndexError) as exc:  # pragma: no cover - the failure
                pytest.fail(f"{type(exc).__name__} escaped for {fault}: {exc}")
            xbl.governor.forget()  # the injected 429s would otherwise pile up waits
    assert raised >= len(_surface(xbl)) * (len(GARBAGE) - 3)


# -- (e) over a real socket -----------------------------------------------------------------

@pytest.fixture
def served_client(served: ServedSandbox) -> Iterator[xbox.Client]:
    with xbox.Client(base_url=served.base_url, token_store=None) as xbl:
        xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
        yield xbl


def test_over_http_one_pool_is_reused(served_client: xbox.Client) -> None:
    xbl = served_client
    pool = xbl._pool  # no public way to see connections: the pool is looked at directly
    for _ in range(5):
        assert xbl.profiles.get("JoeAlcorn").xuid == JOE_XUID
    assert xbl._pool is pool and pool is not None
    # Sign-in and five lookups all went to one host:port over one kept-alive connection.
    connections = pool._transport._pool.connections  # type: ignore[attr-defined]
    assert len(connections) == 1


def test_over_http_gzip_titlehub(served_client: xbox.Client, served: ServedSandbox) -> None:
    xbl = served_client
    titles = xbl.titles.history()
    assert len(titles) == 10 and titles[0].achievement is not None
    sent = served.sandbox.requests[-1]
    assert "gzip" in sent.headers["accept-encoding"]
    assert sent.headers["user-agent"].startswith("xbox-python/")
    # ...and what came back was gzip: the same request, replayed by hand.
    raw = httpx.get(f"{served.base_url}{sent.url.raw_path.decode()}", headers=sent.headers)
    assert raw.headers["content-encoding"] == "gzip" and raw.json()["xuid"] == JOE_XUID


async def test_over_http_async(served: ServedSandbox) -> None:
    async with xbox.AsyncClient(base_url=served.base_url, token_store=None) as xbl:
        await xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
        me = await xbl.presence.get()
        results = await xbl.search.gamertags("JoeAlcorn")
    assert me.xuid == JOE_XUID and results[0].xuid == JOE_XUID


def test_mediahub_is_rate_limited_with_captures() -> None:
    assert service_of_host("mediahub.xboxlive.com") == "gameclips"


# -- (f) import xbox stays light ------------------------------------------------------------

def test_import_xbox_is_light_and_touches_nothing_outside_the_package() -> None:
    """In a fresh interpreter with everything installed: `import xbox` loads no CLI, rich,
    click, sandbox, uvicorn, httpx or pydantic (the models wait until a resource is used),
    replaces no other module, and filters no other library's logger until a client sends."""
    script = textwrap.dedent("""
        import logging, sys
        import xbox
        from xbox import AsyncClient, Client
        c = Client(token_store=None)
        heavy = ("rich", "click", "pygments", "uvicorn", "xbox.cli", "xbox.sandbox", "httpx",
                 "pydantic", "xbox.models")
        print(sorted(m for m in sys.modules if m.startswith(heavy)))
        assert c.achievements and c.presence and c.people and c.titles and c.search
        assert not any(logging.getLogger(n).filters for n in ("httpcore.http11", "httpx"))
        import httpx
        from httpx._main import print_help  # the real module, not a stand-in
        assert callable(httpx.main) and callable(print_help)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_command_lines_help_loads_no_models_httpx_or_sandbox() -> None:
    """`xbox --help` and `xbox --version` start fast (bench row 7): the commands import the
    request builders (xbox._api, which import the models and pydantic) only when they run."""
    script = textwrap.dedent("""
        import sys
        from click.testing import CliRunner
        from xbox.cli import cli
        for args in (["--help"], ["--version"], ["console", "--help"], ["presence", "--help"]):
            assert CliRunner().invoke(cli, args).exit_code == 0, args
        heavy = ("pydantic", "xbox.models", "xbox._api", "httpx", "xbox.sandbox", "uvicorn")
        print(sorted(m for m in sys.modules if m.startswith(heavy)))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_command_lines_copies_of_library_constants_agree() -> None:
    """What the CLI keeps to stay light (see above) is the library's value."""
    from xbox._api import consoles, presence
    from xbox.cli import consoles as cli_consoles
    from xbox.cli import friends as cli_friends

    assert cli_consoles.WAIT_SECONDS == consoles.WAIT_SECONDS
    assert sorted(presence.STATES) == cli_friends.PRESENCE_STATES


def test_a_corrupt_gzip_body_is_a_malformed_response(sandbox: Sandbox) -> None:
    """A body that claims gzip but is not: httpx's DecodingError never reaches the caller."""
    from xbox.exceptions import MalformedResponse

    sandbox.faults.append(Fault(status=200, times=1, host="titlehub.xboxlive.com",
                                body="not gzip at all",
                                headers={"Content-Encoding": "gzip",
                                         "Content-Type": "application/json"}))
    with xbox.Client(base_url=sandbox.base_url, transport=sandbox.transport(),
                     token_store=None) as client:
        client.authenticate("joe@example.org", "hunter2")
        with pytest.raises(MalformedResponse, match="could not be decompressed"):
            client.titles.history(JOE_XUID)


def test_a_slow_server_is_cut_off_by_the_total_budget(served: ServedSandbox) -> None:
    """Timeouts reach the socket (httpx's send() applies none by itself), and
    RetryPolicy.max_total bounds the whole call, retries included."""
    import time as _time

    sandbox = served.sandbox
    with xbox.Client(base_url=served.base_url, token_store=None,
                     retry=RetryPolicy(max_total=1.5, backoff=0.1)) as client:
        client.authenticate(JOE_EMAIL, JOE_PASSWORD)
        sandbox.faults.append(Fault(delay=5, times=10, host="profile.xboxlive.com"))
        start = _time.monotonic()
        with pytest.raises(Timeout) as info:
            client.profiles.get(xuid=JOE_XUID)
        took = _time.monotonic() - start
    assert took < 5, took  # cut off before the slow server would have answered even once
    assert "profile.xboxlive.com" in str(info.value)
    with xbox.Client(base_url=served.base_url, token_store=None, timeout=0.5) as client:
        client.authenticate(JOE_EMAIL, JOE_PASSWORD)
        sandbox.faults[:] = [Fault(delay=2, times=1, host="profile.xboxlive.com")]
        # One read timeout, then a retry that the (now fast) server answers.
        assert client.profiles.get(xuid=JOE_XUID).gamertag == "JoeAlcorn"

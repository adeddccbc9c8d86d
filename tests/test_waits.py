"""Rate-limit waits are always visible and optional (issue 23, item 2).

* A wait of a second or more is one line on stderr, on a terminal or not (a script, cron),
  unless ``-q``: tested with a real ``xbox`` process whose stderr is a pipe.
* ``max_wait`` (``--max-wait SECONDS`` on the command line) fails fast instead, with
  :class:`~xbox.exceptions.WaitTooLong` naming the wait (exit code 75).
* A sandbox keeps its own books: ``--sandbox`` (a new sandbox each run) in the process only,
  a served sandbox in a ledger file of its own, never the real account's.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import xbox
from xbox._core.budget import Budget
from xbox._ledger import STALE_SECONDS, Ledger, decode, file_name
from xbox.cli import cli
from xbox.cli.app import EXIT_WAIT, WaitNotices
from xbox.exceptions import InvalidArgument, RateLimited, WaitTooLong
from xbox.sandbox import (
    JOE_EMAIL,
    JOE_GAMERTAG,
    JOE_PASSWORD,
    JOE_XUID,
    Fault,
    Sandbox,
    ServedSandbox,
)

from .auth_helpers import FakeClock
from .cli_helpers import clean_env, xbox_command
from .service_clients import sent
from .signed_in import KINDS, signed_in
from .twins import call

PROFILE = "profile.xboxlive.com"
NOTICE = re.compile(r"waiting (\d+) s for profile\.xboxlive\.com \(rate limit\)")


@pytest.fixture
def quiet_served() -> Iterator[ServedSandbox]:
    """A served sandbox that refuses nothing by itself (the client's books are under test)."""
    with Sandbox(seed=0, rate_limits=False).serve() as served:
        yield served


def sign_in(base_url: str) -> str:
    """Joe signed in to the token store ($XBOX_HOME) on ``base_url``; returns the base URL as
    the client keeps it (the ledger's file is named for it)."""
    with xbox.Client(base_url=base_url) as xbl:
        xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
        server = xbl.base_url
    assert server is not None
    return server


def pause(home: Path, server: str | None, seconds: float) -> Path:
    """Write into the ledger what a 429 asking for ``seconds`` would have: no profile
    request before then, for every process on this token store and server."""
    ledger = Ledger(lambda: home / "accounts", lambda: server)

    def block(budget: Budget) -> None:
        budget.blocked_until = time.time() + seconds

    ledger.transact(JOE_XUID, "profile", block)
    return ledger.path(JOE_XUID, "profile")


def run(*args: str, base_url: str | None = None, sandbox: Sandbox | None = None) -> Result:
    env = {"XBOX_LIVE_BASE_URL": base_url} if base_url else None
    return CliRunner().invoke(cli, list(args), obj=sandbox, env=env, catch_exceptions=False)


# -- visible -----------------------------------------------------------------------------------

def test_a_wait_prints_a_line_when_stderr_is_a_pipe(quiet_served: ServedSandbox,
                                                    isolated_home: Path) -> None:
    """A real `xbox profile` whose stderr is a pipe (a script, cron): the wait is one line
    there before the command sleeps. The test reads until that line (bounded) and stops it."""
    env = clean_env(isolated_home.parent, XBOX_LIVE_BASE_URL=quiet_served.base_url)
    assert env["XBOX_HOME"] == str(isolated_home)
    server = sign_in(quiet_served.base_url)
    pause(isolated_home, server, 300)  # (within the call's 360 s budget)
    before = len(sent(quiet_served.sandbox, PROFILE))
    child = subprocess.Popen([*xbox_command(), "profile", JOE_GAMERTAG], env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert child.stderr is not None
        for line in child.stderr:
            lines.put(line.rstrip("\n"))
        lines.put("")  # closed

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        seen: list[str] = []
        ends = time.monotonic() + 60
        while not (seen and NOTICE.fullmatch(seen[-1])):  # bounded: 60 s
            try:
                seen.append(lines.get(timeout=max(0.0, ends - time.monotonic())))
            except queue.Empty:
                pytest.fail(f"no wait notice within 60 s: {seen}")
            assert seen[-1] or child.poll() is None, f"exited without one: {seen}"
    finally:
        child.kill()
        child.wait(timeout=30)
        reader.join(timeout=30)
    notice = NOTICE.fullmatch(seen[-1])
    assert notice is not None and 240 < int(notice.group(1)) <= 300, seen
    assert len(sent(quiet_served.sandbox, PROFILE)) == before  # it was waiting, not sending


def test_only_waits_of_a_second_or_more_make_a_line() -> None:
    lines: list[str] = []
    notices = WaitNotices()
    notices.sink = lines.append
    log = logging.getLogger("xbox.test-waits")
    log.propagate = False
    log.addHandler(notices)
    log.setLevel(logging.INFO)
    try:
        for seconds in (0.4, 0.99, 1.0, 254.6):
            log.info("waiting %.0f s for %s (rate limit)", seconds, PROFILE,
                     extra={"rate_limit_wait": seconds})
        log.info("waiting 5 s for something else")  # not a rate-limit wait
    finally:
        log.removeHandler(notices)
    assert lines == ["waiting 1 s for profile.xboxlive.com (rate limit)",
                     "waiting 255 s for profile.xboxlive.com (rate limit)"]


def test_a_quiet_command_waits_without_a_line(monkeypatch: pytest.MonkeyPatch,
                                              quiet_served: ServedSandbox,
                                              isolated_home: Path) -> None:
    clock = _fake_clock_for_the_cli(monkeypatch)
    server = sign_in(quiet_served.base_url)
    Ledger(lambda: isolated_home / "accounts", lambda: server).transact(
        JOE_XUID, "profile", lambda b: setattr(b, "blocked_until", clock() + 20))
    quiet = run("-q", "profile", JOE_GAMERTAG, base_url=quiet_served.base_url)
    assert quiet.exit_code == 0 and quiet.stderr == "" and clock.slept == [pytest.approx(20)]
    clock.now -= 20  # the same pause again, without -q
    Ledger(lambda: isolated_home / "accounts", lambda: server).transact(
        JOE_XUID, "profile", lambda b: setattr(b, "blocked_until", clock() + 20))
    loud = run("profile", JOE_GAMERTAG, base_url=quiet_served.base_url)
    assert loud.exit_code == 0 and NOTICE.search(loud.stderr), loud.stderr


def _fake_clock_for_the_cli(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The CLI's clients on a clock that only their sleeps move (from now: the served
    sandbox's tokens are on the real one)."""
    import functools

    import xbox.cli.app as app

    clock = FakeClock(time.time())
    monkeypatch.setattr(app, "Client", functools.partial(xbox.Client, clock=clock,
                                                         sleep=clock.sleep))
    return clock


# -- optional ----------------------------------------------------------------------------------

def test_max_wait_fails_fast_with_the_wait_and_exit_75(quiet_served: ServedSandbox,
                                                       isolated_home: Path) -> None:
    server = sign_in(quiet_served.base_url)
    pause(isolated_home, server, 300)
    before = len(sent(quiet_served.sandbox, PROFILE))
    started = time.monotonic()
    result = run("profile", JOE_GAMERTAG, "--max-wait", "0", base_url=quiet_served.base_url)
    assert time.monotonic() - started < 60  # it did not wait the 300 s
    assert result.exit_code == EXIT_WAIT == 75, result.stderr
    assert re.fullmatch(r"Error: profile\.xboxlive\.com needs a (29\d|300) s wait for its rate "
                        r"limit, longer than --max-wait 0; try again in \1 s\n",
                        result.stderr), result.stderr
    assert result.stdout == ""
    assert len(sent(quiet_served.sandbox, PROFILE)) == before  # nothing was sent
    # A --max-wait the wait fits in is no error (and the option stands anywhere).
    assert run("--max-wait", "5", "whoami", base_url=quiet_served.base_url).exit_code == 0
    bad = run("profile", JOE_GAMERTAG, "--max-wait", "-1", base_url=quiet_served.base_url)
    assert bad.exit_code == 2 and "--max-wait" in bad.stderr


@KINDS
async def test_max_wait_refuses_a_governor_wait(kind: str, clock: FakeClock) -> None:
    sb = Sandbox(seed=0, clock=clock)
    async with signed_in(kind, sb, clock, max_wait=0) as xbl:
        for _ in range(10):  # the published profile burst: 10 per 15 s
            await call(xbl.profiles.get(xuid=JOE_XUID))
        with pytest.raises(WaitTooLong) as caught:
            await call(xbl.profiles.get(xuid=JOE_XUID))
    error = caught.value
    assert isinstance(error, RateLimited) and error.max_wait == 0.0
    assert error.retry_after == pytest.approx(15.01) and error.service == PROFILE
    assert str(error).startswith("profile.xboxlive.com needs a 16 s wait for its rate limit, "
                                 "longer than max_wait (0 s)")
    assert clock.slept == [] and len(sent(sb, PROFILE)) == 10  # nothing waited, nothing sent
    # Its booking was freed: a client that waits waits for the window, not for it too.
    governed = xbl.governor.reserve(JOE_XUID, PROFILE, "GET", clock())
    assert governed is not None and governed.wait == pytest.approx(15.01)


@KINDS
async def test_max_wait_refuses_a_retry_after_but_takes_one_that_fits(
        kind: str, sb: Sandbox, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    sb.faults.append(Fault(kind="rate_limited", retry_after=7, host=PROFILE))
    async with signed_in(kind, sb, clock, max_wait=5) as xbl:
        with pytest.raises(WaitTooLong) as caught:
            await call(xbl.profiles.get(xuid=JOE_XUID))
        assert caught.value.retry_after == 7 and "needs a 7 s wait" in str(caught.value)
        assert clock.slept == []
    sb.faults.append(Fault(kind="rate_limited", retry_after=7, host=PROFILE))
    caplog.set_level(logging.INFO, logger="xbox")
    async with signed_in(kind, sb, clock, max_wait=10) as xbl:
        profile = await call(xbl.profiles.get(xuid=JOE_XUID))
    assert profile.xuid == JOE_XUID and 7 in clock.slept
    waits = [r for r in caplog.records if getattr(r, "rate_limit_wait", None) == 7]
    assert [r.getMessage() for r in waits] == ["waiting 7 s for profile.xboxlive.com (rate limit)"]


@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), "5", True])
def test_max_wait_must_be_seconds(value: object) -> None:
    with pytest.raises(InvalidArgument, match="max_wait"):
        xbox.Client(token_store=None, max_wait=value)  # type: ignore[arg-type]
    assert xbox.Client(token_store=None, max_wait=2).max_wait == 2.0


# -- a sandbox's own books ---------------------------------------------------------------------

def test_sandbox_runs_keep_their_own_books(isolated_home: Path) -> None:
    """Each `--sandbox` run has a new sandbox that counts from zero: the 11th profile look-up
    in a row needs no wait (before: it waited out the earlier runs' bookings, read from the
    real account's ledger; the 31st in five minutes waited 255 s), and no ledger file is
    written, for the real account or any other."""
    sandbox = Sandbox(seed=0, rate_limits=False)
    for _ in range(10):
        assert run("--sandbox", "profile", JOE_GAMERTAG, sandbox=sandbox).exit_code == 0
    eleventh = run("--sandbox", "profile", JOE_GAMERTAG, "--max-wait", "0", sandbox=sandbox)
    assert eleventh.exit_code == 0, eleventh.stderr
    assert list(isolated_home.rglob("*.ratelimit")) == []


def test_a_served_sandbox_never_touches_the_real_accounts_ledger(
        quiet_served: ServedSandbox, isolated_home: Path) -> None:
    server = sign_in(quiet_served.base_url)
    real = pause(isolated_home, None, 300)  # the real account is paused for 300 s
    result = run("profile", JOE_GAMERTAG, "--max-wait", "0", base_url=quiet_served.base_url)
    assert result.exit_code == 0, result.stderr  # the sandbox's books are its own
    assert real.name == file_name(JOE_XUID, "profile")
    own = isolated_home / "accounts" / file_name(JOE_XUID, "profile", server)
    assert own.exists() and own != real
    # And the other way round: the sandbox's booking is not in the real account's books.
    assert decode(real.read_bytes()).times == [] and len(decode(own.read_bytes()).times) == 1


def test_a_gone_servers_files_are_swept_the_real_accounts_never(
        quiet_served: ServedSandbox, isolated_home: Path) -> None:
    """A sandbox served on a new port each day leaves ledger files named for each; another
    server's client removes those untouched for a day, never Xbox Live's own."""
    accounts = isolated_home / "accounts"
    accounts.mkdir(parents=True)
    old = time.time() - STALE_SECONDS - 60
    stale = accounts / file_name(JOE_XUID, "profile", "http://127.0.0.1:1234")
    recent = accounts / file_name(JOE_XUID, "profile", "http://127.0.0.1:5678")
    real = accounts / file_name(JOE_XUID, "profile")
    for path in (stale, recent, real):
        path.write_bytes(b"")
    for path in (stale, real):
        os.utime(path, (old, old))
    sign_in(quiet_served.base_url)
    assert run("profile", JOE_GAMERTAG, base_url=quiet_served.base_url).exit_code == 0
    assert not stale.exists() and recent.exists() and real.exists()

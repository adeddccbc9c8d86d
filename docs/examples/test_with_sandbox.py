"""Testing your own code against the xbox sandbox: no account, no network, no waiting.

Copy this file into your tests. It runs as written: ``pytest test_with_sandbox.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

import xbox
from xbox.sandbox import Fault, Sandbox


def top_clip_titles(xbl: xbox.Client, gamertag: str, n: int = 3) -> list[str]:
    """The code under test: the games of a user's newest clips."""
    user = xbl.profiles.get(gamertag)
    return [clip.title_name or "?" for clip in xbl.clips.recent(user.xuid, limit=n)]


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(seed=0)


@pytest.fixture
def xbl(sandbox: Sandbox) -> Iterator[xbox.Client]:
    # In-process: every request is answered by the sandbox through an httpx transport.
    # token_store=None keeps the sign-in in memory, away from your real saved accounts.
    with xbox.Client(base_url=sandbox.base_url, transport=sandbox.transport(),
                     token_store=None) as client:
        client.authenticate("joe@example.org", "hunter2")
        yield client


def test_top_clip_titles(xbl: xbox.Client) -> None:
    titles = top_clip_titles(xbl, "JoeAlcorn")
    assert len(titles) == 3
    assert all(titles)


def test_unknown_gamer(xbl: xbox.Client) -> None:
    with pytest.raises(xbox.exceptions.GamertagNotFound):
        top_clip_titles(xbl, "NoSuchGamer99")


def test_survives_a_flaky_service(sandbox: Sandbox) -> None:
    # Two 503s, then a dropped connection: the client retries through all three.
    sandbox.faults += [Fault(status=503, times=2, host="profile.xboxlive.com"),
                       Fault(error=httpx.ConnectError, host="profile.xboxlive.com")]
    fast = xbox.RetryPolicy(backoff=0.01)
    with xbox.Client(base_url=sandbox.base_url, transport=sandbox.transport(),
                     token_store=None, retry=fast) as xbl:
        xbl.authenticate("joe@example.org", "hunter2")
        assert top_clip_titles(xbl, "JoeAlcorn", n=1)


def test_over_http(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    # Served on 127.0.0.1: for code that builds its own client, or runs another process.
    with sandbox.serve() as served:
        monkeypatch.setenv("XBOX_LIVE_BASE_URL", served.base_url)
        with xbox.Client(token_store=None) as xbl:
            xbl.authenticate("joe@example.org", "hunter2")
            assert xbl.profiles.me().gamertag == "JoeAlcorn"

"""Shared fixtures: an isolated token store, the sandbox in-process and served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import xbox
from xbox.sandbox import ERA_ENV, Sandbox, ServedSandbox

from . import twins
from .auth_helpers import FakeClock


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own token store folder, no ambient credentials, and the
    sandbox's default (today's) wire era unless it asks for another."""
    home = tmp_path / "xbox-home"
    monkeypatch.setenv("XBOX_HOME", str(home))
    for name in ("MS_LOGIN", "MS_PASSWD", "XBOX_LIVE_BASE_URL", ERA_ENV):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def twin_reset() -> Iterator[None]:
    """Each test says anew which client it runs (see tests/twins.py)."""
    yield
    twins.reset()


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(seed=0)


@pytest.fixture
def clock() -> FakeClock:
    """A clock the test moves by hand (tokens, operations and rate windows follow it)."""
    return FakeClock()


@pytest.fixture
def sb(clock: FakeClock) -> Sandbox:
    """The sandbox on ``clock``, with its rate limits off."""
    return Sandbox(seed=0, rate_limits=False, clock=clock)


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[xbox.Client]:
    with xbox.Client(base_url=sandbox.base_url, transport=sandbox.transport()) as c:
        yield c


@pytest.fixture
def served() -> Iterator[ServedSandbox]:
    with Sandbox(seed=0).serve() as s:
        yield s

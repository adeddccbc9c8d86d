"""Shared fixtures: an isolated token store, the sandbox in-process and served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import xbox
from xbox.sandbox import ERA_ENV, Sandbox, ServedSandbox


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own token store folder and no ambient credentials."""
    home = tmp_path / "xbox-home"
    monkeypatch.setenv("XBOX_HOME", str(home))
    for name in ("MS_LOGIN", "MS_PASSWD", "XBOX_LIVE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(seed=0)


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[xbox.Client]:
    with xbox.Client(base_url=sandbox.base_url, transport=sandbox.transport()) as c:
        yield c


@pytest.fixture
def served() -> Iterator[ServedSandbox]:
    with Sandbox(seed=0).serve() as s:
        yield s


@pytest.fixture(autouse=True)
def client_era(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bridge until the client reads the 2025 integer enums of the capture services: tests of
    the client meet a 2018-era sandbox (``$XBOX_SANDBOX_ERA``); tests/sandbox/ gets the
    default (2025) or says its era. Remove this fixture once the client reads integer enums.
    """
    if "tests/sandbox/" in request.path.as_posix():
        monkeypatch.delenv(ERA_ENV, raising=False)
    else:
        monkeypatch.setenv(ERA_ENV, "2018")

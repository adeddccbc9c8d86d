"""docs/embedding.rst's example (docs/examples/embedding.py) runs: a Home Assistant-style
integration on the host's httpx client and the host's tokens, polling consoles (10 min),
console status (10 s) and presence (30 s) against the served sandbox, for 25 minutes of a
fake clock that the sandbox shares; and ``mypy --strict`` accepts it as a strict host would.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from tests.auth_helpers import FakeClock
from xbox.sandbox import JOE_XUID, Sandbox
from xbox.sandbox._tokens import Lifetimes

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "embedding.py"
HOST_APP = "5c3b8d4e-8a9f-4c1e-9f2a-6b7d0e1f2a3b"
JOE_CONSOLES = {"F4001A2B3C4D5E6F", "FD00B7C8D9E0F112"}


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("embedding_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


async def test_the_guides_integration_polls_for_25_minutes(example: ModuleType,
                                                           isolated_home: Path) -> None:
    clock = FakeClock()
    # Short lifetimes: within the 25 minutes the XSTS token (15 min), the user token
    # (20 min) and the host's Microsoft token (10 min) all run out and are renewed.
    sb = Sandbox(seed=0, clock=clock, lifetimes=Lifetimes(msa_azure=600, user=1200, xsts=900))
    statuses: list[int] = []

    async def status(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    with sb.serve() as served:
        async with httpx.AsyncClient(event_hooks={"response": [status]}) as http:
            login = f"{served.base_url}/login.live.com"
            codes: list[str] = []
            token = await example.link_account(
                http, HOST_APP, login_url=login, show=lambda url, code: codes.append(code),
                sleep=clock.asleep, clock=clock)
            oauth = example.HostOAuth(http, HOST_APP, token, login_url=login, clock=clock)
            entry: dict[str, object] = {}
            integration = await example.async_setup_entry(
                http, oauth, entry, base_url=served.base_url, clock=clock, sleep=clock.asleep)
            await example.run(integration, 25 * 60, clock=clock, sleep=clock.asleep)
            await integration.client.aclose()
            assert not http.is_closed

    consoles, status_, presence = integration.coordinators
    assert (consoles.updates, status_.updates, presence.updates) == (1 + 2, 1 + 150, 1 + 50)
    assert consoles.failures == status_.failures == presence.failures == []
    assert set(status_.data) == JOE_CONSOLES
    assert {d.status.power_state for d in status_.data.values()} <= {"On", "ConnectedStandby"}
    assert JOE_XUID in presence.data and len(presence.data) >= 1
    assert len(codes) == 1 and oauth.refreshes >= 1
    assert 429 not in statuses  # the governor kept every service within its limits
    assert "xbox:default" in entry and not isolated_home.exists()


def test_a_strict_host_type_checks_the_example() -> None:
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                           str(EXAMPLE)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr

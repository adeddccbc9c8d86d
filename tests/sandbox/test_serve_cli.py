"""``xbox sandbox serve``: the warning for non-loopback addresses and ``--rate-limit-scale``.

Nothing here binds a public interface: the decision function is checked on its own, and the
command runs with ``run_server`` replaced by a stub that records what it would serve.
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner, Result

from xbox.cli import cli
from xbox.sandbox import Sandbox, asgi
from xbox.sandbox.asgi import is_loopback_host


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "[::1]",
                                  "localhost", "LOCALHOST", "app.localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "example.org",
                                  "my-laptop", ""])
def test_other_hosts(host: str) -> None:
    assert not is_loopback_host(host)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_run_server(sandbox: Sandbox, host: str, port: int, on_ready: Any = None) -> None:
        calls.append({"sandbox": sandbox, "host": host, "port": port})
        if on_ready is not None:
            on_ready(f"http://{host}:8080")

    monkeypatch.setattr(asgi, "run_server", fake_run_server)
    return calls


def serve(*args: str) -> Result:
    return CliRunner().invoke(cli, ["sandbox", "serve", *args], catch_exceptions=False)


def test_a_loopback_address_serves_without_a_warning(served: list[dict[str, Any]]) -> None:
    result = serve("--host", "127.0.0.2", "--port", "8080")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "http://127.0.0.2:8080"
    assert "warning" not in result.stderr.lower()
    assert served[0]["host"] == "127.0.0.2"


@pytest.mark.parametrize("prefix", [[], ["-q"]])
def test_any_other_address_warns_once_then_serves(prefix: list[str],
                                                  served: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(cli, [*prefix, "sandbox", "serve", "--host", "0.0.0.0"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1 and "0.0.0.0" in warnings[0] and "security" in warnings[0]
    assert served and served[0]["host"] == "0.0.0.0"  # a warning, not a refusal


def test_rate_limit_scale(served: list[dict[str, Any]]) -> None:
    assert serve("--rate-limit-scale", "0.01").exit_code == 0
    limit = served[0]["sandbox"].limits_for("profile")
    assert limit.burst_seconds == pytest.approx(0.15) and limit.sustain_seconds == pytest.approx(3)
    assert serve().exit_code == 0
    assert served[1]["sandbox"].limits_for("profile").burst_seconds == 15
    for bad in ("0", "-1", "fast"):
        assert serve("--rate-limit-scale", bad).exit_code == 2

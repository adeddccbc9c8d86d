"""Running the ``xbox`` command as a person would: in a real pseudo-terminal, or piped."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from click.testing import Result

    from xbox.sandbox import Sandbox

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
# Styling only (SGR: colours, bold, italic...), not cursor movement or line clearing.
SGR = re.compile(rb"\x1b\[[0-9;]*m")


def xbox_command() -> list[str]:
    return [sys.executable, "-m", "xbox"]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("XBOX_LIVE_BASE_URL", "NO_COLOR", "COLUMNS", "LINES")}
    env["XBOX_HOME"] = str(tmp_path / "xbox-home")
    env.update(extra)
    return env


@dataclass
class Terminal:
    """What a command did in a pseudo-terminal."""

    returncode: int
    screen: bytes  # everything written to the terminal, control codes included
    stdout: bytes  # stdout, when it was piped (else it is in ``screen``)

    @property
    def lines(self) -> list[str]:
        """Every line the terminal showed at some point, control codes removed."""
        text = ANSI.sub(b"", self.screen).decode("utf-8", "replace")
        return [part for line in text.split("\n") for part in line.split("\r") if part.strip()]


def run_in_terminal(args: Sequence[str], env: dict[str, str], *, stdout_too: bool = False,
                    timeout: float = 120, on_output: Callable[[bytes, subprocess.Popen[bytes]], None]
                    | None = None) -> Terminal:
    """Run ``xbox ARGS`` with stderr (and stdout, if ``stdout_too``) on a pseudo-terminal.

    ``on_output(screen_so_far, process)`` is called after each read (to send a signal
    once something has shown, say).
    """
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen([*xbox_command(), *args], stdin=subprocess.DEVNULL,
                            stdout=follower if stdout_too else subprocess.PIPE, stderr=follower,
                            env=env)
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            seen += chunk
            if on_output is not None:
                on_output(seen, proc)
    finally:
        os.close(leader)
        out, _ = proc.communicate(timeout=60)
    return Terminal(proc.returncode, seen, out or b"")


def need_pty() -> None:
    if sys.platform == "win32":
        pytest.skip("pseudo-terminals are a POSIX feature")


def cli_sandbox() -> Sandbox:
    """A sandbox for ``--sandbox`` to serve, so that a test can look at its world after
    (device codes approved at the first poll)."""
    from xbox.sandbox import Lifetimes
    from xbox.sandbox import Sandbox as _Sandbox

    return _Sandbox(seed=0, lifetimes=Lifetimes(device_interval=1))


def xbox_cli(sb: Sandbox, *args: str) -> Result:
    """``xbox --sandbox ARGS`` in-process, served by ``sb``."""
    from click.testing import CliRunner

    from xbox.cli import cli

    return CliRunner().invoke(cli, ["--sandbox", *args], obj=sb, catch_exceptions=False)

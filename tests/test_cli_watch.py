"""``xbox watch`` and ``xbox archive --follow``: as a person runs them (subprocesses, with
their output read as it comes and Ctrl-C sent) and in-process against a sandbox the test
can reach into."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from xbox.archive import CATALOGUE_NAME, Catalogue
from xbox.cli import cli
from xbox.sandbox import JOE_GAMERTAG, JOE_XUID

from .cli_helpers import clean_env, cli_sandbox, need_pty, run_in_terminal, xbox_command


def read_lines(proc: subprocess.Popen[bytes], count: int, timeout: float) -> list[str]:
    """The first ``count`` lines the process prints on stdout, or a failure after
    ``timeout`` seconds."""
    assert proc.stdout is not None
    lines: list[str] = []
    buffer = b""
    deadline = time.monotonic() + timeout
    while len(lines) < count:
        left = deadline - time.monotonic()
        assert left > 0, f"only {lines} within {timeout} s"
        ready, _, _ = select.select([proc.stdout], [], [], left)
        if not ready:
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        assert chunk, f"stdout ended after {lines}: {proc.communicate(timeout=10)}"
        buffer += chunk
        while b"\n" in buffer and len(lines) < count:
            line, buffer = buffer.split(b"\n", 1)
            lines.append(line.decode())
    return lines


def interrupt(proc: subprocess.Popen[bytes]) -> tuple[int, bytes]:
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    return proc.returncode, err


# -- xbox watch --------------------------------------------------------------------------------------

def test_sandbox_watch_prints_a_presence_event_within_seconds_and_ctrl_c_exits_130(
        tmp_path: Path) -> None:
    """The embedded sandbox's world changes every few seconds (JoeAlcorn's presence at least
    every other step); each event is one JSON line, flushed as it happens."""
    started = time.monotonic()
    proc = subprocess.Popen([*xbox_command(), "--sandbox", "watch", JOE_GAMERTAG, "--json"],
                            env=clean_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = json.loads(read_lines(proc, 1, timeout=60)[0])
        took = time.monotonic() - started
    finally:
        code, err = interrupt(proc)
    assert first["kind"] == "presence" and first["source"] == "rta"
    assert first["gamertag"] == JOE_GAMERTAG and first["xuid"] == JOE_XUID
    assert first["summary"].startswith("playing ") and first["data"]["presenceState"] == "Online"
    # Start-up (Python, sign-in, the sandbox) and the first scheduled change: seconds.
    assert took < 60
    assert code == 130, err
    assert b"interrupted" in err and b"Traceback" not in err


def test_piped_watch_prints_tab_separated_lines_and_count_stops_it() -> None:
    sb = cli_sandbox()
    sb.activity.pace = 0.5
    result = CliRunner().invoke(cli, ["--sandbox", "watch", JOE_GAMERTAG, "--count", "2"],
                                obj=sb, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    when, who, kind, summary = lines[0].split("\t")
    assert when.endswith("Z") and who == JOE_GAMERTAG and kind == "presence" and summary
    assert "connected to Xbox Live's real-time activity service" in result.stderr


def test_watch_on_a_terminal_prints_aligned_lines_with_the_local_time(tmp_path: Path) -> None:
    need_pty()
    shown = run_in_terminal(["--sandbox", "watch", JOE_GAMERTAG, "--events", "presence",
                             "--initial", "--count", "1"], clean_env(tmp_path), stdout_too=True,
                            timeout=120)
    assert shown.returncode == 0, shown.lines
    line = next(x for x in shown.lines if "presence" in x)
    assert re.fullmatch(r"\d\d:\d\d:\d\d  JoeAlcorn        presence      playing FIFA 14 on iOS",
                        line.rstrip()), line


def test_sandbox_serve_activity_sets_the_world_moving(tmp_path: Path) -> None:
    proc = subprocess.Popen([*xbox_command(), "sandbox", "serve", "--activity"],
                            env=clean_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        base = read_lines(proc, 1, timeout=60)[0].strip()
        deadline = time.monotonic() + 30
        changes: list[Any] = []
        while not changes and time.monotonic() < deadline:
            time.sleep(0.5)
            changes = httpx.get(f"{base}/sandbox.invalid/activity/changes").json()["changes"]
        assert changes and changes[0]["gamertag"] == JOE_GAMERTAG
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)


def test_exec_runs_a_command_per_event_without_a_shell(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Event text is never parsed by a shell: it reaches the command as one argument, in
    the environment and as JSON on stdin."""
    sb = cli_sandbox()
    sb.activity.pace = 3600  # no scheduled change: only the one made here
    evil = "$(touch PWNED1); `touch PWNED2` && touch PWNED3 | touch PWNED4"
    sb.activity.set_rich_presence(JOE_GAMERTAG, evil)
    record = tmp_path / "exec.json"
    script = ("import json, os, sys; json.dump({'argv': sys.argv[1:], 'stdin': sys.stdin.read(), "
              "'env': {k: v for k, v in os.environ.items() if k.startswith('XBOX_EVENT_')}}, "
              f"open({str(record)!r}, 'w'))")
    command = f"{sys.executable} -c {json.dumps(script)} {{gamertag}} {{summary}} --kind={{kind}}"
    monkeypatch.chdir(tmp_path)  # where an injected `touch` would leave its files
    result = CliRunner().invoke(cli, ["--sandbox", "--json", "watch", JOE_GAMERTAG, "--events",
                                      "presence", "--initial", "--count", "1", "--exec", command],
                                obj=sb, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    ran = json.loads(record.read_text())
    summary = f"playing FIFA 14 ({evil}) on iOS"
    assert ran["argv"] == [JOE_GAMERTAG, summary, "--kind=presence"]
    assert ran["env"]["XBOX_EVENT_KIND"] == "presence"
    assert ran["env"]["XBOX_EVENT_SUMMARY"] == summary
    assert json.loads(ran["env"]["XBOX_EVENT_JSON"])["rich_presence"] == evil
    assert json.loads(ran["stdin"]) == json.loads(result.stdout.splitlines()[0])
    assert not list(tmp_path.glob("PWNED*"))


def test_exec_failures_are_reported_and_bounded(tmp_path: Path) -> None:
    sb = cli_sandbox()
    sb.activity.pace = 3600
    base = ["--sandbox", "watch", "--events", "presence", "--initial", "--count", "1"]
    missing = CliRunner().invoke(cli, [*base, "--exec", "no-such-command-xyz {kind}"], obj=sb,
                                 catch_exceptions=False)
    assert missing.exit_code == 0 and "no such command: no-such-command-xyz" in missing.stderr
    sb = cli_sandbox()
    sb.activity.pace = 3600
    slow = CliRunner().invoke(cli, [*base, "--exec-timeout", "0.5", "--exec",
                                    f"{sys.executable} -c 'import time; time.sleep(30)'"],
                              obj=sb, catch_exceptions=False)
    assert slow.exit_code == 0 and "ran longer than 0.5 s and was stopped" in slow.stderr
    empty = CliRunner().invoke(cli, [*base, "--exec", "  "], obj=cli_sandbox())
    assert empty.exit_code == 2


def test_a_lost_connection_is_a_line_on_stderr_then_a_reconnect() -> None:
    sb = cli_sandbox()
    sb.activity.pace = 3600
    seen: list[str] = []

    def cut_then_change() -> None:
        deadline = time.monotonic() + 60
        while not sb.rta.sessions or not sb.rta.sessions[0].subscriptions:
            if time.monotonic() > deadline:
                return
            time.sleep(0.05)
        sb.rta.drop()
        while len(sb.rta.history) < 2 or not sb.rta.history[-1].subscriptions:
            if time.monotonic() > deadline:
                return
            time.sleep(0.05)
        seen.append("reconnected")
        sb.activity.set_rich_presence(JOE_GAMERTAG, "after the cut")

    worker = threading.Thread(target=cut_then_change, daemon=True)
    worker.start()
    result = CliRunner().invoke(cli, ["--sandbox", "--json", "watch", "--events", "presence",
                                      "--count", "1"], obj=sb, catch_exceptions=False)
    worker.join(10)
    assert result.exit_code == 0, result.stderr
    assert seen == ["reconnected"]
    assert json.loads(result.stdout)["rich_presence"] == "after the cut"
    lost = [line for line in result.stderr.splitlines() if "real-time connection" in line]
    assert lost and "disconnected" in lost[0] and "retrying in" in lost[0]
    assert "reconnected to Xbox Live's real-time activity service" in result.stderr


def test_watch_refuses_unknown_kinds_and_users() -> None:
    bad = CliRunner().invoke(cli, ["--sandbox", "watch", "--events", "gamertags"])
    assert bad.exit_code == 2 and "no event kind 'gamertags'" in bad.stderr
    unknown = CliRunner().invoke(cli, ["--sandbox", "watch", "JoeAlcorm"])
    assert unknown.exit_code == 3 and "did you mean: JoeAlcorn" in unknown.stderr


# -- xbox archive --follow ------------------------------------------------------------------------------

def _catalogue(dest: Path) -> dict[str, Any]:
    if not (dest / CATALOGUE_NAME).exists():
        return {}
    try:
        with Catalogue(dest, readonly=True) as cat:
            return {r.id: r for r in cat.rows()}
    except Exception:  # being written: look again
        return {}


def test_archive_follow_saves_a_clip_recorded_after_the_run_started(tmp_path: Path) -> None:
    dest = tmp_path / "captures"
    proc = subprocess.Popen([*xbox_command(), "--sandbox", "--json", "archive", JOE_GAMERTAG,
                             "--dest", str(dest), "--only", "clips", "--follow", "--interval", "1"],
                            env=clean_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first, later = (json.loads(line) for line in read_lines(proc, 2, timeout=180))
    finally:
        code, err = interrupt(proc)
    assert code == 130, err
    assert first["downloaded"] and later["user"] == JOE_GAMERTAG
    new = set(later["downloaded"]) - set(first["downloaded"])
    assert new, later
    rows = _catalogue(dest)
    assert all(rows[i].status == "done" for i in new)
    assert b"following JoeAlcorn" in err and b"recorded a clip" in err
    # The archiver's verification and its gallery: the new clip is checked and shown.
    verify = subprocess.run([*xbox_command(), "--json", "archive", "verify", "--dest", str(dest)],
                            env=clean_env(tmp_path), capture_output=True, timeout=120)
    assert verify.returncode == 0, verify.stderr
    shown = "".join(p.read_text(encoding="utf-8") for p in (dest / ".gallery" / "m").iterdir())
    assert all(i in shown for i in new)  # in the gallery's data, month by month


def test_follow_is_not_a_dry_run() -> None:
    result = CliRunner().invoke(cli, ["--sandbox", "archive", JOE_GAMERTAG, "--dest", "x",
                                      "--follow", "--dry-run"])
    assert result.exit_code == 2 and "--follow" in result.stderr

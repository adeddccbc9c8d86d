"""``xbox archive``, ``archive status``, ``archive verify`` and ``download`` as a person runs
them: every option in the help, several users, Ctrl-C, byte totals that agree, retention in
words, damaged files found and fetched again, a second download that fetches nothing."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from xbox.archive import CATALOGUE_NAME, GALLERY_NAME, Catalogue
from xbox.cli import cli
from xbox.sandbox import JOE_GAMERTAG, JOE_XUID, Sandbox

from .cli_helpers import clean_env, need_pty, run_in_terminal, xbox_command


def run(*args: str, sandbox: Sandbox | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), obj=sandbox, catch_exceptions=False, prog_name="xbox")


def run_json(*args: str, sandbox: Sandbox | None = None, code: int = 0) -> Any:
    result = run("--sandbox", "--json", *args, sandbox=sandbox)
    assert result.exit_code == code, result.stderr
    return json.loads(result.stdout)


def _done(dest: Path) -> int:
    db = dest / CATALOGUE_NAME
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM captures WHERE status='done'").fetchone()[0])
    except sqlite3.Error:
        return 0


# -- 4. every option in `xbox archive --help`, no hidden `run` -------------------------------

def test_archive_help_lists_every_option_and_both_subcommands() -> None:
    result = run("archive", "--help")
    assert result.exit_code == 0
    text = result.stdout
    for option in ("--dest", "--since", "--dry-run", "--limit", "--only", "--template",
                   "--concurrency", "status", "verify"):
        assert option in text, option
    assert "GAMERTAG|XUID... --dest DIR" in text
    assert "archive run" not in text and "_run" not in text
    verify = run("archive", "verify", "--help").stdout
    assert "--repair" in verify and "--dest" in verify


def test_archive_usage_errors_point_to_xbox_archive() -> None:
    missing = run("--sandbox", "archive", JOE_GAMERTAG)
    assert missing.exit_code == 2
    assert "Missing option '--dest'" in missing.stderr
    assert "Usage: xbox archive [OPTIONS] GAMERTAG|XUID..." in missing.stderr
    assert "Try 'xbox archive --help' for help." in missing.stderr
    assert "run" not in missing.stderr
    assert run("--sandbox", "archive", JOE_GAMERTAG, "--dest", "x", "--bogus").exit_code == 2


# -- 9. several users: go on past unknown ones; Ctrl-C ---------------------------------------

def test_an_unknown_user_does_not_stop_the_others(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    result = run("--sandbox", "archive", "NoSuchUser", JOE_GAMERTAG, "--dest", str(dest),
                 "--limit", "2")
    assert result.exit_code == 3, result.output
    assert f"{JOE_GAMERTAG}: 2 archived" in result.stdout
    assert _done(dest) == 2
    assert result.stderr.strip().splitlines()[-1].startswith("Error: No such user: NoSuchUser")
    data = run_json("archive", JOE_GAMERTAG, "NoSuchUser", "--dest", str(dest), "--limit", "1",
                    code=3)
    assert [d["user"] for d in data] == [JOE_GAMERTAG, "NoSuchUser"]
    assert set(data[0]) == set(data[1])  # one shape, found or not
    assert data[0]["found"] and not data[1]["found"] and "No such user" in data[1]["error"]
    assert data[0]["gallery"].endswith(GALLERY_NAME)


def test_failures_outrank_unknown_users_in_the_exit_code(tmp_path: Path) -> None:
    from xbox.sandbox import Fault

    sandbox = Sandbox(seed=0)
    victim = run_json("archive", JOE_GAMERTAG, "--dest", str(tmp_path), "--dry-run", "--limit", "1",
                      sandbox=sandbox)[0]["planned"][0]["id"]
    sandbox.faults.append(Fault(status=404, path_contains=victim))
    result = run("--sandbox", "archive", "NoSuchUser", JOE_GAMERTAG, "--dest", str(tmp_path),
                 "--limit", "1", sandbox=sandbox)
    assert result.exit_code == 1 and victim in result.stderr and "NoSuchUser" in result.stderr


def test_ctrl_c_exits_130_and_the_same_command_resumes(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    command = [*xbox_command(), "--sandbox", "archive", JOE_GAMERTAG, "--dest", str(dest),
               "--only", "screenshots", "--concurrency", "1"]
    env = clean_env(tmp_path)
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _done(dest) < 10 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert child.poll() is None, child.communicate()
    child.send_signal(signal.SIGINT)
    _out, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert b"interrupted; run the same command to resume" in err
    assert b"Traceback" not in err and b"Aborted" not in err
    at_stop = _done(dest)
    assert at_stop >= 10
    again = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    summary = again.stdout.decode()
    assert f"{at_stop} up to date" in summary  # nothing fetched twice
    with Catalogue(dest, readonly=True) as cat:
        assert {r.status for r in cat.rows()} == {"done"}
    assert not list(dest.rglob("*.part"))


# -- 7. progress and byte totals ------------------------------------------------------------

def test_run_summaries_and_status_count_the_same_bytes(tmp_path: Path) -> None:
    first = run_json("archive", JOE_GAMERTAG, "--dest", str(tmp_path), "--limit", "4")[0]
    second = run_json("archive", JOE_GAMERTAG, "--dest", str(tmp_path), "--limit", "3")[0]
    status = json.loads(run("--json", "archive", "status", "--dest", str(tmp_path)).stdout)
    assert status["media_bytes"] == first["media_bytes"] + second["media_bytes"]
    assert status["thumbnail_bytes"] == first["thumbnail_bytes"] + second["thumbnail_bytes"]
    on_disk = sum(p.stat().st_size for p in tmp_path.rglob("*")
                  if p.suffix in (".mp4", ".png") and not p.name.endswith((".small.png", ".large.png")))
    thumbs = sum(p.stat().st_size for p in tmp_path.rglob("*.png")
                 if p.name.endswith((".small.png", ".large.png")))
    assert status["media_bytes"] == on_disk and status["thumbnail_bytes"] == thumbs
    human = run("--sandbox", "archive", JOE_GAMERTAG, "--dest", str(tmp_path), "--limit", "1")
    assert " MB media" in human.stdout or " kB media" in human.stdout
    assert " thumbnails)" in human.stdout


def test_a_dry_run_draws_no_progress(tmp_path: Path) -> None:
    need_pty()
    shown = run_in_terminal(["--sandbox", "archive", JOE_GAMERTAG, "--dest", str(tmp_path / "d"),
                             "--dry-run", "--limit", "3"], clean_env(tmp_path, COLUMNS="80"))
    assert shown.returncode == 0
    assert not any("━" in line or "?" in line for line in shown.lines), shown.lines
    assert not (tmp_path / "d").exists()


# -- 12. retention in words, never negative days ---------------------------------------------

def test_status_says_overdue_still_listed_never_negative_days(tmp_path: Path) -> None:
    assert run("--sandbox", "archive", JOE_GAMERTAG, "--dest", str(tmp_path), "--limit", "1").exit_code == 0
    status = json.loads(run("--json", "archive", "status", "--dest", str(tmp_path)).stdout)
    overdue = [r for r in status["at_risk"] if r["overdue"]]
    assert overdue and all(r["still_listed"] and r["retention"] == "overdue, still listed"
                           for r in overdue)
    assert all(r["days_left"] is None or r["days_left"] >= 0 for r in status["at_risk"])
    assert status["overdue_still_listed"] == len(overdue)
    human = run("archive", "status", "--dest", str(tmp_path))
    assert "overdue, still listed" in human.stdout and "days left" in human.stdout
    assert "\t-" not in human.stdout and " -" not in human.stdout
    # A capture not listed since its date passed: it may be gone.
    gone = overdue[0]
    with sqlite3.connect(tmp_path / CATALOGUE_NAME) as conn:
        conn.execute("UPDATE captures SET listed = '2000-01-01T00:00:00+00:00' WHERE id = ?",
                     (gone["id"],))
    again = json.loads(run("--json", "archive", "status", "--dest", str(tmp_path)).stdout)
    row = next(r for r in again["at_risk"] if r["id"] == gone["id"])
    assert row["retention"] == "overdue, not listed since 2000-01-01" and not row["still_listed"]


# -- 17. verify: a damaged file is found, --repair fetches it again --------------------------

def _media(dest: Path) -> list[Path]:
    return sorted(p for p in dest.rglob("*") if p.suffix in (".mp4", ".png")
                  and not p.name.endswith((".small.png", ".large.png")))


def test_verify_finds_a_same_size_corruption_and_repair_fixes_it(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    sandbox = Sandbox(seed=0)
    assert run("--sandbox", "archive", JOE_GAMERTAG, "--dest", str(dest), "--limit", "3",
               sandbox=sandbox).exit_code == 0
    assert run("archive", "verify", "--dest", str(dest)).exit_code == 0
    media = _media(dest)
    assert len(media) == 3
    good = media[0].read_bytes()
    damaged = bytearray(good)
    damaged[len(damaged) // 2] ^= 0xFF  # same size, same signature: only a hash sees it
    media[0].write_bytes(bytes(damaged))
    thumb = next(media[1].parent.glob(media[1].stem + ".small.png"))
    thumb.unlink()
    checked = run("--json", "archive", "verify", "--dest", str(dest))
    assert checked.exit_code == 1
    report = json.loads(checked.stdout)
    problems = {(p["path"], p["problem"]) for p in report["problems"]}
    rel = media[0].relative_to(dest).as_posix()
    assert (rel, "damaged") in problems
    assert (thumb.relative_to(dest).as_posix(), "missing") in problems
    assert "sha256" in next(p["reason"] for p in report["problems"] if p["path"] == rel)
    human = run("archive", "verify", "--dest", str(dest))
    assert human.exit_code == 1 and "1 damaged, 1 missing" in human.stdout
    repaired = run("--sandbox", "--json", "archive", "verify", "--dest", str(dest), "--repair",
                   sandbox=sandbox)
    assert repaired.exit_code == 0, repaired.stderr
    after = json.loads(repaired.stdout)
    assert after["ok"] and len(after["repaired"]) == 2
    assert media[0].read_bytes() == good and thumb.is_file()
    assert not list(dest.rglob("*.damaged")) and not list(dest.rglob("*.part"))
    assert run("archive", "verify", "--dest", str(dest)).exit_code == 0
    with Catalogue(dest, readonly=True) as cat:
        row = next(r for r in cat.rows() if r.path == rel)
    assert row.status == "done" and row.sha256 == hashlib.sha256(good).hexdigest()


def test_a_repair_that_cannot_fetch_keeps_the_damaged_copy_and_fails(tmp_path: Path) -> None:
    from xbox.sandbox import Fault

    dest = tmp_path / "a"
    sandbox = Sandbox(seed=0)
    assert run("--sandbox", "archive", JOE_GAMERTAG, "--dest", str(dest), "--limit", "1",
               sandbox=sandbox).exit_code == 0
    media = _media(dest)[0]
    media.write_bytes(b"\x00" * media.stat().st_size)
    capture_id = media.stem.rsplit("_", 1)[-1]
    sandbox.faults.append(Fault(status=404, path_contains=capture_id, times=100))
    result = run("--sandbox", "--json", "archive", "verify", "--dest", str(dest), "--repair",
                 sandbox=sandbox)
    assert result.exit_code == 1, result.stderr
    report = json.loads(result.stdout)
    assert not report["ok"] and report["repaired"] == []
    assert [p["id"] for p in report["problems"]] == [capture_id]
    assert "kept as" in report["problems"][0]["reason"]
    assert (media.parent / (media.name + ".damaged")).is_file()  # never deleted


def test_verify_of_a_folder_that_is_not_an_archive(tmp_path: Path) -> None:
    result = run("archive", "verify", "--dest", str(tmp_path))
    assert result.exit_code == 1 and "is not an archive" in result.stderr


# -- 13. download twice: nothing fetched again, the file's time is the capture's -------------

def test_download_twice_skips_the_verified_file_and_stamps_the_capture_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    sandbox = Sandbox(seed=0)
    clip = run_json("clips", JOE_GAMERTAG, "--limit", "1", sandbox=sandbox)[0]
    first = run_json("download", clip["id"], sandbox=sandbox)[0]
    assert first["status"] == "downloaded"
    path = tmp_path / first["path"]
    recorded = clip["recorded"].replace("Z", "+00:00")
    from datetime import datetime

    stamp = datetime.fromisoformat(recorded).timestamp()
    assert path.stat().st_mtime == stamp
    os.utime(path, (1, 1))
    media_gets = sum(1 for r in sandbox.requests if f"{clip['id']}.MP4".lower() in str(r.url).lower())
    second = run_json("download", clip["id"], sandbox=sandbox)[0]
    assert second["status"] == "present" and second["sha256"] == first["sha256"]
    assert sum(1 for r in sandbox.requests
               if f"{clip['id']}.MP4".lower() in str(r.url).lower()) == media_gets
    assert path.stat().st_mtime == stamp  # and the time is the capture's again
    human = run("--sandbox", "download", clip["id"], sandbox=sandbox)
    assert "already there and verified" in human.stderr
    # A file that is not the capture (truncated, say) is fetched again.
    path.write_bytes(path.read_bytes()[:1000])
    third = run_json("download", clip["id"], sandbox=sandbox)[0]
    assert third["status"] == "downloaded" and third["sha256"] == first["sha256"]


# -- the gallery is written by every run -------------------------------------------------------

def test_every_run_writes_the_gallery_atomically(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    result = run("--sandbox", "archive", JOE_GAMERTAG, "--dest", str(dest), "--limit", "3")
    assert result.exit_code == 0
    page = dest / GALLERY_NAME
    assert f"gallery: {page}" in result.stdout
    # The page and its data by month (each written as .part, then renamed).
    parts = [page, *sorted((dest / ".gallery").rglob("*.js"))]
    html = "".join(p.read_text(encoding="utf-8") for p in parts)
    with Catalogue(dest, readonly=True) as cat:
        done = [r for r in cat.rows() if r.status == "done"]
    assert len(done) == 3 and all(f'"{r.id}"' in html for r in done)
    assert "http" not in html.replace("http-equiv", "")  # nothing from the network
    assert not list(dest.rglob("*.part"))
    assert not (tmp_path / "dry").exists()
    run("--sandbox", "archive", JOE_GAMERTAG, "--dest", str(tmp_path / "dry"), "--dry-run")
    assert not (tmp_path / "dry").exists()  # a dry run writes nothing, not even the page
    assert JOE_XUID  # the sandbox's demo user


def test_make_demo_ends_with_the_gallery(tmp_path: Path) -> None:
    """``make demo`` (scripts/demo.py) ends by printing where the gallery is."""
    import sys

    script = Path(__file__).resolve().parent.parent / "scripts" / "demo.py"
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=clean_env(tmp_path),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last == f"gallery: {(tmp_path / 'demo-archive' / GALLERY_NAME).resolve().as_uri()}"
    assert (tmp_path / "demo-archive" / GALLERY_NAME).is_file()
    assert "all intact" in done.stdout

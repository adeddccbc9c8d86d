"""How the ``xbox`` command talks: gh-style tables, one JSON shape per command, global
options anywhere, one-line errors, dates as people type them, visible rate-limit waits."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from xbox.cli import cli
from xbox.cli.app import hoist_global_options
from xbox.cli.output import Bytes, Col, Output, fit_widths, human_bytes
from xbox.cli.params import parse_since
from xbox.sandbox import JOE_GAMERTAG, JOE_XUID, Sandbox, ServedSandbox

from .cli_helpers import SGR, clean_env, cli_sandbox, need_pty, run_in_terminal

LONG_ID = "b3e4bd3a-94fe-41a0-ae2e-45a4ae4404d7"


def run(*args: str, sandbox: Sandbox | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), obj=sandbox, env=env, catch_exceptions=False)


def as_terminal(monkeypatch: pytest.MonkeyPatch, width: int = 80) -> None:
    """Make Output believe stdout and stderr are a terminal of ``width`` columns."""
    monkeypatch.setattr(Output, "stdout_is_tty", staticmethod(lambda: True))
    monkeypatch.setattr(Output, "stderr_is_tty", staticmethod(lambda: True))
    monkeypatch.setattr(Output, "width", staticmethod(lambda: width))


# -- 2. tables the gh way ---------------------------------------------------------------------

def test_a_terminal_table_shortens_free_text_and_never_an_identifier(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    as_terminal(monkeypatch, width=80)
    monkeypatch.setenv("NO_COLOR", "1")
    rows = [[LONG_ID, "Assassin's Creed® Syndicate: The Very Long Edition", "2533274812246958",
             Bytes(399719)],
            ["0b2975c6-918f-4358-a408-c3c2c9d0a7f4", "Minecraft", "2533274812246959", Bytes(12)]]
    Output(json_mode=False).table([Col("ID"), Col("Title", free=True), Col("XUID"),
                                   Col("Size", right=True)], rows, title="2 clips")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2 clips" and lines[1].startswith("ID ")
    assert all(len(line) <= 80 for line in lines), [len(line) for line in lines]
    assert LONG_ID in lines[2] and "2533274812246958" in lines[2]  # whole, on one line
    assert "…" in lines[2] and "Minecraft" in lines[3]
    assert "400 kB" in lines[2] and lines[3].endswith("12 B")  # human units on a terminal


def test_identifiers_wider_than_the_terminal_are_left_whole(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    as_terminal(monkeypatch, width=30)
    Output(json_mode=False).table([Col("ID"), Col("Title", free=True)], [[LONG_ID, "Halo 5"]])
    out = capsys.readouterr().out
    assert LONG_ID in out.splitlines()[-1]  # never split, even when it does not fit


def test_fit_widths_narrows_the_widest_free_column_first() -> None:
    assert fit_widths([36, 40, 20], [False, True, True], [2, 8, 8], 80) == [36, 20, 20]
    assert fit_widths([36, 40], [False, False], [2, 2], 50) == [36, 40]  # ids: as wide as they are
    assert fit_widths([10, 10], [False, True], [2, 8], 80) == [10, 10]


def test_piped_tables_are_tab_separated_with_no_styling_and_exact_numbers() -> None:
    result = run("--sandbox", "clips", JOE_GAMERTAG, "--limit", "3")
    assert result.exit_code == 0
    rows = result.stdout.splitlines()
    assert len(rows) == 3 and "\x1b" not in result.stdout
    fields = rows[0].split("\t")
    assert fields[0] == LONG_ID and fields[1] == "Assassin's Creed® Syndicate" and fields[-1] == "399719"
    assert "3 clips of JoeAlcorn" in result.stderr  # the title is for people, not for cut


def test_a_real_terminal_fits_columns_and_keeps_ids_whole(tmp_path: Path) -> None:
    need_pty()
    for width in (80, 60):
        shown = run_in_terminal(["--sandbox", "clips", JOE_GAMERTAG, "--limit", "5"],
                                clean_env(tmp_path, COLUMNS=str(width)), stdout_too=True)
        assert shown.returncode == 0
        rows = [line for line in shown.lines if re.match(r"[0-9a-f]{8}-", line)]
        assert len(rows) == 5
        assert all(re.match(r"[0-9a-f-]{36}  ", line) for line in rows)  # the id whole, first
        if width == 80:
            assert all(len(line) <= width for line in shown.lines), shown.lines
        assert b"\x1b[1m" in shown.screen  # a bold title and header on a terminal


def test_no_color_means_no_style_at_all(tmp_path: Path) -> None:
    need_pty()
    env = clean_env(tmp_path, COLUMNS="100", NO_COLOR="1")
    table = run_in_terminal(["--sandbox", "profile", JOE_GAMERTAG], env, stdout_too=True)
    assert table.returncode == 0 and "JoeAlcorn" in "".join(table.lines)
    assert not SGR.search(table.screen), table.screen[:300]  # no bold, italic or colour
    bars = run_in_terminal(["--sandbox", "archive", JOE_GAMERTAG, "--limit", "2",
                            "--dest", str(tmp_path / "a")], env)
    assert bars.returncode == 0 and any("━" in line for line in bars.lines)
    assert not SGR.search(bars.screen)


def test_human_bytes() -> None:
    assert [human_bytes(n) for n in (0, 999, 1000, 82190, 1553336, 34_454_033, 2 * 10**12)] == [
        "0 B", "999 B", "1.0 kB", "82.2 kB", "1.6 MB", "34.5 MB", "2.0 TB"]


# -- 11. one JSON shape per command, useful fields on top --------------------------------------

def _json(*args: str) -> Any:
    result = run("--sandbox", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_profile_json_is_a_list_for_one_user_or_several() -> None:
    one = _json("profile", JOE_GAMERTAG)
    many = _json("profile", JOE_GAMERTAG, JOE_XUID)
    assert isinstance(one, list) and isinstance(many, list) and len(many) == 2
    assert set(one[0]) == set(many[0])
    assert one[0]["gamertag"] == JOE_GAMERTAG and one[0]["xuid"] == JOE_XUID
    assert one[0]["gamerscore"] == 22791 and one[0]["raw"]["settings"]


@pytest.mark.parametrize("args,keys", [
    (["clips", JOE_GAMERTAG, "--limit", "2"],
     {"id", "kind", "xuid", "title", "title_id", "recorded", "duration", "views", "saved",
      "state", "size", "raw"}),
    (["screenshots", JOE_GAMERTAG, "--limit", "2"],
     {"id", "kind", "xuid", "title", "title_id", "recorded", "duration", "views", "saved",
      "state", "size", "raw"}),
    (["achievements", JOE_GAMERTAG, "--limit", "2"],
     {"id", "name", "title", "title_id", "gamerscore", "unlocked", "unlocked_at",
      "progress_state", "description", "raw"}),
    (["titles", JOE_GAMERTAG, "--limit", "2"],
     {"title_id", "name", "last_played", "achievements", "achievements_total", "gamerscore",
      "gamerscore_total", "raw"}),
    (["friends"], {"xuid", "gamertag", "gamerscore", "presence", "doing", "favorite", "raw"}),
    (["presence", JOE_GAMERTAG], {"xuid", "gamertag", "state", "playing", "last_seen",
                                  "last_title", "raw"}),
    (["search", "joe"], {"gamertag", "xuid", "score", "raw"}),
])
def test_every_listing_has_its_documented_keys(args: list[str], keys: set[str]) -> None:
    data = _json(*args)
    assert isinstance(data, list) and data
    assert all(set(item) == keys for item in data)
    page = (Path(__file__).resolve().parent.parent / "docs" / "cli.rst").read_text(encoding="utf-8")
    assert all(f"``{key}``" in page for key in keys)  # and they are the documented ones


def test_json_times_are_utc_with_z() -> None:
    clip = _json("clips", JOE_GAMERTAG, "--limit", "1")[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", clip["recorded"])


# -- 5. global options anywhere ---------------------------------------------------------------

def test_global_options_are_accepted_after_the_command() -> None:
    result = run("clips", JOE_GAMERTAG, "--json", "--limit", "1", "--sandbox")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["kind"] == "clip"
    assert run("profile", JOE_GAMERTAG, "--sandbox", "-q").exit_code == 0
    verbose = run("profile", "Qzxv", "--sandbox", "-v")
    assert verbose.exit_code == 3 and "Traceback" in verbose.stderr
    alt = run("whoami", "--json", "--sandbox", "--account", "alt")
    assert json.loads(alt.stdout)["account"] == "sandbox-alt"
    assert json.loads(run("whoami", "--sandbox", "--account=alt2", "--json").stdout)[
        "account"] == "sandbox-alt2"


def test_hoisting_never_takes_an_option_value_or_what_follows_a_double_dash() -> None:
    assert hoist_global_options(cli, ["download", "X", "-o", "--json", "--sandbox"]) == [
        "--sandbox", "download", "X", "-o", "--json"]
    assert hoist_global_options(cli, ["archive", "Joe", "--dest", "-v", "-vv"]) == [
        "-vv", "archive", "Joe", "--dest", "-v"]
    assert hoist_global_options(cli, ["search", "--", "--json"]) == ["search", "--", "--json"]


# -- 1. errors: one line, the path, exit 1, also with --json ----------------------------------

@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_an_unopenable_catalogue_is_one_line_naming_the_file(tmp_path: Path,
                                                              json_flag: list[str]) -> None:
    dest = tmp_path / "captures"
    (dest / ".xbox-archive.sqlite").mkdir(parents=True)  # SQLite cannot open a folder
    for args in (["--sandbox", "archive", JOE_GAMERTAG, "--dest", str(dest), "--limit", "1"],
                 ["archive", "status", "--dest", str(dest)],
                 ["archive", "verify", "--dest", str(dest)]):
        result = run(*json_flag, *args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
        assert str(dest / ".xbox-archive.sqlite") in result.stderr
        assert "Traceback" not in result.stderr and "OperationalError" not in result.stderr


def test_a_failing_catalogue_write_mid_run_is_one_line(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from xbox.archive import Catalogue

    def broken(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(Catalogue, "mark_done", broken)
    result = run("--sandbox", "archive", JOE_GAMERTAG, "--dest", str(tmp_path / "a"),
                 "--limit", "1", "--concurrency", "1")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "readonly database" in result.stderr
    assert "Traceback" not in result.stderr


def test_long_inputs_are_echoed_shortened() -> None:
    junk = "x" * 5000
    for args in (["archive", JOE_GAMERTAG, "--dest", "d", "--since", junk],
                 ["download", LONG_ID, "-o", "{" + junk + "}"],
                 ["profile", junk]):
        result = run("--sandbox", *args)
        assert result.exit_code == 2, result.output
        assert len(result.stderr) < 400 and "…" in result.stderr, result.stderr


# -- 10. dates as people type them ------------------------------------------------------------

def test_since_accepts_iso_with_z_or_offset_dates_and_ages() -> None:
    now = datetime(2026, 11, 1, 15, 30, tzinfo=UTC)
    assert parse_since("2026-10-30T12:00:00Z", now) == datetime(2026, 10, 30, 12, tzinfo=UTC)
    assert parse_since("2026-10-30T14:00:00+02:00", now) == datetime(2026, 10, 30, 12, tzinfo=UTC)
    assert parse_since("2026-10-30T12:00", now) == datetime(2026, 10, 30, 12, tzinfo=UTC)
    assert parse_since("2026-10-30", now) == datetime(2026, 10, 30, tzinfo=UTC)
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("2w", now) == now - timedelta(weeks=2)
    assert parse_since("12h", now) == now - timedelta(hours=12)
    assert parse_since("yesterday", now) == datetime(2026, 10, 31, tzinfo=UTC)
    assert parse_since("today", now) == datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_since("last tuesday", now)


@pytest.mark.parametrize("since", ["2026-10-30T12:00:00Z", "2026-10-30T12:00:00+01:00", "7d",
                                   "2w", "yesterday", "2026-10-30"])
def test_archive_since_forms(since: str, tmp_path: Path) -> None:
    result = run("--sandbox", "--json", "archive", JOE_GAMERTAG, "--dest", str(tmp_path),
                 "--dry-run", "--since", since)
    assert result.exit_code == 0, result.stderr
    when = parse_since(since)
    planned = json.loads(result.stdout)[0]["planned"]
    assert all(datetime.fromisoformat(p["recorded"]) >= when for p in planned)
    bad = run("--sandbox", "archive", JOE_GAMERTAG, "--dest", str(tmp_path), "--since", "soon")
    assert bad.exit_code == 2 and "7d" in bad.stderr


_HUGE = "9" * 30


@pytest.mark.parametrize("args", [
    # Ages and offsets that lead out of the calendar (issue 21: each was a traceback).
    ["archive", JOE_GAMERTAG, "--dry-run", "--since", "99999999999d"],
    ["archive", JOE_GAMERTAG, "--dry-run", "--since", "999999999w"],
    ["archive", JOE_GAMERTAG, "--dry-run", "--since", _HUGE + "h"],
    ["archive", JOE_GAMERTAG, "--dry-run", "--since", _HUGE + "m"],
    ["archive", JOE_GAMERTAG, "--dry-run", "--since", "0001-01-01T00:00:00+01:00"],
    ["archive", JOE_GAMERTAG, "--dry-run", "--since", "9999-12-31T23:59:59-01:00"],
    ["archive", JOE_GAMERTAG, "--dry-run", "--since", "9" * 5000 + "d"],
    ["archive", "status", "--within", "1e308"],
    ["archive", "status", "--within", "inf"],
    ["archive", "status", "--within", "nan"],
    ["sandbox", "serve", "--rate-limit-scale", "inf"],
    ["sandbox", "serve", "--rate-limit-scale", "nan"],
    # Numbers and ids past their range (these held already; pinned).
    ["archive", JOE_GAMERTAG, "--dry-run", "--concurrency", _HUGE],
    ["achievements", JOE_GAMERTAG, "--title", _HUGE],
    ["achievements", JOE_GAMERTAG, "--title", "4294967296"],
    ["profile", _HUGE],
    ["friends", _HUGE],
    ["presence", _HUGE],
    ["download", _HUGE + ":b3e4bd3a-94fe-41a0-ae2e-45a4ae4404d7"],
    ["console", "volume", "up", "--amount", _HUGE],
    ["console", "off", "--timeout", "nan"],
    ["store", "search", "halo", "--limit", _HUGE],
    ["login", "--redirect-port", _HUGE],
], ids=lambda a: " ".join(a)[:60])
def test_numbers_and_dates_out_of_range_are_usage_errors(args: list[str], tmp_path: Path) -> None:
    if args[0] == "archive":
        args = [*args, "--dest", str(tmp_path)]
    result = run("--sandbox", *args, sandbox=cli_sandbox())
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines()[-1].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [
    ["archive", JOE_GAMERTAG, "--dry-run", "--limit", _HUGE],
    ["archive", JOE_GAMERTAG, "--dry-run", "--since", "0001-01-01"],
    ["archive", JOE_GAMERTAG, "--dry-run", "--since", "9999-12-31"],
    ["clips", JOE_GAMERTAG, "--limit", _HUGE],
    ["achievements", JOE_GAMERTAG, "--limit", _HUGE],
    ["messages", "--limit", _HUGE],
], ids=lambda a: " ".join(a)[:60])
def test_numbers_and_dates_at_the_edges_just_work(args: list[str], tmp_path: Path) -> None:
    if args[0] == "archive":
        args = [*args, "--dest", str(tmp_path)]
    result = run("--sandbox", *args, sandbox=cli_sandbox())
    assert result.exit_code == 0, result.output


def test_since_out_of_the_calendar_says_so() -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="outside the years 1 to 9999"):
        parse_since("99999999999d", now)
    result = run("--sandbox", "archive", JOE_GAMERTAG, "--dest", "x", "--since", "99999999999d")
    assert result.stderr == "Error: --since '99999999999d' is outside the years 1 to 9999\n"


# -- 6. achievements --limit N: the N newest unlocks ------------------------------------------

def test_achievements_limit_gives_the_newest_unlocks_first() -> None:
    everything = _json("achievements", JOE_GAMERTAG)
    newest = sorted((a for a in everything if a["unlocked"]), key=lambda a: a["unlocked_at"],
                    reverse=True)[:5]
    five = _json("achievements", JOE_GAMERTAG, "--limit", "5")
    assert [a["id"] + str(a["title_id"]) for a in five] == [
        a["id"] + str(a["title_id"]) for a in newest]
    times = [a["unlocked_at"] for a in everything]
    unlocked = [t for t in times if t is not None]
    assert unlocked == sorted(unlocked, reverse=True)  # and the full list is ordered too
    assert times[:len(unlocked)] == unlocked  # the ones not unlocked come after


# -- 3. rate-limit waits are visible ----------------------------------------------------------

def test_a_rate_limit_wait_is_one_line_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import xbox._core.governor as governor
    from xbox.cli.app import WaitNotices

    as_terminal(monkeypatch)
    monkeypatch.setattr(governor, "BURST_SECONDS", 0.3)  # the profile burst is 10 per window
    monkeypatch.setattr(WaitNotices, "threshold", 0.0)  # (a line for waits this short too)
    sandbox = Sandbox(seed=0, rate_limits=False)
    users = [JOE_GAMERTAG] * 14
    result = run("--sandbox", "profile", *users, sandbox=sandbox)
    assert result.exit_code == 0, result.stderr
    waits = [line for line in result.stderr.splitlines() if "(rate limit)" in line]
    assert waits and all(re.fullmatch(r"waiting \d+ s for profile\.xboxlive\.com \(rate limit\)",
                                      line) for line in waits), result.stderr

    handlers = logging.getLogger("xbox").handlers
    assert not any(isinstance(h, WaitNotices) for h in handlers)  # removed after the command


def test_wait_lines_when_piped_none_when_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Piped (a script, cron) a stall is not silent either (issue 23); -q silences it."""
    import xbox._core.governor as governor
    from xbox.cli.app import WaitNotices

    monkeypatch.setattr(governor, "BURST_SECONDS", 0.3)
    monkeypatch.setattr(WaitNotices, "threshold", 0.0)
    piped = run("--sandbox", "profile", *[JOE_GAMERTAG] * 12, sandbox=Sandbox(seed=0, rate_limits=False))
    assert piped.exit_code == 0 and "(rate limit)" in piped.stderr
    as_terminal(monkeypatch)
    quiet = run("--sandbox", "-q", "profile", *[JOE_GAMERTAG] * 12,
                sandbox=Sandbox(seed=0, rate_limits=False))
    assert quiet.exit_code == 0 and "rate limit" not in quiet.stderr


# -- 8 and 14. sign-in messages ---------------------------------------------------------------

def test_a_token_file_of_binary_junk_is_reported_as_corrupt(served: ServedSandbox,
                                                           isolated_home: Path) -> None:
    accounts = isolated_home / "accounts"
    accounts.mkdir(parents=True)
    (accounts / "default.json").write_bytes(b"\xff\xfe\x00\x9c binary \x80\x81 junk")
    result = run("whoami", env={"XBOX_LIVE_BASE_URL": served.base_url})
    assert result.exit_code == 4
    assert "is corrupt" in result.stderr and "move it away" in result.stderr
    assert "codec" not in result.stderr and result.stderr.count("\n") == 1


def test_an_account_not_signed_in_names_the_login_for_it(served: ServedSandbox) -> None:
    env = {"XBOX_LIVE_BASE_URL": served.base_url}
    work = run("--account", "work", "whoami", env=env)
    assert work.exit_code == 4
    assert "xbox login --account work" in work.stderr
    assert "authenticate()" not in work.stderr  # no Python hint at a shell prompt
    plain = run("profile", JOE_GAMERTAG, env=env)
    assert plain.exit_code == 4 and "run `xbox login`" in plain.stderr
    assert "authenticate()" not in plain.stderr


# -- 15. docs: this project, completion, NO_COLOR; short reprs --------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_docs_are_titled_and_linked_as_this_project() -> None:
    index = (DOCS / "index.rst").read_text(encoding="utf-8")
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert "Welcome to python-xbox" not in index
    for text in (index, conf):
        assert "buttscicles" not in text and "trello" not in text.lower()
        assert "readthedocs" not in text
    assert 'project = "xbox"' in conf
    cli_page = (DOCS / "cli.rst").read_text(encoding="utf-8")
    assert "_XBOX_COMPLETE=bash_source xbox" in cli_page and "zsh_source" in cli_page
    assert "NO_COLOR" in cli_page


def test_shell_completion_works_as_documented() -> None:
    script = CliRunner().invoke(cli, [], env={"_XBOX_COMPLETE": "bash_source"}, prog_name="xbox")
    assert "_xbox_completion" in script.stdout
    words = CliRunner().invoke(cli, [], env={"_XBOX_COMPLETE": "bash_complete",
                                             "COMP_WORDS": "xbox arch", "COMP_CWORD": "1"},
                               prog_name="xbox")
    assert "archive" in words.stdout


def test_model_reprs_are_short_with_the_id_first(client: Any) -> None:
    from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD

    client.authenticate(JOE_EMAIL, JOE_PASSWORD)
    clip = client.clips.recent(limit=1).to_list()[0]
    assert repr(clip).startswith(f"Clip(id='{clip.id}', title=") and "recorded='" in repr(clip)
    records = [clip, client.screenshots.recent(limit=1).to_list()[0],
               client.profiles.get(JOE_GAMERTAG), client.achievements.list(limit=1).to_list()[0],
               client.titles.history(limit=1)[0], client.people.friends()[0],
               client.presence.get(JOE_XUID), client.search.gamertags("joe")[0]]
    for record in records:
        text = repr(record)
        assert len(text) < 130 and "raw" not in text, text
        assert re.match(r"\w+\((id|xuid|title_id)=", text), text
    assert repr(records[2]) == "Profile(xuid='2533274812246958', gamertag='JoeAlcorn', gamerscore=22791)"


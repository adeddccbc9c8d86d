"""The ``xbox`` command line, against the sandbox: in-process with click's runner, and as a
real subprocess for ``python -m xbox`` and ``xbox sandbox serve``."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from xbox.cli import cli
from xbox.sandbox import JOE_EMAIL, JOE_GAMERTAG, JOE_PASSWORD, JOE_XUID, Sandbox, ServedSandbox
from xbox.sandbox._tokens import Lifetimes

MISSING_CLIP = "00000000-0000-4000-8000-000000000000"


def run(*args: str, sandbox: Sandbox | None = None, input: str | None = None,
        env: dict[str, str] | None = None) -> Result:
    """Run the CLI in-process; ``sandbox`` is served by ``--sandbox`` instead of a fresh one."""
    return CliRunner().invoke(cli, list(args), obj=sandbox, input=input, env=env,
                              catch_exceptions=False)


def run_json(*args: str, **kwargs: Any) -> Any:
    """Run with ``--json``: exit 0, and stdout is exactly one JSON document."""
    result = run("--sandbox", "--json", *args, **kwargs)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def served_env(served: ServedSandbox) -> dict[str, str]:
    """Point the CLI at a served sandbox as a real deployment would: no ``--sandbox``."""
    return {"XBOX_LIVE_BASE_URL": served.base_url}


# -- every command, for people and for programs ---------------------------------------------

def test_profile_human_and_json() -> None:
    human = run("--sandbox", "profile", JOE_GAMERTAG)
    assert human.exit_code == 0, human.stderr
    assert JOE_GAMERTAG in human.stdout and JOE_XUID in human.stdout and "22791" in human.stdout
    data = run_json("profile", JOE_GAMERTAG)
    assert isinstance(data, list) and len(data) == 1  # one shape for one user or several
    assert data[0]["xuid"] == JOE_XUID and data[0]["gamertag"] == JOE_GAMERTAG
    assert data[0]["gamerscore"] == 22791 and data[0]["raw"]["id"] == JOE_XUID


def test_profile_by_xuid_and_several_users() -> None:
    data = run_json("profile", JOE_XUID, "joealcorn")
    assert [p["xuid"] for p in data] == [JOE_XUID, JOE_XUID]


def test_profile_of_several_xuids_is_one_batch_request() -> None:
    sandbox = Sandbox(seed=0)
    others = sandbox.world.joe.friends[:3]
    asked = [others[0], JOE_XUID, others[1], others[2], others[0]]
    data = run_json("profile", *asked, JOE_GAMERTAG, sandbox=sandbox)
    assert [p["xuid"] for p in data] == [*asked, JOE_XUID]  # the order asked, repeats kept
    profile_requests = [r for r in sandbox.requests if r.url.host.startswith("profile.")
                        or "/profile.xboxlive.com/" in r.url.path]
    assert len(profile_requests) == 2  # one batch for the xuids, one look-up by gamertag


@pytest.mark.parametrize("kind,key", [("clips", "gameClipId"), ("screenshots", "screenshotId")])
def test_captures_lists(kind: str, key: str) -> None:
    data = run_json(kind, JOE_GAMERTAG, "--limit", "3")
    assert len(data) == 3 and all(item["id"] == item["raw"][key] for item in data)
    human = run("--sandbox", kind, JOE_GAMERTAG, "--limit", "3")
    assert human.exit_code == 0
    assert f"3 {kind} of {JOE_GAMERTAG}" in human.stderr  # piped: the title is not data
    for item in data:
        assert item["id"] in human.stdout
    saved = run_json(kind, JOE_GAMERTAG, "--saved", "--limit", "5")
    assert saved and all(item["saved"] for item in saved)


def test_titles_and_achievements() -> None:
    titles = run_json("titles", JOE_GAMERTAG)
    assert titles and all(isinstance(t["title_id"], int) and "raw" in t for t in titles)
    human = run("--sandbox", "titles", JOE_GAMERTAG)
    assert titles[0]["name"] in human.stdout
    title_id = titles[0]["title_id"]
    achievements = run_json("achievements", JOE_GAMERTAG, "--title", str(title_id))
    assert achievements
    assert all(a["title_id"] == title_id for a in achievements)
    human = run("--sandbox", "achievements", JOE_GAMERTAG, "--title", str(title_id))
    assert human.exit_code == 0 and achievements[0]["name"] in human.stdout


def test_friends_presence_search() -> None:
    friends = run_json("friends")
    assert friends and all("xuid" in f and "raw" in f for f in friends)
    human = run("--sandbox", "friends")
    assert friends[0]["gamertag"] in human.stdout and "people followed by JoeAlcorn" in human.stderr
    other = friends[0]["gamertag"]
    presence = run_json("presence", JOE_GAMERTAG, other)
    assert {p["xuid"] for p in presence} == {JOE_XUID, friends[0]["xuid"]}
    human = run("--sandbox", "presence", JOE_GAMERTAG)
    assert JOE_GAMERTAG in human.stdout and JOE_XUID in human.stdout
    found = run_json("search", "JoeAlc")
    assert found[0]["gamertag"] == JOE_GAMERTAG and found[0]["raw"]["result"]["gamertag"] == JOE_GAMERTAG
    assert JOE_GAMERTAG in run("--sandbox", "search", "JoeAlc").stdout


def test_download_with_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    clip = run_json("clips", JOE_GAMERTAG, "--limit", "1")[0]
    shot = run_json("screenshots", JOE_GAMERTAG, "--limit", "1")[0]
    results = run_json("download", clip["id"], f"{JOE_XUID}:{shot['id']}",
                       "-o", "{title}/{date}_{id}.{ext}")
    assert [r["id"] for r in results] == [clip["id"], shot["id"]]
    for r in results:
        path = tmp_path / r["path"]
        assert path.is_file() and path.stat().st_size == r["size"] > 0
    assert Path(results[0]["path"]).suffix == ".mp4"
    assert Path(results[0]["path"]).parts[0] == clip["title"].replace("/", "_")
    missing = run("--sandbox", "download", MISSING_CLIP)
    assert missing.exit_code == 3 and MISSING_CLIP in missing.stderr


def test_archive_dry_run_then_run_then_status(tmp_path: Path) -> None:
    dest = tmp_path / "archive"
    planned = run_json("archive", JOE_GAMERTAG, "--dest", str(dest), "--dry-run", "--limit", "3")
    assert len(planned) == 1 and planned[0]["dry_run"] and len(planned[0]["planned"]) == 3
    assert not dest.exists()  # a dry run writes nothing
    human = run("--sandbox", "archive", JOE_GAMERTAG, "--dest", str(dest), "--limit", "2",
                "--only", "screenshots")
    assert human.exit_code == 0, human.stderr
    assert "2 archived" in human.stdout
    files = [p for p in dest.rglob("*.png") if p.is_file()]
    assert len(files) >= 2
    status = json.loads(run("--json", "archive", "status", "--dest", str(dest)).stdout)
    assert status["archived"] == 2 and status["total"] >= 2
    table = run("archive", "status", "--dest", str(dest))
    assert table.exit_code == 0 and "Archived" in table.stdout
    again = run_json("archive", JOE_XUID, "--dest", str(dest), "--only", "screenshots", "--dry-run")
    assert again[0]["up_to_date"] == 2  # incremental: what is on disk is not planned again
    missing = run("--sandbox", "archive", "JoeAlcorm", "--dest", str(dest))
    assert missing.exit_code == 3 and "did you mean: JoeAlcorn?" in missing.stderr
    assert run("--sandbox", "archive", JOE_GAMERTAG).exit_code == 2  # --dest is required


# -- exit codes and errors ------------------------------------------------------------------

@pytest.mark.parametrize("args,fragment", [
    (["profile", "ThisGamertagIsWayTooLong"], "at most 15 characters"),
    (["profile", "SixteenCharsLong#1234"], "at most 15 characters"),
    (["clips", "Bad/Name"], "letters, digits and spaces"),
    (["download", "abc:" + MISSING_CLIP], "an xuid is a positive decimal number"),
    (["download", "not-a-clip-id"], "a clip or screenshot id"),
    (["download", MISSING_CLIP, "-o", "{nope}.{ext}"], "bad output template"),
])
def test_invalid_input_is_rejected_before_any_request(args: list[str], fragment: str) -> None:
    sandbox = Sandbox(seed=0)
    result = run("--sandbox", *args, sandbox=sandbox)
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one line, no usage block or traceback
    assert result.stdout == ""
    assert len(sandbox.requests) == 0


def test_modern_gamertag_with_suffix_is_accepted() -> None:
    # 15 + "#1234" is valid input; the sandbox simply has no such user.
    result = run("--sandbox", "profile", "FifteenCharName#1234")
    assert result.exit_code == 3


def test_usage_errors_exit_2() -> None:
    assert run("--sandbox", "profile").exit_code == 2
    assert run("--no-such-flag").exit_code == 2
    assert run("clips", JOE_GAMERTAG, "--limit", "0").exit_code == 2


def test_unknown_user_exits_3_with_did_you_mean() -> None:
    result = run("--sandbox", "profile", "JoeAlcorm")
    assert result.exit_code == 3
    assert "No such user: JoeAlcorm" in result.stderr
    assert "did you mean: JoeAlcorn?" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    result = run("--sandbox", "clips", "JoAlcorn")
    assert result.exit_code == 3 and "did you mean: JoeAlcorn?" in result.stderr
    nothing_close = run("--sandbox", "profile", "Qzxv")
    assert nothing_close.exit_code == 3 and "did you mean" not in nothing_close.stderr


def test_traceback_only_with_verbose() -> None:
    result = run("--sandbox", "-v", "profile", "Qzxv")
    assert result.exit_code == 3 and "Traceback" in result.stderr
    assert "profile.xboxlive.com" in result.stderr  # -v logs the requests on stderr


def test_not_signed_in_exits_4_and_says_xbox_login(served: ServedSandbox) -> None:
    result = run("profile", JOE_GAMERTAG, env=served_env(served))
    assert result.exit_code == 4
    assert "xbox login" in result.stderr and result.stdout == ""
    assert run("whoami", env=served_env(served)).exit_code == 4


# -- signing in -----------------------------------------------------------------------------

def test_login_device_code_with_sandbox(isolated_home: Path) -> None:
    result = run("--sandbox", "login")
    assert result.exit_code == 0, result.stderr
    assert "https://www.microsoft.com/link" in result.stderr and "enter the code" in result.stderr
    assert JOE_GAMERTAG in result.stdout
    # Sandbox sign-ins go to their own account, never the default one.
    assert (isolated_home / "accounts" / "sandbox.json").is_file()
    assert not (isolated_home / "accounts" / "default.json").exists()


def test_login_password_prompts(served: ServedSandbox, isolated_home: Path) -> None:
    env = served_env(served)
    result = run("--json", "login", "--password", input=f"{JOE_EMAIL}\n{JOE_PASSWORD}\n", env=env)
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["gamertag"] == JOE_GAMERTAG and info["account"] == "default"
    assert "Password" in result.stderr and JOE_PASSWORD not in result.stderr + result.stdout
    who = run("whoami", env=env)
    assert who.exit_code == 0 and JOE_XUID in who.stdout and "Token expires" in who.stdout
    wrong = run("login", "--password", input=f"{JOE_EMAIL}\nnot-it\n", env=env)
    assert wrong.exit_code == 4 and "password is incorrect" in wrong.stderr


def test_login_with_an_own_azure_app(served: ServedSandbox) -> None:
    """--client-id of an Azure app (a GUID): the Xboxlive.signin scopes and d= tickets."""
    env = served_env(served)
    app = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
    result = run("--json", "login", "--client-id", app, env=env)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["gamertag"] == JOE_GAMERTAG
    token_posts = [r for r in served.sandbox.requests if r.url.path.endswith("/oauth20_connect.srf")]
    assert f"client_id={app}".encode() in token_posts[-1].content
    assert b"Xboxlive.signin" in token_posts[-1].content
    tickets = [json.loads(r.content)["Properties"]["RpsTicket"] for r in served.sandbox.requests
               if r.url.path.endswith("/user/authenticate")]
    assert tickets[-1].startswith("d=")
    refused = run("login", "--password", "--client-id", app, env=env)
    assert refused.exit_code == 2 and "--client-id" in refused.stderr


def test_login_password_from_environment(served: ServedSandbox) -> None:
    env = {**served_env(served), "MS_LOGIN": JOE_EMAIL, "MS_PASSWD": JOE_PASSWORD}
    result = run("login", "--password", env=env)
    assert result.exit_code == 0, result.stderr
    assert "E-mail" not in result.stderr


def test_whoami_and_logout(served: ServedSandbox, isolated_home: Path) -> None:
    env = {**served_env(served), "MS_LOGIN": JOE_EMAIL, "MS_PASSWD": JOE_PASSWORD}
    assert run("login", "--password", env=env).exit_code == 0
    env = served_env(served)
    who = json.loads(run("--json", "whoami", env=env).stdout)
    assert who["xuid"] == JOE_XUID and who["xsts_expires"]
    out = run("--json", "logout", env=env)
    assert json.loads(out.stdout) == {"account": "default", "signed_out": True}
    assert not (isolated_home / "accounts" / "default.json").exists()
    assert run("whoami", env=env).exit_code == 4
    again = run("logout", env=env)
    assert again.exit_code == 0 and "was not signed in" in again.stdout


def test_sandbox_whoami_signs_in_as_demo() -> None:
    who = run_json("whoami")
    assert who["gamertag"] == JOE_GAMERTAG and who["account"] == "sandbox"
    assert run_json("--account", "alt", "whoami")["account"] == "sandbox-alt"


def test_account_isolation(served: ServedSandbox, isolated_home: Path) -> None:
    env = served_env(served)
    login = run("--account", "alice", "login", "--password",
                input=f"{JOE_EMAIL}\n{JOE_PASSWORD}\n", env=env)
    assert login.exit_code == 0, login.stderr
    assert (isolated_home / "accounts" / "alice.json").is_file()
    assert run("whoami", env=env).exit_code == 4  # the default account is still signed out
    assert run("--account", "bob", "profile", JOE_GAMERTAG, env=env).exit_code == 4
    alice = run("--account", "alice", "--json", "whoami", env=env)
    assert alice.exit_code == 0 and json.loads(alice.stdout)["account"] == "alice"
    assert run("--account", "alice", "profile", JOE_GAMERTAG, env=env).exit_code == 0
    assert run("--account", "alice", "logout", env=env).exit_code == 0
    assert run("--account", "alice", "whoami", env=env).exit_code == 4
    assert run("--account", "../etc", "whoami", env=env).exit_code == 2


def test_no_secret_in_any_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    sandbox = Sandbox(seed=0, lifetimes=Lifetimes(device_interval=1))
    outputs = []
    for args in (["login"], ["login", "--password"], ["-v", "whoami"], ["--json", "whoami"],
                 ["-v", "--json", "profile", JOE_GAMERTAG], ["-v", "clips", JOE_GAMERTAG, "--limit", "2"],
                 ["-v", "profile", "JoeAlcorm"], ["-v", "logout"]):
        result = run("--sandbox", *args, sandbox=sandbox, input=f"{JOE_EMAIL}\n{JOE_PASSWORD}\n")
        outputs.append(result.stdout + result.stderr)
    text = "\n".join(outputs)
    secrets = [token for token in sandbox.tokens.grants]
    assert len(secrets) > 10  # msa, refresh, user and XSTS tokens of several sign-ins
    assert "Traceback" in text  # -v on an error: tracebacks are covered too
    for secret in [*secrets, JOE_PASSWORD]:
        assert secret not in text
        assert secret[-24:] not in text  # not even a piece (the prefixes are fixed constants)


# -- real processes -------------------------------------------------------------------------

def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("XBOX_LIVE_BASE_URL", None)
    return env


def test_python_m_xbox_subprocess() -> None:
    proc = subprocess.run([sys.executable, "-m", "xbox", "--sandbox", "--json", "profile", JOE_GAMERTAG],
                          capture_output=True, text=True, timeout=60, env=_env())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["xuid"] == JOE_XUID


def test_sandbox_serve_subprocess() -> None:
    script = Path(sys.executable).parent / "xbox"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "xbox"]
    proc = subprocess.Popen([*command, "sandbox", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    threading.Thread(target=lambda: lines.put(proc.stdout.readline() if proc.stdout else ""),
                     daemon=True).start()
    try:
        base_url = lines.get(timeout=30).strip()
        assert base_url.startswith("http://127.0.0.1:")
        response = httpx.get(f"{base_url}/profile.xboxlive.com/users/me/profile/settings",
                             params={"settings": "Gamertag"}, timeout=10)
        assert response.status_code == 401
        login_page = httpx.get(f"{base_url}/login.live.com/oauth20_authorize.srf", timeout=10)
        assert login_page.status_code != 404  # the whole emulator is there, not a stub
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    assert proc.returncode is not None


def test_an_unwritable_destination_is_one_line_and_exit_1(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run("--sandbox", "archive", JOE_GAMERTAG, "--dest", str(blocker / "inside"),
                 "--limit", "1")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: ") and str(blocker) in result.stderr
    assert blocker.read_text() == "not a folder"  # nothing lost


def test_sandbox_serve_on_a_busy_port_says_so(served: ServedSandbox) -> None:
    result = run("sandbox", "serve", "--port", str(served.port))
    assert result.exit_code == 1
    assert "could not start" in result.stderr and "Traceback" not in result.stderr


def test_archive_progress_only_on_a_terminal(tmp_path: Path) -> None:
    """Bars (the run's, with captures done/total, and one per file) on stderr when it is a
    terminal, within its 80 columns; nothing when it is not."""
    from .cli_helpers import clean_env, need_pty, run_in_terminal, xbox_command

    need_pty()
    args = ["--sandbox", "archive", JOE_GAMERTAG, "--limit", "3"]
    env = clean_env(tmp_path, COLUMNS="80")
    shown = run_in_terminal([*args, "--dest", str(tmp_path / "tty")], env)
    assert shown.returncode == 0, shown.lines
    lines = shown.lines
    assert any("3/3" in line for line in lines), lines  # captures done/total
    assert any(".mp4" in line for line in lines)  # a per-file bar
    assert any(" kB" in line or " MB" in line for line in lines)  # human units
    bars = [line for line in lines if "━" in line]
    assert bars and all(len(line) <= 80 for line in bars), [len(line) for line in bars]
    assert b"3/3" not in shown.stdout and b"\x1b" not in shown.stdout  # stdout: the summary
    piped = subprocess.run([*xbox_command(), *args, "--dest", str(tmp_path / "pipe")],
                           capture_output=True, env=env, timeout=60, check=False)
    assert piped.returncode == 0 and b"3/3" not in piped.stderr and b"\x1b" not in piped.stderr


def test_version_is_the_installed_distributions() -> None:
    """`xbox --version` prints xbox.__version__ (no metadata look-up at start-up); it must be
    the version the package was installed as."""
    from importlib.metadata import version

    from click.testing import CliRunner

    import xbox

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"xbox, version {version('xbox')}"
    assert xbox.__version__ == version("xbox")

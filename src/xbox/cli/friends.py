"""``friends [GAMERTAG]``, ``friends add|remove GAMERTAG``, ``presence GAMERTAG...`` and
``presence set online|offline``.

Adding and removing a friend, and setting your presence, are writes: sent once (never
retried); ``--dry-run`` prints the request and sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from . import shapes
from .app import State, cli, pass_state, planned
from .groups import DefaultGroup, default_of
from .output import Col
from .params import USER, UserRef
from .users import resolve, resolve_xuid

# The xbox._api modules are imported by the commands when they run: they import the models,
# hence pydantic, and `xbox --help` should not pay for them.

#: ``presence set``'s choices: the names ``xbl.presence.set`` takes (a test keeps them equal).
PRESENCE_STATES = ["active", "cloaked", "offline", "online"]

__all__ = ["friends", "presence"]

_dry_run = click.option("--dry-run", is_flag=True, help="Print the request; send nothing.")


@cli.group(cls=DefaultGroup, usage="[GAMERTAG|XUID] [--mutual | --followers]")
def friends() -> None:
    """List the people a user follows (yours by default), or add and remove a friend.

    `xbox friends [GAMERTAG]` lists; `xbox friends add|remove GAMERTAG` follows and
    unfollows (friends are people who follow each other).
    """


@default_of(friends)
@click.argument("user", type=USER, metavar="[GAMERTAG|XUID]", required=False)
@click.option("--mutual", is_flag=True, help="Only friends: people who follow back.")
@click.option("--followers", is_flag=True, help="The people who follow the user instead.")
@pass_state
def list_friends(state: State, user: UserRef | None, mutual: bool, followers: bool) -> None:
    if mutual and followers:
        raise click.UsageError("--mutual and --followers do not go together")
    client = state.client()
    xuid = resolve_xuid(client, user) if user is not None else None
    found = (client.people.followers(xuid) if followers
             else client.people.friends(xuid, mutual=mutual))
    people = [shapes.person(p) for p in found]
    if state.out.json_mode:
        state.out.json(people)
        return
    rows = [[p["gamertag"], p["xuid"], p["gamerscore"], p["presence"], p["doing"],
             "yes" if p["favorite"] else ""] for p in people]
    whose = f"{user}" if user is not None else (client.gamertag or "you")
    what = ("people following" if followers else "friends of" if mutual
            else "people followed by")
    state.out.table([Col("Gamertag"), Col("XUID"), Col("Gamerscore", right=True), Col("Presence"),
                     Col("Doing", free=True), Col("Favorite")], rows,
                    title=f"{len(people)} {what} {whose}")


def _follow(state: State, user: UserRef, add: bool, dry_run: bool) -> None:
    client = state.client()
    profile = resolve(client, user)
    change = client.people.add if add else client.people.remove
    request = planned(client, lambda: change(profile.xuid))
    if not dry_run:
        change(profile.xuid)
    shape = shapes.write(request, dry_run, xuid=profile.xuid, gamertag=profile.gamertag,
                         following=None if dry_run else add)
    if state.out.json_mode:
        state.out.json(shape)
    elif dry_run:
        state.out.line(shapes.would_send(shape))
    else:
        name = profile.gamertag or profile.xuid
        state.out.line(f"Now following {name} (friends once they follow you back)" if add
                       else f"No longer following {name}")


@friends.command()
@click.argument("user", type=USER, metavar="GAMERTAG|XUID")
@_dry_run
@pass_state
def add(state: State, user: UserRef, dry_run: bool) -> None:
    """Follow a user: add a friend (friends once they follow you back)."""
    _follow(state, user, True, dry_run)


@friends.command()
@click.argument("user", type=USER, metavar="GAMERTAG|XUID")
@_dry_run
@pass_state
def remove(state: State, user: UserRef, dry_run: bool) -> None:
    """Stop following a user: remove a friend."""
    _follow(state, user, False, dry_run)


@cli.group(cls=DefaultGroup, usage="GAMERTAG|XUID...")
def presence() -> None:
    """Show whether users are online and what they are playing, or set your own state.

    `xbox presence GAMERTAG...` shows (with --json: a list, one record per user, even for
    one); `xbox presence set online|offline` shows you online or appearing offline.
    """


@default_of(presence)
@click.argument("users", nargs=-1, required=True, type=USER, metavar="GAMERTAG|XUID...")
@pass_state
def show_presence(state: State, users: Sequence[UserRef]) -> None:
    client = state.client()
    names: dict[str, str | None] = {}
    for who in users:
        if who.xuid is not None:
            names.setdefault(who.xuid, None)
        else:
            found = resolve(client, who)
            names[found.xuid] = found.gamertag or str(who)
    records = [shapes.presence(r, names.get(r.xuid)) for r in client.presence.batch(list(names))]
    if state.out.json_mode:
        state.out.json(records)
        return
    rows = [[r["gamertag"] or r["xuid"], r["xuid"], r["state"],
             ", ".join(r["playing"]) or r["last_title"] or "", r["last_seen"]] for r in records]
    state.out.table([Col("Gamertag"), Col("XUID"), Col("State"),
                     Col("Playing / last played", free=True), Col("Last seen")], rows)


@presence.command("set")
@click.argument("state_name", metavar="online|offline",
                type=click.Choice(PRESENCE_STATES, case_sensitive=False))
@_dry_run
@pass_state
def set_presence(state: State, state_name: str, dry_run: bool) -> None:
    """Show yourself online, or appear offline to everyone else (active|cloaked too)."""
    client = state.client()
    me = client.whoami().get("xuid") or client.profiles.me().xuid
    request = planned(client, lambda: client.presence.set(state_name))
    wire = request.body["state"]  # what Xbox Live is told: Active or Cloaked
    if not dry_run:
        client.presence.set(state_name)
    shape = shapes.write(request, dry_run, xuid=me, state=wire)
    if state.out.json_mode:
        state.out.json(shape)
    elif dry_run:
        state.out.line(shapes.would_send(shape))
    else:
        state.out.line("You show as online" if wire == "Active"
                       else "You appear offline to everyone else")

"""``messages [GAMERTAG]`` (the inbox, or one conversation) and ``send GAMERTAG TEXT``.

Sending is a write: sent once (never retried); ``--dry-run`` prints the request instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

from ..exceptions import InvalidArgument
from ..ids import check_xuid
from . import shapes
from .app import State, cli, pass_state, planned
from .output import Col
from .params import USER, UserRef
from .users import resolve, resolve_xuid

if TYPE_CHECKING:
    from .. import Client

__all__ = ["messages", "send"]

#: Who xuid 0 is: Xbox itself writes from it.
XBOX = {"0": "Xbox"}


def _names(client: Client, xuids: Iterable[str | None]) -> dict[str, str]:
    """Gamertags of the xuids (one batch look-up; Xbox's own xuid 0 is "Xbox")."""
    wanted: list[str] = []
    for xuid in xuids:
        try:
            if xuid is not None and xuid not in XBOX:
                wanted.append(check_xuid(xuid))
        except InvalidArgument:
            continue
    found = {p.xuid: p.gamertag for p in client.profiles.batch(sorted(set(wanted)))
             if p.gamertag} if wanted else {}
    return {**XBOX, **found}


def _me(client: Client) -> str:
    return str(client.whoami().get("xuid") or client.profiles.me().xuid)


@cli.command()
@click.argument("user", type=USER, metavar="[GAMERTAG|XUID]", required=False)
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="At most N: the latest conversations, or the latest messages.")
@pass_state
def messages(state: State, user: UserRef | None, limit: int | None) -> None:
    """Your conversations, the latest first; or your messages with one user, oldest first.

    With --json: a list of conversations, or of messages.
    """
    client = state.client()
    me = _me(client)
    if user is None:
        convs = list(client.messages.inbox(limit=limit))
        names = _names(client, [c.other(me) for c in convs])
        items = [shapes.conversation(c, me, names) for c in convs]
        if state.out.json_mode:
            state.out.json(items)
            return
        state.out.table([Col("With"), Col("Last message", free=True), Col("Sent"), Col("Read")],
                        [[c["gamertag"] or c["xuid"], c["last_message"], c["sent"],
                          "yes" if c["read"] else "no"] for c in items],
                        title=f"{len(items)} conversations")
        return
    other = resolve_xuid(client, user)
    found = list(client.messages.conversation(other, limit=limit))[::-1]
    names = _names(client, [me, other])
    items = [shapes.message(m, names) for m in found]
    if state.out.json_mode:
        state.out.json(items)
        return
    state.out.table([Col("Sent"), Col("From"), Col("Message", free=True)],
                    [[m["sent"], m["gamertag"] or m["sender"],
                      "(deleted)" if m["deleted"] else m["text"]] for m in items],
                    title=f"{len(items)} messages with {user}")


@cli.command()
@click.argument("user", type=USER, metavar="GAMERTAG|XUID")
@click.argument("text")
@click.option("--dry-run", is_flag=True, help="Print the request; send nothing.")
@pass_state
def send(state: State, user: UserRef, text: str, dry_run: bool) -> None:
    """Send a message (at most 256 characters) to a user."""
    client = state.client()
    client.messages.check_text(text)  # refused before the recipient is looked up
    profile = resolve(client, user)
    request = planned(client, lambda: client.messages.send(profile.xuid, text))
    sent = None if dry_run else client.messages.send(profile.xuid, text)
    shape = shapes.write(request, dry_run, xuid=profile.xuid, gamertag=profile.gamertag, text=text,
                         message_id=sent.message_id if sent else None,
                         conversation_id=sent.conversation_id if sent else None)
    if state.out.json_mode:
        state.out.json(shape)
    elif sent is None:
        state.out.line(shapes.would_send(shape))
    else:
        state.out.line(f"Sent to {profile.gamertag or profile.xuid} (message {sent.message_id})")

"""``xbox stats GAMERTAG TITLE``: a player's statistics in one title."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from .. import ids
from ..exceptions import NotFoundException
from . import shapes
from .app import State, cli, pass_state
from .output import Col
from .params import USER, UserRef, echo
from .users import resolve_xuid

if TYPE_CHECKING:
    from .. import Client

__all__ = ["find_title"]


def _is_scid(text: str) -> bool:
    try:
        ids.check_scid(text)
    except ValueError:
        return False
    return True


def find_title(client: Client, xuid: str, text: str) -> tuple[int | None, str | None, str]:
    """(title id, SCID, name) of a title typed as a title id, a SCID or (part of) its name;
    names and SCIDs are looked up in the user's title history.

    Raises:
        NotFoundException: no such title (id), or none of that name or SCID was played.
    """
    text = text.strip()
    if text.isdigit():
        found = client.titles.get(ids.check_title_id(text), xuid, decorations=("scid",))
        return int(found.title_id), found.service_config_id, found.name or text
    played = client.titles.history(xuid, decorations=("scid",))
    lowered = text.lower()
    matches = ([t for t in played if (t.service_config_id or "").lower() == lowered]
               or [t for t in played if (t.name or "").lower() == lowered]
               or [t for t in played if lowered in (t.name or "").lower()])
    if len(matches) == 1 or (matches and _is_scid(text)):
        title = matches[0]
        return int(title.title_id), title.service_config_id, title.name or title.title_id
    if _is_scid(text):
        return None, ids.check_scid(text), text  # not played: the SCID alone still asks
    if matches:
        names = ", ".join(t.name or t.title_id for t in matches[:5])
        raise NotFoundException(f"{echo(text)} matches several titles played: {names}")
    raise NotFoundException(f"No title {echo(text)} among the titles played by xuid {xuid}")


@cli.command()
@click.argument("user", type=USER, metavar="GAMERTAG|XUID")
@click.argument("title", metavar="TITLE")
@click.option("--stat", "names", multiple=True, metavar="NAME",
              help="A stat to show besides the title's featured ones (repeatable; "
                   "default MinutesPlayed).")
@pass_state
def stats(state: State, user: UserRef, title: str, names: Sequence[str]) -> None:
    """Show a user's stats in a title (a title id, a SCID or a name they played).

    The title's featured stats come first, then --stat ones (MinutesPlayed by default).
    """
    client = state.client()
    xuid = resolve_xuid(client, user)
    title_id, scid, name = find_title(client, xuid, title)
    found = client.stats.batch([xuid], title_id=title_id, scid=scid,
                               stats=list(names) or ["MinutesPlayed"])
    items = [shapes.stat(s, title_id) for s in found]
    if state.out.json_mode:
        state.out.json(items)
        return
    state.out.table([Col("Stat", free=True), Col("Name"), Col("Value", right=True)],
                    [[s["display_name"] or s["name"], s["name"], s["value"]] for s in items],
                    title=f"{len(items)} stats of {user} in {name}")

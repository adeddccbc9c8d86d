"""``xbox pins``: your Pins list; ``pins add|remove`` change it (never retried)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from ..exceptions import NotFoundException
from . import shapes
from .app import State, cli, pass_state
from .output import Col

if TYPE_CHECKING:
    from .. import Client
    from ..models.lists import PinnedItem

__all__ = ["item_for"]


def item_for(client: Client, typed: str, content_type: str | None, title: str | None) -> PinnedItem:
    """What to pin for an id as typed: a title id or a game's package family name is looked
    up in titlehub (a game: ``DGame``, with its name); anything else (an app's package
    family name) is pinned as given, a ``DApp`` unless ``--type`` says otherwise."""
    # (the models, pydantic, load with the command: not for `xbox --help`)
    from ..models.lists import PinnedItem

    text = typed.strip()
    found = None
    try:
        found = (client.titles.get(text, decorations=()) if text.isdigit()
                 else client.titles.by_pfn(text, decorations=()))
    except NotFoundException:
        if text.isdigit():
            raise
    if found is not None and found.pfn:
        return PinnedItem(item_id=found.pfn, content_type=content_type or "DGame",
                          title=title or found.name, device_type="XboxOne")
    return PinnedItem(item_id=text, content_type=content_type or "DApp", title=title,
                      device_type="XboxOne")


@cli.group(invoke_without_command=True)
@click.pass_context
def pins(ctx: click.Context) -> None:
    """List your pins (the Xbox home's Pins); `pins add|remove ID` change them."""
    if ctx.invoked_subcommand is not None:
        return
    state: State = ctx.obj
    listed = state.client().lists.get()
    items = [shapes.pin(entry) for entry in listed.items]
    if state.out.json_mode:
        state.out.json(items)
        return
    state.out.table([Col("Title", free=True), Col("ID"), Col("Type"), Col("Added")],
                    [[p["title"], p["id"], p["type"], p["added"]] for p in items],
                    title=f"{len(items)} pins")


def _change(state: State, verb: str, items: list[PinnedItem], dry_run: bool) -> None:
    client = state.client()
    wire = [i.model_dump(by_alias=True, exclude_none=True) for i in items]
    metadata = None
    if not dry_run:
        resource = client.lists
        metadata = resource.add(items) if verb == "pinned" else resource.remove(items)
    names = ", ".join(i.title or i.item_id or "" for i in items)
    done = f"would have {verb}" if dry_run else verb
    count = f"; {metadata.list_count} pins" if metadata is not None else " (dry run)"
    state.out.info(f"{done} {names}{count}")
    if state.out.json_mode:
        out: dict[str, Any] = {"items": wire, "dry_run": dry_run,
                               "version": metadata.list_version if metadata else None,
                               "count": metadata.list_count if metadata else None,
                               "raw": metadata.raw if metadata else None}
        state.out.json(out)


_dry_run = click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")


@pins.command()
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("--type", "content_type", type=click.Choice(["DGame", "DApp"]), default=None,
              help="What the item is (default: DGame for titles titlehub knows, else DApp).")
@click.option("--title", default=None, help="The name to show (default: the game's name).")
@_dry_run
@pass_state
def add(state: State, ids: Sequence[str], content_type: str | None, title: str | None,
        dry_run: bool) -> None:
    """Pin games or apps: a title id or a package family name each."""
    client = state.client()
    _change(state, "pinned", [item_for(client, i, content_type, title) for i in ids], dry_run)


@pins.command()
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@_dry_run
@pass_state
def remove(state: State, ids: Sequence[str], dry_run: bool) -> None:
    """Unpin items by the id `xbox pins` shows (or a title id)."""

    client = state.client()
    listed = client.lists.get().items
    chosen: list[PinnedItem] = []
    for typed in ids:
        text = typed.strip()
        if text.isdigit():
            text = client.titles.get(text, decorations=()).pfn or text
        entry = next((e for e in listed if text.lower() in
                      ((e.item.item_id or "").lower(), (e.item.provider_id or "").lower())), None)
        if entry is None:
            raise NotFoundException(f"{typed} is not pinned")
        chosen.append(entry.item)
    _change(state, "unpinned", chosen, dry_run)

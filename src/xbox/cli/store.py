"""``xbox store search|show``: the Microsoft Store's catalog (no sign-in needed)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import click

from ..exceptions import NotFoundException
from . import shapes
from .app import State, cli, pass_state
from .output import Col
from .params import echo

__all__ = ["id_type_of"]

_GUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


def id_type_of(text: str) -> str | None:
    """How the catalog looks up an id as typed: None for a store id (``9WZDNCRFJ3TJ``),
    else ``XboxTitleId`` (digits), ``LegacyXboxProductId`` (a GUID) or
    ``PackageFamilyName`` (``Name_PublisherHash``)."""
    if text.isdigit():
        return "XboxTitleId"
    if _GUID.fullmatch(text):
        return "LegacyXboxProductId"
    if "_" in text or "." in text:
        return "PackageFamilyName"
    return None


@cli.group()
def store() -> None:
    """The Microsoft Store's catalog: search it, show products. No sign-in needed."""


@store.command()
@click.argument("text")
@click.option("--limit", type=click.IntRange(min=1, max=25), default=10, show_default=True,
              metavar="N", help="At most N results.")
@pass_state
def search(state: State, text: str, limit: int) -> None:
    """Find games and apps by name."""
    client = state.client(sign_in=False)
    results = [shapes.store_result(p) for p in client.catalog.search(text, limit=limit)]
    if state.out.json_mode:
        state.out.json(results)
        return
    state.out.table([Col("ID"), Col("Title", free=True), Col("Type")],
                    [[r["id"], r["title"], r["type"]] for r in results],
                    title=f"{len(results)} products matching {echo(text)}")


def _fields(p: dict[str, Any]) -> list[tuple[str, Any]]:
    price = None if p["price"] is None else f"{p['price']:.2f} {p['currency'] or ''}".strip()
    return [("ID", p["id"]), ("Title", p["title"]), ("Kind", p["kind"]),
            ("Publisher", p["publisher"]), ("Developer", p["developer"]),
            ("Released", p["released"].date() if p["released"] else None), ("Price", price),
            ("Package", p["pfn"]), ("Title ID", p["title_id"]), ("About", p["description"])]


@store.command()
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@pass_state
def show(state: State, ids: Sequence[str]) -> None:
    """Show products by store id (9WZDNCRFJ3TJ), Xbox title id, package family name or
    legacy product id. With --json: a list, one product per id."""
    client = state.client(sign_in=False)
    found = []
    for typed in ids:
        kind = id_type_of(typed.strip())
        products = (client.catalog.products([typed.strip()]) if kind is None
                    else client.catalog.lookup(typed.strip(), id_type=kind, limit=1))
        if not products:
            raise NotFoundException(f"No product {echo(typed)} in the store")
        found.append(shapes.store_product(products[0]))
    if state.out.json_mode:
        state.out.json(found)
        return
    for i, product in enumerate(found):
        if i:
            state.out.line("")
        state.out.fields(_fields(product), title=product["title"] or product["id"])

"""How the CLI talks: rich tables for people, JSON for programs, messages on stderr.

Data goes to stdout and nothing else does: prompts, hints, progress and logs go to stderr so
that ``xbox --json ... | jq`` always sees one JSON document.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table

__all__ = ["Output", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """A JSON-ready view of models, lists and dicts.

    Models are given as the service sent them (``.raw``) so that scripts see the documented
    wire shape; a model built locally (no raw JSON) is dumped with its wire aliases.
    """
    raw = getattr(value, "raw", None)
    if raw is not None:
        return raw
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json", by_alias=True)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _default(value: Any) -> Any:
    converted = to_jsonable(value)
    if converted is value:
        return str(value)
    return converted


def format_cell(value: Any) -> str:
    """One table cell: empty for missing values, ISO minutes for times."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class Output:
    """Everything a command prints goes through here.

    Args:
        json_mode: print JSON documents on stdout instead of tables.
        quiet: leave out informational messages on stderr (errors still show).
    """

    def __init__(self, *, json_mode: bool, quiet: bool = False) -> None:
        self.json_mode = json_mode
        self.quiet = quiet
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        # Created on first use so that it writes to the sys.stdout in force at that time
        # (click's test runner swaps it). A pipe gets wide lines rather than rich's 80
        # columns, so that ids and titles are not cut off for grep and friends.
        if self._console is None:
            out = sys.stdout
            tty = out.isatty()
            self._console = Console(file=out, highlight=False, width=None if tty else 200,
                                    soft_wrap=not tty)
        return self._console

    def json(self, data: Any) -> None:
        """Print one JSON document on stdout."""
        click.echo(json.dumps(to_jsonable(data), indent=2, ensure_ascii=False, default=_default))

    def table(self, columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
              title: str | None = None) -> None:
        """Print a table of ``rows`` under ``columns`` on stdout."""
        table = Table(title=title, title_justify="left")
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(format_cell(v) for v in row))
        self.console.print(table)

    def fields(self, pairs: Iterable[tuple[str, Any]], *, title: str | None = None) -> None:
        """Print one record as a two-column table of name and value."""
        table = Table(title=title, title_justify="left", show_header=False)
        table.add_column("field", style="bold")
        table.add_column("value", overflow="fold")
        for name, value in pairs:
            table.add_row(name, format_cell(value))
        self.console.print(table)

    def line(self, text: str) -> None:
        """A plain line of data on stdout (for human output that is not a table)."""
        click.echo(text)

    def info(self, text: str) -> None:
        """A message for the person at the terminal: stderr, unless ``-q``."""
        if not self.quiet:
            click.echo(text, err=True)

    def error(self, text: str) -> None:
        """An error message: always shown, on stderr, on one line."""
        click.echo(f"Error: {text}", err=True)

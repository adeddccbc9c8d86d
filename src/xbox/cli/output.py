"""How the CLI talks: aligned tables for people, tab-separated rows for pipes, JSON for
programs, messages on stderr.

The rules are gh's, which people already know:

* Data goes to stdout and nothing else does: titles of piped tables, prompts, hints,
  progress and logs go to stderr, so that ``xbox ... | cut -f1`` and ``xbox --json ... | jq``
  see data only.
* On a terminal a table fits the width by shortening free text (game names, achievement
  names) with ``…``, and then by leaving out the columns marked optional (views, say);
  identifiers (ids, xuids, gamertags, dates, numbers) are never shortened or wrapped. Times
  are relative there (``3h ago``, ``in 2d``), as in gh. When even the identifiers do not
  fit, lines are left longer than the width rather than broken in the middle of an id.
* Piped, a table is rows of tab-separated fields: no header, no title, no styling, nothing
  shortened, sizes as exact byte counts.
* ``NO_COLOR`` (any non-empty value) turns every style off, bold and italic included.
* Text the service sends (message text other users write, gamertags, titles, captions,
  error bodies) can hold control characters: an ESC sequence that sets the window title,
  clears the screen or writes the clipboard (OSC 52). Everything a person's terminal shows
  passes through :func:`terminal_safe` here, which shows such characters as ``^[`` and
  never lets the terminal act on them; ``--json`` stays exact (JSON escapes them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import click
from rich.cells import cell_len, set_cell_size
from rich.console import Console

__all__ = ["Bytes", "Col", "Output", "human_bytes", "no_color", "stderr_console", "terminal_safe",
           "to_jsonable"]

ELLIPSIS = "…"
GAP = "  "
MIN_FREE = 8  # a shortened free-text column keeps at least this many cells


# C0 controls but tab and newline, DEL, the C1 controls (U+0080-U+009F: U+009B is a CSI on
# its own for many terminals), and the bidirectional overrides that reorder what is shown.
# And lone surrogates (a "\ud800" in the service's JSON), which no terminal encoding can hold.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return "^" + chr(code + 0x40)  # caret notation, as `cat -v` shows it: ESC is ^[
    if code == 0x7F:
        return "^?"
    if code <= 0x9F:
        return "^[" + chr(code - 0x40)  # a C1 control is ESC and a letter: U+009B is ^[[
    return f"<U+{code:04X}>"


def terminal_safe(text: str) -> str:
    """``text`` as a terminal may show it: every control character that a terminal would
    act on (ESC sequences that set the title, clear the screen or write the clipboard,
    carriage returns and backspaces that overwrite what is shown, bell) and the
    bidirectional overrides are shown visibly (``^[``, ``^M``, ``<U+202E>``) instead, as are
    lone surrogates, which no encoding can print.

    Tab and newline stay. The one place the output layer makes service text safe: every
    table, record, line and message on stdout and stderr goes through it; JSON does not
    (its escaping keeps the text exact).
    """
    return _UNSAFE.sub(_visible, text) if _UNSAFE.search(text) else text


def no_color() -> bool:
    """Whether ``NO_COLOR`` asks for no styling at all (https://no-color.org)."""
    return bool(os.environ.get("NO_COLOR"))


def stderr_console() -> Console:
    """A rich console on stderr for progress displays; with ``NO_COLOR`` it emits no style
    at all (rich alone drops colours but keeps bold and italic)."""
    return Console(stderr=True, highlight=False, color_system=None if no_color() else "auto")


def human_bytes(size: int | None) -> str:
    """A size in decimal units, as file managers show it: ``1.6 MB``, ``820 kB``, ``12 B``."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


class Bytes(int):
    """A byte count in a table: human units on a terminal, the exact number when piped."""


@dataclass(frozen=True)
class Col:
    """A table column.

    Attributes:
        name: the header.
        free: free text that may be shortened to fit the terminal (a game's name); every
            other column is an identifier or a value and is never shortened.
        right: right-aligned (numbers).
        optional: left out on a terminal too narrow for it (never when piped).
    """

    name: str
    free: bool = False
    right: bool = False
    optional: bool = False


def to_jsonable(value: Any) -> Any:
    """A JSON-ready view of dicts, lists, dates and models (models as their wire JSON)."""
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
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _default(value: Any) -> Any:
    converted = to_jsonable(value)
    if converted is value:
        return str(value)
    return converted


def relative(when: datetime, now: datetime | None = None) -> str:
    """``3h ago``, ``in 2d``: a time as far from now as it is, in the fewest characters."""
    now = now or datetime.now(UTC)
    seconds = (now - when).total_seconds()
    ahead = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return "now"
    size, unit = 365 * 86400, "y"
    for limit, step, name in ((3600, 60, "m"), (86400, 3600, "h"), (14 * 86400, 86400, "d"),
                              (60 * 86400, 7 * 86400, "w"), (365 * 86400, 30 * 86400, "mo")):
        if seconds < limit:
            size, unit = step, name
            break
    amount = f"{int(seconds // size)}{unit}"
    return f"in {amount}" if ahead else f"{amount} ago"


def format_cell(value: Any, *, tty: bool) -> str:
    """One cell: empty for missing values, times relative on a terminal and to the minute
    when piped, human sizes on a terminal."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return relative(value) if tty else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Bytes):
        return human_bytes(value) if tty else str(int(value))
    text = str(value)
    # A cell is one line: a newline or tab in free text (a bio) would break the layout.
    if "\n" in text or "\t" in text or "\r" in text:
        text = " ".join(text.split())
    return terminal_safe(text)


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells, ending in ``…`` when cut."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    return set_cell_size(text, width - 1).rstrip() + ELLIPSIS


def fit_widths(widths: list[int], free: list[bool], minimum: list[int], total: int) -> list[int]:
    """Column widths that fit in ``total`` cells by narrowing free columns, widest first.

    Identifier columns keep their width; a free column is not made narrower than its
    ``minimum``. If that is not enough the widths stay as wide as they must (the line is
    then longer than the terminal, but no id is broken).
    """
    out = list(widths)
    excess = sum(out) + len(GAP) * (len(out) - 1) - total
    while excess > 0:
        candidates = [i for i, f in enumerate(free) if f and out[i] > minimum[i]]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: out[i])
        others = [out[i] for i in candidates if i != widest]
        floor = max([minimum[widest], *others]) if others else minimum[widest]
        step = min(excess, out[widest] - floor) or 1
        out[widest] -= step
        excess -= step
    return out


class Output:
    """Everything a command prints goes through here.

    Args:
        json_mode: print JSON documents on stdout instead of tables.
        quiet: leave out informational messages on stderr (errors still show).
    """

    def __init__(self, *, json_mode: bool, quiet: bool = False) -> None:
        self.json_mode = json_mode
        self.quiet = quiet

    # -- where things go ----------------------------------------------------------------------
    @staticmethod
    def stdout_is_tty() -> bool:
        # Read each time: click's test runner swaps sys.stdout per invocation.
        return sys.stdout.isatty()

    @staticmethod
    def stderr_is_tty() -> bool:
        return sys.stderr.isatty()

    @staticmethod
    def width() -> int:
        """The terminal's width (``COLUMNS`` first, as every terminal program does)."""
        return shutil.get_terminal_size((80, 24)).columns

    def styled(self) -> bool:
        return self.stdout_is_tty() and not no_color()

    def _bold(self, text: str) -> str:
        return click.style(text, bold=True) if self.styled() else text

    # -- data -----------------------------------------------------------------------------------
    def json(self, data: Any) -> None:
        """Print one JSON document on stdout (exact: text that UTF-8 cannot hold, a lone
        surrogate the service sent, is escaped as JSON escapes it, never lost)."""
        ready = to_jsonable(data)
        text = json.dumps(ready, indent=2, ensure_ascii=False, default=_default)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(ready, indent=2, default=_default)
        click.echo(text)

    def table(self, columns: Sequence[Col | str], rows: Iterable[Sequence[Any]], *,
              title: str | None = None) -> None:
        """Print ``rows`` under ``columns``: aligned on a terminal, tab-separated when piped."""
        cols = [c if isinstance(c, Col) else Col(c) for c in columns]
        tty = self.stdout_is_tty()
        cells = [[format_cell(v, tty=tty) for v in row] for row in rows]
        if not tty:
            if title:
                self.info(title)
            for row in cells:
                click.echo("\t".join(row))
            return
        if title:
            click.echo(self._bold(terminal_safe(title)))
        cols, cells = self._drop_optional(cols, cells)
        headers = [c.name.upper() for c in cols]
        widths = [max([cell_len(h), *(cell_len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
        minimum = [min(w, max(MIN_FREE, cell_len(h))) for w, h in zip(widths, headers, strict=True)]
        widths = fit_widths(widths, [c.free for c in cols], minimum, self.width())
        click.echo(self._bold(self._line(headers, widths, cols)))
        for row in cells:
            click.echo(self._line(row, widths, cols))

    def _drop_optional(self, cols: list[Col], cells: list[list[str]]
                       ) -> tuple[list[Col], list[list[str]]]:
        """Leave out optional columns, right to left, while the narrowest table that keeps
        them is wider than the terminal (an optional column counts whole: rather than show a
        stub of it, leave it out)."""
        width = self.width()

        def narrowest(keep: list[int]) -> int:
            total = 0
            for i in keep:
                full = max([cell_len(cols[i].name), *(cell_len(r[i]) for r in cells)])
                shrinks = cols[i].free and not cols[i].optional
                total += min(full, max(MIN_FREE, cell_len(cols[i].name))) if shrinks else full
            return total + len(GAP) * (len(keep) - 1)

        keep = list(range(len(cols)))
        for i in reversed(range(len(cols))):
            if narrowest(keep) <= width:
                break
            if cols[i].optional:
                keep.remove(i)
        return [cols[i] for i in keep], [[r[i] for i in keep] for r in cells]

    @staticmethod
    def _line(row: Sequence[str], widths: Sequence[int], cols: Sequence[Col]) -> str:
        parts = []
        last = len(row) - 1
        for i, (text, width, col) in enumerate(zip(row, widths, cols, strict=True)):
            text = shorten(text, width) if col.free else text
            pad = " " * max(0, width - cell_len(text))
            if col.right:
                parts.append(pad + text)
            else:
                parts.append(text if i == last else text + pad)
        return GAP.join(parts).rstrip()

    def fields(self, pairs: Iterable[tuple[str, Any]], *, title: str | None = None) -> None:
        """Print one record as names and values: aligned on a terminal, ``name<TAB>value``
        lines when piped."""
        tty = self.stdout_is_tty()
        items = [(terminal_safe(name), format_cell(value, tty=tty)) for name, value in pairs]
        if not tty:
            if title:
                self.info(title)
            for name, value in items:
                click.echo(f"{name}\t{value}")
            return
        if title:
            click.echo(self._bold(terminal_safe(title)))
        width = max((cell_len(name) for name, _ in items), default=0)
        room = max(MIN_FREE, self.width() - width - len(GAP))
        for name, value in items:
            label = self._bold(name) + " " * (width - cell_len(name))
            # Free text (a bio) is shortened to fit; one token (a URL, an id) never is.
            shown = shorten(value, room) if " " in value else value
            click.echo(f"{label}{GAP}{shown}".rstrip())

    def line(self, text: str) -> None:
        """A plain line of data on stdout (for human output that is not a table)."""
        click.echo(terminal_safe(text))

    # -- messages -------------------------------------------------------------------------------
    def info(self, text: str) -> None:
        """A message for the person at the terminal: stderr, unless ``-q``."""
        if not self.quiet:
            click.echo(terminal_safe(text), err=True)

    def error(self, text: str) -> None:
        """An error message: always shown, on stderr, on one line."""
        click.echo(f"Error: {one_line(text)}", err=True)

    def notice(self, text: str) -> None:
        """A message that is always shown on stderr, even with ``-q`` (how to finish
        signing in, say): without it the command cannot go on."""
        click.echo(terminal_safe(text), err=True)


def one_line(text: str) -> str:
    """``text`` with its line breaks folded and made safe for a terminal
    (:func:`terminal_safe`), so that an error is always one line and never acts on it."""
    return terminal_safe(" ".join(text.split()) if "\n" in text or "\r" in text else text)

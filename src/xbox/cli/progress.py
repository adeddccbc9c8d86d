"""Progress on stderr, for a person at a terminal only: never with ``--json`` or ``-q``, never
into a pipe, and within the terminal's width (80 columns included).

While a display is drawn, the rate-limit notices (:class:`~xbox.cli.app.WaitNotices`) print
through its console, above the bars, instead of through them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from .app import State
from .output import stderr_console, terminal_safe

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from ..archive import ArchiveEvent
    from ..download import ProgressCallback

__all__ = ["ArchiveBars", "archive_bars", "download_bar", "hashing_bar"]


def _shown(state: State) -> bool:
    return not (state.out.json_mode or state.out.quiet or not state.out.stderr_is_tty())


@contextlib.contextmanager
def _waits_above(state: State, bar: Progress) -> Iterator[None]:
    if state.waits is not None:
        console = bar.console
        state.waits.sink = lambda text: console.print(terminal_safe(text), markup=False,
                                                      highlight=False)
    try:
        yield
    finally:
        if state.waits is not None:
            state.waits.sink = lambda text: click.echo(terminal_safe(text), err=True)


@contextlib.contextmanager
def download_bar(state: State, label: str) -> Iterator[ProgressCallback | None]:
    """A progress bar on stderr, only for a person at a terminal (never with --json or -q)."""
    if not _shown(state):
        yield None
        return
    # (rich.progress loads with the first bar: not for `xbox --help`)
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    console = stderr_console()
    with Progress(TextColumn("{task.description}", markup=False), BarColumn(bar_width=24),
                  DownloadColumn(), TransferSpeedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(terminal_safe(label), total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        with _waits_above(state, bar):
            yield update


class ArchiveBars:
    """One line for the run (captures done/total, bytes, speed) and one per file being
    fetched, on stderr, within the terminal's width (80 columns included)."""

    FILE_WIDTH = 22

    def __init__(self, bar: Progress, label: str) -> None:
        self.bar = bar
        self.lock = threading.Lock()  # events come from the archiver's worker threads
        self.done: dict[str, int] = {}
        self.files: dict[str, TaskID] = {}
        self.finished = 0
        self.count = 0
        self.overall = bar.add_task(label, total=None, count="listing")

    def __call__(self, event: ArchiveEvent) -> None:
        with self.lock:
            item = event.item
            if event.type == "planned" and event.plan is not None:
                self.count = len(event.plan.fetch)
                self.bar.update(self.overall, total=event.plan.bytes_to_fetch or None,
                                count=f"0/{self.count}")
            elif event.type == "start" and item is not None:
                name = item.path.name
                if len(name) > self.FILE_WIDTH:  # keep the date and the extension
                    keep = self.FILE_WIDTH - 1
                    name = name[:keep - keep // 2] + "…" + name[-(keep // 2):]
                self.files[item.id] = self.bar.add_task(terminal_safe(f"  {name}"),
                                                        total=event.bytes_total,
                                                        count="")
            elif event.type == "progress" and item is not None:
                self.done[item.id] = event.bytes_done
                self.bar.update(self.overall, completed=sum(self.done.values()))
                if item.id in self.files:
                    self.bar.update(self.files[item.id], completed=event.bytes_done)
            elif event.type in ("done", "failed") and item is not None:
                self.finished += 1
                self.bar.update(self.overall, count=f"{self.finished}/{self.count}")
                if item.id in self.files:
                    self.bar.remove_task(self.files.pop(item.id))
                if event.type == "failed":
                    # Not rich markup: a message quoting the service ("[bold]...") prints as is.
                    self.bar.console.print(terminal_safe(f"failed: {item.id}: {event.message}"),
                                           overflow="fold", markup=False, highlight=False)


@contextlib.contextmanager
def archive_bars(state: State, label: str, *, dry_run: bool = False) -> Iterator[Any]:
    """Progress on stderr, only for a person at a terminal (never with --json, -q or for a
    dry run, which fetches nothing)."""
    if dry_run or not _shown(state):
        yield None
        return
    # (rich.progress loads with the first bar: not for `xbox --help`)
    from rich.progress import BarColumn, DownloadColumn, Progress, Task, TextColumn, TransferSpeedColumn
    from rich.text import Text

    class Sizes(DownloadColumn):
        """Bytes done/total; nothing while the total is still unknown (listing)."""

        def render(self, task: Task) -> Text:
            if task.total is None and not task.completed:
                return Text("")
            return super().render(task)

    class Speed(TransferSpeedColumn):
        def render(self, task: Task) -> Text:
            return Text("") if task.speed is None else super().render(task)

    console = stderr_console()
    width = max(40, console.width)
    name = terminal_safe(label if len(label) <= 16 else label[:15] + "…")
    with Progress(TextColumn("{task.description}", style="", markup=False),
                  TextColumn("{task.fields[count]}", markup=False),
                  BarColumn(bar_width=max(6, min(30, width - 62))), Sizes(), Speed(),
                  console=console, transient=True) as bar, _waits_above(state, bar):
        yield ArchiveBars(bar, name)


@contextlib.contextmanager
def hashing_bar(state: State) -> Iterator[Any]:
    if not _shown(state):
        yield None
        return
    # (rich.progress loads with the first bar: not for `xbox --help`)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress

    with Progress("verifying", BarColumn(bar_width=30), MofNCompleteColumn(),
                  console=stderr_console(), transient=True) as bar:
        task = bar.add_task("verifying", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)

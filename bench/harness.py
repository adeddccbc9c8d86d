"""What every row of the bench shares: timed blocks, alternating rounds, spreads, worker
processes spoken to in JSON lines, CPU pinning, and the table.

Standard library only: the peers' worker (``peer_worker.py``) imports it too, from the peers'
own virtualenv, where ``xbox`` is another package.

How alternation works: a *round* runs one *block* (say 50 look-ups) of every variant, the
variants in rotated order (round 0: A B C, round 1: B C A, round 2: C A B ...), so each is as
often first as last and slow drift in the machine's load falls on all alike. Before each
block a ``gc.collect()`` (untimed) clears the garbage of the block before it. A ratio is taken
within each round (variant ÷ baseline of the same round); the row shows the min, median and
max of those ratios. A variant whose block raises is dropped from later rounds and its row
shows the error.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

# -- timing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One block: wall seconds, and the CPU seconds of the process that did the work."""

    wall: float
    cpu: float

    def to_json(self) -> dict[str, float]:
        return {"wall": self.wall, "cpu": self.cpu}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Sample:
        return cls(float(data["wall"]), float(data["cpu"]))


class Clock:
    """Start/stop of one block: ``perf_counter`` for wall, ``process_time`` for CPU (every
    thread of this process, user and system; the server runs in another process)."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def stop(self) -> Sample:
        return Sample(time.perf_counter() - self.wall, time.process_time() - self.cpu)


def timed(fn: Callable[[], object]) -> Sample:
    clock = Clock()
    fn()
    return clock.stop()


class BlockFailed(Exception):
    """A variant could not run its block; the message goes into its row."""


@dataclass
class Variant:
    """A named way of doing a block's work; ``block()`` does it once and says what it cost
    (measured where the work ran: here, or in a worker process)."""

    name: str
    block: Callable[[], Sample]


@dataclass
class Outcome:
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None


def rotated(items: Sequence[Any], r: int) -> list[Any]:
    """Round ``r``'s order: the items rotated by ``r``."""
    n = len(items)
    return [items[(r + i) % n] for i in range(n)]


def alternate(variants: Sequence[Variant], rounds: int, warmup: int = 1) -> dict[str, Outcome]:
    """Run ``warmup + rounds`` rounds of one block per variant, in rotated order; keep the
    samples of the last ``rounds``."""
    out = {v.name: Outcome() for v in variants}
    for r in range(warmup + rounds):
        for v in rotated(variants, r):
            if out[v.name].error is not None:
                continue
            gc.collect()  # one block's garbage is never collected on another's time
            try:
                sample = v.block()
            except BlockFailed as exc:
                out[v.name].error = str(exc)
                continue
            if r >= warmup:
                out[v.name].samples.append(sample)
    return out


# -- spreads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """min / median / max of a measure over rounds."""

    low: float
    mid: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("no values")
        return cls(min(values), statistics.median(values), max(values))

    def text(self, fmt: str = "{:.2f}") -> str:
        return " / ".join(fmt.format(v) for v in (self.low, self.mid, self.high))


def ratio_spread(outcomes: dict[str, Outcome], name: str, baseline: str, attr: str) -> Spread:
    """Per-round ratios ``name ÷ baseline`` of ``attr`` ("wall" or "cpu")."""
    ours, base = outcomes[name].samples, outcomes[baseline].samples
    pairs = list(zip(ours, base, strict=False))
    return Spread.of([getattr(a, attr) / getattr(b, attr) for a, b in pairs])


def median_of(outcome: Outcome, attr: str) -> float:
    return statistics.median(getattr(s, attr) for s in outcome.samples)


# -- the table --------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table. ``goal`` is an upper bound on the median (None: no goal)."""

    number: str
    what: str
    measure: str
    spread: Spread | None = None
    goal: float | None = None
    note: str = ""
    error: str | None = None
    fmt: str = "{:.2f}"
    extra_ok: bool = True  # a second condition of the goal (0 x 429, flat RSS)
    extra_why: str = ""
    goal_text: str = ""  # a goal that is only that condition (no bound on the median)

    def verdict(self) -> str:
        if self.error is not None:
            return "**failed**: " + self.error
        if self.goal is None and self.goal_text:
            return "met" if self.extra_ok else "**missed**: " + self.extra_why
        if self.goal is None or self.spread is None:
            return "(no goal)"
        mid = self.spread.mid
        over = []
        if mid > self.goal:
            by = mid - self.goal
            shown = self.fmt if by >= 0.01 else "{:.3f}"  # never "0.00 over"
            over.append(f"median {shown.format(mid)} is {shown.format(by)} over "
                        f"({(mid / self.goal - 1) * 100:.1f} %)")
        if not self.extra_ok:
            over.append(self.extra_why)
        return "met" if not over else "**missed**: " + "; ".join(over)

    def cells(self) -> list[str]:
        spread = self.spread.text(self.fmt) if self.spread is not None else "—"
        goal = f"≤ {self.fmt.format(self.goal)}" if self.goal is not None else (self.goal_text or "—")
        return [self.number, self.what, self.measure, spread, goal, self.verdict(), self.note]


HEADER = ["#", "what", "measure", "min / median / max", "goal", "result", "notes"]


def table(rows: Sequence[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ")
                                       for c in row.cells()) + " |")
    return "\n".join(lines)


def say(text: str) -> None:
    """Progress on stderr (the table goes to stdout)."""
    print(text, file=sys.stderr, flush=True)


def short(exc: BaseException, limit: int = 300) -> str:
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 1] + "…"


# -- CPUs -------------------------------------------------------------------------------------


def cores() -> tuple[int | None, int | None]:
    """(client core, server core): the first two CPUs this process may use, or (None, None)
    on a one-CPU machine (nothing is pinned then)."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return cpus[0], cpus[1]


def pin(cpu: int | None) -> None:
    """Keep this process (and the threads and children it starts later) on ``cpu``."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


# -- worker processes -------------------------------------------------------------------------


class Worker:
    """A long-lived child process that runs commands: one JSON object per line each way.

    The child answers every command with one object; ``{"error": ...}`` is raised here as
    :class:`WorkerError` only when ``check`` is set (blocks report their own errors).
    """

    def __init__(self, argv: Sequence[str], *, env: dict[str, str] | None = None,
                 name: str = "worker") -> None:
        self.name = name
        self.proc = subprocess.Popen(list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1, env=env)

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise WorkerError(f"{self.name} exited (code {self.proc.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def send(self, cmd: str, **args: Any) -> None:
        """Send a command without waiting for its answer (:meth:`read` it later), so that
        several workers can start at once."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.proc.stdin.flush()

    def call(self, cmd: str, *, check: bool = True, **args: Any) -> dict[str, Any]:
        self.send(cmd, **args)
        answer = self.read()
        if check and "error" in answer:
            raise WorkerError(f"{self.name}: {cmd}: {answer['error']}")
        return answer

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(WorkerError, OSError, ValueError):
                self.call("quit", check=False)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class WorkerError(RuntimeError):
    pass


def serve_commands(handlers: dict[str, Callable[..., dict[str, Any]]],
                   hello: dict[str, Any] | None = None) -> None:
    """The child side of :class:`Worker`: read commands from stdin until ``quit``.

    Anything else the child prints goes to stderr, so stdout carries answers only. A handler
    that raises answers ``{"error": "Type: message"}``; the worker goes on.
    """
    out: TextIO = sys.stdout
    sys.stdout = sys.stderr

    def send(obj: dict[str, Any]) -> None:
        out.write(json.dumps(obj) + "\n")
        out.flush()

    if hello is not None:
        send(hello)
    for line in sys.stdin:
        if not line.strip():
            continue
        msg = json.loads(line)
        cmd = msg.pop("cmd")
        if cmd == "quit":
            send({"ok": True})
            return
        try:
            send(handlers[cmd](**msg))
        except Exception as exc:  # report, never die: the parent decides
            send({"error": short(exc)})

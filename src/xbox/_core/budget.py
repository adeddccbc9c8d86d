"""One rate-limit budget's books, as plain data: the bookings of a (user, service) pair in
the two sliding windows, a pause the service asked for, and the limits it stated.

The governor (:mod:`xbox._core.governor`) keeps them in its process or, for clients with a
token store, in a :class:`SharedBudgets` that every process on that store uses: the ledger
beside the token files (:mod:`xbox._ledger`, which does the file work). Nothing here
touches a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

__all__ = ["MAX_ENTRIES", "Budget", "LedgerUnavailable", "SharedBudgets"]

T = TypeVar("T")

#: The most bookings a budget keeps (the oldest go first); far above any sustain limit.
MAX_ENTRIES = 1024


class LedgerUnavailable(Exception):
    """The ledger cannot be used; the message says why (no secrets: a path and a reason)."""


@dataclass(slots=True)
class Budget:
    """What is known about one (user, service) budget: its bookings, in booking order, as
    three columns (when each request was: planned, sent or answered; the tag of whoever
    booked it; whether it counts toward burst: a refused request counts toward sustain
    only), a pause the service asked for, and the limits its 429 bodies stated (0: none)."""

    times: list[float] = field(default_factory=list)
    tags: list[int] = field(default_factory=list)
    burst: bytearray = field(default_factory=bytearray)
    blocked_until: float = 0.0
    learned_burst: int = 0
    learned_sustain: int = 0

    @classmethod
    def of(cls, entries: Iterable[tuple[float, int, bool]], **kwargs: Any) -> Budget:
        """A budget from ``(time, tag, counts toward burst)`` bookings."""
        budget = cls(**kwargs)
        for time_, tag, burst in entries:
            budget.add(time_, tag, burst)
        return budget

    def entries(self) -> list[tuple[float, int, bool]]:
        return [(t, tag, bool(b)) for t, tag, b in zip(self.times, self.tags, self.burst,
                                                         strict=True)]

    def add(self, time_: float, tag: int, burst: bool = True) -> None:
        self.times.append(time_)
        self.tags.append(tag)
        self.burst.append(1 if burst else 0)

    def index(self, tag: int) -> int | None:
        """Where the booking tagged ``tag`` is, if it is still there."""
        try:
            return self.tags.index(tag)
        except ValueError:
            return None

    def remove(self, i: int) -> None:
        del self.times[i], self.tags[i], self.burst[i]

    def prune(self, before: float, after: float) -> None:
        """Drop the oldest bookings while they are at or before ``before`` (out of every
        window; bookings are in booking order, so nearly in time order, and one left a
        little longer counts in no window), keep at most :data:`MAX_ENTRIES`, and forget
        times past ``after``: no booking is made that far ahead, so they come from another
        clock (one set back, a test's fake one) and would block the budget for that long."""
        times = self.times
        cut = max(0, len(times) - MAX_ENTRIES)
        while cut < len(times) and times[cut] <= before:  # bounded by len(times)
            cut += 1
        if cut:
            del self.times[:cut], self.tags[:cut], self.burst[:cut]
        if self.times and max(self.times) > after:
            keep = [i for i, t in enumerate(self.times) if t <= after]
            self.times = [self.times[i] for i in keep]
            self.tags = [self.tags[i] for i in keep]
            self.burst = bytearray(self.burst[i] for i in keep)
        if self.blocked_until > after:
            self.blocked_until = 0.0


class SharedBudgets(Protocol):
    """Budgets shared with other processes (the ledger): each change is applied under a lock
    that every process sharing them respects."""

    def transact(self, user: str, service: str, change: Callable[[Budget], T]) -> T:
        """Apply ``change`` to the shared budget and keep the result for everyone.

        Raises:
            LedgerUnavailable: the shared budget cannot be used.
        """

    def forget(self, user: str, service: str) -> None:
        """Empty one budget (a fresh start for every process sharing it)."""

"""The rate-limit governor: wait for a slot instead of being refused.

Xbox Live counts requests per user per service in two sliding windows (burst 15 s and
sustain 300 s), from when it receives each request; requests it refuses still count toward
sustain (not burst). The governor keeps the same books. A request is booked before it is
sent (:meth:`Governor.reserve` says how long to wait for a free slot), checked again when
it is about to leave (:meth:`Governor.recheck`: a request booked before it may have left or
been answered later than planned), and moved to the time its answer arrived
(:meth:`Governor.settle`), which is never earlier than when the service counted it. So
concurrent calls share the budget and a 429 does not have to happen.

Only evidence paces: the limits Microsoft publishes (:data:`xbox._core.limits.TABLE`), the
caller's own (``limits=``), and what the service says in a 429. A service with no
published limit is booked (its requests are counted) but not held back until it answers
429; then nothing more is sent before its ``Retry-After``, and the limit the 429's body
states (``maxRequests`` per ``periodInSeconds``) paces it from then on. A 429 from a
service with a published limit (a tighter one) is learned from the same way.

Clients with a token store share one budget per (xuid, service) with every other process
using that store, through the ledger beside the token files (:mod:`xbox._ledger`, handed in
as ``ledger``); clients without one (memory only) book in their own process.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import threading
from bisect import bisect_right
from collections.abc import Callable
from typing import Any, TypeVar

from .budget import Budget, LedgerUnavailable, SharedBudgets
from .limits import BURST_SECONDS, SUSTAIN_SECONDS, Limit, published_limit, service_of_host

__all__ = ["UNLIMITED", "Booking", "Governor", "earliest"]

log = logging.getLogger("xbox")
T = TypeVar("T")

#: A window's count where no limit is known (a service Microsoft publishes none for, before
#: its 429s state one): more than a budget ever holds (:data:`~xbox._core.budget.MAX_ENTRIES`).
UNLIMITED = 1 << 30

# A booking's time is when its answer arrived, which is after the service counted it (the
# latency is the margin). This covers rounding and timer granularity only.
_SAFETY = 0.01

# No booking is made further ahead than this (a day: 288 sustain windows of 300 s); a time
# past it is another clock's and is forgotten (Budget.prune).
_HORIZON = 86_400.0

# Tags tell bookings apart across processes: a random high half per process (drawn again
# in a forked child, which would otherwise repeat its parent's), a counter below.
_tags = itertools.count(1)
_tag_base = (0, 0)  # (pid, base)


def _new_tag() -> int:
    global _tag_base
    pid = os.getpid()
    if _tag_base[0] != pid:
        _tag_base = (pid, int.from_bytes(os.urandom(4), "little") << 32)
    return _tag_base[1] | (next(_tags) & 0xFFFFFFFF)


def earliest(budget: Budget, limit: Limit, at: float, *, burst_seconds: float,
             sustain_seconds: float, skip: int = 0) -> float:
    """The earliest time at or after ``at`` when a request fits both windows, given the
    budget's bookings at or before that time (the one tagged ``skip`` left out).

    The service accepts a request at T when fewer than ``burst`` accepted requests and fewer
    than ``sustain`` requests in all (refused ones too) arrived in the windows ending at T.
    """
    times, flags = budget.times, budget.burst
    if skip:
        i = budget.index(skip)
        if i is not None:
            times, flags = times[:i] + times[i + 1:], flags[:i] + flags[i + 1:]
    sustain = sorted(times)
    burst = sorted(t for t, b in zip(times, flags, strict=True) if b) if 0 in flags else sustain
    for _ in range(len(sustain) + 2):  # each round moves past at least one booking
        moved = at
        for ordered, period, count in ((burst, burst_seconds, limit.burst),
                                       (sustain, sustain_seconds, limit.sustain)):
            k = bisect_right(ordered, at)  # the bookings at or before `at`
            if k >= count and ordered[k - count] > at - period:
                moved = max(moved, ordered[k - count] + period + _SAFETY)
        if moved == at:
            break
        at = moved
    return at


class Booking:
    """One request's slot: ``wait`` seconds from the booking until it may be sent. The
    client hands it back to :meth:`Governor.recheck` before sending (when it waited) and
    to :meth:`Governor.settle` when the answer arrives."""

    __slots__ = ("key", "settled", "shared", "tag", "wait")

    def __init__(self, key: tuple[str, str], tag: int, wait: float, shared: bool) -> None:
        self.key = key
        self.tag = tag
        self.wait = wait
        self.shared = shared
        self.settled = False

    def __repr__(self) -> str:
        return f"<Booking {self.key[1]} wait={self.wait:.3f}s>"


class Governor:
    """Per (user, service) booking of request slots. Thread-safe; all methods are
    bookkeeping over the ``now`` they are given (no sleeping here).

    Args:
        limits: per-service overrides (``{"profile": Limit(10, 30)}``).
        enabled: False books nothing and never waits.
        burst_seconds / sustain_seconds: the two windows' lengths; by default Xbox Live's
            (15 s and 300 s: this module's ``BURST_SECONDS`` and ``SUSTAIN_SECONDS``, read
            when the governor is made). Shorter ones match a sandbox run with
            ``rate_limit_scale`` (the bench's rate-limit rows set them on
            ``client.governor`` to the sandbox's scaled table).
        ledger: where to share budgets with other processes (the ledger of the token
            store's folder, :class:`xbox._ledger.Ledger`), or None to book in this process
            only.
    """

    def __init__(self, limits: dict[str, Limit] | None = None, *, enabled: bool = True,
                 burst_seconds: float | None = None, sustain_seconds: float | None = None,
                 ledger: SharedBudgets | None = None) -> None:
        self.enabled = enabled
        # The module's constants, read now (tests shorten them for a whole command).
        self.burst_seconds = BURST_SECONDS if burst_seconds is None else burst_seconds
        self.sustain_seconds = SUSTAIN_SECONDS if sustain_seconds is None else sustain_seconds
        self.overrides = dict(limits or {})
        self.ledger = ledger
        self._budgets: dict[tuple[str, str], Budget] = {}
        self._shared: set[tuple[str, str]] = set()  # keys booked in the ledger
        self._lock = threading.Lock()

    # -- where a budget lives -------------------------------------------------------------------
    def _limit(self, service: str, method: str, budget: Budget) -> Limit:
        """The limit in force: the caller's or the published one, tightened by what 429s
        stated; for a service with no published limit, only what 429s stated
        (:data:`UNLIMITED` for a window none has named)."""
        limit = self.overrides.get(service) or published_limit(service, method)
        burst, sustain = budget.learned_burst, budget.learned_sustain
        if limit is None:
            return Limit(burst or UNLIMITED, sustain or UNLIMITED)
        if burst or sustain:
            limit = Limit(min(limit.burst, burst or limit.burst),
                          min(limit.sustain, sustain or limit.sustain))
        return limit

    def _with(self, key: tuple[str, str], change: Callable[[Budget], T]) -> tuple[T, bool]:
        """Apply ``change`` to the key's budget: in the ledger when it can be shared (then
        True), else in this process. Called with ``self._lock`` held."""
        user, service = key
        if self.ledger is not None and key not in self._budgets and user.isdigit():
            try:
                result = self.ledger.transact(user, service, change)
            except LedgerUnavailable as exc:
                self._shared.discard(key)
                log.warning("rate limits: %s; booking %s requests in this process only", exc,
                            service)
                self._budgets.setdefault(key, Budget())
            else:
                self._shared.add(key)
                return result, True
        budget = self._budgets.get(key)
        if budget is None:
            budget = self._budgets[key] = Budget()
        return change(budget), False

    # -- booking ------------------------------------------------------------------------------
    def reserve(self, user: str, host: str, method: str, now: float) -> Booking | None:
        """Book a slot for one request; None when the request is not rate limited (or the
        governor is off), else the booking, whose ``wait`` is the seconds to wait first."""
        if not self.enabled:
            return None
        service = service_of_host(host)
        if service is None:
            return None
        tag = _new_tag()
        windows = self.burst_seconds, self.sustain_seconds

        def book(budget: Budget) -> float:
            limit = self._limit(service, method, budget)
            budget.prune(now - max(windows), now + _HORIZON)
            at = max(now, budget.blocked_until)
            if budget.times:
                at = max(at, max(budget.times))  # first come, first served
            if limit.burst < UNLIMITED or limit.sustain < UNLIMITED:
                at = earliest(budget, limit, at, burst_seconds=windows[0],
                              sustain_seconds=windows[1])
            # (Not paced: booked all the same, so that a limit a 429 states later counts
            # the requests already in its windows.)
            budget.add(at, tag)
            return at - now

        key = (user, service)
        with self._lock:
            wait, shared = self._with(key, book)
        return Booking(key, tag, wait, shared)

    def recheck(self, booking: Booking, host: str, method: str, now: float) -> float:
        """Just before sending a request that waited: more seconds to wait (0: send now).

        A request booked earlier may have left or been answered later than planned, or
        another process may have learned of a pause; the booking then moves. Otherwise it
        is marked as sent now.
        """
        service = booking.key[1]
        windows = self.burst_seconds, self.sustain_seconds

        def check(budget: Budget) -> float:
            i = budget.index(booking.tag)
            if i is None:
                return 0.0
            limit = self._limit(service, method, budget)
            at = earliest(budget, limit, max(now, budget.blocked_until),
                          burst_seconds=windows[0], sustain_seconds=windows[1],
                          skip=booking.tag)
            budget.times[i] = at
            return at - now

        with self._lock:
            extra, _ = self._on(booking, check)
        return extra

    def settle(self, booking: Booking, now: float, *, refused: bool = False) -> None:
        """The answer arrived (or the request failed) at ``now``: the booking moves there,
        the latest the service can have counted it. A refused request (429) counts toward
        sustain only, as the service counts it."""
        if booking.settled:
            return
        booking.settled = True

        def move(budget: Budget) -> None:
            i = budget.index(booking.tag)
            if i is not None:
                budget.times[i] = max(budget.times[i], now)
                budget.burst[i] = 0 if refused else 1

        with self._lock:
            self._on(booking, move)

    def cancel(self, booking: Booking) -> None:
        """The request will not be sent (its wait did not fit): free its slot."""
        if booking.settled:
            return
        booking.settled = True

        def drop(budget: Budget) -> None:
            i = budget.index(booking.tag)
            if i is not None:
                budget.remove(i)

        with self._lock:
            self._on(booking, drop)

    def _on(self, booking: Booking, change: Callable[[Budget], T]) -> tuple[T, bool]:
        """``change`` on the budget the booking was made in."""
        if booking.shared and booking.key not in self._shared:  # the ledger failed since
            budget = self._budgets.setdefault(booking.key, Budget())
            return change(budget), False
        return self._with(booking.key, change)

    def limit(self, user: str, host: str, method: str = "GET") -> Limit | None:
        """The limit in force for ``user`` at ``host`` (learned from 429s), if any: None
        for a host that is not rate limited, and for a service with no published limit
        until a 429 has stated one (a window no 429 has named is :data:`UNLIMITED`)."""
        service = service_of_host(host)
        if service is None:
            return None
        with self._lock:
            limit, _ = self._with((user, service),
                                  lambda budget: self._limit(service, method, budget))
        return None if limit == Limit(UNLIMITED, UNLIMITED) else limit

    def forget(self) -> None:
        """Drop every booking and everything learned (a fresh budget), the shared ledger's
        budgets this governor used included."""
        with self._lock:
            if self.ledger is not None:
                for user, service in self._shared:
                    with contextlib.suppress(LedgerUnavailable):
                        self.ledger.forget(user, service)
            self._shared.clear()
            self._budgets.clear()

    def penalize(self, user: str, host: str, method: str, now: float,
                 retry_after: float | None, body: Any) -> None:
        """Learn from a 429: adopt the limit its body states (where it is tighter than the
        one in force, or none was known) and pause until ``Retry-After`` (1 s without
        one). A 429 with no limit in its body teaches nothing more: a count of our own
        requests would undercount a budget other programs share."""
        if not self.enabled:
            return
        service = service_of_host(host)
        if service is None:
            return
        maximum, period = None, None
        if isinstance(body, dict):
            try:
                maximum = int(body["maxRequests"])
                period = float(body["periodInSeconds"])
            except (KeyError, TypeError, ValueError, OverflowError):
                maximum = None
        burst_seconds = self.burst_seconds

        def learn(budget: Budget) -> None:
            limit = self._limit(service, method, budget)
            if maximum is not None and period is not None and maximum >= 1:
                if period <= burst_seconds and maximum < limit.burst:
                    budget.learned_burst = maximum
                elif period > burst_seconds and maximum < limit.sustain:
                    budget.learned_sustain = maximum
            budget.blocked_until = max(budget.blocked_until,
                                       now + (retry_after if retry_after else 1.0))

        with self._lock:
            self._with((user, service), learn)

"""The rate-limit governor: wait for a slot instead of being refused.

Xbox Live counts requests per user per service in two sliding windows (burst 15 s and
sustain 300 s). The governor books every request into the same windows before it is sent
and tells the caller how long to wait for a free slot, so concurrent calls of one client
share the budget and a 429 never has to happen. A 429 that still arrives (another program
on the same account, a tighter limit) is learned from: its body's limit replaces ours and
nothing more is sent before its ``Retry-After``.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .limits import BURST_SECONDS, SUSTAIN_SECONDS, Limit, limit_for_host, service_of_host

__all__ = ["Governor"]

# Leave a little room for clock skew between us and the service.
_SAFETY = 0.05


@dataclass
class _Windows:
    limit: Limit
    burst: deque[float] = field(default_factory=deque)
    sustain: deque[float] = field(default_factory=deque)
    blocked_until: float = 0.0


class Governor:
    """Per (user, service) booking of request slots. Thread-safe; all methods are pure
    bookkeeping over the ``now`` they are given (no sleeping here).

    Args:
        limits: per-service overrides (``{"profile": Limit(10, 30)}``).
        enabled: False books nothing and never waits.
        burst_seconds / sustain_seconds: the two windows' lengths; Xbox Live's are 15 s and
            300 s. Shorter ones match a sandbox run with ``rate_limit_scale`` (the bench's
            rate-limit rows set them on ``client.governor`` to the sandbox's scaled table).
    """

    def __init__(self, limits: dict[str, Limit] | None = None, *, enabled: bool = True,
                 burst_seconds: float = BURST_SECONDS,
                 sustain_seconds: float = SUSTAIN_SECONDS) -> None:
        self.enabled = enabled
        self.burst_seconds = burst_seconds
        self.sustain_seconds = sustain_seconds
        self.overrides = dict(limits or {})
        self._windows: dict[tuple[str, str], _Windows] = {}
        self._lock = threading.Lock()

    def _windows_for(self, user: str, host: str, method: str) -> _Windows | None:
        service = service_of_host(host)
        if service is None:
            return None
        limit = self.overrides.get(service) or limit_for_host(host, method)
        if limit is None:
            return None
        key = (user, service)
        windows = self._windows.get(key)
        if windows is None:
            windows = self._windows[key] = _Windows(limit)
        return windows

    def reserve(self, user: str, host: str, method: str, now: float) -> float:
        """Book a slot for one request; return seconds to wait before sending it."""
        if not self.enabled:
            return 0.0
        with self._lock:
            w = self._windows_for(user, host, method)
            if w is None:
                return 0.0
            at = max(now, w.blocked_until)
            for times, period, count in ((w.burst, self.burst_seconds, w.limit.burst),
                                         (w.sustain, self.sustain_seconds, w.limit.sustain)):
                while times and times[0] <= now - period:
                    times.popleft()
                if times:
                    at = max(at, times[-1])  # first come, first served
                if len(times) >= count:
                    at = max(at, times[-count] + period + _SAFETY)
            w.burst.append(at)
            w.sustain.append(at)
            return at - now

    def limit(self, user: str, host: str, method: str = "GET") -> Limit | None:
        """The limit in force for ``user`` at ``host`` (learned from 429s), if any."""
        with self._lock:
            w = self._windows_for(user, host, method)
            return w.limit if w is not None else None

    def forget(self) -> None:
        """Drop every booking and everything learned (a fresh budget)."""
        with self._lock:
            self._windows.clear()

    def penalize(self, user: str, host: str, method: str, now: float,
                 retry_after: float | None, body: Any) -> None:
        """Learn from a 429: adopt the limit its body states and pause until ``Retry-After``."""
        if not self.enabled:
            return
        with self._lock:
            w = self._windows_for(user, host, method)
            if w is None:
                return
            if isinstance(body, dict):
                try:
                    maximum = int(body["maxRequests"])
                    period = float(body["periodInSeconds"])
                except (KeyError, TypeError, ValueError):
                    pass
                else:
                    if period <= self.burst_seconds and maximum < w.limit.burst:
                        w.limit = Limit(maximum, w.limit.sustain)
                    elif period > self.burst_seconds and maximum < w.limit.sustain:
                        w.limit = Limit(w.limit.burst, maximum)
            w.blocked_until = max(w.blocked_until, now + (retry_after if retry_after else 1.0))

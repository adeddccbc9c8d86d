"""When to retry a request, and how long to wait first (a pure decision)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

__all__ = ["IDEMPOTENT_METHODS", "RETRY_STATUSES", "RetryPolicy", "parse_retry_after", "retry_delay"]

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, exponential backoff with jitter, and a total time budget.

    Attributes:
        max_attempts: attempts in all, the first included (1 = never retry).
        backoff: first wait in seconds; doubles each retry (Microsoft: 2, 4, 8 ...).
        max_backoff: the longest single wait.
        max_total: the whole call's budget in seconds, from its first send: no retry starts
            and no wait (connect, read...) runs past it; then :class:`~xbox.exceptions.Timeout`.
        jitter: fraction of each wait randomised (0.25 = +-25 %).
    """

    max_attempts: int = 4
    backoff: float = 1.0
    max_backoff: float = 30.0
    max_total: float = 120.0
    jitter: float = 0.25


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import UTC, datetime

    seconds: float = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds)


def retry_delay(
    policy: RetryPolicy,
    *,
    attempt: int,
    elapsed: float,
    idempotent: bool,
    status: int | None = None,
    retry_after: float | None = None,
    transport_error: bool = False,
    rng: random.Random | None = None,
) -> float | None:
    """Seconds to wait before trying again, or None to give up.

    Args:
        attempt: attempts made so far (1 after the first try).
        elapsed: seconds since the first try.
        idempotent: whether repeating the request is safe.
        status: the response status, if a response came back.
        retry_after: the server's ``Retry-After``, which is always honoured in full.
        transport_error: the request failed before a response (reset, refused, timeout).
    """
    if not idempotent or attempt >= policy.max_attempts:
        return None
    if not transport_error and status not in RETRY_STATUSES:
        return None
    delay: float = min(policy.max_backoff, policy.backoff * (2 ** (attempt - 1)))
    delay *= 1 + policy.jitter * ((rng or random).random() * 2 - 1)
    if retry_after is not None:
        delay = max(delay, retry_after)
    if elapsed + delay > policy.max_total:
        return None
    return delay

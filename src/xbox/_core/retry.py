"""When to retry a request, how long to wait first, and how long a call may take in all
(pure decisions: the client sleeps, these only decide)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from ..exceptions import RateLimited, Timeout

__all__ = ["IDEMPOTENT_METHODS", "MAX_REFUSALS", "RETRY_STATUSES", "Deadline", "RetryPolicy",
           "parse_retry_after", "refusal_delay", "retry_delay"]

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, exponential backoff with jitter, and a total time budget.

    Attributes:
        max_attempts: attempts in all, the first included (1 = never retry). A 429 whose
            wait fits in what is left of ``max_total`` is waited out and does not use up an
            attempt (the budget bounds those); one whose wait does not fit raises at once.
        backoff: first wait in seconds; doubles each retry (Microsoft: 2, 4, 8 ...).
        max_backoff: the longest single wait.
        max_total: the whole call's budget in seconds, from the moment it is made: its
            rate-limit waits, sends, reads and retries all fit in it. A wait that would not
            fit raises at once, naming the wait; a body still arriving when the budget runs
            out is cut off with :class:`~xbox.exceptions.Timeout`. The default leaves room
            to wait out a whole sustain window (300 s) of the rate limits.
        jitter: fraction of each wait randomised (0.25 = +-25 %).
        stall_timeout: downloads only (they may take longer than any budget): an attempt
            that receives no byte for this many seconds ends, and the next one resumes
            where it stopped. ``max_attempts`` attempts in a row without a new byte give up.
    """

    max_attempts: int = 4
    backoff: float = 1.0
    max_backoff: float = 30.0
    max_total: float = 360.0
    jitter: float = 0.25
    stall_timeout: float = 60.0


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
    seconds: float = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds)


def retry_delay(
    policy: RetryPolicy,
    *,
    attempt: int,
    remaining: float | None,
    idempotent: bool,
    status: int | None = None,
    retry_after: float | None = None,
    transport_error: bool = False,
    rng: random.Random | None = None,
) -> float | None:
    """Seconds to wait before trying again, or None to give up.

    Args:
        attempt: attempts made so far (1 after the first try).
        remaining: seconds left of the call's budget (None: no budget); a wait that would
            not fit is not taken.
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
    if remaining is not None and delay > remaining:
        return None
    return delay


#: The most 429s one call waits out (the budget bounds them first, unless the service keeps
#: answering ``Retry-After: 0``).
MAX_REFUSALS = 64


def refusal_delay(policy: RetryPolicy, deadline: Deadline, *, remaining: float,
                  retry_after: float | None, rng: random.Random | None = None) -> float | None:
    """Seconds to wait before sending a request the service refused (429) again, or None
    when that wait does not fit in what is left of the call's budget.

    A refusal does not use up an attempt: it is waited out whenever its wait fits, both in
    ``remaining`` (by the clock) and in what the call's refusal waits so far leave of its
    budget (so a clock that does not move cannot make it loop), at most
    :data:`MAX_REFUSALS` times. The caller counts the refusal in ``deadline`` when it
    takes the wait.

    Args:
        retry_after: the service's ``Retry-After``, honoured in full; without one the
            policy's backoff, doubling per refusal.
    """
    if deadline.refusals >= MAX_REFUSALS:
        return None
    if retry_after is not None:
        delay = retry_after
    else:
        delay = min(policy.max_backoff, policy.backoff * (2 ** min(deadline.refusals, 30)))
        delay *= 1 + policy.jitter * ((rng or random).random() * 2 - 1)
    if delay > remaining or (deadline.total is not None
                             and deadline.refused_wait + delay > deadline.total):
        return None
    return delay


class Deadline:
    """A call's budget: started when the call is made, measured on the client's clock.

    Args:
        total: seconds (None: unbounded).
        now: the clock's reading when the call was made.
        host: the service, to name it in errors.
    """

    def __init__(self, total: float | None, now: float, host: str) -> None:
        self.total = total
        self.ends = None if total is None else now + total
        self.host = host
        #: 429s waited out so far (they use up no attempt; see :func:`refusal_delay`),
        #: and the seconds those waits took.
        self.refusals = 0
        self.refused_wait = 0.0

    def refused(self, delay: float) -> None:
        """Count a 429 waited out for ``delay`` seconds."""
        self.refusals += 1
        self.refused_wait += delay

    def remaining(self, now: float) -> float | None:
        """Seconds left (None: unbounded).

        Raises:
            Timeout: none left.
        """
        if self.ends is None:
            return None
        left = self.ends - now
        if left <= 0:
            raise Timeout(f"{self.host} did not answer within {self.total:g} s "
                          "(RetryPolicy.max_total)", service=self.host)
        return left

    def passed(self, now: float) -> bool:
        return self.ends is not None and now >= self.ends

    def allow_wait(self, seconds: float, why: str, now: float) -> None:
        """Check a wait before taking it.

        Raises:
            RateLimited: the wait would run past the budget; nothing is gained by waiting.
        """
        left = self.remaining(now)
        if left is not None and seconds > left:
            raise RateLimited(
                f"{self.host} would need a {seconds:.0f} s wait ({why}), longer than the "
                f"{left:.0f} s left of this call's {self.total:g} s budget "
                "(RetryPolicy.max_total)", retry_after=seconds, service=self.host)

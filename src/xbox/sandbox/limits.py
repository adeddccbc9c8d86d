"""The sandbox's own rate-limit table: what Xbox Live enforces, per user per service.

This table is written from Microsoft's published fine-grained rate limits (FGRL), not taken
from the client (``xbox._core.limits``): if both sides shared one table, "the client meets no
429" would only prove that the client agrees with itself. ``tests/sandbox/test_limits.py``
compares the *published* rows of both tables. The rows Microsoft publishes nothing for are the
sandbox's own assumptions, each with its reasoning (``note``); the client paces at none of them
(it learns them from the 429s this table makes the sandbox send), so they are what a client
meets as Xbox Live's unknown limits.

How Xbox Live counts (FGRL doc, spec §5): per (user, title) pair per service, two windows at
once, burst (15 s) and sustain (300 s); over either limit the answer is HTTP 429 with
``Retry-After`` and a JSON body; requests rejected while over a limit still count toward
sustain. The sandbox has one title per user (the client's), so it keys counters by
(xuid, bucket): a service's name, and for a service whose row gives writes a limit of their
own (presence: read 10/100, write 3/30, as the FGRL doc lists it) a second bucket
``"<service>:write"``, so that reads never use up the write budget nor writes the read one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "BURST_SECONDS",
    "FGRL_DOC",
    "SUSTAIN_SECONDS",
    "TABLE",
    "EffectiveLimit",
    "Limit",
    "RateLimits",
    "ServiceLimit",
    "format_seconds",
    "is_write",
    "period_value",
]

BURST_SECONDS = 15.0
SUSTAIN_SECONDS = 300.0

#: Microsoft's "Xbox Live fine grained rate limiting" page (2017; the GDK carries a copy).
FGRL_DOC = ("https://learn.microsoft.com/en-us/windows/uwp/xbox-live/using-xbox-live/"
            "best-practices/fine-grained-rate-limiting")


@dataclass(frozen=True)
class Limit:
    """How many requests one user may make to one service per burst and per sustain window."""

    burst: int
    sustain: int


class LimitLike(Protocol):
    """Anything with ``burst`` and ``sustain`` counts (the client's ``xbox.Limit`` too)."""

    @property
    def burst(self) -> int: ...
    @property
    def sustain(self) -> int: ...


@dataclass(frozen=True)
class ServiceLimit:
    """One row of the table: a service, its hosts, its read and write limits, and why.

    Attributes:
        source: where the numbers are published; None marks the sandbox's own assumption.
        note: for assumptions, the reasoning behind the numbers.
    """

    service: str
    hosts: tuple[str, ...]
    read: Limit
    write: Limit
    source: str | None = None
    note: str = ""

    @property
    def published(self) -> bool:
        return self.source is not None

    @property
    def separate_writes(self) -> bool:
        """Whether writes count apart from reads: the row gives them a limit of their own."""
        return self.read != self.write


def _published(service: str, hosts: tuple[str, ...], read: Limit, write: Limit | None = None) -> ServiceLimit:
    return ServiceLimit(service, hosts, read, write or read, source=f"{FGRL_DOC} (spec §5 table)")


def _assumed(service: str, hosts: tuple[str, ...], read: Limit, write: Limit, note: str) -> ServiceLimit:
    return ServiceLimit(service, hosts, read, write, source=None, note=note)


_METADATA_NOTE = ("no published limit (the FGRL doc names GameClips only as an example of separate "
                  "counters); the read limit of the other per-item metadata services "
                  "(achievements, stats: 100/300) so that paging a large library is possible, "
                  "writes tighter")
_HUB_NOTE = ("no published limit; between social (10/30) and achievements (100/300), like "
             "leaderboards (30/100), the published service closest in use (batch look-ups)")

_GENEROUS_NOTE = ("no published limit; generous (like achievements), so that a client with no "
                  "limit of its own for this service does not meet it in normal use")

_ROWS = [
    # Published (FGRL doc table, per user per title; burst per 15 s / sustain per 300 s).
    _published("profile", ("profile.xboxlive.com",), Limit(10, 30)),
    _published("social", ("social.xboxlive.com",), Limit(10, 30)),
    _published("presence", ("userpresence.xboxlive.com", "presence.xboxlive.com"),
               Limit(10, 100), Limit(3, 30)),
    _published("achievements", ("achievements.xboxlive.com",), Limit(100, 300)),
    _published("userstats", ("userstats.xboxlive.com",), Limit(100, 300)),
    _published("statswrite", ("statswrite.xboxlive.com",), Limit(100, 300)),
    _published("leaderboards", ("leaderboards.xboxlive.com",), Limit(30, 100)),
    _published("sessiondirectory", ("sessiondirectory.xboxlive.com",), Limit(100, 300)),
    _published("smartmatch", ("momatch.xboxlive.com",), Limit(10, 100)),
    _published("userposts", ("userposts.xboxlive.com",), Limit(100, 300)),
    _published("privacy", ("privacy.xboxlive.com",), Limit(10, 30)),
    _published("clubhub", ("clubhub.xboxlive.com",), Limit(10, 30)),
    # The sandbox's own choices: Microsoft publishes nothing for these.
    _assumed("gameclips", ("gameclipsmetadata.xboxlive.com",), Limit(100, 300), Limit(30, 100),
             _METADATA_NOTE),
    _assumed("screenshots", ("screenshotsmetadata.xboxlive.com",), Limit(100, 300), Limit(30, 100),
             _METADATA_NOTE),
    _assumed("mediahub", ("mediahub.xboxlive.com",), Limit(100, 300), Limit(30, 100),
             "no published limit; as gameclips (the sandbox's mediahub routes book their searches "
             "under gameclips and screenshots, this row is for routes that name mediahub)"),
    _assumed("peoplehub", ("peoplehub.xboxlive.com",), Limit(30, 100), Limit(30, 100), _HUB_NOTE),
    _assumed("titlehub", ("titlehub.xboxlive.com",), Limit(30, 100), Limit(30, 100), _HUB_NOTE),
    _assumed("usersearch", ("usersearch.xboxlive.com",), Limit(30, 100), Limit(30, 100), _HUB_NOTE),
    _assumed("messaging", ("xblmessaging.xboxlive.com",), Limit(100, 300), Limit(100, 300),
             _GENEROUS_NOTE),
    _assumed("smartglass", ("xccs.xboxlive.com",), Limit(100, 300), Limit(100, 300),
             _GENEROUS_NOTE),
    _assumed("eplists", ("eplists.xboxlive.com",), Limit(100, 300), Limit(100, 300),
             _GENEROUS_NOTE),
    _assumed("cqs", ("cqs.xboxlive.com",), Limit(100, 300), Limit(100, 300), _GENEROUS_NOTE),
    _assumed("account", ("user.mgt.xboxlive.com", "gamertag.xboxlive.com",
                         "accounts.xboxlive.com"), Limit(10, 30), Limit(3, 30),
             "no published limit; gamertag checks and changes are rare, so as strict as the "
             "strictest published reads (profile 10/30) and writes (presence 3/30)"),
]

#: Every service's row, by service name (the ``service=`` of the sandbox's routes).
TABLE: dict[str, ServiceLimit] = {row.service: row for row in _ROWS}


def is_write(method: str) -> bool:
    """Whether a request counts against a service's write limit.

    PUT, PATCH and DELETE change state. POST does not, in the sandbox: every POST it serves is
    a batch look-up or a search (a read on Xbox Live too). Real presence writes are POSTs, but
    the sandbox serves none.
    """
    return method.upper() in ("PUT", "PATCH", "DELETE")


def format_seconds(seconds: float, scale: float) -> str:
    """A ``Retry-After`` value: whole seconds at scale 1, else seconds to the millisecond.

    Xbox Live sends integer delta-seconds (rounded up, at least 1). Scaled windows are shorter
    than a second, so there the value is a decimal rounded up to the millisecond (``0.137``,
    at least ``0.001``); clients that parse ``float(value)`` read both.
    """
    if scale == 1.0:
        return str(max(1, math.ceil(seconds)))
    millis = max(1, math.ceil(round(seconds * 1000, 6)))
    return _number(millis / 1000)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.3f}".rstrip("0").rstrip(".")


def period_value(seconds: float) -> int | float:
    """``periodInSeconds`` for a window: an int when whole (15, 300), else to the millisecond."""
    rounded = round(seconds, 3)
    return int(rounded) if rounded == int(rounded) else rounded


@dataclass(frozen=True)
class EffectiveLimit:
    """The limit the sandbox enforces for one service and kind of request, windows included.

    ``burst`` requests per ``burst_seconds`` and ``sustain`` per ``sustain_seconds``; the
    seconds are 15 and 300 unless the sandbox runs with ``rate_limit_scale``.
    """

    service: str
    burst: int
    sustain: int
    burst_seconds: float
    sustain_seconds: float
    bucket: str = ""

    @property
    def counter(self) -> str:
        """Which counter a request counts in: the service's, or its writes' own."""
        return self.bucket or self.service


class RateLimits:
    """The table as one sandbox enforces it: per-service overrides and scaled windows applied.

    Args:
        overrides: ``{"profile": Limit(2, 12)}``; replaces both the read and write limit.
        scale: multiply both windows (and so ``Retry-After``) by this factor; 0.01 turns
            15 s / 300 s into 0.15 s / 3 s, for benchmarks. Counts are unchanged.
    """

    def __init__(self, overrides: Mapping[str, LimitLike] | None = None, *, scale: float = 1.0,
                 table: Mapping[str, ServiceLimit] = TABLE) -> None:
        if not (scale > 0 and math.isfinite(scale)):
            raise ValueError(f"rate_limit_scale must be a positive number, not {scale!r}")
        self.scale = float(scale)
        self.table = dict(table)
        self.overrides = {name: Limit(lim.burst, lim.sustain) for name, lim in (overrides or {}).items()}
        for name, lim in self.overrides.items():
            if lim.burst < 1 or lim.sustain < 1:
                raise ValueError(f"the limit for {name} must allow at least one request per window")
        self.burst_seconds = BURST_SECONDS * self.scale
        self.sustain_seconds = SUSTAIN_SECONDS * self.scale

    def limit_for(self, service: str, method: str = "GET") -> EffectiveLimit | None:
        """The limit for ``service`` (a route's ``service=``), or None when it is not limited."""
        row = self.table.get(service)
        write = is_write(method)
        limit = self.overrides.get(service)
        if limit is None:
            if row is None:
                return None
            limit = row.write if write else row.read
        # Writes have a counter of their own where the row gives them their own limit.
        bucket = f"{service}:write" if write and row is not None and row.separate_writes \
            else service
        return EffectiveLimit(service, limit.burst, limit.sustain, self.burst_seconds,
                              self.sustain_seconds, bucket)

    def retry_after(self, seconds: float) -> str:
        """``seconds`` as this table's ``Retry-After`` header value (see :func:`format_seconds`)."""
        return format_seconds(seconds, self.scale)

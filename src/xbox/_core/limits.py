"""Xbox Live's fine-grained rate limits (per user, per service), each with where it comes from.

Two windows count at once: burst (15 s) and sustain (300 s). Requests the service rejects
still count toward sustain. Only limits Microsoft publishes are paced by the governor; for a
service with no published limit the governor sends freely until the service answers 429,
then honours ``Retry-After`` and paces at the limit the 429's body states (see
:mod:`xbox._core.governor`). The numbers this table keeps for those services are
assumptions, used only as a polite share for polling (:func:`xbox._core.events.poll_interval`),
never to hold a request back. ``Client(limits=...)`` paces any service at a limit of the
caller's choosing.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BURST_SECONDS", "FGRL_DOC", "SUSTAIN_SECONDS", "TABLE", "Limit", "LimitRow",
           "limit_for_host", "published_limit", "service_of_host"]

BURST_SECONDS = 15.0
SUSTAIN_SECONDS = 300.0

#: Microsoft's "Xbox Live fine grained rate limiting" page (2017; the GDK carries a copy):
#: the only published source of per-service numbers.
FGRL_DOC = ("https://learn.microsoft.com/en-us/windows/uwp/xbox-live/using-xbox-live/"
            "best-practices/fine-grained-rate-limiting")


@dataclass(frozen=True)
class Limit:
    """How many requests a user may make to one service per burst and per sustain window."""

    burst: int
    sustain: int


@dataclass(frozen=True)
class LimitRow:
    """One service's limits and their evidence.

    Attributes:
        published: whether Microsoft publishes the numbers (then the governor paces at
            them); otherwise they are an assumption and pace nothing.
        source: the published page, or the reasoning behind an assumption.
    """

    service: str
    read: Limit
    write: Limit
    published: bool
    source: str


def _published(service: str, read: Limit, write: Limit | None = None) -> LimitRow:
    return LimitRow(service, read, write or read, True, FGRL_DOC)


_UNPUBLISHED = ("no published limit (Xbox Live's FGRL doc names GameClips only as an example of "
                "separate counters): not paced; learned from the service's 429s. The numbers "
                "are an assumption, used only as a polite share for polling")

#: Every rate-limited service, by name.
TABLE: dict[str, LimitRow] = {row.service: row for row in (
    _published("profile", Limit(10, 30)),
    _published("social", Limit(10, 30)),
    _published("presence", Limit(10, 100), Limit(3, 30)),
    _published("achievements", Limit(100, 300)),
    _published("userstats", Limit(100, 300)),
    _published("privacy", Limit(10, 30)),
    _published("clubhub", Limit(10, 30)),
    LimitRow("gameclips", Limit(100, 300), Limit(30, 100), False, _UNPUBLISHED),
    LimitRow("screenshots", Limit(100, 300), Limit(30, 100), False, _UNPUBLISHED),
    LimitRow("peoplehub", Limit(30, 100), Limit(30, 100), False, _UNPUBLISHED),
    LimitRow("titlehub", Limit(30, 100), Limit(30, 100), False, _UNPUBLISHED),
    LimitRow("usersearch", Limit(30, 100), Limit(30, 100), False, _UNPUBLISHED),
)}

# service name -> (read limit, write limit): the limits Microsoft publishes, which the
# governor paces at.
PUBLISHED: dict[str, tuple[Limit, Limit]] = {
    name: (row.read, row.write) for name, row in TABLE.items() if row.published}

_HOST_SERVICE = {
    "profile.xboxlive.com": "profile",
    "social.xboxlive.com": "social",
    "userpresence.xboxlive.com": "presence",
    "presence.xboxlive.com": "presence",
    "achievements.xboxlive.com": "achievements",
    "userstats.xboxlive.com": "userstats",
    "privacy.xboxlive.com": "privacy",
    "clubhub.xboxlive.com": "clubhub",
    "gameclipsmetadata.xboxlive.com": "gameclips",
    "screenshotsmetadata.xboxlive.com": "screenshots",
    # mediahub searches count against the gameclips/screenshots budgets (the sandbox keys them
    # by path). A host maps to one service here, so the governor books screenshot searches
    # under gameclips; a 429 from either is honoured (Retry-After) and learned from.
    "mediahub.xboxlive.com": "gameclips",
    "peoplehub.xboxlive.com": "peoplehub",
    "titlehub.xboxlive.com": "titlehub",
    "usersearch.xboxlive.com": "usersearch",
}


def _is_write(method: str) -> bool:
    # Batch look-ups are POSTs but reads; only PUT/PATCH/DELETE change state.
    return method.upper() in ("PUT", "PATCH", "DELETE")


def service_of_host(host: str) -> str | None:
    """The rate-limited service a host belongs to, or None for unlimited hosts."""
    return _HOST_SERVICE.get(host.lower())


def limit_for_host(host: str, method: str = "GET") -> Limit | None:
    """The table's limit for a request, published or assumed (None: the host is not rate
    limited). What a poller may take as its share; the governor paces only at
    :func:`published_limit`."""
    service = service_of_host(host)
    if service is None:
        return None
    row = TABLE[service]
    return row.write if _is_write(method) else row.read


def published_limit(service: str, method: str = "GET") -> Limit | None:
    """The limit Microsoft publishes for ``service`` and this kind of request, or None
    when it publishes none (or the service is not rate limited)."""
    row = TABLE.get(service)
    if row is None or not row.published:
        return None
    return row.write if _is_write(method) else row.read

"""Xbox Live's published fine-grained rate limits (per user, per service).

Two windows count at once: burst (15 s) and sustain (300 s). Requests the service rejects
still count toward sustain. Services with no published limit get generous values that the
sandbox enforces and the client governor respects; both can be overridden.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BURST_SECONDS", "SUSTAIN_SECONDS", "Limit", "limit_for_host", "service_of_host"]

BURST_SECONDS = 15.0
SUSTAIN_SECONDS = 300.0


@dataclass(frozen=True)
class Limit:
    """How many requests a user may make to one service per burst and per sustain window."""

    burst: int
    sustain: int


# service name -> (read limit, write limit)
PUBLISHED: dict[str, tuple[Limit, Limit]] = {
    "profile": (Limit(10, 30), Limit(10, 30)),
    "social": (Limit(10, 30), Limit(10, 30)),
    "presence": (Limit(10, 100), Limit(3, 30)),
    "achievements": (Limit(100, 300), Limit(100, 300)),
    "userstats": (Limit(100, 300), Limit(100, 300)),
    "privacy": (Limit(10, 30), Limit(10, 30)),
    "clubhub": (Limit(10, 30), Limit(10, 30)),
    # No published limit: our choice (documented as such).
    "gameclips": (Limit(100, 300), Limit(30, 100)),
    "screenshots": (Limit(100, 300), Limit(30, 100)),
    "peoplehub": (Limit(30, 100), Limit(30, 100)),
    "titlehub": (Limit(30, 100), Limit(30, 100)),
    "usersearch": (Limit(30, 100), Limit(30, 100)),
}

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
    # under gameclips; heavy mixing with screenshotsmetadata can still meet a 429, which the
    # pipeline then honours (Retry-After) and learns from.
    "mediahub.xboxlive.com": "gameclips",
    "peoplehub.xboxlive.com": "peoplehub",
    "titlehub.xboxlive.com": "titlehub",
    "usersearch.xboxlive.com": "usersearch",
}


def service_of_host(host: str) -> str | None:
    """The rate-limited service a host belongs to, or None for unlimited hosts."""
    return _HOST_SERVICE.get(host.lower())


def limit_for_host(host: str, method: str = "GET") -> Limit | None:
    """The limit that applies to a request, or None when the host is not rate limited."""
    service = service_of_host(host)
    if service is None:
        return None
    read, write = PUBLISHED[service]
    # Batch look-ups are POSTs but reads; only PUT/PATCH/DELETE change state.
    return write if method.upper() in ("PUT", "PATCH", "DELETE") else read

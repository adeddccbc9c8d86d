"""What an event stream (:meth:`xbox.Client.events`) watches, as plain functions: the kinds,
the RTA resources they need, how often to poll what RTA does not push, and what is new.

RTA pushes presence, device and title presence, achievements, statistics and the friends
list (:data:`xbox._core.rta.KINDS`). It has no subscription for new captures: those are
polled (``captures``), no more often than a share of the rate-limit budget allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..exceptions import InvalidArgument
from ..ids import check_scid, check_title_id
from .limits import SUSTAIN_SECONDS, limit_for_host
from .rta import KINDS as RTA_KINDS
from .rta import Resource

__all__ = ["DEFAULT_KINDS", "DEFAULT_POLL_INTERVAL", "KINDS", "POLL_SHARE", "StatSpec",
           "check_kinds", "check_stats", "check_titles", "new_ids", "poll_interval",
           "presence_key", "resources_for"]

#: Every kind an event stream can deliver: RTA's, ``captures`` (polled), and ``status``
#: (the stream's own news: connected, disconnected, resync...).
KINDS = (*RTA_KINDS, "captures", "status")
#: What ``xbl.events(users)`` and ``xbox watch`` deliver unless told otherwise.
DEFAULT_KINDS = ("presence", "achievements", "captures")
#: Seconds between two polls of a user's captures, at the least.
DEFAULT_POLL_INTERVAL = 60.0
#: The share of a service's sustained rate limit that polling may use: the rest is left to
#: whatever else the program does (an archive run, say).
POLL_SHARE = 0.5
#: Achievement subscriptions kept per user: the titles played most recently.
MAX_ACHIEVEMENT_TITLES = 8

# The capture lists a poll reads, by host: the metadata lists for everyone, mediahub (which
# has newer titles' captures) for the signed-in user only.
_CLIP_HOSTS = ("gameclipsmetadata.xboxlive.com", "screenshotsmetadata.xboxlive.com")


def check_kinds(kinds: str | Iterable[str] | None, *, titles: bool = False,
                stats: bool = False) -> tuple[str, ...]:
    """The kinds asked for, checked: a comma-separated string, a list, or None (the
    default, :data:`DEFAULT_KINDS`). ``"all"`` is every kind but ``status``, and but
    ``titles`` and ``stats`` unless there are titles or statistics to watch.

    Raises:
        InvalidArgument: an unknown kind, or none at all.
    """
    if kinds is None:
        return DEFAULT_KINDS
    items = kinds.split(",") if isinstance(kinds, str) else list(kinds)
    out: list[str] = []
    for item in items:
        name = str(item).strip().lower()
        if not name:
            continue
        skip = {"status", *(() if titles else ("titles",)), *(() if stats else ("stats",))}
        chosen = [k for k in KINDS if k not in skip] if name == "all" else [name]
        for kind in chosen:
            if kind not in KINDS:
                raise InvalidArgument(f"no event kind {item!r}; kinds: {', '.join(KINDS)}, all")
            if kind not in out:
                out.append(kind)
    if not out:
        raise InvalidArgument(f"no event kinds given; kinds: {', '.join(KINDS)}, all")
    return tuple(out)


@dataclass(frozen=True)
class StatSpec:
    """A statistic to watch: its title's SCID and its name."""

    scid: str
    name: str


def check_stats(stats: Iterable[str | tuple[str, str]] | None) -> tuple[StatSpec, ...]:
    """Statistics as ``"SCID/Name"`` strings or ``(scid, name)`` pairs, checked.

    Raises:
        InvalidArgument: a malformed one.
    """
    out = []
    for item in stats or ():
        if isinstance(item, str):
            scid, sep, name = item.partition("/")
            if not sep:
                raise InvalidArgument(f"a statistic is SCID/Name, not {item!r}"[:120])
        else:
            scid, name = item
        # Resource checks the name's form; the SCID's is checked here for a clear message.
        Resource("stats", "1", scid=check_scid(scid), stat=str(name).strip())
        out.append(StatSpec(check_scid(scid), str(name).strip()))
    return tuple(out)


def check_titles(titles: Iterable[int | str] | None) -> tuple[int, ...]:
    """Title ids, checked (``titles`` subscriptions, and achievements to watch from the
    start)."""
    return tuple(dict.fromkeys(check_title_id(t) for t in titles or ()))


def resources_for(xuid: str, kinds: Sequence[str], *, own: bool, titles: Sequence[int],
                  stats: Sequence[StatSpec]) -> list[Resource]:
    """The RTA resources of one user for ``kinds`` (achievements aside: their SCIDs are
    known only once the titles are looked up).

    ``own``: the user is the signed-in one (the friends list is one's own only). Presence
    is subscribed whenever achievements are watched: it says which title to watch next.
    """
    out: list[Resource] = []
    if "presence" in kinds or "achievements" in kinds:
        out.append(Resource("presence", xuid))
    if "devices" in kinds:
        out.append(Resource("devices", xuid))
    if "titles" in kinds:
        out += [Resource("titles", xuid, title_id=t) for t in titles]
    if "stats" in kinds:
        out += [Resource("stats", xuid, scid=s.scid, stat=s.name) for s in stats]
    if "friends" in kinds and own:
        out.append(Resource("friends", xuid))
    return out


def poll_interval(requested: float, users: int, own: bool, *,
                  share: float = POLL_SHARE) -> float:
    """Seconds between two capture polls of every user: ``requested``, or longer when
    polling that often would use more than ``share`` of a service's sustained budget.

    Args:
        users: how many users are polled (one request to each metadata list per user).
        own: the signed-in user is among them (mediahub too, which counts against the
            clips budget).
    """
    interval = max(float(requested), 1.0)
    for host in _CLIP_HOSTS:
        limit = limit_for_host(host)
        if limit is None:
            continue
        requests = users + (1 if own and host.startswith("gameclips") else 0)
        interval = max(interval, SUSTAIN_SECONDS * requests / (limit.sustain * share))
    return interval


def new_ids(seen: set[str] | None, listed: Iterable[str]) -> list[str]:
    """The ids of ``listed`` that are new since ``seen`` (None: the first look, which only
    learns what is there: nothing is new)."""
    if seen is None:
        return []
    return [i for i in listed if i not in seen]


def presence_key(state: Any, title_id: Any, rich: Any, device: Any) -> tuple[str, str, str, str]:
    """What makes two presence readings the same (to tell a change after a reconnection or
    a resync from the state already seen)."""
    online = str(state or "").lower() == "online"
    return (str(state or "").lower(), str(title_id or 0) if online else "0",
            str(rich or "") if online else "", str(device or "") if online else "")

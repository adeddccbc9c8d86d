"""userstats.xboxlive.com: a player's stats in a title by SCID (contract 2; with value
metadata, contract 3), and a batch over players (``POST /batch``, contract 2).

What the recordings show, and the requests follow: a batch's "Hero" group (a title's
featured stats) resolves by ``titleId`` and its top-level stats by ``scid``; asked the other
way round, each comes back empty. The peers send both parts by the same id; given both ids,
each part goes by the one that works.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from .._core.call import Call, api_call
from ..exceptions import GamertagNotFound, InvalidArgument, MalformedResponse
from ..ids import check_scid, check_title_id, check_xuid
from ..models.base import parse_records
from ..models.userstats import Stat
from . import Batch, Errors, ForUser, Request

__all__ = ["BATCH_SIZE", "DEFAULT_STATS", "HOST", "batch", "by_scid"]

HOST = "userstats.xboxlive.com"
DEFAULT_STATS = ("MinutesPlayed",)
#: Players per batch request (the sandbox's limit; the service publishes none).
BATCH_SIZE = 100
CONTRACT = 2
CONTRACT_WITH_METADATA = 3
HERO = "Hero"  # the one stat group titles are seen to have: their featured stats
_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,128}")


def stat_names(stats: Sequence[str] | str) -> list[str]:
    """The stat names asked for, checked (``MinutesPlayed``, a game's own ``Kills``)."""
    names = [stats] if isinstance(stats, str) else list(stats)
    if not names:
        raise InvalidArgument("ask for at least one stat, such as 'MinutesPlayed'")
    for name in names:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise InvalidArgument(f"a stat name looks like 'MinutesPlayed', not {name!r}"[:120])
    return names


def _stats_of(body: Any, errors: Errors | None) -> list[Stat]:
    """Every stat of a ``statlistscollection`` list (one collection per player)."""
    collections = body.get("statlistscollection") if isinstance(body, dict) else None
    if not isinstance(collections, list):
        raise MalformedResponse(f"{HOST} sent no statlistscollection", body=body, service=HOST)
    out: list[Stat] = []
    for collection in collections:
        items = collection.get("stats") if isinstance(collection, dict) else None
        out.extend(parse_records(Stat, items if isinstance(items, list) else [], errors,
                                 warn=False))
    return out


def by_scid(scid: str, stats: Sequence[str] | str, metadata: bool) -> ForUser[list[Stat]]:
    """A player's stats in the title of ``scid``, in the order asked (unknown ones left out)."""
    scid = check_scid(scid)
    names = stat_names(stats)
    suffix = f"/scids/{quote(scid, safe='')}/stats/{','.join(names)}"

    def request(who: str) -> Request[list[Stat]]:
        call = api_call("GET", HOST, f"/users/xuid({who}){suffix}",
                        params={"include": "valuemetadata"} if metadata else None,
                        contract_version=CONTRACT_WITH_METADATA if metadata else CONTRACT)
        return Request(call, lambda body: _stats_of(body, None), GamertagNotFound,
                       f"No such user: {who}")

    return request


def batch(xuids: Iterable[str | int], title_id: int | str | None, scid: str | None,
          stats: Sequence[str] | str) -> Batch[Stat]:
    """Stats of many players in one title: its featured ("Hero") group and ``stats``, 100
    players per request. Each stat appears once per player (a group's copy first)."""
    wanted = [check_xuid(x) for x in xuids]
    names = stat_names(stats)
    if title_id is None and scid is None:
        raise InvalidArgument("name the title: title_id=, scid=, or both")
    tid = str(check_title_id(title_id)) if title_id is not None else None
    scid = check_scid(scid) if scid is not None else None
    group_by = {"titleId": tid} if tid is not None else {"scid": scid}
    stat_by = {"scid": scid} if scid is not None else {"titleId": tid}
    body: dict[str, Any] = {"arrangebyfield": "xuid", "groups": [{"name": HERO, **group_by}],
                            "stats": [{"name": n, **stat_by} for n in names]}

    def chunk(ids: list[str]) -> Call:
        # A look-up changes nothing: safe to retry although it is a POST.
        return api_call("POST", HOST, "/batch", contract_version=CONTRACT, idempotent=True,
                        json={**body, "xuids": ids})

    def read(answer: Any, errors: Errors) -> list[Stat]:
        groups = answer.get("groups") if isinstance(answer, dict) else None
        found: list[Stat] = []
        for group in groups if isinstance(groups, list) else []:
            if isinstance(group, dict) and isinstance(group.get("statlistscollection"), list):
                found.extend(_stats_of(group, errors))
        found.extend(_stats_of(answer, errors))
        seen: set[tuple[Any, ...]] = set()
        unique = []
        for stat in found:
            key = (stat.xuid, (stat.scid or "").lower(), stat.name)
            if key not in seen:
                seen.add(key)
                unique.append(stat)
        return unique

    return Batch(wanted, BATCH_SIZE, chunk, read)

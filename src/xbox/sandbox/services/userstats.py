"""userstats.xboxlive.com: a player's game statistics by service config id, and batches.

Shapes from ``userstats_{by_scid,by_scid_with_metadata,batch,batch_by_scid}.json``;
requests as both peers send them: ``GET /users/xuid(X)/scids/{scid}/stats/{a,b}``
(contract 2; with ``include=valuemetadata``, contract 3) and ``POST /batch``
``{"arrangebyfield":"xuid","groups":[{"name":"Hero","titleId"|"scid":…}],
"stats":[{"name":…,"titleId"|"scid":…}],"xuids":[…]}`` (contract 2). Contracts 1-3 are
served; others get an empty 406.

Every title has ``MinutesPlayed``; some have a "Hero" group of featured stats (Sea of
Thieves' six are the recorded ones). A player has values only for titles they have played,
seeded per (world seed, xuid, title, stat); values are decimal strings, as recorded. As
recorded, and reproduced as such: the metadata request answers exactly like the plain one
(MinutesPlayed carries no metadata); a "Hero" group named by ``titleId`` comes back with
``titleid`` and its stats (each with ``groupproperties``), one named by ``scid`` with no
stats; top-level stats resolve by ``scid`` (each with an empty ``groupproperties``) and not
by ``titleId`` (``stats: []``). Assumptions: unknown stat names are left out, an unknown
scid gives no stats (not an error), a malformed request is an empty 400, an unknown user an
empty 404, and a batch takes at most 100 xuids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, json_response, route
from ..world_services import seeded
from ._wire import bad_request, contract, not_found, valid_xuid
from .achievements import last_played

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account, Title

HOST = r"userstats\.xboxlive\.com"
MAX_BATCH = 100
# titleId -> the Hero group: (name, display name), all "Double" as recorded.
HERO: dict[int, list[tuple[str, str]]] = {
    1717113201: [("ChestsCashedIn", "Gold Hoarder Chests Cashed In"),
                 ("DistanceSailed", "Distance Sailed (Metres)"),
                 ("VoyagesCompleted", "Voyages Completed"),
                 ("BountiesHandedIn", "Order of Souls Skulls Cashed In"),
                 ("CargoDelivered", "Merchant Alliance Cargo Delivered"),
                 ("IslandsVisited", "Islands Visited")],
    219630713: [("Kills", "Spartan Kills"), ("Wins", "Matches Won")],
    1144039928: [("DistanceDriven", "Distance Driven (km)"), ("RacesWon", "Races Won")],
}
_RANGES = {"MinutesPlayed": (30, 50_000), "DistanceSailed": (1_000, 500_000),
           "DistanceDriven": (100, 90_000), "IslandsVisited": (1, 400)}


def _value(sb: Sandbox, account: Account, title: Title, name: str) -> str | None:
    """``account``'s value of stat ``name`` in ``title``; None when they never played it."""
    changed = sb.activity.stat_override(account.xuid, title.title_id, name)
    if changed is not None:  # set since the world was made (xbox.sandbox.activity)
        return str(changed)
    if last_played(sb, account, title) is None:
        return None
    low, high = _RANGES.get(name, (0, 200))
    return str(seeded(sb.world, "stat", account.xuid, title.title_id, name).randint(low, high))


def _title_by_scid(sb: Sandbox, scid: str) -> Title | None:
    return next((t for t in sb.world.titles if t.scid.lower() == scid.lower()), None)


def _title_by_id(sb: Sandbox, raw: Any) -> Title | None:
    return next((t for t in sb.world.titles if str(t.title_id) == str(raw)), None)


def _stat(account: Account, title: Title, name: str, value: str, kind: str,
          props: dict[str, str]) -> dict[str, Any]:
    return {"xuid": account.xuid, "scid": title.scid, "name": name, "type": kind,
            "value": value, "properties": props}


def _plain_stats(sb: Sandbox, account: Account, title: Title | None,
                 names: list[str]) -> list[dict[str, Any]]:
    if title is None:
        return []
    known = {"MinutesPlayed": "Integer", **{n: "Double" for n, _d in HERO.get(title.title_id, [])}}
    out = []
    for name in names:
        value = _value(sb, account, title, name) if name in known else None
        if value is not None:
            out.append(_stat(account, title, name, value, known[name], {}))
    return out


def _collection(account: Account, stats: list[dict[str, Any]]) -> dict[str, Any]:
    return {"arrangebyfield": "xuid", "arrangebyfieldid": account.xuid, "stats": stats}


def _refused(sb: Sandbox, call: Call) -> httpx.Response | None:
    shape = contract(sb, call, "userstats")
    return shape if isinstance(shape, httpx.Response) else None


@route("GET", HOST, r"/users/xuid\((?P<xuid>[^)]*)\)/scids/(?P<scid>[^/]+)/stats/(?P<names>[^/]+)",
       service="userstats")
def by_scid(sb: Sandbox, call: Call, xuid: str, scid: str, names: str) -> httpx.Response:
    """The named stats of one player in one title, in the order asked."""
    if (refused := _refused(sb, call)) is not None:
        return refused
    xuid = unquote(xuid)
    if not valid_xuid(xuid):
        return bad_request(sb)
    account = sb.world.by_xuid.get(xuid)
    if account is None:
        return not_found(sb)
    wanted = [n for n in unquote(names).split(",") if n]
    stats = _plain_stats(sb, account, _title_by_scid(sb, unquote(scid)), wanted)
    return json_response(200, {"statlistscollection": [_collection(account, stats)]},
                         headers=sb.xbl_headers())


def _hero_group(sb: Sandbox, group: dict[str, Any], accounts: list[Account]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": group.get("name")}
    title = _title_by_id(sb, group["titleId"]) if "titleId" in group else None
    if "titleId" not in group or group.get("name") != "Hero":
        out["statlistscollection"] = []
        return out
    out["titleid"] = str(group["titleId"])
    hero = HERO.get(title.title_id, [("MinutesPlayed", "Minutes Played")]) if title else []
    collections = []
    for account in accounts:
        stats = []
        for ordinal, (name, display) in enumerate(hero, start=1):
            assert title is not None
            value = _value(sb, account, title, name)
            if value is None:
                continue
            entry = _stat(account, title, name, value, "Double", {"DisplayName": display})
            stats.append({"groupproperties": {
                "Ordinal": str(ordinal), "SortOrder": "Descending", "DisplayName": display,
                "DisplayFormat": "Integer", "DisplaySemantic": "Best"}, **entry})
        collections.append(_collection(account, stats))
    out["statlistscollection"] = collections
    return out


@route("POST", HOST, r"/batch", service="userstats")
def batch(sb: Sandbox, call: Call) -> httpx.Response:
    """Groups and stats of many players at once, arranged by xuid."""
    if (refused := _refused(sb, call)) is not None:
        return refused
    body = call.json()
    if not isinstance(body, dict) or body.get("arrangebyfield", "xuid") != "xuid":
        return bad_request(sb)
    xuids, groups, stats = body.get("xuids"), body.get("groups", []), body.get("stats", [])
    if not isinstance(xuids, list) or not xuids or len(xuids) > MAX_BATCH \
            or not isinstance(groups, list) or not isinstance(stats, list) \
            or not all(isinstance(x, dict) and isinstance(x.get("name"), str)
                       for x in [*groups, *stats]):
        return bad_request(sb)
    if not all(valid_xuid(str(x)) for x in xuids):
        return bad_request(sb)
    accounts = [sb.world.by_xuid[str(x)] for x in xuids if str(x) in sb.world.by_xuid]
    collections = []
    for account in accounts:
        found: list[dict[str, Any]] = []
        for stat in stats:
            # Stats resolve by scid only; by titleId nothing comes back (as recorded).
            title = _title_by_scid(sb, str(stat["scid"])) if "scid" in stat else None
            found += [{"groupproperties": {}, **s}
                      for s in _plain_stats(sb, account, title, [stat["name"]])]
        collections.append(_collection(account, found))
    out = {"groups": [_hero_group(sb, g, accounts) for g in groups],
           "statlistscollection": collections}
    return json_response(200, out, headers=sb.xbl_headers())


#: A statistic's value as this service reports it (for RTA's statistic subscriptions).
stat_value = _value

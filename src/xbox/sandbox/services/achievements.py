"""achievements.xboxlive.com: Xbox One (contracts 2, 4, 5) and Xbox 360 (1, 3) achievements.

Spec §4 "Achievements" and the recordings ``achievements_{one,360}_*.json``. The contract
is chosen by the ``x-xbl-contract-version`` header (:mod:`xbox.sandbox.contracts`): ``1`` =
Xbox 360 shapes, ``2`` (or no header) = Xbox One, as xbox-webapi 2.1 sends them and as
recorded; ``3`` (Xbox 360) and ``4`` (Xbox One), which python-xbox 0.4.0 and achievements-app
send, answer the same shapes with a ``rarity`` block on each achievement
(``{"currentCategory": "Rare"|"Common", "currentPercentage": float}``, the block both
clients' models read; no recording shows it: an assumption); ``5`` answers as ``4``. Any
other version gets an empty 406. A malformed xuid gets an empty 400 (no recording shows
achievements' own error body; profile's is not borrowed).

Achievements are generated, never stored: a title's definitions come from (world seed,
titleId) so every player sees the same list, and a player's progress comes from (world
seed, xuid, titleId). Lists page 32 at a time by default (the real cap peers hit),
``maxItems`` is honoured up to 1000, and ``continuationToken`` is the next offset.

Other sandbox services (titlehub) reuse :func:`title_progress` and :func:`last_played` so
every service tells the same story about a player.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, empty, json_response, route
from ._wire import bad_request, contract, valid_xuid

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account, Title

HOST = r"achievements\.xboxlive\.com"
XUID = r"/users/xuid\((?P<xuid>[^)]*)\)"
DEFAULT_PAGE = 32
MAX_PAGE = 1000
# .NET's DateTime.MinValue: what the service sends for "never unlocked".
NEVER = "0001-01-01T00:00:00.0000000Z"
# The 360 service reports unearned achievements with this placeholder date, not MinValue
# (every unearned item in achievements_360_all.json carries it).
NEVER_360 = "2002-11-15T00:00:00.0000000Z"
# Counts seen in recordings for real titles (Halo 5: 73 in achievements_one_gameprogress,
# Hexic HD: 15 in achievements_360_all); other titles get a seeded 10-40.
_KNOWN_COUNTS = {219630713: 73, 1297290392: 15}
_ORDERS = {"unordered", "title", "unlocktime", "endingsoon"}

_VERBS = ["Defeat", "Find", "Collect", "Win", "Finish", "Survive", "Build", "Discover",
          "Master", "Unlock", "Score", "Rescue"]
_THINGS = ["the Dragon", "every Relic", "a Perfect Game", "Chapter One", "the Gauntlet",
           "ten Matches", "the Lost City", "all Secrets", "a Hat Trick", "the Final Boss",
           "the Time Trial", "a Friend"]
_GAMERSCORES = [5, 10, 10, 10, 15, 20, 25, 30, 50, 100]


def dotnet_time(dt: datetime) -> str:
    """``2015-10-26T18:11:03.6689508Z``: seven fraction digits, as .NET writes them."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}0Z"


def _rng(*parts: object) -> random.Random:
    # Seeded from a digest of the parts so results never depend on PYTHONHASHSEED.
    key = ":".join(str(p) for p in parts).encode()
    return random.Random(hashlib.sha256(key).digest())


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass(frozen=True)
class Definition:
    """One achievement of a title, the same for every player."""

    id: int
    name: str
    description: str
    locked_description: str
    gamerscore: int
    target: int
    is_secret: bool
    icon: str
    requirement_id: str


@dataclass(frozen=True)
class Progress:
    """A player's standing on one achievement."""

    definition: Definition
    state: str  # Achieved | InProgress | NotStarted
    current: int | None
    unlocked: datetime | None


@lru_cache(maxsize=256)
def definitions(seed: int, title_id: int) -> tuple[Definition, ...]:
    """Every achievement of ``title_id`` in the world ``seed``."""
    rng = _rng(seed, "achievements", title_id)
    count = _KNOWN_COUNTS.get(title_id) or rng.randint(10, 40)
    out = []
    for n in range(1, count + 1):
        verb, thing = rng.choice(_VERBS), rng.choice(_THINGS)
        target = rng.choice([1, 1, 1, 3, 5, 10])
        out.append(Definition(
            id=n, name=f"{verb} {thing}"[:40] + ("" if n < 13 else f" {n}"),
            description=f"{_past(verb)} {thing}.", locked_description=f"{verb} {thing}.",
            gamerscore=rng.choice(_GAMERSCORES), target=target,
            is_secret=rng.random() < 0.1, icon=_uuid(rng), requirement_id=_uuid(rng),
        ))
    return tuple(out)


def _past(verb: str) -> str:
    irregular = {"Find": "Found", "Win": "Won", "Build": "Built"}
    return irregular.get(verb, verb + ("d" if verb.endswith("e") else "ed"))


def product_id(seed: int, title: Title) -> str:
    return _uuid(_rng(seed, "product", title.title_id))


def last_played(sb: Sandbox, account: Account, title: Title) -> datetime | None:
    """When ``account`` last played ``title`` (None: never). The last-seen title is newest."""
    if title not in account.titles:
        return None
    if title == account.last_seen_title:
        return account.last_seen
    rng = _rng(sb.world.seed, "played", account.xuid, title.title_id)
    return account.last_seen - timedelta(minutes=rng.randint(60, 60 * 24 * 400),
                                         microseconds=rng.randint(0, 999_999))


def title_progress(sb: Sandbox, account: Account, title: Title) -> list[Progress]:
    """``account``'s progress on every achievement of ``title``, in id order."""
    defs = definitions(sb.world.seed, title.title_id)
    played = last_played(sb, account, title)
    if played is None:
        return _changed(sb, account, title, [Progress(d, "NotStarted", None, None) for d in defs])
    rng = _rng(sb.world.seed, "progress", account.xuid, title.title_id)
    share = rng.random()
    out = []
    for d in defs:
        roll = rng.random()
        when = played - timedelta(minutes=rng.randint(0, 60 * 24 * 365),
                                  microseconds=rng.randint(0, 999_999))
        if roll < share * 0.8:
            out.append(Progress(d, "Achieved", d.target, when))
        elif roll < share and d.target > 1:
            out.append(Progress(d, "InProgress", rng.randint(1, d.target - 1), None))
        else:
            out.append(Progress(d, "NotStarted", None, None))
    return _changed(sb, account, title, out)


def _changed(sb: Sandbox, account: Account, title: Title, seeded: list[Progress]) -> list[Progress]:
    """``seeded`` with the progress made since the world was made (xbox.sandbox.activity)."""
    changed = sb.activity.progress(account.xuid, title.title_id)
    return [Progress(p.definition, *changed[p.definition.id]) if p.definition.id in changed
            else p for p in seeded]


def _title_by_id(sb: Sandbox, title_id: int) -> Title | None:
    return next((t for t in sb.world.titles if t.title_id == title_id), None)


# -- wire objects -----------------------------------------------------------------------------

# Below this share of players an achievement is "Rare" (Xbox's own threshold is unpublished;
# the clients read only the two categories).
RARE_BELOW = 10.0


def rarity(seed: int, title_id: int, achievement_id: int) -> dict[str, Any]:
    """How many players have an achievement (contracts 3 and 4): the same for every player."""
    percentage = round(_rng(seed, "rarity", title_id, achievement_id).uniform(0.1, 90.0), 2)
    return {"currentCategory": "Rare" if percentage < RARE_BELOW else "Common",
            "currentPercentage": percentage}


def _with_rarity(sb: Sandbox, item: dict[str, Any], title: Title, p: Progress,
                 shape: str) -> dict[str, Any]:
    if shape.endswith("+rarity"):
        item["rarity"] = rarity(sb.world.seed, title.title_id, p.definition.id)
    return item


def _v2_item(sb: Sandbox, title: Title, p: Progress, shape: str = "one") -> dict[str, Any]:
    return _with_rarity(sb, _v2_body(sb, title, p), title, p, shape)


def _v1_item(sb: Sandbox, title: Title, p: Progress, shape: str = "360") -> dict[str, Any]:
    return _with_rarity(sb, _v1_body(title, p), title, p, shape)


def _v2_body(sb: Sandbox, title: Title, p: Progress) -> dict[str, Any]:
    d = p.definition
    return {
        "id": str(d.id),
        "serviceConfigId": title.scid,
        "name": d.name,
        "titleAssociations": [{"name": title.name, "id": title.title_id}],
        "progressState": p.state,
        "progression": {
            "requirements": [{
                "id": d.requirement_id,
                # Not started: null, as recorded; otherwise a string count.
                "current": None if p.current is None else str(p.current),
                "target": str(d.target),
                "operationType": "Sum",
                "valueType": "Integer",
                "ruleParticipationType": "Individual",
            }],
            "timeUnlocked": dotnet_time(p.unlocked) if p.unlocked else NEVER,
        },
        "mediaAssets": [{"name": f"{d.icon}.png", "type": "Icon",
                         "url": f"http://images-eds.xboxlive.com/image?url={d.icon}"}],
        "platforms": ["Durango"],
        "isSecret": d.is_secret,
        "description": d.description,
        "lockedDescription": d.locked_description,
        "productId": product_id(sb.world.seed, title),
        "achievementType": "Persistent",
        "participationType": "Individual",
        "timeWindow": None,
        "rewards": [{"name": None, "description": None, "value": str(d.gamerscore),
                     "type": "Gamerscore", "mediaAsset": None, "valueType": "Int"}],
        "estimatedTime": "00:00:00",
        "deeplink": None,
        "isRevoked": False,
    }


def _v1_body(title: Title, p: Progress) -> dict[str, Any]:
    d = p.definition
    earned = p.state == "Achieved"
    return {
        "id": d.id,
        "titleId": title.title_id,
        "name": d.name,
        "sequence": 0,
        # Flag and platform values as recorded for earned (3342345/15) and unearned (9/255).
        "flags": 3342345 if earned else 9,
        "unlockedOnline": earned,
        "unlocked": earned,
        "isSecret": d.is_secret,
        "platform": 15 if earned else 255,
        "gamerscore": d.gamerscore,
        "imageId": d.id + 2,
        "description": d.description,
        "lockedDescription": d.locked_description,
        "type": 1,
        "isRevoked": False,
        "timeUnlocked": dotnet_time(p.unlocked) if p.unlocked else NEVER_360,
    }


# -- request helpers --------------------------------------------------------------------------

def _version(sb: Sandbox, call: Call) -> str | httpx.Response:
    return contract(sb, call, "achievements")


def _account(sb: Sandbox, raw: str) -> Account | httpx.Response:
    xuid = unquote(raw)
    if not valid_xuid(xuid):
        return bad_request(sb)
    account = sb.world.by_xuid.get(xuid)
    if account is None:
        return empty(404, headers=sb.xbl_headers())
    return account


def _window(call: Call) -> tuple[int, int] | None:
    """(offset, size) from skipItems/continuationToken and maxItems; None when malformed."""
    try:
        size = int(call.params.get("maxItems") or DEFAULT_PAGE)
        skip = int(call.params.get("skipItems") or 0)
        token = call.params.get("continuationToken")
        if token:
            # 360 history tokens read "32,<version>"; the offset is the first part.
            skip = int(token.split(",", 1)[0])
    except ValueError:
        return None
    if size <= 0 or skip < 0:
        return None
    return skip, min(size, MAX_PAGE)


def _page(items: list[Any], window: tuple[int, int]) -> tuple[list[Any], str | None]:
    offset, size = window
    page = items[offset:offset + size]
    nxt = offset + len(page)
    return page, (str(nxt) if page and nxt < len(items) else None)


def _title_param(call: Call) -> int | str | None:
    """The titleId query value: an int, None when absent, or "bad" when malformed."""
    raw = call.params.get("titleId")
    if raw is None or raw == "":
        return None
    # Several ids may be given comma-separated; the sandbox serves the first.
    first = raw.split(",")[0].strip()
    return int(first) if first.isdigit() else "bad"


def _bad(sb: Sandbox) -> httpx.Response:
    return bad_request(sb)


# -- routes -----------------------------------------------------------------------------------

@route("GET", HOST, XUID + r"/achievements", service="achievements")
def achievements(sb: Sandbox, call: Call, xuid: str) -> httpx.Response:
    """v2: one title's (or every played title's) achievements; v1: the earned ones."""
    version = _version(sb, call)
    if isinstance(version, httpx.Response):
        return version
    account = _account(sb, xuid)
    if isinstance(account, httpx.Response):
        return account
    window = _window(call)
    title_id = _title_param(call)
    if window is None or title_id == "bad":
        return _bad(sb)
    if version.startswith("360"):
        if title_id is None:
            return _v1_recent_unlocks(sb, call, account, window, version)
        return _v1_list(sb, account, int(title_id), window, earned_only=True, shape=version)
    if isinstance(title_id, int):
        t = _title_by_id(sb, title_id)
        titles = [t] if t is not None else []
    else:
        titles = sorted(account.titles, key=lambda t: t.title_id)
    rows = [(t, p) for t in titles for p in title_progress(sb, account, t)]
    if call.params.get("unlockedOnly", "").lower() == "true":
        rows = [r for r in rows if r[1].state == "Achieved"]
    order = call.params.get("orderBy", "Unordered").lower()
    if order not in _ORDERS:
        return _bad(sb)
    if order == "unlocktime":
        # Newest unlocks first, then everything not yet unlocked in natural order.
        rows.sort(key=lambda r: (r[1].unlocked is None,
                                 -(r[1].unlocked.timestamp()) if r[1].unlocked else 0))
    elif order == "title":
        rows.sort(key=lambda r: r[0].name.lower())
    page, token = _page(rows, window)
    body = {"achievements": [_v2_item(sb, t, p, version) for t, p in page],
            "pagingInfo": {"continuationToken": token, "totalRecords": len(rows)}}
    return json_response(200, body, headers=sb.xbl_headers())


@route("GET", HOST, XUID + r"/achievements/(?P<scid>[^/]+)/(?P<achievement_id>[^/]+)",
       service="achievements")
def achievement_detail(sb: Sandbox, call: Call, xuid: str, scid: str,
                       achievement_id: str) -> httpx.Response:
    """One achievement, wrapped in a one-item list exactly as recorded."""
    if isinstance(version := _version(sb, call), httpx.Response):
        return version
    account = _account(sb, xuid)
    if isinstance(account, httpx.Response):
        return account
    scid = unquote(scid).lower()
    title = next((t for t in sb.world.titles if t.scid.lower() == scid), None)
    if title is None:
        return empty(404, headers=sb.xbl_headers())
    found = [p for p in title_progress(sb, account, title)
             if str(p.definition.id) == unquote(achievement_id)]
    if not found:
        return empty(404, headers=sb.xbl_headers())
    body = {"achievements": [_v2_item(sb, title, found[0], version)],
            "pagingInfo": {"continuationToken": None, "totalRecords": 1}}
    return json_response(200, body, headers=sb.xbl_headers("private, max-age=15"))


@route("GET", HOST, XUID + r"/titleachievements", service="achievements")
def title_achievements(sb: Sandbox, call: Call, xuid: str) -> httpx.Response:
    """v1 (Xbox 360): every achievement of a title, earned or not."""
    if isinstance(version := _version(sb, call), httpx.Response):
        return version
    account = _account(sb, xuid)
    if isinstance(account, httpx.Response):
        return account
    window = _window(call)
    title_id = _title_param(call)
    if window is None or not isinstance(title_id, int):
        return _bad(sb)
    # Both peers ask with their Xbox 360 version (1 or 3); an Xbox One version gets the same
    # list in the 360 shape, as the sandbox has always answered it.
    shape = "360+rarity" if version.endswith("+rarity") else "360"
    return _v1_list(sb, account, title_id, window, earned_only=False, shape=shape)


def _v1_list(sb: Sandbox, account: Account, title_id: int, window: tuple[int, int],
             *, earned_only: bool, shape: str) -> httpx.Response:
    title = _title_by_id(sb, title_id)
    # An unknown title has no achievements: an empty list, not a 404.
    rows = [(title, p) for p in title_progress(sb, account, title)] if title else []
    if earned_only:
        rows = [r for r in rows if r[1].state == "Achieved"]
    page, token = _page(rows, window)
    body = {"achievements": [_v1_item(sb, t, p, shape) for t, p in page],
            "pagingInfo": {"continuationToken": token, "totalRecords": len(rows)},
            "version": NEVER}
    # The 360 "all achievements" list is cacheable (max-age=30 recorded); earned is not.
    cache = "no-cache, no-store" if earned_only else "private, max-age=30"
    return json_response(200, body, headers=sb.xbl_headers(cache))


def _v1_recent_unlocks(sb: Sandbox, call: Call, account: Account, window: tuple[int, int],
                       shape: str) -> httpx.Response:
    """Xbox 360 earned achievements of every title, as both peers' "recent unlocks" ask
    (no ``titleId``, ``unlockedOnly=true&orderBy=UnlockTime``): an assumption, as no
    recording shows this list; newest unlock first with ``orderBy=UnlockTime``."""
    order = call.params.get("orderBy", "Unordered").lower()
    if order not in _ORDERS:
        return _bad(sb)
    rows = [(t, p) for t in sorted(account.titles, key=lambda t: t.title_id)
            for p in title_progress(sb, account, t) if p.state == "Achieved"]
    if order == "unlocktime":
        rows.sort(key=lambda r: -(r[1].unlocked.timestamp()) if r[1].unlocked else 0)
    elif order == "title":
        rows.sort(key=lambda r: r[0].name.lower())
    page, token = _page(rows, window)
    body = {"achievements": [_v1_item(sb, t, p, shape) for t, p in page],
            "pagingInfo": {"continuationToken": token, "totalRecords": len(rows)},
            "version": NEVER}
    return json_response(200, body, headers=sb.xbl_headers())


@route("GET", HOST, XUID + r"/history/titles", service="achievements")
def history(sb: Sandbox, call: Call, xuid: str) -> httpx.Response:
    """Titles a player has achievement progress in, with earned/possible totals."""
    version = _version(sb, call)
    if isinstance(version, httpx.Response):
        return version
    account = _account(sb, xuid)
    if isinstance(account, httpx.Response):
        return account
    window = _window(call)
    if window is None:
        return _bad(sb)
    summaries = []
    for title in account.titles:
        progress = title_progress(sb, account, title)
        earned = [p for p in progress if p.state == "Achieved"]
        unlocks = [p.unlocked for p in earned if p.unlocked is not None]
        summaries.append((title, progress, earned, max(unlocks) if unlocks else None,
                          last_played(sb, account, title)))
    if version.startswith("360"):
        # 360 history: most recently played first; the version is the newest play time.
        summaries.sort(key=lambda s: s[4].timestamp() if s[4] else 0.0, reverse=True)
        version = dotnet_time(summaries[0][4]) if summaries and summaries[0][4] else NEVER
        page, token = _page(summaries, window)
        titles = [{
            "lastPlayed": dotnet_time(played) if played else NEVER,
            "currentAchievements": len(earned),
            "currentGamerscore": sum(p.definition.gamerscore for p in earned),
            "sequence": _rng(sb.world.seed, "sequence", account.xuid, t.title_id).randint(1, 300),
            "titleId": t.title_id,
            "titleType": 1,
            "platforms": [1],
            "name": t.name,
            "totalAchievements": len(progress),
            "totalGamerscore": sum(p.definition.gamerscore for p in progress),
        } for t, progress, earned, _last, played in page]
        body: dict[str, Any] = {
            "titles": titles,
            "pagingInfo": {"continuationToken": f"{token},{version}" if token else None,
                           "totalRecords": len(summaries)},
            "version": version,
        }
        return json_response(200, body, headers=sb.xbl_headers())
    # Xbox One history comes back ordered by titleId, as recorded.
    summaries.sort(key=lambda s: s[0].title_id)
    page, token = _page(summaries, window)
    body = {
        "titles": [{
            "lastUnlock": dotnet_time(last) if last else NEVER,
            "titleId": t.title_id,
            "serviceConfigId": t.scid,
            "titleType": "DGame",
            "platform": "Durango",
            "name": t.name,
            "earnedAchievements": len(earned),
            "currentGamerscore": sum(p.definition.gamerscore for p in earned),
            "maxGamerscore": sum(p.definition.gamerscore for p in progress),
        } for t, progress, earned, last, _played in page],
        "pagingInfo": {"continuationToken": token, "totalRecords": len(summaries)},
    }
    return json_response(200, body, headers=sb.xbl_headers())

"""titlehub.xboxlive.com: title history, title look-ups and batches (contract 2).

Spec §4 "Titlehub" and the recordings ``titlehub_{titlehistory,titleinfo,batch}.json``.
``titleId`` is a **string** here (a number in achievements). Every title carries the
recorded keys in the recorded order; a block whose decoration is not asked is null, and
``serviceConfigId`` is *absent* unless ``scid`` is asked (the history recording, made
without it, has no such key). Decorations, matched case-insensitively: achievement, image,
scid, detail, stats, gamepass, friendswhoplayed, alternatetitleid, productid, contentboard;
any other is an empty 400. As recorded: ``totalAchievements`` is 0 even when the title has
achievements, ``alternateTitleIds`` is always ``[]``, ``contentBoards`` always null, a
look-up's ``titleHistory`` is null, ``detail.genres`` appears in look-ups but not in the
history, ``isStreamable`` only on streamable titles, and a batch answers ``"xuid": null``
with every achievement count 0 (``sourceVersion`` 0). ``productid`` adds no key (no
recording or peer model shows one). Responses are gzip-encoded when the client accepts
gzip and carry ``Last-Modified``, as recorded in 2018.

Routes: ``GET /users/xuid(X)/titles/titlehistory``, ``…/titles/titleid(ID)``,
``…/titles/pfn(PFN)`` (each ``[/decoration/…]``), and ``POST /titles/batch[/decoration/…]``
with ``{"pfns": [...], "windowsPhoneProductIds": [...]}``. Paging is undocumented for title
history: the sandbox honours ``maxItems`` only (newest first) and never returns a
continuation token. Achievement numbers come from the achievements service's generator so
both services agree. An unserved contract is an empty 406, a malformed xuid an empty 400
(no recording shows titlehub's own error body).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, json_response, route
from ..world_services import TitleFacts, big_id, services_world
from ._wire import bad_request, contract, not_found, valid_xuid
from .achievements import dotnet_time, last_played, title_progress
from .people import is_favorite, preferred_color

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account, Title

HOST = r"titlehub\.xboxlive\.com"
DECORATIONS = {"achievement", "image", "scid", "detail", "alternatetitleid", "productid",
               "contentboard", "gamepass", "stats", "friendswhoplayed"}
MAX_FRIENDS_SHOWN = 5  # no recorded friendsWhoPlayed lists more
MAX_BATCH = 100
_IMAGE_TYPES = ["BoxArt", "Logo", "Tile", "Poster", "SuperHeroArt", "BrandedKeyArt",
                "TitledHeroArt", "FeaturePromotionalSquareArt", "Screenshot", "Screenshot"]


def _image(sb: Sandbox, title: Title, kind: str, n: int = 0) -> str:
    digest = hashlib.sha256(f"{sb.world.seed}:{title.title_id}:{kind}:{n}".encode()).hexdigest()
    return f"http://store-images.s-microsoft.com/image/apps.{int(digest[:5], 16)}.{digest[5:37]}"


def _achievement(sb: Sandbox, account: Account | None, title: Title) -> dict[str, Any]:
    if account is None:  # a batch has no player to count for
        return {"currentAchievements": 0, "totalAchievements": 0, "currentGamerscore": 0,
                "totalGamerscore": 0, "progressPercentage": 0.0, "sourceVersion": 0}
    progress = title_progress(sb, account, title)
    earned = [p for p in progress if p.state == "Achieved"]
    current = sum(p.definition.gamerscore for p in earned)
    total = sum(p.definition.gamerscore for p in progress)
    return {
        "currentAchievements": len(earned),
        "totalAchievements": 0,  # 0 in every recorded title, whatever it has
        "currentGamerscore": current,
        "totalGamerscore": total,
        # A float with one decimal, as recorded (36.0).
        "progressPercentage": float(round(100 * current / total)) if total else 0.0,
        "sourceVersion": 2,
    }


def _attributes(facts: TitleFacts) -> list[dict[str, Any]]:
    def attr(name: str, low: int | None = None, high: int | None = None,
             platforms: list[str] | None = None) -> dict[str, Any]:
        return {"applicablePlatforms": platforms, "maximum": high, "minimum": low, "name": name}

    out = []
    if facts.multiplayer:
        low, high = facts.multiplayer
        out.append(attr("XblOnlineMultiPlayer", low, high))
    out.append(attr("BroadcastSupport"))
    if facts.streamable:
        out.append(attr("GameStreaming"))
    if "XboxSeries" in facts.devices:
        out.append(attr("CapabilityXboxEnhanced", platforms=["Xbox"]))
    out.append(attr("XboxLive"))
    return out


def _detail(facts: TitleFacts, *, genres: bool) -> dict[str, Any]:
    platforms = sorted({"PC" if d == "PC" else "Xbox" for d in facts.devices})
    out: dict[str, Any] = {
        "attributes": _attributes(facts),
        "availabilities": [{
            "Actions": ["Details", "Fulfill", "Purchase", "Browse", "Curate", "Redeem"],
            "AvailabilityId": big_id("availability", facts.title.title_id),
            "Platforms": platforms, "SkuId": "0010",
        }],
        "capabilities": [],
        "description": facts.description,
        "developerName": facts.developer,
    }
    if genres:
        out["genres"] = list(facts.genres)
    out.update({
        "publisherName": facts.publisher,
        "minAge": facts.min_age,
        "releaseDate": facts.released.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "shortDescription": facts.short_description,
        "vuiDisplayName": None,
        "xboxLiveGoldRequired": facts.gold_required,
    })
    return out


def _friends_who_played(sb: Sandbox, account: Account | None, title: Title) -> dict[str, Any]:
    if account is None:
        return {"people": [], "currentlyPlayingCount": 0, "havePlayedCount": 0}
    played = []
    for xuid in account.friends:
        friend = sb.world.by_xuid.get(xuid)
        when = last_played(sb, friend, title) if friend is not None else None
        if friend is not None and when is not None:
            played.append((friend, when))
    played.sort(key=lambda fw: fw[1], reverse=True)
    playing = [f for f, _w in played
               if f.presence_state == "Online" and f.last_seen_title == title]
    people = [{
        "xuid": friend.xuid,
        "isFavorite": is_favorite(sb, account, friend.xuid),
        "displayPicRaw": friend.profile_settings()["AppDisplayPicRaw"],
        "useAvatar": False,
        "isCurrentlyPlaying": friend in playing,
        "gamertag": friend.gamertag,
        "lastTimePlayed": dotnet_time(when),
        "presenceState": friend.presence_state,
        "preferredColor": preferred_color(sb, friend.xuid),
    } for friend, when in played[:MAX_FRIENDS_SHOWN]]
    return {"people": people, "currentlyPlayingCount": len(playing),
            "havePlayedCount": len(played)}


def title_json(sb: Sandbox, account: Account | None, title: Title, decorations: set[str],
               played: datetime | None) -> dict[str, Any]:
    """One title as titlehub describes it to ``account`` (None: a batch, for nobody).

    ``played`` is when the title was last played, given by the title-history route (whose
    titles carry ``titleHistory`` and, as recorded, a ``detail`` without genres); look-ups
    pass None.
    """
    facts = services_world(sb).facts[title.title_id]
    wanted = decorations

    def block(name: str, value: Any) -> Any:
        return value if name in wanted else None

    out: dict[str, Any] = {"titleId": str(title.title_id), "pfn": facts.pfn,
                           "bingId": facts.bing_id}
    if "scid" in wanted:
        out["serviceConfigId"] = title.scid
    out.update({
        "windowsPhoneProductId": facts.windows_phone_product_id,
        "name": title.name,
        "type": "Game",
        "devices": list(facts.devices),
        "displayImage": _image(sb, title, "BoxArt"),
        "mediaItemType": "Application",
        "modernTitleId": str(title.title_id),
        "isBundle": False,
        "achievement": _achievement(sb, account, title) if "achievement" in wanted else None,
        "stats": block("stats", {"sourceVersion": 2 if account is not None else 0}),
        "gamePass": block("gamepass", {"isGamePass": facts.game_pass}),
        "images": [{"url": _image(sb, title, kind, n), "type": kind}
                   for n, kind in enumerate(_IMAGE_TYPES)] if "image" in wanted else None,
        "titleHistory": None if played is None else {
            "lastTimePlayed": dotnet_time(played), "visible": True,
            "canHide": title != (account.last_seen_title if account else None)},
        "detail": _detail(facts, genres=played is None) if "detail" in wanted else None,
        "friendsWhoPlayed": _friends_who_played(sb, account, title)
        if "friendswhoplayed" in wanted else None,
        "alternateTitleIds": [],
        "contentBoards": None,
        "xboxLiveTier": "Full",
    })
    if facts.streamable:
        out["isStreamable"] = True
    return out


def _decorations(raw: str | None) -> set[str] | None:
    wanted = {d.strip().lower() for d in unquote(raw or "").split(",") if d.strip()}
    return wanted if wanted <= DECORATIONS else None


def _respond(sb: Sandbox, call: Call, xuid: str | None, titles: list[dict[str, Any]],
             newest: datetime | None) -> httpx.Response:
    headers = sb.xbl_headers()
    headers["Last-Modified"] = format_datetime(newest or sb.world.epoch, usegmt=True)
    gz = "gzip" in (call.header("Accept-Encoding") or "").lower()
    return json_response(200, {"xuid": xuid, "titles": titles}, headers=headers, gzip=gz)


def _request(sb: Sandbox, call: Call, raw_xuid: str | None,
             decorations: str | None) -> tuple[Account | None, set[str]] | httpx.Response:
    """(account, decorations) of a titlehub request, or the refusal."""
    if isinstance(refused := contract(sb, call, "titlehub"), httpx.Response):
        return refused
    account = None
    if raw_xuid is not None:
        xuid = unquote(raw_xuid)
        if not valid_xuid(xuid):
            return bad_request(sb)
        account = sb.world.by_xuid.get(xuid)
        if account is None:
            return not_found(sb)
    wanted = _decorations(decorations)
    if wanted is None:
        return bad_request(sb)
    return account, wanted


DECORATED = r"(?:/decoration/(?P<decorations>[^/]*))?"


@route("GET", HOST, r"/users/xuid\((?P<xuid>[^)]*)\)/titles/titlehistory" + DECORATED,
       service="titlehub")
def title_history(sb: Sandbox, call: Call, xuid: str, decorations: str | None) -> httpx.Response:
    """Titles played, newest first, at most ``maxItems`` of them (no paging)."""
    request = _request(sb, call, xuid, decorations)
    if isinstance(request, httpx.Response):
        return request
    account, wanted = request
    assert account is not None
    raw_max = call.params.get("maxItems") or "0"
    if not raw_max.isdigit():
        return bad_request(sb)
    played = [(t, last_played(sb, account, t)) for t in account.titles]
    played.sort(key=lambda tp: tp[1].timestamp() if tp[1] else 0.0, reverse=True)
    limit = int(raw_max)
    if limit:
        played = played[:limit]
    titles = [title_json(sb, account, t, wanted, when) for t, when in played]
    return _respond(sb, call, account.xuid, titles, played[0][1] if played else None)


def _look_up(sb: Sandbox, call: Call, account: Account, wanted: set[str],
             title: Title | None) -> httpx.Response:
    """One title as seen by a player; an unknown title gives an empty ``titles`` list."""
    if title is None:
        return _respond(sb, call, account.xuid, [], None)
    return _respond(sb, call, account.xuid, [title_json(sb, account, title, wanted, None)],
                    last_played(sb, account, title))


@route("GET", HOST,
       r"/users/xuid\((?P<xuid>[^)]*)\)/titles/titleid\((?P<title_id>[^)]*)\)" + DECORATED,
       service="titlehub")
def title_info(sb: Sandbox, call: Call, xuid: str, title_id: str,
               decorations: str | None) -> httpx.Response:
    request = _request(sb, call, xuid, decorations)
    if isinstance(request, httpx.Response):
        return request
    account, wanted = request
    assert account is not None
    if not unquote(title_id).isdigit():
        return bad_request(sb)
    title = next((t for t in sb.world.titles if t.title_id == int(unquote(title_id))), None)
    return _look_up(sb, call, account, wanted, title)


@route("GET", HOST, r"/users/xuid\((?P<xuid>[^)]*)\)/titles/pfn\((?P<pfn>[^)]*)\)" + DECORATED,
       service="titlehub")
def title_by_pfn(sb: Sandbox, call: Call, xuid: str, pfn: str,
                 decorations: str | None) -> httpx.Response:
    """One title by package family name (``Microsoft.SeaofThieves_8wekyb3d8bbwe``)."""
    request = _request(sb, call, xuid, decorations)
    if isinstance(request, httpx.Response):
        return request
    account, wanted = request
    assert account is not None
    facts = services_world(sb).facts_by_pfn(unquote(pfn))
    return _look_up(sb, call, account, wanted, facts.title if facts else None)


@route("POST", HOST, r"/titles/batch" + DECORATED, service="titlehub")
def batch(sb: Sandbox, call: Call, decorations: str | None) -> httpx.Response:
    """Titles by package family name and Windows Phone product id, for nobody in particular.

    Unknown ids are left out; each title appears once, in the order first asked.
    """
    request = _request(sb, call, None, decorations)
    if isinstance(request, httpx.Response):
        return request
    _nobody, wanted = request
    body = call.json()
    if not isinstance(body, dict):
        return bad_request(sb)
    pfns, phone_ids = body.get("pfns") or [], body.get("windowsPhoneProductIds") or []
    if not isinstance(pfns, list) or not isinstance(phone_ids, list) \
            or len(pfns) + len(phone_ids) > MAX_BATCH:
        return bad_request(sb)
    world = services_world(sb)
    found: list[Title] = []
    for pfn in pfns:
        facts = world.facts_by_pfn(str(pfn))
        if facts is not None and facts.title not in found:
            found.append(facts.title)
    for phone_id in phone_ids:
        facts = next((f for f in world.facts.values()
                      if f.windows_phone_product_id == str(phone_id).lower()), None)
        if facts is not None and facts.title not in found:
            found.append(facts.title)
    titles = [title_json(sb, None, t, wanted, None) for t in found]
    return _respond(sb, call, None, titles, None)

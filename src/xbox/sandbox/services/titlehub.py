"""titlehub.xboxlive.com: a player's title history and title info (contract 2).

Spec §4 "Titlehub". ``titleId`` is a **string** here (a number in achievements), keys follow
the xbox-webapi-python ``titlehub_titlehistory.json`` recording, and blocks that need a
decoration (``achievement``, ``image``, ``scid``, ``detail``) are null without it. Responses
are gzip-encoded when the client accepts gzip and carry ``Last-Modified``, as recorded in 2018.

Paging is undocumented for title history: the sandbox honours ``maxItems`` only (newest
first) and never returns a continuation token. Achievement numbers come from the
achievements service's generator so both services agree.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, empty, json_response, route
from .achievements import dotnet_time, last_played, title_progress
from .profile import invalid_xuid, valid_xuid

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account, Title

HOST = r"titlehub\.xboxlive\.com"
DECORATIONS = {"achievement", "image", "scid", "detail", "alternatetitleid", "productid",
               "contentboard", "gamepass", "stats", "friendswhoplayed"}
_IMAGE_TYPES = ["BoxArt", "Logo", "Tile", "Poster", "Hero", "Screenshot"]


def _image(sb: Sandbox, title: Title, kind: str) -> str:
    digest = hashlib.sha256(f"{sb.world.seed}:{title.title_id}:{kind}".encode()).hexdigest()
    return f"http://store-images.s-microsoft.com/image/apps.{int(digest[:5], 16)}.{digest[5:37]}"


def _uuid_text(sb: Sandbox, title: Title, kind: str) -> str:
    digest = hashlib.sha256(f"{sb.world.seed}:{title.title_id}:{kind}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"


def title_json(sb: Sandbox, account: Account, title: Title, decorations: set[str],
               played: datetime | None) -> dict[str, Any]:
    """One title as titlehub describes it to ``account``."""
    achievement: dict[str, Any] | None = None
    if "achievement" in decorations:
        progress = title_progress(sb, account, title)
        earned = [p for p in progress if p.state == "Achieved"]
        current = sum(p.definition.gamerscore for p in earned)
        total = sum(p.definition.gamerscore for p in progress)
        achievement = {
            "currentAchievements": len(earned),
            "totalAchievements": len(progress),
            "currentGamerscore": current,
            "totalGamerscore": total,
            # A float with one decimal, as recorded (36.0).
            "progressPercentage": float(round(100 * current / total)) if total else 0.0,
            "sourceVersion": 2,
        }
    images = ([{"url": _image(sb, title, kind), "type": kind} for kind in _IMAGE_TYPES]
              if "image" in decorations else None)
    compact = "".join(ch for ch in title.name if ch.isalnum())
    return {
        "titleId": str(title.title_id),
        "pfn": f"Microsoft.{compact}_8wekyb3d8bbwe",
        "bingId": _uuid_text(sb, title, "bing"),
        "serviceConfigId": title.scid if "scid" in decorations else None,
        "windowsPhoneProductId": _uuid_text(sb, title, "wp"),
        "name": title.name,
        "type": "Game",
        "devices": ["XboxOne", "XboxSeries"],
        "displayImage": _image(sb, title, "BoxArt"),
        "mediaItemType": "Application",
        "modernTitleId": str(title.title_id),
        "isBundle": False,
        "achievement": achievement,
        "stats": None,
        "images": images,
        "titleHistory": None if played is None else {
            "lastTimePlayed": dotnet_time(played), "visible": True, "canHide": False},
        "detail": None,
        "friendsWhoPlayed": None,
        "alternateTitleIds": None,
        "contentBoards": None,
        "xboxLiveTier": "Full",
    }


def _decorations(raw: str | None) -> set[str] | None:
    wanted = {d.strip().lower() for d in unquote(raw or "").split(",") if d.strip()}
    return wanted if wanted <= DECORATIONS else None


def _respond(sb: Sandbox, call: Call, account: Account,
             titles: list[dict[str, Any]], newest: datetime | None) -> httpx.Response:
    headers = sb.xbl_headers()
    headers["Last-Modified"] = format_datetime(newest or sb.world.epoch, usegmt=True)
    gz = "gzip" in (call.header("Accept-Encoding") or "").lower()
    return json_response(200, {"xuid": account.xuid, "titles": titles}, headers=headers, gzip=gz)


def _account(sb: Sandbox, raw: str) -> Account | httpx.Response:
    xuid = unquote(raw)
    if not valid_xuid(xuid):
        return invalid_xuid(sb, xuid)
    account = sb.world.by_xuid.get(xuid)
    return account if account is not None else empty(404, headers=sb.xbl_headers())


@route("GET", HOST,
       r"/users/xuid\((?P<xuid>[^)]*)\)/titles/titlehistory(?:/decoration/(?P<decorations>[^/]*))?",
       service="titlehub")
def title_history(sb: Sandbox, call: Call, xuid: str, decorations: str | None) -> httpx.Response:
    """Titles played, newest first, at most ``maxItems`` of them (no paging)."""
    account = _account(sb, xuid)
    if isinstance(account, httpx.Response):
        return account
    wanted = _decorations(decorations)
    raw_max = call.params.get("maxItems") or "0"
    if wanted is None or not raw_max.isdigit():
        return empty(400, headers=sb.xbl_headers())
    played = [(t, last_played(sb, account, t)) for t in account.titles]
    played.sort(key=lambda tp: tp[1].timestamp() if tp[1] else 0.0, reverse=True)
    limit = int(raw_max)
    if limit:
        played = played[:limit]
    titles = [title_json(sb, account, t, wanted, when) for t, when in played]
    return _respond(sb, call, account, titles, played[0][1] if played else None)


@route("GET", HOST,
       r"/users/xuid\((?P<xuid>[^)]*)\)/titles/titleid\((?P<title_id>[^)]*)\)"
       r"(?:/decoration/(?P<decorations>[^/]*))?",
       service="titlehub")
def title_info(sb: Sandbox, call: Call, xuid: str, title_id: str,
               decorations: str | None) -> httpx.Response:
    """One title as seen by a player; an unknown title gives an empty ``titles`` list."""
    account = _account(sb, xuid)
    if isinstance(account, httpx.Response):
        return account
    wanted = _decorations(decorations)
    if wanted is None or not unquote(title_id).isdigit():
        return empty(400, headers=sb.xbl_headers())
    title = next((t for t in sb.world.titles if t.title_id == int(unquote(title_id))), None)
    if title is None:
        return _respond(sb, call, account, [], None)
    when = last_played(sb, account, title)
    return _respond(sb, call, account, [title_json(sb, account, title, wanted, when)], when)

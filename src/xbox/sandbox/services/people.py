"""Friends: peoplehub.xboxlive.com (modern, contract 3) and social.xboxlive.com (contract 1/2).

Spec §4 "People / friends". A player's friends are the xuids in ``Account.friends`` (the
people they follow); followers are everyone whose list names them. Peoplehub person objects
follow the recorded key set and order (xbox-webapi-python ``people_friends_own.json``); the
decorated blocks (``preferredColor``, ``detail``, ``multiplayerSummary``,
``presenceDetails``) appear only when their decoration is in the comma-separated path
segment. Favourites, "added" dates and colours are derived from the world seed.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, empty, json_response, route
from .achievements import dotnet_time
from .profile import invalid_xuid, valid_xuid

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account

PEOPLEHUB = r"peoplehub\.xboxlive\.com"
SOCIAL = r"social\.xboxlive\.com"
MAX_BATCH = 100
MAX_PEOPLE = 1000  # the follow limit; availablePeopleSlots counts down from it
DECORATIONS = {"preferredcolor", "detail", "multiplayersummary", "presencedetail"}
# (primary, secondary, tertiary) colour themes as Xbox profiles carry them.
_COLORS = [("744DA9", "24153B", "4c208a"), ("107c10", "102b14", "155715"),
           ("0078d7", "001b3d", "004b87"), ("e81123", "3d0409", "8e0a15")]


def _hash(sb: Sandbox, *parts: object) -> int:
    key = ":".join(str(p) for p in (sb.world.seed, *parts)).encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big")


def is_favorite(sb: Sandbox, owner: Account, xuid: str) -> bool:
    """About one friend in four is a favourite, fixed per (seed, owner, friend)."""
    return xuid in owner.friends and _hash(sb, "fav", owner.xuid, xuid) % 4 == 0


def _added(sb: Sandbox, owner: Account, xuid: str) -> str:
    h = _hash(sb, "added", owner.xuid, xuid)
    when = sb.world.epoch - timedelta(minutes=h % (60 * 24 * 365 * 5), microseconds=h % 999_983)
    return dotnet_time(when)


def _followers(sb: Sandbox, xuid: str) -> int:
    return sum(1 for a in sb.world.accounts if xuid in a.friends)


def _ago(sb: Sandbox, account: Account) -> str:
    minutes = int((sb.world.epoch - account.last_seen).total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)}m"
    if minutes < 60 * 24:
        return f"{minutes // 60}h"
    return f"{minutes // (60 * 24)}d"


def _presence_text(sb: Sandbox, account: Account) -> str:
    title = account.last_seen_title
    if account.presence_state == "Online":
        return title.name if title else "Online"
    if title is None:
        return "Offline"
    return f"Last seen {_ago(sb, account)} ago: {title.name}"


def person(sb: Sandbox, caller: Account, account: Account, decorations: set[str]) -> dict[str, Any]:
    """One peoplehub person as seen by ``caller``, with the requested decorations."""
    settings = account.profile_settings()
    online = account.presence_state == "Online"
    title = account.last_seen_title
    pic = settings["AppDisplayPicRaw"]
    out: dict[str, Any] = {
        "xuid": account.xuid,
        "isFavorite": is_favorite(sb, caller, account.xuid),
        "isFollowingCaller": caller.xuid in account.friends,
        "isFollowedByCaller": account.xuid in caller.friends,
        "isIdentityShared": False,
        "addedDateTimeUtc": _added(sb, caller, account.xuid) if account.xuid in caller.friends
        else None,
        "displayName": account.gamertag,
        "realName": account.real_name,
        "displayPicRaw": pic,
        "showUserAsAvatar": settings["ShowUserAsAvatar"],
        "gamertag": account.gamertag,
        "gamerScore": str(account.gamerscore),
        "modernGamertag": account.gamertag,
        "modernGamertagSuffix": "",
        "uniqueModernGamertag": account.gamertag,
        "xboxOneRep": account.rep,
        "presenceState": "Online" if online else "Offline",
        "presenceText": _presence_text(sb, account),
        "presenceDevices": None,
        "isBroadcasting": False,
        "isCloaked": None,
        "isQuarantined": False,
        "isXbox360Gamerpic": False,
        "lastSeenDateTimeUtc": None if online or title is None else dotnet_time(account.last_seen),
        "suggestion": {"Type": None, "Priority": 0, "Reasons": None, "TitleId": None},
        "recommendation": None,
        "search": None,
        "titleHistory": None,
    }
    if "multiplayersummary" in decorations:
        out["multiplayerSummary"] = {"InMultiplayerSession": 0, "InParty": 0}
    out["recentPlayer"] = {"titles": [], "text": None}
    out["follower"] = {"text": None, "followedDateTime": "0001-01-01T00:00:00"}
    if "preferredcolor" in decorations:
        primary, secondary, tertiary = _COLORS[_hash(sb, "color", account.xuid) % len(_COLORS)]
        out["preferredColor"] = {"primaryColor": primary, "secondaryColor": secondary,
                                 "tertiaryColor": tertiary}
    if "presencedetail" in decorations:
        out["presenceDetails"] = [] if title is None else [{
            "IsBroadcasting": False,
            "Device": account.last_seen_device,
            "PresenceText": _presence_text(sb, account),
            "State": "Active" if online else "LastSeen",
            "TitleId": str(title.title_id),
            "TitleType": None,
            "IsPrimary": True,
            "IsGame": True,
            "RichPresenceText": None,
        }]
    out["titlePresence"] = {
        "IsCurrentlyPlaying": online and title is not None,
        "PresenceText": _presence_text(sb, account) if online else None,
        "TitleName": title.name if online and title else None,
        "TitleId": str(title.title_id) if online and title else None,
    }
    out["titleSummaries"] = None
    out["presenceTitleIds"] = [str(title.title_id)] if title else []
    if "detail" in decorations:
        out["detail"] = {
            "accountTier": account.account_tier,
            "bio": account.bio,
            "isVerified": False,
            "location": account.location,
            "tenure": str(account.tenure),
            "watermarks": [],
            "blocked": False,
            "mute": False,
            "followerCount": _followers(sb, account.xuid),
            "followingCount": len(account.friends),
            "hasGamePass": False,
        }
    out.update({
        "communityManagerTitles": None,
        "socialManager": {"titleIds": [], "pages": []},
        "broadcast": [],
        "tournamentSummary": None,
        "avatar": {"updateTimeOffset": "0001-01-01T00:00:00+00:00", "spritesheetMetadata": None},
        "linkedAccounts": [],
        "colorTheme": "gamerpicblur",
        "preferredFlag": "",
        "preferredPlatforms": [],
    })
    return out


def _decorations(raw: str) -> set[str] | None:
    wanted = {d.strip().lower() for d in unquote(raw).split(",") if d.strip()}
    return wanted if wanted <= DECORATIONS else None


def _target(sb: Sandbox, call: Call, who: str) -> Account | httpx.Response:
    """The account ``me``, ``xuid(x)`` or ``gt(name)`` names, or the error response."""
    if who == "me":
        assert call.user is not None
        return call.user
    kind, _, rest = who.partition("(")
    value = unquote(rest[:-1]) if rest.endswith(")") else ""
    if kind == "xuid":
        if not valid_xuid(value):
            return invalid_xuid(sb, value)
        account = sb.world.by_xuid.get(value)
    elif kind == "gt":
        account = sb.world.account_by_gamertag(value)
    else:
        return empty(400, headers=sb.xbl_headers())
    if account is None:
        return empty(404, headers=sb.xbl_headers())
    return account


def _hub_response(sb: Sandbox, people: list[dict[str, Any]]) -> httpx.Response:
    body = {"people": people, "recommendationSummary": None, "friendFinderState": None,
            "accountLinkDetails": None}
    return json_response(200, body, headers=sb.xbl_headers())


# -- peoplehub --------------------------------------------------------------------------------

@route("GET", PEOPLEHUB,
       r"/users/(?P<who>me|xuid\([^)]*\))/people/social(?:/decoration/(?P<decorations>[^/]*))?",
       service="peoplehub")
def hub_friends(sb: Sandbox, call: Call, who: str, decorations: str | None) -> httpx.Response:
    """The people ``who`` follows, decorated as asked."""
    target = _target(sb, call, who)
    if isinstance(target, httpx.Response):
        return target
    wanted = _decorations(decorations or "")
    if wanted is None:
        return empty(400, headers=sb.xbl_headers())
    assert call.user is not None
    people = [person(sb, call.user, sb.world.by_xuid[x], wanted)
              for x in target.friends if x in sb.world.by_xuid]
    return _hub_response(sb, people)


@route("POST", PEOPLEHUB, r"/users/me/people/batch(?:/decoration/(?P<decorations>[^/]*))?",
       service="peoplehub")
def hub_batch(sb: Sandbox, call: Call, decorations: str | None) -> httpx.Response:
    """Any users by xuid (friends or not); unknown xuids are left out."""
    body = call.json()
    wanted = _decorations(decorations or "")
    if wanted is None or not isinstance(body, dict) or not isinstance(body.get("xuids"), list):
        return empty(400, headers=sb.xbl_headers())
    xuids = [str(x) for x in body["xuids"]]
    if len(xuids) > MAX_BATCH:
        return empty(400, headers=sb.xbl_headers())
    for xuid in xuids:
        if not valid_xuid(xuid):
            return invalid_xuid(sb, xuid)
    assert call.user is not None
    people = [person(sb, call.user, sb.world.by_xuid[x], wanted)
              for x in xuids if x in sb.world.by_xuid]
    return _hub_response(sb, people)


# -- social -----------------------------------------------------------------------------------

def _social_headers(sb: Sandbox) -> dict[str, str]:
    """social.xboxlive.com's headers: ``Vary: Origin`` and a 64-hex ``x-xbl-machine-hash``."""
    machine = hashlib.sha256(f"{sb.seed}:social-machine".encode()).hexdigest()
    return {**sb.xbl_headers(), "Vary": "Origin", "x-xbl-machine-hash": machine}


def _social_person(sb: Sandbox, caller: Account, owner: Account, xuid: str) -> dict[str, Any]:
    other = sb.world.by_xuid.get(xuid)
    return {
        "xuid": xuid,
        "addedDateTimeUtc": _added(sb, owner, xuid),
        "isFavorite": is_favorite(sb, caller, xuid),
        "isKnown": False,
        "socialNetworks": [],
        "isFollowedByCaller": xuid in caller.friends,
        "isFollowingCaller": other is not None and caller.xuid in other.friends,
        "isUnfollowingFeed": False,
    }


@route("GET", SOCIAL, r"/users/(?P<who>me|xuid\([^)]*\))/people", service="social")
def social_people(sb: Sandbox, call: Call, who: str) -> httpx.Response:
    target = _target(sb, call, who)
    if isinstance(target, httpx.Response):
        return target
    assert call.user is not None
    people = [_social_person(sb, call.user, target, x) for x in target.friends]
    return json_response(200, {"totalCount": len(people), "people": people},
                         headers=_social_headers(sb))


@route("POST", SOCIAL, r"/users/me/people/xuids", service="social")
def social_people_batch(sb: Sandbox, call: Call) -> httpx.Response:
    """The caller's relation to each given xuid, in the ``/people`` shape (people_batch)."""
    body = call.json()
    if not isinstance(body, dict) or not isinstance(body.get("xuids"), list) \
            or len(body["xuids"]) > MAX_BATCH:
        return empty(400, headers=sb.xbl_headers())
    xuids = [str(x) for x in body["xuids"]]
    for xuid in xuids:
        if not valid_xuid(xuid):
            return invalid_xuid(sb, xuid)
    caller = call.user
    assert caller is not None
    people = [_social_person(sb, caller, caller, x) for x in xuids if x in caller.friends]
    return json_response(200, {"totalCount": len(people), "people": people},
                         headers=_social_headers(sb))


@route("GET", SOCIAL, r"/users/(?P<who>me|xuid\([^)]*\)|gt\([^)]*\))/summary", service="social")
def social_summary(sb: Sandbox, call: Call, who: str) -> httpx.Response:
    """Follow counts and the caller's relation to the target; slot counts only for ``me``."""
    target = _target(sb, call, who)
    if isinstance(target, httpx.Response):
        return target
    caller = call.user
    assert caller is not None
    body: dict[str, Any] = {
        "targetFollowingCount": len(target.friends),
        "targetFollowerCount": _followers(sb, target.xuid),
        "isCallerFollowingTarget": target.xuid in caller.friends,
        "isTargetFollowingCaller": caller.xuid in target.friends,
        "hasCallerMarkedTargetAsFavorite": is_favorite(sb, caller, target.xuid),
        "hasCallerMarkedTargetAsIdentityShared": False,
        "legacyFriendStatus": "None",
    }
    if who == "me":
        body["availablePeopleSlots"] = MAX_PEOPLE - len(caller.friends)
        body["recentChangeCount"] = _hash(sb, "changes", caller.xuid) % 10
        body["watermark"] = str(_hash(sb, "watermark", caller.xuid) % 10**19)
    return json_response(200, body, headers=_social_headers(sb))

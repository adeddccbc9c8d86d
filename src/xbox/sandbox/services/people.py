"""Friends: peoplehub.xboxlive.com (contracts 3 and 7) and social.xboxlive.com (1, 2, 5).

Spec §4 "People / friends". A player follows the xuids in ``Account.friends``; their
followers are everyone whose list names them; a *friend* (contract 7's notion, since the
late-2024 friend system) is someone followed both ways.

**Peoplehub person records** carry all 46 keys of the recordings (``people_*.json``) in
their order, whatever is asked: a block whose decoration is not asked is ``null`` (the
batch, by-xuid and recommendations recordings show it). The 15 decorations are the ones
both peers enumerate -- suggestion, recentplayer, follower, preferredcolor, detail,
multiplayersummary, presencedetail, titlepresence, titlesummary, presencetitleids,
communitymanagertitles, socialmanager, broadcast, tournamentsummary, avatar -- matched
case-insensitively (python-xbox sends ``preferredColor``); any other is an empty 400. The
caller's *own* list (``/users/me/people/social``) also fills suggestion, recentPlayer,
follower, titlePresence, presenceTitleIds, socialManager, broadcast and avatar unasked, as
the 2020 recording of it shows.

**Contract 7** (python-xbox, which moved to it because contract 3 "no longer provides some
data"): adds ``isFriend``, ``isFriendRequestReceived`` and ``isFriendRequestSent`` after
``presenceDevices``, ten friend-system keys to ``detail``, camelCase keys inside
``multiplayerSummary``, and the paths ``/people/friends`` (friends),
``/people/followers`` and ``/users/me/people/xuids(X)`` (one person), as python-xbox's
2025 recorded bodies show. Contract 5 (a community client's choice) gets the same shapes.

A batch (``POST /users/me/people/batch``) answers, as recorded, with null display names and
no bio, location or tenure in ``detail``; only the caller's own ``isCloaked`` is told.

**Social writes**: ``PUT``/``DELETE /users/me/people/xuid(X)`` follow and unfollow (204, no
body; both idempotent), changing every later read. Assumptions where nothing is recorded:
a malformed xuid is an empty 400 (the services' own bodies are unrecorded; profile's is not
borrowed), an unknown user an empty 404, an unserved contract an empty 406; following past
the limit answers 400 ``{"code":1028,"description":…}`` (the code a community client
matches for "friend list full"); the limit is 2000 (raised from 1000 in August 2024, per
the same client). ``titleSummaries`` and ``communityManagerTitles`` are null in every
recording, so their items have no known shape: asked for, they are empty lists;
``tournamentSummary`` stays null even when asked (tournaments are retired).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, empty, json_response, route
from ..eras import is_today
from ._wire import bad_request, contract, not_found, valid_xuid
from .achievements import dotnet_time

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account

PEOPLEHUB = r"peoplehub\.xboxlive\.com"
SOCIAL = r"social\.xboxlive\.com"
MAX_BATCH = 100
MAX_PEOPLE = 2000  # the follow limit; availablePeopleSlots counts down from it
DECORATIONS = frozenset({
    "suggestion", "recentplayer", "follower", "preferredcolor", "detail",
    "multiplayersummary", "presencedetail", "titlepresence", "titlesummary",
    "presencetitleids", "communitymanagertitles", "socialmanager", "broadcast",
    "tournamentsummary", "avatar"})
# What the caller's own list carries unasked (people_friends_own.json, 2020).
OWN_LIST_BLOCKS = frozenset({"suggestion", "recentplayer", "follower", "titlepresence",
                             "presencetitleids", "socialmanager", "broadcast", "avatar"})
LIST_FULL = 1028
# (primary, secondary, tertiary) colour themes as Xbox profiles carry them.
_COLORS = [("744DA9", "24153B", "4c208a"), ("107c10", "102b14", "155715"),
           ("0078d7", "001b3d", "004b87"), ("e81123", "3d0409", "8e0a15")]
_FRIEND_FINDER = {
    "facebookOptInStatus": "ShowPrompt", "facebookTokenStatus": "Unknown",
    "phoneOptInStatus": "Excluded", "phoneTokenStatus": "Unknown",
    "steamTokenStatus": "NotRequired", "steamOptInStatus": "ShowPrompt",
    "discordTokenStatus": "Unknown", "discordOptInStatus": "ShowPrompt",
    "instagramTokenStatus": "Unknown", "instagramOptInStatus": "Excluded",
    "mixerTokenStatus": "Unknown", "mixerOptInStatus": "Excluded",
    "redditTokenStatus": "Unknown", "redditOptInStatus": "ShowPrompt",
    "twitchTokenStatus": "Unknown", "twitchOptInStatus": "ShowPrompt",
    "twitterTokenStatus": "Unknown", "twitterOptInStatus": "ShowPrompt",
    "youTubeTokenStatus": "Unknown", "youTubeOptInStatus": "Excluded",
}
# How many of each kind a recommendations answer holds, as recorded (20 + 10).
_RECOMMEND = (("FriendOfFriend", "Friend of friends", 20), ("Follower", "Is a follower", 10))


def _hash(sb: Sandbox, *parts: object) -> int:
    key = ":".join(str(p) for p in (sb.world.seed, *parts)).encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big")


def is_favorite(sb: Sandbox, owner: Account, xuid: str) -> bool:
    """About one friend in four is a favourite, fixed per (seed, owner, friend)."""
    return xuid in owner.friends and _hash(sb, "fav", owner.xuid, xuid) % 4 == 0


def preferred_color(sb: Sandbox, xuid: str) -> dict[str, str]:
    """A user's colour theme, the same in every service that shows it."""
    primary, secondary, tertiary = _COLORS[_hash(sb, "color", xuid) % len(_COLORS)]
    return {"primaryColor": primary, "secondaryColor": secondary, "tertiaryColor": tertiary}


def is_friend(sb: Sandbox, a: Account, xuid: str) -> bool:
    """Friends (contract 7) follow each other."""
    other = sb.world.by_xuid.get(xuid)
    return other is not None and xuid in a.friends and a.xuid in other.friends


def _added(sb: Sandbox, owner: Account, xuid: str) -> str:
    h = _hash(sb, "added", owner.xuid, xuid)
    when = sb.world.epoch - timedelta(minutes=h % (60 * 24 * 365 * 5), microseconds=h % 999_983)
    return dotnet_time(when)


def _followers(sb: Sandbox, xuid: str) -> list[Account]:
    return [a for a in sb.world.accounts if xuid in a.friends]


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
    """One contract-3 peoplehub person as ``caller`` sees it; blocks not in ``decorations``
    are null."""
    settings = account.profile_settings()
    online = account.presence_state == "Online"
    title = account.last_seen_title
    wanted = decorations

    def block(name: str, value: Any) -> Any:
        return value if name in wanted else None

    presence_details = [] if title is None else [{
        "IsBroadcasting": False, "Device": account.last_seen_device,
        "PresenceText": _presence_text(sb, account),
        "State": "Active" if online else "LastSeen", "TitleId": str(title.title_id),
        "TitleType": None, "IsPrimary": True, "IsGame": True, "RichPresenceText": None,
    }]
    return {
        "xuid": account.xuid,
        "isFavorite": is_favorite(sb, caller, account.xuid),
        "isFollowingCaller": caller.xuid in account.friends,
        "isFollowedByCaller": account.xuid in caller.friends,
        "isIdentityShared": False,
        "addedDateTimeUtc": _added(sb, caller, account.xuid) if account.xuid in caller.friends
        else None,
        "displayName": account.gamertag,
        "realName": account.real_name,
        "displayPicRaw": settings["AppDisplayPicRaw"],
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
        # Only one's own cloak state is told (people_batch.json: false for the caller).
        "isCloaked": False if account is caller else None,
        "isQuarantined": False,
        "isXbox360Gamerpic": False,
        "lastSeenDateTimeUtc": None if online or title is None else dotnet_time(account.last_seen),
        "suggestion": block("suggestion", {"Type": None, "Priority": 0, "Reasons": None,
                                           "TitleId": None}),
        "recommendation": None,
        "search": None,
        "titleHistory": None,
        "multiplayerSummary": block("multiplayersummary",
                                    {"InMultiplayerSession": 0, "InParty": 0}),
        "recentPlayer": block("recentplayer", {"titles": [], "text": None}),
        "follower": block("follower", {"text": None, "followedDateTime": "0001-01-01T00:00:00"}),
        "preferredColor": block("preferredcolor", preferred_color(sb, account.xuid)),
        "presenceDetails": block("presencedetail", presence_details),
        "titlePresence": block("titlepresence", {
            "IsCurrentlyPlaying": online and title is not None,
            "PresenceText": _presence_text(sb, account) if online else None,
            "TitleName": title.name if online and title else None,
            "TitleId": str(title.title_id) if online and title else None,
        }),
        "titleSummaries": block("titlesummary", []),
        "presenceTitleIds": block("presencetitleids",
                                  [str(title.title_id)] if title else []),
        "detail": block("detail", {
            "accountTier": account.account_tier,
            "bio": account.bio,
            "isVerified": False,
            "location": account.location,
            "tenure": str(account.tenure),
            "watermarks": [],
            "blocked": False,
            "mute": False,
            "followerCount": len(_followers(sb, account.xuid)),
            "followingCount": len(account.friends),
            "hasGamePass": False,
        }),
        "communityManagerTitles": block("communitymanagertitles", []),
        "socialManager": block("socialmanager", {"titleIds": [], "pages": []}),
        "broadcast": block("broadcast", []),
        "tournamentSummary": None,
        "avatar": block("avatar", {"updateTimeOffset": "0001-01-01T00:00:00+00:00",
                                   "spritesheetMetadata": None}),
        "linkedAccounts": [],
        "colorTheme": "gamerpicblur",
        "preferredFlag": "",
        "preferredPlatforms": [],
    }


# The party chat's service config id, as recorded (people_friends_own.json, 2025): Xbox's own.
PARTY_SCID = "7492baca-c1b4-440d-a391-b7ef364a8d40"


def in_party(sb: Sandbox, account: Account) -> bool:
    """About one person in three is in a party chat, fixed per (seed, xuid)."""
    return _hash(sb, "party", account.xuid) % 3 == 0


def multiplayer_summary_v7(sb: Sandbox, account: Account) -> dict[str, Any]:
    """Contract 7's camelCase ``multiplayerSummary``; someone in a party chat also has
    ``joinableActivities`` and ``partyDetails``, as recorded (people_friends_own.json, 2025:
    one of two friends; its counts stay 0 beside the party, as recorded)."""
    out: dict[str, Any] = {"inMultiplayerSession": 0, "inParty": 0}
    if in_party(sb, account):
        h = _hash(sb, "party-session", account.xuid)
        out["joinableActivities"] = []
        out["partyDetails"] = [{
            "sessionRef": {"scid": PARTY_SCID, "templateName": "chat",
                           "name": str(uuid.UUID(int=h << 64 | h, version=4))},
            "status": "active", "visibility": "open", "joinRestriction": "followed",
            "accepted": 1 + h % 4,
        }]
    return out


def person_v7(sb: Sandbox, caller: Account, account: Account,
              decorations: set[str]) -> dict[str, Any]:
    """The contract-7 person: the contract-3 one with the friend-system keys."""
    base = person(sb, caller, account, decorations)
    friend = is_friend(sb, caller, account.xuid)
    out: dict[str, Any] = {}
    for key, value in base.items():
        out[key] = value
        if key == "presenceDevices":
            out.update({"isFriend": friend, "isFriendRequestReceived": False,
                        "isFriendRequestSent": False})
    if out["multiplayerSummary"] is not None:
        out["multiplayerSummary"] = multiplayer_summary_v7(sb, account)
    if out["detail"] is not None:
        out["detail"] = {**out["detail"], **{
            "isFriend": friend, "canBeFriended": True, "canBeFollowed": True,
            "friendCount": sum(is_friend(sb, account, x) for x in account.friends),
            "isFriendRequestReceived": False, "isFriendRequestSent": False,
            "isFriendListShared": True,
            "isFollowingCaller": base["isFollowingCaller"],
            "isFollowedByCaller": base["isFollowedByCaller"],
            "isFavorite": base["isFavorite"],
        }}
    return out


def _decorations(raw: str | None) -> set[str] | None:
    wanted = {d.strip().lower() for d in unquote(raw or "").split(",") if d.strip()}
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
            return bad_request(sb)
        account = sb.world.by_xuid.get(value)
    elif kind == "gt":
        account = sb.world.account_by_gamertag(value)
    else:
        return bad_request(sb)
    if account is None:
        return not_found(sb)
    return account


def _hub_response(sb: Sandbox, people: list[dict[str, Any]],
                  summary: dict[str, Any] | None = None,
                  finder: dict[str, Any] | None = None) -> httpx.Response:
    body = {"people": people, "recommendationSummary": summary, "friendFinderState": finder,
            "accountLinkDetails": None}
    return json_response(200, body, headers=sb.xbl_headers())


def _hub_request(sb: Sandbox, call: Call, decorations: str | None
                 ) -> tuple[str, set[str]] | httpx.Response:
    """(shape, decorations) of a peoplehub request, or the refusal."""
    shape = contract(sb, call, "peoplehub")
    if isinstance(shape, httpx.Response):
        return shape
    wanted = _decorations(decorations)
    if wanted is None:
        return bad_request(sb)
    return shape, wanted


def _people(sb: Sandbox, caller: Account, xuids: list[str], shape: str,
            wanted: set[str]) -> list[dict[str, Any]]:
    make = person_v7 if shape == "v7" else person
    return [make(sb, caller, sb.world.by_xuid[x], wanted) for x in xuids
            if x in sb.world.by_xuid]


# -- peoplehub --------------------------------------------------------------------------------

DECORATED = r"(?:/decoration/(?P<decorations>[^/]*))?"


@route("GET", PEOPLEHUB,
       r"/users/(?P<who>me|xuid\([^)]*\))/people/(?P<kind>social|friends|followers)" + DECORATED,
       service="peoplehub")
def hub_list(sb: Sandbox, call: Call, who: str, kind: str,
             decorations: str | None) -> httpx.Response:
    """Whom ``who`` follows (social), their friends (both ways), or their followers."""
    request = _hub_request(sb, call, decorations)
    if isinstance(request, httpx.Response):
        return request
    shape, wanted = request
    target = _target(sb, call, who)
    if isinstance(target, httpx.Response):
        return target
    caller = call.user
    assert caller is not None
    if kind == "social":
        xuids = list(target.friends)
    elif kind == "friends":
        xuids = [x for x in target.friends if is_friend(sb, target, x)]
    else:
        xuids = [a.xuid for a in _followers(sb, target.xuid)]
    if target is caller and kind != "followers":
        wanted = wanted | OWN_LIST_BLOCKS
    return _hub_response(sb, _people(sb, caller, xuids, shape, wanted))


@route("GET", PEOPLEHUB, r"/users/me/people/xuids\((?P<xuid>[^)]*)\)" + DECORATED,
       service="peoplehub")
def hub_one(sb: Sandbox, call: Call, xuid: str, decorations: str | None) -> httpx.Response:
    """One user as the caller sees them (python-xbox's profile look-up)."""
    request = _hub_request(sb, call, decorations)
    if isinstance(request, httpx.Response):
        return request
    shape, wanted = request
    target = _target(sb, call, f"xuid({xuid})")
    if isinstance(target, httpx.Response):
        return target
    assert call.user is not None
    return _hub_response(sb, _people(sb, call.user, [target.xuid], shape, wanted))


@route("POST", PEOPLEHUB, r"/users/me/people/batch" + DECORATED, service="peoplehub")
def hub_batch(sb: Sandbox, call: Call, decorations: str | None) -> httpx.Response:
    """Any users by xuid (friends or not); unknown xuids are left out."""
    request = _hub_request(sb, call, decorations)
    if isinstance(request, httpx.Response):
        return request
    shape, wanted = request
    body = call.json()
    if not isinstance(body, dict) or not isinstance(body.get("xuids"), list):
        return bad_request(sb)
    xuids = [str(x) for x in body["xuids"]]
    if len(xuids) > MAX_BATCH or not all(valid_xuid(x) for x in xuids):
        return bad_request(sb)
    assert call.user is not None
    people = _people(sb, call.user, xuids, shape, wanted)
    for entry in people:
        # As recorded (people_batch.json): a batch names no display name, and its detail
        # block carries no bio, location or tenure.
        entry["displayName"] = None
        if entry["detail"] is not None:
            entry["detail"].update({"bio": None, "location": None, "tenure": None})
    return _hub_response(sb, people)


def recommendations_for(sb: Sandbox, caller: Account) -> list[tuple[str, str, str]]:
    """(xuid, type, reason) of the people suggested to ``caller``: friends of friends, then
    followers the caller does not follow back."""
    known = {caller.xuid, *caller.friends}
    friends_of_friends: list[str] = []
    for friend in caller.friends:
        for xuid in getattr(sb.world.by_xuid.get(friend), "friends", []):
            if xuid not in known and xuid not in friends_of_friends:
                friends_of_friends.append(xuid)
    followers = [a.xuid for a in _followers(sb, caller.xuid) if a.xuid not in known]
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for (kind, reason, limit), pool in zip(_RECOMMEND, (friends_of_friends, followers),
                                           strict=True):
        picked = [x for x in pool if x not in seen][:limit]
        seen.update(picked)
        out += [(x, kind, reason) for x in picked]
    return out


@route("GET", PEOPLEHUB, r"/users/me/people/recommendations" + DECORATED, service="peoplehub")
def hub_recommendations(sb: Sandbox, call: Call, decorations: str | None) -> httpx.Response:
    """People the caller may know, with the recorded summary and friend-finder blocks.

    As recorded, recommended people carry no display name, added date or linked accounts,
    and every decoration block is null: the 2025 recording answers python-xbox's
    ``/recommendations/decoration/detail`` with ``detail`` null too, so the decorations
    asked are checked but fill nothing.
    """
    request = _hub_request(sb, call, decorations)
    if isinstance(request, httpx.Response):
        return request
    shape, _wanted = request
    caller = call.user
    assert caller is not None
    picks = recommendations_for(sb, caller)
    people = []
    for xuid, kind, reason in picks:
        entry = _people(sb, caller, [xuid], shape, set())[0]
        entry.update({"addedDateTimeUtc": None, "displayName": None, "linkedAccounts": None,
                      "recommendation": {"Type": kind, "Reasons": [reason]}})
        people.append(entry)
    counts = {kind: sum(p[1] == kind for p in picks) for kind, _r, _n in _RECOMMEND}
    summary: dict[str, Any] = {
        "friendOfFriend": counts["FriendOfFriend"], "facebookFriend": 0, "phoneContact": 0,
        "follower": counts["Follower"], "VIP": 0, "steamFriend": 0,
        "promoteSuggestions": False,
    }
    if shape == "v7":
        summary["communitySuggestion"] = 0
    return _hub_response(sb, people, summary, dict(_FRIEND_FINDER))


# -- social -----------------------------------------------------------------------------------

def _social_headers(sb: Sandbox) -> dict[str, str]:
    """social.xboxlive.com's headers: ``Vary: Origin`` and a 64-hex ``x-xbl-machine-hash``."""
    machine = hashlib.sha256(f"{sb.seed}:social-machine".encode()).hexdigest()
    return {**sb.xbl_headers(), "Vary": "Origin", "x-xbl-machine-hash": machine}


def _social_version(sb: Sandbox, call: Call) -> str | httpx.Response:
    return contract(sb, call, "social", headers=_social_headers(sb))


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
    if isinstance(refused := _social_version(sb, call), httpx.Response):
        return refused
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
    if isinstance(refused := _social_version(sb, call), httpx.Response):
        return refused
    body = call.json()
    if not isinstance(body, dict) or not isinstance(body.get("xuids"), list) \
            or len(body["xuids"]) > MAX_BATCH:
        return bad_request(sb)
    xuids = [str(x) for x in body["xuids"]]
    if not all(valid_xuid(x) for x in xuids):
        return bad_request(sb)
    caller = call.user
    assert caller is not None
    people = [_social_person(sb, caller, caller, x) for x in xuids if x in caller.friends]
    return json_response(200, {"totalCount": len(people), "people": people},
                         headers=_social_headers(sb))


@route("GET", SOCIAL, r"/users/(?P<who>me|xuid\([^)]*\)|gt\([^)]*\))/summary", service="social")
def social_summary(sb: Sandbox, call: Call, who: str) -> httpx.Response:
    """Follow counts and the caller's relation to the target; slot counts only for ``me``.

    Today (era 2025) the answer leads with ``isFriend``, as the 2025 recordings show it (and
    python-xbox's model requires it); in the 2018 and 2014 eras it is the 2018 recordings'
    shape, without it. Every served contract version answers the era's shape: the 2018
    recordings and the 2025 ones were both asked with the clients' contract 2.
    """
    if isinstance(refused := _social_version(sb, call), httpx.Response):
        return refused
    target = _target(sb, call, who)
    if isinstance(target, httpx.Response):
        return target
    caller = call.user
    assert caller is not None
    body: dict[str, Any] = {}
    if is_today(sb.era):
        body["isFriend"] = is_friend(sb, caller, target.xuid)
    body.update({
        "targetFollowingCount": len(target.friends),
        "targetFollowerCount": len(_followers(sb, target.xuid)),
        "isCallerFollowingTarget": target.xuid in caller.friends,
        "isTargetFollowingCaller": caller.xuid in target.friends,
        "hasCallerMarkedTargetAsFavorite": is_favorite(sb, caller, target.xuid),
        "hasCallerMarkedTargetAsIdentityShared": False,
        "legacyFriendStatus": "None",
    })
    if who == "me":
        body["availablePeopleSlots"] = MAX_PEOPLE - len(caller.friends)
        body["recentChangeCount"] = _hash(sb, "changes", caller.xuid) % 10
        body["watermark"] = str(_hash(sb, "watermark", caller.xuid) % 10**19)
    return json_response(200, body, headers=_social_headers(sb))


def _follow_target(sb: Sandbox, call: Call, who: str, xuid: str) -> Account | httpx.Response:
    """The account to follow or unfollow, after checking the path names the caller."""
    caller = call.user
    assert caller is not None
    owner = unquote(who)
    if owner not in ("me", f"xuid({caller.xuid})"):
        return empty(403, headers=_social_headers(sb))
    xuid = unquote(xuid)
    if not valid_xuid(xuid) or xuid == caller.xuid:
        return bad_request(sb, _social_headers(sb))
    account = sb.world.by_xuid.get(xuid)
    if account is None or account.xerr is not None:
        return not_found(sb, _social_headers(sb))
    return account


FOLLOW = r"/users/(?P<who>me|xuid\([^)]*\))/people/xuid\((?P<xuid>[^)]*)\)"


@route("PUT", SOCIAL, FOLLOW, service="social")
def follow(sb: Sandbox, call: Call, who: str, xuid: str) -> httpx.Response:
    """Follow someone (204); following them again changes nothing."""
    if isinstance(refused := _social_version(sb, call), httpx.Response):
        return refused
    target = _follow_target(sb, call, who, xuid)
    if isinstance(target, httpx.Response):
        return target
    caller = call.user
    assert caller is not None
    if target.xuid not in caller.friends:
        if len(caller.friends) >= MAX_PEOPLE:
            return json_response(400, {"code": LIST_FULL,
                                       "description": "The people list is full."},
                                 headers=_social_headers(sb))
        caller.friends.append(target.xuid)
    return empty(204, headers=_social_headers(sb))


@route("DELETE", SOCIAL, FOLLOW, service="social")
def unfollow(sb: Sandbox, call: Call, who: str, xuid: str) -> httpx.Response:
    """Stop following someone (204), whether or not the caller followed them."""
    if isinstance(refused := _social_version(sb, call), httpx.Response):
        return refused
    target = _follow_target(sb, call, who, xuid)
    if isinstance(target, httpx.Response):
        return target
    caller = call.user
    assert caller is not None
    if target.xuid in caller.friends:
        caller.friends.remove(target.xuid)
    return empty(204, headers=_social_headers(sb))

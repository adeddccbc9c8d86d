"""``sandbox.invalid``: the test controls of a served sandbox, over HTTP.

Not an Xbox Live service: the sandbox's own host (``.invalid`` is reserved, RFC 2606), for
tests and demos that run the sandbox in another process (``xbox sandbox serve``) and want
its world to change now. Each route is a :class:`xbox.sandbox.activity.Activity` control or
an :class:`xbox.sandbox.services.rta.RtaHub` one; a JSON body names the user (``who``: a
gamertag or an xuid) and the rest::

    POST /sandbox.invalid/activity/start        {"pace": 1.5}
    POST /sandbox.invalid/activity/stop
    POST /sandbox.invalid/activity/play          {"who": "JoeAlcorn", "title": "Halo 5: Guardians"}
    POST /sandbox.invalid/activity/online        {"who": ..., "device": "Scarlett"}
    POST /sandbox.invalid/activity/offline       {"who": ...}
    POST /sandbox.invalid/activity/rich_presence {"who": ..., "text": "Boss fight"}
    POST /sandbox.invalid/activity/achievement   {"who": ..., "title": ..., "achievement_id": 3}
    POST /sandbox.invalid/activity/clip          {"who": ..., "title": ...}
    POST /sandbox.invalid/activity/screenshot    {"who": ..., "title": ...}
    POST /sandbox.invalid/activity/stat          {"who": ..., "title": ..., "name": "Kills", "value": 7}
    POST /sandbox.invalid/activity/friend_added  {"who": ..., "friend": ...}
    POST /sandbox.invalid/activity/friend_removed {"who": ..., "friend": ...}
    GET  /sandbox.invalid/activity/changes
    POST /sandbox.invalid/rta/drop               {"who": ...}   (optional: everyone)
    POST /sandbox.invalid/rta/resync             {"who": ...}
    GET  /sandbox.invalid/rta/connections

Answers are JSON: the change(s) made, or ``{"error": ...}`` with 400 (bad body) or 404
(no such user or title).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from .._http import Call, json_response, route

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Capture

HOST = r"sandbox\.invalid"


def _capture(capture: Capture) -> dict[str, Any]:
    return {"what": capture.kind, "id": capture.id, "xuid": capture.xuid,
            "title_id": capture.title.title_id, "title": capture.title.name,
            "recorded": capture.recorded.isoformat()}


def _change(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [_change(v) for v in value]
    if hasattr(value, "as_json"):
        return value.as_json()
    return _capture(value)


_ACTIONS: dict[str, Callable[[Sandbox, dict[str, Any]], Any]] = {
    "play": lambda sb, b: sb.activity.play(b["who"], b.get("title"), device=b.get("device"),
                                           rich_presence=b.get("rich_presence")),
    "online": lambda sb, b: sb.activity.online(b["who"], device=b.get("device")),
    "offline": lambda sb, b: sb.activity.offline(b["who"]),
    "rich_presence": lambda sb, b: sb.activity.set_rich_presence(b["who"], str(b["text"])),
    "achievement": lambda sb, b: sb.activity.unlock_achievement(
        b["who"], b.get("title"), b.get("achievement_id")),
    "clip": lambda sb, b: sb.activity.record_clip(b["who"], b.get("title")),
    "screenshot": lambda sb, b: sb.activity.take_screenshot(b["who"], b.get("title")),
    "stat": lambda sb, b: sb.activity.set_stat(b["who"], b["title"], str(b["name"]),
                                               int(b["value"])),
    "friend_added": lambda sb, b: sb.activity.add_friend(b["who"], str(b["friend"])),
    "friend_removed": lambda sb, b: sb.activity.remove_friend(b["who"], str(b["friend"])),
}


def _body(call: Call) -> dict[str, Any]:
    body = call.json()
    return body if isinstance(body, dict) else {}


@route("POST", HOST, r"/activity/(?P<action>[a-z_]+)", auth=False)
def activity(sb: Sandbox, call: Call, action: str) -> httpx.Response:
    body = _body(call)
    if action == "start":
        pace = body.get("pace")
        sb.activity.start(pace=float(pace) if isinstance(pace, int | float) else None)
        return json_response(200, {"running": True, "pace": sb.activity.pace})
    if action == "stop":
        sb.activity.stop()
        return json_response(200, {"running": False})
    handler = _ACTIONS.get(action)
    if handler is None:
        return json_response(404, {"error": f"no control {action!r}"})
    try:
        result = handler(sb, body)
    except KeyError as exc:
        missing = exc.args[0] if exc.args else ""
        if isinstance(missing, str) and missing.startswith("no sandbox"):
            return json_response(404, {"error": missing})
        return json_response(400, {"error": f"missing {missing!r}"})
    except (TypeError, ValueError) as exc:
        return json_response(400, {"error": str(exc)})
    return json_response(200, {"changes": _change(result)})


@route("GET", HOST, r"/activity/changes", auth=False)
def changes(sb: Sandbox, call: Call) -> httpx.Response:
    return json_response(200, {"running": sb.activity.running,
                               "changes": [c.as_json() for c in sb.activity.changes]})


@route("POST", HOST, r"/rta/(?P<action>drop|resync)", auth=False)
def rta_control(sb: Sandbox, call: Call, action: str) -> httpx.Response:
    who = _body(call).get("who")
    xuid = None
    if isinstance(who, str):
        account = sb.world.by_xuid.get(who) if who.isdigit() else sb.world.account_by_gamertag(who)
        if account is None:
            return json_response(404, {"error": f"no sandbox user {who!r}"})
        xuid = account.xuid
    count = sb.rta.drop(xuid) if action == "drop" else sb.rta.resync(xuid)
    return json_response(200, {"connections": count})


@route("GET", HOST, r"/rta/connections", auth=False)
def connections(sb: Sandbox, call: Call) -> httpx.Response:
    return json_response(200, [{
        "xuid": s.account.xuid, "gamertag": s.account.gamertag, "opened": s.opened,
        "open": s in sb.rta.sessions, "token": s.token, "subscriptions": sorted(
            s.subscriptions.values()), "received": len(s.received), "sent": len(s.sent)}
        for s in sb.rta.history])


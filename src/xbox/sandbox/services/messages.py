"""xblmessaging.xboxlive.com: the inbox, one-to-one conversations, sending and deleting.

Shapes from ``message_{get_inbox,get_conversation,new_conversation,send_message}.json``;
requests as xbox-webapi-python and python-xbox send them (contract 1; the horizon write,
contract 2; both versions served on every route, others get an empty 406):

* ``GET /network/Xbox/users/me/inbox?maxItems=N``: conversations, newest first; when more
  remain, ``primary.continuationToken`` (the last one's newest message id), and
  ``continuationToken=`` fetches the conversations after it (an assumption).
* ``GET /network/Xbox/users/me/conversations/users/xuid(X)?maxItems=N``: the conversation
  with X, its newest N messages oldest first; with no messages yet, the recorded "new
  conversation" body (MinValue timestamp, null participants and messages).
* ``POST`` to the same path ``{"parts":[{"contentType":"text","version":0,"text":…}]}``:
  ``{"messageId","conversationId"}``, creating the conversation on its first message.
* ``DELETE /network/Xbox/users/me/conversations/{id}/messages/{messageId}``: 200; the
  message stays, marked ``isDeleted`` with the text ``Deleted`` (as recorded). Deleting it
  again changes nothing and answers 200 again.
* ``PUT /network/Xbox/users/me/conversations/horizon`` with ``horizonType`` ``Delete`` (or
  ``Read``): 200; the caller no longer sees messages up to that id (or has read them).

Conversation ids are the two xuids as a .NET Guid (see
:func:`~xbox.sandbox.world_services.conversation_id`). Assumptions, with no recording
behind them: message ids are increasing decimal strings (100 ns ticks, 17 digits as
recorded) and horizons compare as numbers; a GET does not mark a conversation read; only the
sender may delete a message (403 otherwise); text longer than 256 characters (the limit the
peers enforce) and malformed bodies are empty 400s; an unknown conversation or message is
an empty 404; the continuation token of a long conversation is the id of its oldest message
returned, and ``continuationToken=`` fetches the messages before it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, empty, json_response, route
from ..world_services import Conversation, Message, conversation_id, services_world
from ._wire import bad_request, contract, forbidden, not_found, valid_xuid
from .achievements import dotnet_time

if TYPE_CHECKING:
    from ..app import Sandbox

HOST = r"xblmessaging\.xboxlive\.com"
ME = r"/network/Xbox/users/me"
MAX_TEXT = 256
DEFAULT_ITEMS = 100
MIN_VALUE = "0001-01-01T00:00:00"
SAFETY = {"version": 3, "primaryInboxMedia": "Mature", "primaryInboxText": "AllowAll",
          "primaryInboxUrl": "Mature", "secondaryInboxMedia": "Medium",
          "secondaryInboxText": "Medium", "secondaryInboxUrl": "BlockAll",
          "canUnobscure": True}


def _refused(sb: Sandbox, call: Call) -> httpx.Response | None:
    shape = contract(sb, call, "messaging")
    return shape if isinstance(shape, httpx.Response) else None


def _parts(message: Message) -> list[dict[str, Any]]:
    # Key order differs by kind, as recorded: a live user message carries unsuitableFor,
    # deleted and system messages do not.
    if message.deleted:
        return [{"contentType": "text", "text": "Deleted", "version": 0}]
    if message.system:
        return [{"contentType": "text", "text": message.text, "version": 0}]
    return [{"contentType": "text", "version": 0, "text": message.text, "unsuitableFor": []}]


def _message_json(conv: Conversation, message: Message, owner: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "contentPayload": {"content": {"parts": _parts(message)}},
        "timestamp": dotnet_time(message.sent),
        "lastUpdateTimestamp": dotnet_time(message.updated),
        "type": "ContentMessage", "networkId": "Xbox", "conversationType": "OneToOne",
        "conversationId": conv.id,
    }
    if owner is not None:  # the inbox's lastMessage names its owner, as a number
        out["owner"] = int(owner)
    out.update({"sender": message.sender, "messageId": str(message.id),
                "isDeleted": message.deleted, "isServerUpdated": False})
    return out


def _is_read(conv: Conversation, xuid: str) -> bool:
    visible = conv.visible(xuid)
    return not visible or conv.read_horizon.get(xuid, 0) >= visible[-1].id


def _summary(conv: Conversation, xuid: str) -> dict[str, Any]:
    last = conv.visible(xuid)[-1]
    return {
        "timestamp": dotnet_time(last.sent), "networkId": "Xbox", "type": "OneToOne",
        "conversationId": conv.id, "voiceId": conv.id, "participants": list(conv.participants),
        "readHorizon": str(conv.read_horizon.get(xuid, 0)),
        "deleteHorizon": str(conv.delete_horizon.get(xuid, 0)),
        "isRead": _is_read(conv, xuid), "muted": False, "folder": "Primary",
        "lastMessage": _message_json(conv, last, xuid),
    }


def _max_items(call: Call) -> int | None:
    raw = call.params.get("maxItems") or str(DEFAULT_ITEMS)
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


@route("GET", HOST, ME + r"/inbox", service="messaging")
def inbox(sb: Sandbox, call: Call) -> httpx.Response:
    """The caller's conversations, the most recently active first."""
    if (refused := _refused(sb, call)) is not None:
        return refused
    limit = _max_items(call)
    token = call.params.get("continuationToken") or ""
    if limit is None or (token and not token.isdigit()):
        return bad_request(sb)
    assert call.user is not None
    me = call.user.xuid
    convs = sorted(services_world(sb).conversations_of(me),
                   key=lambda c: c.visible(me)[-1].id, reverse=True)
    # Assumption (no recording shows an inbox past one page): the next page starts after the
    # conversation whose last message id is the token, as a long conversation pages.
    older = [c for c in convs if not token or c.visible(me)[-1].id < int(token)]
    page = older[:limit]
    primary: dict[str, Any] = {"folder": "Primary", "totalCount": len(convs),
                               "unreadCount": sum(not _is_read(c, me) for c in convs),
                               "conversations": [_summary(c, me) for c in page]}
    if len(older) > len(page):
        primary["continuationToken"] = str(page[-1].visible(me)[-1].id)
    body = {"primary": primary, "folders": [], "safetySettings": SAFETY}
    return json_response(200, body, headers=sb.xbl_headers())


def _other(sb: Sandbox, call: Call, raw: str) -> str | httpx.Response:
    xuid = unquote(raw)
    assert call.user is not None
    if not valid_xuid(xuid) or xuid == call.user.xuid:
        return bad_request(sb)
    if xuid not in sb.world.by_xuid:
        return not_found(sb)
    return xuid


@route("GET", HOST, ME + r"/conversations/users/xuid\((?P<xuid>[^)]*)\)", service="messaging")
def conversation(sb: Sandbox, call: Call, xuid: str) -> httpx.Response:
    if (refused := _refused(sb, call)) is not None:
        return refused
    other = _other(sb, call, xuid)
    if isinstance(other, httpx.Response):
        return other
    limit = _max_items(call)
    token = call.params.get("continuationToken") or ""
    if limit is None or (token and not token.isdigit()):
        return bad_request(sb)
    assert call.user is not None
    me = call.user.xuid
    conv = services_world(sb).conversation_with(me, other)
    visible = conv.visible(me) if conv is not None else []
    if conv is None or not visible:
        cid = conv.id if conv is not None else conversation_id(me, other)
        return json_response(200, _new_conversation(cid), headers=sb.xbl_headers())
    older = [m for m in visible if not token or m.id < int(token)]
    page = older[-limit:]
    more = len(older) > len(page)
    body = {
        "timestamp": dotnet_time(visible[-1].sent), "networkId": "Xbox", "type": "OneToOne",
        "conversationId": conv.id, "participants": list(conv.participants),
        "readHorizon": str(conv.read_horizon.get(me, 0)),
        "deleteHorizon": str(conv.delete_horizon.get(me, 0)),
        "isRead": _is_read(conv, me), "muted": False, "folder": "Primary",
        "messages": [_message_json(conv, m, None) for m in page],
        "continuationToken": str(page[0].id) if more and page else None,
        "voiceId": conv.id, "voiceRoster": [],
    }
    return json_response(200, body, headers=sb.xbl_headers())


def _new_conversation(cid: str) -> dict[str, Any]:
    """What the service answers for a conversation with no messages (recorded)."""
    return {"timestamp": MIN_VALUE, "networkId": "Xbox", "type": "OneToOne",
            "conversationId": cid, "participants": None, "readHorizon": "0",
            "deleteHorizon": "0", "isRead": False, "muted": False, "folder": "Unspecified",
            "messages": None, "continuationToken": None, "voiceId": cid, "voiceRoster": None}


@route("POST", HOST, ME + r"/conversations/users/xuid\((?P<xuid>[^)]*)\)", service="messaging")
def send(sb: Sandbox, call: Call, xuid: str) -> httpx.Response:
    """Send a text message; the first one to someone opens the conversation."""
    if (refused := _refused(sb, call)) is not None:
        return refused
    other = _other(sb, call, xuid)
    if isinstance(other, httpx.Response):
        return other
    body = call.json()
    parts = body.get("parts") if isinstance(body, dict) else None
    if not isinstance(parts, list) or len(parts) != 1 or not isinstance(parts[0], dict):
        return bad_request(sb)
    text = parts[0].get("text")
    if parts[0].get("contentType") != "text" or not isinstance(text, str) or not text \
            or len(text) > MAX_TEXT:
        return bad_request(sb)
    assert call.user is not None
    world = services_world(sb)
    conv = world.conversation_with(call.user.xuid, other, create=True)
    assert conv is not None
    previous = conv.messages[-1].sent if conv.messages else None
    now = datetime.fromtimestamp(sb.now(), UTC)
    message = world.post(conv, call.user.xuid, text, max(now, previous) if previous else now)
    return json_response(200, {"messageId": str(message.id), "conversationId": conv.id},
                         headers=sb.xbl_headers())


@route("DELETE", HOST, ME + r"/conversations/(?P<cid>[0-9a-fA-F-]{36})/messages/(?P<mid>\d+)",
       service="messaging")
def delete_message(sb: Sandbox, call: Call, cid: str, mid: str) -> httpx.Response:
    if (refused := _refused(sb, call)) is not None:
        return refused
    assert call.user is not None
    conv = services_world(sb).conversations.get(cid.lower())
    if conv is None or call.user.xuid not in conv.participants:
        return not_found(sb)
    message = next((m for m in conv.messages if m.id == int(mid)), None)
    if message is None:
        return not_found(sb)
    if message.sender != call.user.xuid:
        return forbidden(sb)
    if not message.deleted:
        message.deleted = True
        message.updated = max(datetime.fromtimestamp(sb.now(), UTC), message.sent)
    return empty(200, headers=sb.xbl_headers())


@route("PUT", HOST, ME + r"/conversations/horizon", service="messaging")
def horizon(sb: Sandbox, call: Call) -> httpx.Response:
    """Move the caller's delete (or read) horizon of one or more conversations."""
    if (refused := _refused(sb, call)) is not None:
        return refused
    body = call.json()
    items = body.get("conversations") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        return bad_request(sb)
    assert call.user is not None
    me = call.user.xuid
    world = services_world(sb)
    changes: list[tuple[dict[str, int], int]] = []
    for item in items:
        if not isinstance(item, dict):
            return bad_request(sb)
        kind, raw = item.get("horizonType"), str(item.get("horizon", ""))
        conv = world.conversations.get(str(item.get("conversationId", "")).lower())
        if kind not in ("Delete", "Read") or not raw.isdigit():
            return bad_request(sb)
        if conv is None or me not in conv.participants:
            return not_found(sb)
        changes.append((conv.delete_horizon if kind == "Delete" else conv.read_horizon,
                        int(raw)))
    for horizons, value in changes:
        # A horizon only moves forward: an older one changes nothing (idempotent).
        horizons[me] = max(horizons.get(me, 0), value)
    return empty(200, headers=sb.xbl_headers())

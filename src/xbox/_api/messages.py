"""xblmessaging.xboxlive.com: the inbox, one-to-one conversations, sending and deleting.

Contract 1, as both peers send it (the delete horizon: contract 2). A conversation comes
newest messages first, a page at a time (``maxItems``; ``continuationToken`` for the older
ones); the inbox the same way. Sending and deleting are writes: built ``idempotent=False``,
never sent twice by the pipeline.
"""

from __future__ import annotations

import re
from typing import Any

from .._core.call import Call, api_call
from ..exceptions import GamertagNotFound, InvalidArgument, MalformedResponse, NotFoundException
from ..ids import check_xuid
from ..models.base import parse_records
from ..models.messages import Conversation, Message, SentMessage
from . import Errors, Pages, Request

__all__ = ["HOST", "MAX_TEXT", "check_text", "conversation", "delete", "delete_conversation", "inbox", "send"]

HOST = "xblmessaging.xboxlive.com"
ME = "/network/Xbox/users/me"
CONTRACT = 1
HORIZON_CONTRACT = 2
MAX_TEXT = 256  # the longest message the service takes (both peers refuse longer ones)
PAGE = 100  # maxItems unless asked otherwise (the peers' default)

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _params(token: str | None, size: int | None) -> dict[str, Any]:
    params: dict[str, Any] = {"maxItems": size or PAGE}
    if token:
        params["continuationToken"] = token
    return params


def _object(body: Any, key: str) -> Any:
    if not isinstance(body, dict) or not isinstance(body.get(key, {}), dict | None):
        raise MalformedResponse(f"{HOST} sent no {key} object", body=body, service=HOST)
    return body.get(key) or {}


def inbox() -> Pages[Conversation]:
    """The signed-in user's conversations, the most recently active first."""
    def page(who: str | None, token: str | None, size: int | None) -> Call:
        return api_call("GET", HOST, f"{ME}/inbox", params=_params(token, size),
                        contract_version=CONTRACT)

    def read(body: Any, errors: Errors, call: Call) -> tuple[list[Conversation], Any]:
        primary = _object(body, "primary")
        items = primary.get("conversations") or []
        return (parse_records(Conversation, items, errors, warn=False),
                primary.get("continuationToken"))

    return Pages(page, read)


def _path(xuid: str | int) -> str:
    return f"{ME}/conversations/users/xuid({check_xuid(xuid)})"


def conversation(xuid: str | int) -> Pages[Message]:
    """The messages with one user, newest first (each page is sent oldest first)."""
    path = _path(xuid)

    def page(who: str | None, token: str | None, size: int | None) -> Call:
        return api_call("GET", HOST, path, params=_params(token, size),
                        contract_version=CONTRACT)

    def read(body: Any, errors: Errors, call: Call) -> tuple[list[Message], Any]:
        if not isinstance(body, dict) or not isinstance(body.get("messages") or [], list):
            raise MalformedResponse(f"{HOST} sent no messages list", body=body, service=HOST)
        items = parse_records(Message, body.get("messages") or [], errors, warn=False)
        return items[::-1], body.get("continuationToken")

    return Pages(page, read)


def check_text(text: str) -> str:
    """The text of a message, checked.

    Raises:
        InvalidArgument: an empty text, or longer than :data:`MAX_TEXT` characters.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgument("a message needs some text")
    if len(text) > MAX_TEXT:
        raise InvalidArgument(f"a message is at most {MAX_TEXT} characters, not {len(text)}")
    return text


def send(xuid: str | int, text: str) -> Request[SentMessage]:
    """A text message to one user (the first one opens the conversation)."""
    body = {"parts": [{"contentType": "text", "version": 0, "text": check_text(text)}]}
    call = api_call("POST", HOST, _path(xuid), json=body, contract_version=CONTRACT,
                    idempotent=False)
    return Request(call, SentMessage.from_wire, GamertagNotFound, f"No such user: {xuid}")


def _conversation_id(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not _GUID.fullmatch(text):
        raise InvalidArgument(f"a conversation id is a GUID like "
                              f"05907fa3-0000-0009-acbd-299772a90900, not {value!r}"[:120])
    return text.lower()


def _message_id(value: Any) -> str:
    text = str(value).strip() if isinstance(value, str | int) else ""
    if not text.isdigit():
        raise InvalidArgument(f"a message id is a number like 14670727301543890, "
                              f"not {value!r}"[:120])
    return text


def delete(message: Message | str, message_id: str | None = None) -> Request[None]:
    """Delete one of your messages: a :class:`Message`, or a conversation id and a
    message id. It stays in the conversation, marked deleted."""
    raw: tuple[Any, Any] = ((message.conversation_id, message.message_id)
                            if isinstance(message, Message) else (message, message_id))
    cid, mid = _conversation_id(raw[0]), _message_id(raw[1])
    call = api_call("DELETE", HOST, f"{ME}/conversations/{cid}/messages/{mid}",
                    contract_version=CONTRACT, idempotent=False)
    return Request(call, lambda body: None, NotFoundException,
                   f"No message {mid} in conversation {cid}")


def delete_conversation(conversation: Conversation | str,
                        horizon: str | None = None) -> Request[None]:
    """Hide a conversation's messages up to ``horizon`` (a message id; for a
    :class:`Conversation`, its newest message) from the signed-in user."""
    if isinstance(conversation, Conversation):
        newest = conversation.newest
        cid = conversation.conversation_id
        horizon = horizon if horizon is not None else (newest.message_id if newest else None)
    else:
        cid = conversation
    cid = _conversation_id(cid)
    if horizon is None:
        raise InvalidArgument("delete_conversation needs the horizon: the newest message id")
    body = {"conversations": [{"conversationId": cid, "conversationType": "OneToOne",
                               "horizonType": "Delete", "horizon": _message_id(horizon)}]}
    call = api_call("PUT", HOST, f"{ME}/conversations/horizon", json=body,
                    contract_version=HORIZON_CONTRACT, idempotent=False)
    return Request(call, lambda body: None, NotFoundException, f"No conversation {cid}")

"""xblmessaging.xboxlive.com (contract 1): conversations and their messages.

A message's text is in ``contentPayload.content.parts``; a deleted message keeps its place
with the text ``Deleted``. Message ids and horizons are decimal strings that grow with time.
A conversation never written in has a ``0001-01-01T00:00:00`` timestamp (no zone): it reads
as None.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from .base import WireDateTime, WireModel, XboxModel

__all__ = ["Conversation", "Message", "MessagePart", "SentMessage"]


class MessagePart(WireModel):
    content_type: str | None = None
    text: str | None = None
    version: int | None = None
    unsuitable_for: list[Any] = Field(default_factory=list)


class MessageContent(WireModel):
    parts: list[MessagePart] = Field(default_factory=list)


class MessagePayload(WireModel):
    content: MessageContent | None = None


class Message(XboxModel):
    """One message of a conversation. ``message_id`` is its identity; ``sender`` an xuid
    (``"0"`` for Xbox itself)."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("sender", "sender"), ("text", "text"), ("sent", "timestamp"))

    message_id: str = Field(min_length=1)
    conversation_id: str | None = None
    sender: str | None = None
    timestamp: WireDateTime | None = None
    last_update_timestamp: WireDateTime | None = None
    type: str | None = None
    network_id: str | None = None
    conversation_type: str | None = None
    owner: int | None = None
    is_deleted: bool | None = None
    is_server_updated: bool | None = None
    content_payload: MessagePayload | None = None

    @property
    def parts(self) -> list[MessagePart]:
        content = self.content_payload.content if self.content_payload else None
        return content.parts if content is not None else []

    @property
    def text(self) -> str:
        """The text of its text parts (``Deleted`` for a deleted message, as sent)."""
        return "".join(p.text or "" for p in self.parts
                       if (p.content_type or "text") == "text")

    @property
    def deleted(self) -> bool:
        return bool(self.is_deleted)

    @property
    def sent(self) -> datetime | None:
        return self.timestamp


class Conversation(XboxModel):
    """A one-to-one conversation: in the inbox with its ``last_message``, or read whole
    with its ``messages`` (oldest first, as sent). ``conversation_id`` is its identity."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("id", "conversation_id"), ("participants", "participants"))

    conversation_id: str = Field(min_length=1)
    timestamp: WireDateTime | None = None
    network_id: str | None = None
    type: str | None = None
    voice_id: str | None = None
    participants: list[str] | None = None
    read_horizon: str | None = None
    delete_horizon: str | None = None
    is_read: bool | None = None
    muted: bool | None = None
    folder: str | None = None
    last_message: Message | None = None
    messages: list[Message] | None = None
    continuation_token: str | None = None

    @property
    def id(self) -> str:
        return self.conversation_id

    @property
    def newest(self) -> Message | None:
        """The newest message known (the inbox's last message, or the last one read)."""
        return self.last_message or (self.messages[-1] if self.messages else None)

    def other(self, xuid: str) -> str | None:
        """The participant who is not ``xuid`` (the signed-in user, usually)."""
        return next((p for p in self.participants or [] if p != str(xuid)), None)


class SentMessage(XboxModel):
    """What sending answers: the new message's id and its conversation's."""

    message_id: str = Field(min_length=1)
    conversation_id: str | None = None

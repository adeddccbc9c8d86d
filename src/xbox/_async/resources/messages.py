"""messages: the signed-in user's inbox and conversations (xblmessaging.xboxlive.com)."""

from __future__ import annotations

from ..._api import messages
from ...models.messages import Conversation, Message, SentMessage
from ..paging import AsyncPaginator
from ._base import AsyncResource

__all__ = ["AsyncMessages"]


class AsyncMessages(AsyncResource):
    """``xbl.messages``: conversations, sending and deleting; writes are never retried."""

    def inbox(self, *, limit: int | None = None,
              page_size: int | None = None) -> AsyncPaginator[Conversation]:
        """The signed-in user's conversations, the most recently active first."""
        return self._paginate(messages.inbox(), None, limit, page_size)

    def conversation(self, xuid: str | int, *, limit: int | None = None,
                     page_size: int | None = None) -> AsyncPaginator[Message]:
        """The messages exchanged with one user, newest first, page after page."""
        return self._paginate(messages.conversation(xuid), None, limit, page_size)

    @staticmethod
    def check_text(text: str) -> str:
        """``text``, checked as :meth:`send` checks it, before anything is sent.

        Raises:
            InvalidArgument: an empty text, or one longer than 256 characters.
        """
        return messages.check_text(text)

    async def send(self, xuid: str | int, text: str) -> SentMessage:
        """Send a text message (at most 256 characters) to a user."""
        return await self._fetch(messages.send(xuid, text))

    async def delete(self, message: Message | str, message_id: str | None = None) -> None:
        """Delete one of your messages (a :class:`Message`, or conversation and message ids)."""
        return await self._fetch(messages.delete(message, message_id))

    async def delete_conversation(self, conversation: Conversation | str,
                                  horizon: str | None = None) -> None:
        """Hide a conversation's messages, up to its newest (or ``horizon``), from you."""
        return await self._fetch(messages.delete_conversation(conversation, horizon))

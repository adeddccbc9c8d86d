"""Where a paged listing stands: the next page's token and size, and what each page brings
(pure: the paginators of both clients only fetch what this asks for)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from ..exceptions import InvalidArgument, MalformedResponse

__all__ = ["Cursor"]

T = TypeVar("T")


class Cursor:
    """The state of one walk through a paged list.

    Args:
        limit: stop after this many items (None: all of them).
        page_size: items to ask for per page (None: the service's default).
    """

    def __init__(self, limit: int | None, page_size: int | None) -> None:
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise InvalidArgument(f"limit must be zero or more, not {limit!r}")
        self.limit = limit
        self.page_size = page_size
        self.token: str | None = None
        self.seen = 0
        self.done = limit == 0
        self._tokens: set[str] = set()

    def size(self) -> int | None:
        """How many items to ask for next (never more than the limit leaves)."""
        if self.limit is not None and self.page_size is not None:
            return min(self.page_size, self.limit - self.seen)
        return self.page_size

    def take(self, items: Sequence[T], token: Any) -> Sequence[T]:
        """The items of a page to hand out (up to the limit); remembers the next token.

        Raises:
            MalformedResponse: a token that is not a string, or one already seen (a service
                that hands back the same token would loop forever).
        """
        if self.limit is not None:
            items = items[:self.limit - self.seen]
        self.seen += len(items)
        if token is None or token == "" or (self.limit is not None and self.seen >= self.limit):
            self.done = True
            return items
        if not isinstance(token, str):
            raise MalformedResponse(
                f"the service sent a continuation token that is not a string: {token!r}"[:200])
        if token in self._tokens:
            raise MalformedResponse(f"the service repeated continuation token {token!r}"[:200])
        self._tokens.add(token)
        self.token = token
        return items

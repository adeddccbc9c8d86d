"""Auto-paging iterators: ``async for clip in xbl.clips.recent(xuid)`` walks every page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

from .._core.paging import Cursor
from ..exceptions import MalformedResponse
from ..models.base import warn_set_aside

__all__ = ["AsyncPaginator"]

T = TypeVar("T")

# fetch(continuation_token, page_size) -> (items, next_token); None token = first page.
AsyncFetch = Callable[[str | None, int | None], Awaitable[tuple[list[T], str | None]]]


class AsyncPaginator(Generic[T]):
    """Iterate every item of a paged list, fetching pages as they are needed.

    Args:
        fetch: gets one page for a continuation token.
        limit: stop after this many items (None: all of them).
        page_size: how many items to ask for per page (None: the service's default).

    Attributes:
        errors: records that could not be read and were set aside, so one bad record never
            sinks a listing. When an iteration ends (or is left early) with records set
            aside, one :class:`~xbox.models.MalformedRecord` warning gives their count and
            the first one's error.
        pages: how many pages were fetched so far.
    """

    def __init__(self, fetch: AsyncFetch[T], *, limit: int | None = None,
                 page_size: int | None = None, errors: list[MalformedResponse] | None = None) -> None:
        Cursor(limit, page_size)  # checks the limit now, not at the first iteration
        self._fetch = fetch
        self.limit = limit
        self.page_size = page_size
        self.errors: list[MalformedResponse] = errors if errors is not None else []
        self.pages = 0

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[T]:
        reported = len(self.errors)
        try:
            async for item in self._pages():
                yield item
        finally:
            warn_set_aside(self.errors[reported:])

    async def _pages(self) -> AsyncIterator[T]:
        cursor = Cursor(self.limit, self.page_size)
        while not cursor.done:
            items, token = await self._fetch(cursor.token, cursor.size())
            self.pages += 1
            for item in cursor.take(items, token):
                yield item

    async def to_list(self) -> list[T]:
        """Every item, as a list."""
        return [item async for item in self]

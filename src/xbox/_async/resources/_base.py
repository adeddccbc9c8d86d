"""What every resource shares: a handle on the client, and the three ways to send what the
pure endpoint specs of :mod:`xbox._api` build (one request, pages, batches)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from ..._api import Batch, Pages, Request
from ...exceptions import GamertagNotFound, InvalidRequest, MalformedResponse, XboxException
from ...ids import check_xuid
from ...models.base import set_aside_once
from ..paging import AsyncPaginator

if TYPE_CHECKING:
    from ..client import AsyncClient

__all__ = ["AsyncResource"]

T = TypeVar("T")


class AsyncResource:
    """A group of endpoints of one service, bound to a client."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def _xuid(self, xuid: str | int | None) -> str:
        """``xuid`` checked, or the signed-in user's (for services with no ``me`` path)."""
        if xuid is not None:
            return check_xuid(xuid)
        session = await self._client._signed_in()
        if session.xuid:
            return session.xuid
        # An XSTS token without the xid claim: ask the profile service who we are.
        return (await self._client.profiles.me(settings=("Gamertag",))).xuid

    async def _fetch(self, request: Request[T]) -> T:
        """Send one request and read its answer."""
        try:
            body = await self._client._json(request.call, not_found=request.not_found,
                                            not_found_message=request.not_found_message)
        except XboxException as exc:
            if exc.status_code in request.answers:
                return request.answers[exc.status_code]
            if not (request.invalid_is_not_found and isinstance(exc, InvalidRequest)):
                raise
            # An xuid the service calls invalid (400) is a user that does not exist.
            raise GamertagNotFound(request.not_found_message, exc.response,
                                   status_code=exc.status_code, service=exc.service,
                                   body=exc.body, correlation_id=exc.correlation_id) from None
        return request.read(body)

    def _paginate(self, pages: Pages[T], xuid: str | int | None, limit: int | None,
                  page_size: int | None) -> AsyncPaginator[T]:
        """Every record of a paged list, fetched as the iteration needs them."""
        if xuid is not None:
            xuid = check_xuid(xuid)  # fail before any request, not on the first iteration
        errors: list[MalformedResponse] = []

        async def fetch(token: str | None, size: int | None) -> tuple[list[T], str | None]:
            who = await self._xuid(xuid) if pages.needs_xuid else xuid
            call = pages.page(None if who is None else str(who), token, size)
            items, next_token = pages.read(await self._client._json(call), errors, call)
            return items, next_token

        return AsyncPaginator(fetch, limit=limit, page_size=page_size, errors=errors)

    async def _batch(self, batch: Batch[T], errors: list[MalformedResponse] | None) -> list[T]:
        """Every record of a batch look-up, chunk by chunk; one warning for what was set aside."""
        out: list[T] = []
        with set_aside_once(errors) as bad:
            for start in range(0, len(batch.ids), batch.size):
                body = await self._client._json(batch.chunk(batch.ids[start:start + batch.size]))
                out.extend(batch.read(body, bad))
        return out

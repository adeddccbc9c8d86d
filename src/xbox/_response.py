"""Response metadata of successful calls: :class:`RawResponse` and :class:`ResponseInfo`.

``xbl.with_raw_response(xbl.profiles.get, "JoeAlcorn")`` runs the call as usual and hands
back its result together with what the service answered (status, headers, correlation id),
as the Anthropic SDK's ``with_raw_response`` does. It works for every method (a paginated
list through its ``to_list``), keeps the method's types (``RawResponse[Profile]``), and
stays correct under concurrency: what one call records is its own (a context variable,
which each asyncio task and each thread has its own copy of).

Results themselves carry no metadata: they are models, lists of models, None or plain JSON,
and one call may make many requests (pages, chunks of a batch, a download's attempts).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    import httpx

__all__ = ["CORRELATION_HEADERS", "RawResponse", "ResponseInfo", "record", "recording"]

T = TypeVar("T")

#: Where Xbox Live services put the id to quote to Microsoft about a request, in order.
CORRELATION_HEADERS = ("x-xblcorrelationid", "ms-cv")


@dataclass(frozen=True)
class ResponseInfo:
    """One response a call received (no body, no request headers: nothing secret).

    Attributes:
        method: the request's method.
        url: the real URL it went to (``https://profile.xboxlive.com/...``, never the
            sandbox's mapped address), without its query.
        status_code: the HTTP status.
        headers: the response headers (case-insensitive; ``Set-Cookie`` and ``Location``
            left out: they can carry tokens).
        correlation_id: ``X-XblCorrelationId`` or ``MS-CV``, when the service sent one.
    """

    method: str
    url: str
    status_code: int
    headers: Mapping[str, str]
    correlation_id: str | None

    def __repr__(self) -> str:
        return (f"ResponseInfo({self.method} {self.url} -> {self.status_code}, "
                f"correlation_id={self.correlation_id!r})")


_SECRET_HEADERS = frozenset({"set-cookie", "location", "authorization"})


def response_info(response: httpx.Response, url: str) -> ResponseInfo:
    """What :class:`ResponseInfo` keeps of ``response`` to a request for ``url`` (real)."""
    import httpx

    headers = httpx.Headers([(k, v) for k, v in response.headers.multi_items()
                             if k.lower() not in _SECRET_HEADERS])
    correlation = next((headers[name] for name in CORRELATION_HEADERS if name in headers), None)
    return ResponseInfo(response.request.method, url.split("?", 1)[0], response.status_code,
                        headers, correlation)


@dataclass(frozen=True)
class RawResponse(Generic[T]):
    """A call's result and the responses it received.

    ``status_code``, ``headers`` and ``correlation_id`` are the last response's (for a
    single request, its only one); ``responses`` has them all, in order (each page of a
    list, each chunk of a batch). Sign-in requests made on the way are not among them.

    Attributes:
        responses: every response the call received.
    """

    _value: T
    responses: tuple[ResponseInfo, ...]

    def parse(self) -> T:
        """The call's result, as the call itself returns it."""
        return self._value

    @property
    def response(self) -> ResponseInfo:
        """The last response the call received."""
        return self.responses[-1]

    @property
    def status_code(self) -> int:
        """The last response's HTTP status."""
        return self.response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        """The last response's headers (case-insensitive)."""
        return self.response.headers

    @property
    def correlation_id(self) -> str | None:
        """The last response's ``X-XblCorrelationId`` (or ``MS-CV``)."""
        return self.response.correlation_id

    def __repr__(self) -> str:
        return f"<RawResponse {self.status_code} ({len(self.responses)} response(s))>"


# (owner, responses): a client records into it only when it is the owner, so a call of
# another client made inside with_raw_response() is not mixed in.
_RECORDER: contextvars.ContextVar[tuple[object, list[ResponseInfo]] | None] = \
    contextvars.ContextVar("xbox_raw_responses", default=None)


@contextlib.contextmanager
def recording(owner: object) -> Iterator[list[ResponseInfo]]:
    """Within the block, ``owner``'s calls record their responses into the list yielded."""
    seen: list[ResponseInfo] = []
    token = _RECORDER.set((owner, seen))
    try:
        yield seen
    finally:
        _RECORDER.reset(token)


def record(owner: object, response: httpx.Response, url: str) -> None:
    """Record ``response`` if a :func:`recording` block of ``owner`` is open."""
    active = _RECORDER.get()
    if active is not None and active[0] is owner:
        active[1].append(response_info(response, url))

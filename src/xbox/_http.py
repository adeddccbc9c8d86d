"""Where the client meets httpx: build a request from a :class:`~xbox._core.call.Call`, open
a connection pool, and turn httpx's exceptions into ours.

Imported when a client first sends, not by ``import xbox`` (httpx imports its own command
line module, and with it click, rich and pygments).
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from ._core.call import NO_BODY, Call
from ._core.urls import is_trusted_host, map_url, unmap_url
from .auth import redact
from .exceptions import InvalidArgument, MalformedResponse, Timeout, TransportError, XboxException

__all__ = ["USER_AGENT", "AsyncBudgetedBody", "BudgetedBody", "build_request", "closed_pool",
           "host_pool", "new_pool", "speaks_http2", "timeouts", "translate"]

USER_AGENT = "xbox-python/1.0"


def timeouts(timeout: Any) -> dict[str, float | None]:
    """``connect``/``read``/``write``/``pool`` seconds from a number or an ``httpx.Timeout``
    (None: 10 s to connect, 30 s for the rest)."""
    if timeout is None:
        timeout = httpx.Timeout(30.0, connect=10.0)
    elif not isinstance(timeout, httpx.Timeout):
        timeout = httpx.Timeout(timeout)
    return dict(timeout.as_dict())


def build_request(call: Call, *, base_url: str | None, timeout: Mapping[str, float | None],
                  language: str, remaining: float | None,
                  authorization: str | None = None) -> httpx.Request:
    """The ``httpx.Request`` for ``call``, sent where the base-URL mapping says.

    Args:
        remaining: seconds left of the call's budget; no single wait (connect, read,
            write, pool) may exceed it.
        authorization: the signed-in user's ``XBL3.0`` header, for a call that asks for it.

    Raises:
        InvalidArgument: the URL cannot be sent (a malformed host, say).
    """
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate",
               "Accept-Language": language}
    headers.update(call.headers)
    if authorization is not None:
        headers["Authorization"] = authorization
    # Tokens only go to Microsoft/Xbox hosts (or the mapped base URL).
    if "Authorization" in headers and not is_trusted_host(call.host):
        del headers["Authorization"]
    waits = dict(timeout)
    if call.read_timeout is not None:
        waits["read"] = call.read_timeout
    if remaining is not None:
        # send() sends a Request as it is: without these it would have no timeouts at all.
        waits = {k: remaining if v is None else min(v, remaining) for k, v in waits.items()}
    try:
        return httpx.Request(call.method, map_url(call.url, base_url), params=call.params,
                             headers=headers, json=None if call.json is NO_BODY else call.json,
                             data=call.data, content=call.content,
                             extensions={"timeout": waits})
    except (httpx.InvalidURL, ValueError) as exc:
        raise InvalidArgument(f"cannot send a request to {call.url[:80]!r}: {exc}") from None


def new_pool(kind: type[httpx.Client] | type[httpx.AsyncClient], transport: Any,
             timeout: Mapping[str, float | None], http2: bool) -> Any:
    """A connection pool; while one is open, httpcore's debug lines hide secrets."""
    redact.acquire()
    return kind(transport=transport, timeout=httpx.Timeout(**timeout),
                http2=speaks_http2(transport, http2), follow_redirects=False,
                headers={"User-Agent": USER_AGENT})


def speaks_http2(transport: Any, http2: bool) -> bool:
    """Whether a pool of :func:`new_pool` may use HTTP/2 (then a websocket handshake, which
    is HTTP/1.1 only, needs a pool of its own)."""
    return http2 and transport is None and _has_h2()


def host_pool(client: httpx.Client | httpx.AsyncClient) -> httpx.Client | httpx.AsyncClient:
    """The host application's own client, used as it is: nothing of it is changed (each
    request carries our headers and timeouts, see :func:`build_request`), and while it is in
    use httpcore's debug lines hide secrets, as for our own pools."""
    redact.acquire()
    return client


def closed_pool() -> None:
    """A pool of :func:`new_pool` was closed, or a :func:`host_pool` is no longer used."""
    redact.release()


def _has_h2() -> bool:
    # httpx imports h2 itself when asked for HTTP/2; without it (an install without
    # httpx[http2]) the pool speaks HTTP/1.1.
    return importlib.util.find_spec("h2") is not None


def real_path(request: httpx.Request, base_url: str | None) -> str:
    """``/path?query`` of a (maybe mapped) request on its real host: what a signature covers."""
    parts = urlsplit(unmap_url(str(request.url), base_url))
    return parts.path + (f"?{parts.query}" if parts.query else "")


class BudgetedBody(httpx.SyncByteStream):
    """A response body that stops with :class:`~xbox.exceptions.Timeout` once the call's
    budget has run out (``check`` raises it), however slowly the bytes drip in; httpx's own
    ``read()`` then decodes it as usual."""

    def __init__(self, stream: httpx.SyncByteStream, check: Callable[[], None]) -> None:
        self._stream, self._check = stream, check

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            self._check()
            yield chunk

    def close(self) -> None:
        self._stream.close()


class AsyncBudgetedBody(httpx.AsyncByteStream):
    """:class:`BudgetedBody` for ``httpx.AsyncClient``."""

    def __init__(self, stream: httpx.AsyncByteStream, check: Callable[[], None]) -> None:
        self._stream, self._check = stream, check

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            self._check()
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


def translate(exc: Exception, host: str, status_code: int | None = None) -> XboxException:
    """Our exception for an httpx one (whose text carries no secrets).

    Args:
        status_code: the answer's status, when the error came while reading its body.
    """
    if isinstance(exc, httpx.TimeoutException):
        return Timeout(f"{host} did not answer in time ({type(exc).__name__})", service=host)
    if isinstance(exc, httpx.DecodingError):
        return MalformedResponse(f"{host} sent a body that could not be decompressed",
                                 status_code=status_code, service=host)
    if isinstance(exc, httpx.TransportError):
        return TransportError(f"could not reach {host} ({type(exc).__name__})", service=host)
    return TransportError(f"request to {host} failed ({type(exc).__name__})", service=host)

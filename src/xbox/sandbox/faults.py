"""The fault layer: injected failures, in-process (``sandbox.transport()``) and on the socket.

A :class:`Fault` in ``sandbox.faults`` makes the next ``times`` matching requests fail in one
of the ways listed by :class:`FaultKind`. The sandbox first decides what the server does (an
:class:`Answer`: the response it would send, and the fault that damages it); then either
:func:`in_process` turns that into what an httpx client would see through a mock transport,
or the ASGI adapter (``asgi.py``) does it for real on the socket under uvicorn (resets are TCP
RSTs, truncations are short writes, hangs and drips really wait).

Timing never waits in-process: a hang ends at once with the error the client would meet, a
drip arrives in small chunks without pauses, a delay is ignored. Over HTTP every wait is
bounded by :data:`MAX_PAUSE_SECONDS` and ends when the server stops.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

import httpx

from ._http import Call, json_response, parse_query
from .limits import period_value
from .services.media import _auth_failed

if TYPE_CHECKING:
    from .app import Sandbox

__all__ = [
    "DEFAULT_DRIP_RATE",
    "DEFAULT_HANG_SECONDS",
    "MAX_PAUSE_SECONDS",
    "Answer",
    "Fault",
    "FaultKind",
    "in_process",
]

#: Over HTTP, no injected wait (hang, delay) lasts longer than this many seconds.
MAX_PAUSE_SECONDS = 60.0
#: How long a hang lasts when ``Fault.seconds`` is not given.
DEFAULT_HANG_SECONDS = 10.0
#: How long a delay lasts when ``Fault.seconds`` is not given.
DEFAULT_DELAY_SECONDS = 1.0
#: Bytes per second of a slow drip when ``Fault.rate`` is not given.
DEFAULT_DRIP_RATE = 1024


class FaultKind(StrEnum):
    """Every way a request can be made to fail; ``list(FaultKind)`` for parametrized tests.

    Answers made up in front of the service (the request is *not* served, nor counted by the
    rate limiter):

    * ``status``: ``Fault.status`` (default 500) with ``body`` and ``headers`` as given.
    * ``server_error``: a 5xx (``status`` 500, 502, 503 or 504; default 503) with Xbox Live's
      headers and an empty body; ``times=N`` makes a burst of N, then service as normal.
    * ``rate_limited``: 429, the FGRL JSON body (the route's burst limit) and
      ``Retry-After: <retry_after>`` (default 1).
    * ``rate_limited_no_retry_after``: the same 429 without ``Retry-After``.
    * ``invalid_json``: 200, ``application/json``, a body cut off mid-JSON.
    * ``html``: 200, ``text/html``: a captive portal's sign-in page.
    * ``corrupt_gzip``: 200, ``Content-Encoding: gzip``, bytes that do not inflate.
    * ``expired_signature``: Azure blob storage's 403 ``AuthenticationFailed`` XML, as the
      media hosts answer an expired signed URL (here for a URL that is still valid).
    * ``transport_error``: in-process, raise ``Fault.error`` (default ``httpx.ConnectError``):
      the request never reached the server. Over HTTP: a reset, as ``reset``.

    Damage to the real answer (the request *is* served first, side effects and rate limit
    counting included, as by a server that did the work and lost the answer):

    * ``reset``: TCP reset before any byte of the response (no status line).
    * ``reset_mid_body``: status, headers and the first ``at`` bytes of the body, then a TCP
      reset (the client may see fewer bytes: a reset discards data still in flight).
    * ``truncated``: the full ``Content-Length`` promised, the first ``at`` bytes sent, then
      the connection closes.
    * ``content_length_short``: the whole body, under a ``Content-Length`` of
      ``content_length`` (default half the body) and ``Connection: close``; the connection
      then closes.
    * ``content_length_long``: the whole body, under a ``Content-Length`` of
      ``content_length`` (default the body plus 1024); the connection then closes.
    * ``hang_headers``: nothing at all for ``seconds`` (default 10), then the connection
      closes.
    * ``hang_body``: status and headers, then nothing for ``seconds``, then the connection
      closes.
    * ``slow_drip``: the whole answer, its body at ``rate`` bytes per second (default 1024),
      in chunks of a tenth of that.
    * ``delay``: the whole answer after ``seconds`` (default 1) of silence.

    ``at`` defaults to half the body. A HEAD has no body to damage: the body kinds leave its
    headers whole (a ``Content-Length`` lie included) and only end the connection.
    """

    STATUS = "status"
    SERVER_ERROR = "server_error"
    RATE_LIMITED = "rate_limited"
    RATE_LIMITED_NO_RETRY_AFTER = "rate_limited_no_retry_after"
    INVALID_JSON = "invalid_json"
    HTML = "html"
    CORRUPT_GZIP = "corrupt_gzip"
    EXPIRED_SIGNATURE = "expired_signature"
    TRANSPORT_ERROR = "transport_error"
    RESET = "reset"
    RESET_MID_BODY = "reset_mid_body"
    TRUNCATED = "truncated"
    CONTENT_LENGTH_SHORT = "content_length_short"
    CONTENT_LENGTH_LONG = "content_length_long"
    HANG_HEADERS = "hang_headers"
    HANG_BODY = "hang_body"
    SLOW_DRIP = "slow_drip"
    DELAY = "delay"

    @property
    def served(self) -> bool:
        """Whether the request is served (and rate-limit counted) before the fault hits."""
        return self in _SERVED

    @property
    def timed(self) -> bool:
        """Whether the fault is about time (really waited only over HTTP)."""
        return self in (FaultKind.HANG_HEADERS, FaultKind.HANG_BODY, FaultKind.SLOW_DRIP,
                        FaultKind.DELAY)


_SERVED = frozenset({
    FaultKind.RESET, FaultKind.RESET_MID_BODY, FaultKind.TRUNCATED,
    FaultKind.CONTENT_LENGTH_SHORT, FaultKind.CONTENT_LENGTH_LONG, FaultKind.HANG_HEADERS,
    FaultKind.HANG_BODY, FaultKind.SLOW_DRIP, FaultKind.DELAY,
})

_SERVER_ERRORS = (500, 502, 503, 504)

# What the made-up bodies look like.
INVALID_JSON_BODY = '{"profileUsers":[{"id":"2533274812246958","hostId":"2533274812246958","settings":['
CAPTIVE_PORTAL_HTML = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign in to the network</title>'
    "</head><body><h1>Welcome to Guest Wi-Fi</h1><p>Please accept the terms of use to "
    'connect to the internet.</p><form method="post" action="/portal/accept">'
    '<button type="submit">Accept and connect</button></form></body></html>')
# A gzip member header, then a deflate block of the reserved type 3: zlib refuses it at once.
CORRUPT_GZIP_BODY = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x07not deflate data"


@dataclass
class Fault:
    """An injected failure: the next ``times`` matching requests fail as ``kind`` says.

    ``Fault(kind="rate_limited", host="profile.xboxlive.com")``; see :class:`FaultKind` for
    every kind and which fields it reads. Without ``kind``, the older fields pick it:
    ``error`` -> ``transport_error``, ``truncate_at`` -> ``truncated``, ``delay`` ->
    ``delay``, else ``status``.

    Attributes:
        kind: a :class:`FaultKind` (or its string value).
        times: how many matching requests fail; each one counts down.
        host: only requests to this host (None: any).
        path_contains: only requests whose path contains this text.
        method: only requests with this method (``"POST"``; None: any).
        status: the status of ``status`` and ``server_error`` answers.
        body: the body of ``status`` answers (dict/list: JSON; str or bytes: as is), or a
            replacement text for ``invalid_json`` and ``html``.
        headers: extra response headers (for the made-up answers).
        retry_after: ``Retry-After`` seconds, for ``rate_limited`` (default 1), and added to
            ``status``/``server_error`` answers when set.
        error: the httpx transport error class a ``transport_error`` raises in-process.
        at: for ``reset_mid_body`` and ``truncated``, how many body bytes are sent.
        truncate_at: the older name of ``at`` (implies ``truncated``).
        content_length: the ``Content-Length`` claimed by ``content_length_short``/``_long``.
        seconds: how long a ``hang_*`` or ``delay`` lasts (at most ``MAX_PAUSE_SECONDS``).
        delay: the older name of ``seconds`` (implies ``delay``).
        rate: bytes per second of a ``slow_drip``.
    """

    kind: FaultKind | str | None = None
    times: int = 1
    host: str | None = None
    path_contains: str | None = None
    method: str | None = None
    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: float | None = None
    error: type[httpx.TransportError] | None = None
    at: int | None = None
    truncate_at: int | None = None
    content_length: int | None = None
    seconds: float | None = None
    delay: float | None = None
    rate: int | None = None

    def __post_init__(self) -> None:
        if self.kind is None:
            if self.error is not None:
                self.kind = FaultKind.TRANSPORT_ERROR
            elif self.truncate_at is not None:
                self.kind = FaultKind.TRUNCATED
            elif self.delay is not None:
                self.kind = FaultKind.DELAY
            else:
                self.kind = FaultKind.STATUS
        self.kind = FaultKind(self.kind)
        if self.at is None:
            self.at = self.truncate_at
        if self.seconds is None:
            self.seconds = self.delay
        if self.kind is FaultKind.SERVER_ERROR and self.status not in (None, *_SERVER_ERRORS):
            raise ValueError(f"a server_error fault is a 500, 502, 503 or 504, not {self.status}")
        if self.rate is not None and self.rate < 1:
            raise ValueError("a slow drip needs a rate of at least 1 byte per second")

    @property
    def fault_kind(self) -> FaultKind:
        """``kind`` as a :class:`FaultKind` (it always is one after construction)."""
        return FaultKind(cast(str, self.kind))

    def matches(self, host: str, path: str, method: str | None = None) -> bool:
        """Whether this fault applies to a request (its count is not looked at)."""
        return ((self.host is None or self.host == host)
                and (self.path_contains is None or self.path_contains in path)
                and (self.method is None or method is None or self.method.upper() == method.upper()))

    def pause_seconds(self) -> float:
        """How long a ``hang_*`` or ``delay`` waits over HTTP, within the bound."""
        default = DEFAULT_DELAY_SECONDS if self.fault_kind is FaultKind.DELAY else DEFAULT_HANG_SECONDS
        seconds = default if self.seconds is None else self.seconds
        return max(0.0, min(float(seconds), MAX_PAUSE_SECONDS))

    def drip_rate(self) -> int:
        return self.rate or DEFAULT_DRIP_RATE


@dataclass
class Answer:
    """What the server does with one request: the response it means to send and the fault
    that damages it (None: the response goes out as it is)."""

    response: httpx.Response
    fault: Fault | None = None

    @property
    def kind(self) -> FaultKind | None:
        return None if self.fault is None else self.fault.fault_kind


def raw_body(response: httpx.Response) -> bytes:
    """The body bytes as sent (still gzip-encoded if they are), not httpx's decoded view."""
    return b"".join(cast(Iterable[bytes], response.stream))


def claimed_length(fault: Fault, size: int) -> int:
    """The ``Content-Length`` a ``content_length_*`` fault claims for a body of ``size`` bytes."""
    if fault.content_length is not None:
        return max(0, fault.content_length)
    if fault.fault_kind is FaultKind.CONTENT_LENGTH_SHORT:
        return size // 2
    return size + 1024


def cut_at(fault: Fault, body: bytes) -> int:
    """How many body bytes a ``truncated``/``reset_mid_body`` fault lets through."""
    at = len(body) // 2 if fault.at is None else fault.at
    return max(0, min(at, len(body)))


# -- deciding the answer (under the sandbox's lock) -----------------------------------------

def answer(fault: Fault, sandbox: Sandbox, request: httpx.Request, host: str, path: str,
           query: str, serve: Callable[[], httpx.Response],
           service: str | None) -> Answer:
    """The answer to a request that ``fault`` hits; ``serve()`` routes it as normal."""
    kind = fault.fault_kind
    if kind.served:
        return Answer(serve(), fault)
    if kind is FaultKind.TRANSPORT_ERROR:
        return Answer(httpx.Response(502), fault)  # never sent: the fault is the whole story
    return Answer(_made_up(fault, kind, sandbox, request, host, path, query, service), fault)


def _made_up(fault: Fault, kind: FaultKind, sb: Sandbox, request: httpx.Request, host: str,
             path: str, query: str, service: str | None) -> httpx.Response:
    extra = dict(fault.headers)
    if fault.retry_after is not None and kind is not FaultKind.RATE_LIMITED_NO_RETRY_AFTER:
        extra["Retry-After"] = _seconds_text(fault.retry_after)
    if kind is FaultKind.STATUS:
        body = fault.body if fault.body is not None else ""
        if isinstance(body, (dict, list)):
            return json_response(fault.status or 500, body, headers=extra)
        data = body if isinstance(body, bytes) else str(body).encode()
        return _bytes(fault.status or 500, data, None, extra)
    if kind is FaultKind.SERVER_ERROR:
        return httpx.Response(fault.status or 503, headers={**sb.xbl_headers(), "Content-Length": "0",
                                                            **extra}, content=b"")
    if kind in (FaultKind.RATE_LIMITED, FaultKind.RATE_LIMITED_NO_RETRY_AFTER):
        limit = sb.limits_for(service, request.method) if service else None
        maximum = limit.burst if limit else 10
        seconds = limit.burst_seconds if limit else sb.rate_limit_table.burst_seconds
        body = {"version": 1, "currentRequests": maximum + 1, "maxRequests": maximum,
                "periodInSeconds": period_value(seconds), "type": "burst"}
        headers = {**sb.xbl_headers(), **extra}
        if kind is FaultKind.RATE_LIMITED:
            headers.setdefault("Retry-After", _seconds_text(1 if fault.retry_after is None
                                                            else fault.retry_after))
        return json_response(429, body, headers=headers)
    if kind is FaultKind.INVALID_JSON:
        text = INVALID_JSON_BODY if fault.body is None else str(fault.body)
        return _bytes(200, text.encode(), "application/json", {**sb.xbl_headers(), **extra})
    if kind is FaultKind.HTML:
        text = CAPTIVE_PORTAL_HTML if fault.body is None else str(fault.body)
        return _bytes(200, text.encode(), "text/html; charset=utf-8", extra)
    if kind is FaultKind.CORRUPT_GZIP:
        return _bytes(200, CORRUPT_GZIP_BODY, "application/json",
                      {**sb.xbl_headers(), "Content-Encoding": "gzip", **extra})
    if kind is FaultKind.EXPIRED_SIGNATURE:
        response = _auth_failed(sb, Call(request, host, path, query, parse_query(query)))
        response.headers.update(extra)
        return response
    raise AssertionError(f"unhandled fault kind {kind}")  # pragma: no cover


def _bytes(status: int, data: bytes, content_type: str | None,
           headers: dict[str, str]) -> httpx.Response:
    """A response of exactly ``data``. Built on a stream: ``content=`` would make httpx decode
    the body at once, and a corrupt gzip body would fail here instead of at the client."""
    first = {"Content-Type": content_type} if content_type else {}
    return httpx.Response(status, headers={**first, "Content-Length": str(len(data)), **headers},
                          stream=httpx.ByteStream(data))


def _seconds_text(seconds: float) -> str:
    return str(int(seconds)) if float(seconds) == int(seconds) else str(seconds)


# -- in-process: what an httpx client sees through a mock transport -------------------------

class _FailingStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """``chunks`` of a body, then ``error`` (None: the body ends normally)."""

    def __init__(self, chunks: list[bytes], error: httpx.TransportError | None) -> None:
        self.chunks = chunks
        self.error = error

    def __iter__(self) -> Iterator[bytes]:
        yield from (chunk for chunk in self.chunks if chunk)
        if self.error is not None:
            raise self.error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def _streamed(response: httpx.Response, chunks: list[bytes], error: httpx.TransportError | None,
              headers: httpx.Headers | None = None) -> httpx.Response:
    return httpx.Response(response.status_code, headers=headers or response.headers,
                          stream=_FailingStream(chunks, error), extensions=dict(response.extensions))


def _hang_error(fault: Fault, request: httpx.Request) -> httpx.TransportError:
    """What a client meets when the server hangs: its read timeout, else the server giving up."""
    timeout = request.extensions.get("timeout", {})
    read = timeout.get("read") if isinstance(timeout, dict) else None
    if read is not None and read < fault.pause_seconds():
        return httpx.ReadTimeout("injected fault: the server hangs", request=request)
    if fault.fault_kind is FaultKind.HANG_HEADERS:
        return httpx.RemoteProtocolError("Server disconnected without sending a response.",
                                         request=request)
    return httpx.RemoteProtocolError("peer closed connection without sending complete message body",
                                     request=request)


def in_process(result: Answer, request: httpx.Request) -> httpx.Response:
    """The answer as an httpx client sees it in-process: raise, or a response that fails."""
    fault, response = result.fault, result.response
    if fault is None:
        return response
    kind = fault.fault_kind
    if kind is FaultKind.TRANSPORT_ERROR:
        raise (fault.error or httpx.ConnectError)("injected fault", request=request)
    if kind is FaultKind.RESET:
        raise httpx.ReadError("injected fault: connection reset by peer", request=request)
    if kind is FaultKind.HANG_HEADERS:
        raise _hang_error(fault, request)
    if kind not in (FaultKind.RESET_MID_BODY, FaultKind.TRUNCATED, FaultKind.CONTENT_LENGTH_SHORT,
                    FaultKind.CONTENT_LENGTH_LONG, FaultKind.HANG_BODY, FaultKind.SLOW_DRIP):
        return response  # made-up answers are whole responses; a delay is not waited in-process
    body = raw_body(response)
    if request.method == "HEAD":
        # No body to damage: the headers arrive whole (a Content-Length lie included).
        headers = httpx.Headers(response.headers)
        if kind in (FaultKind.CONTENT_LENGTH_SHORT, FaultKind.CONTENT_LENGTH_LONG):
            headers["Content-Length"] = str(claimed_length(fault, int(headers.get("content-length") or 0)))
        return _streamed(response, [], None, headers)
    if kind is FaultKind.RESET_MID_BODY:
        return _streamed(response, [body[:cut_at(fault, body)]],
                         httpx.ReadError("injected fault: connection reset by peer mid-body",
                                         request=request))
    if kind is FaultKind.TRUNCATED:
        return _streamed(response, [body[:cut_at(fault, body)]],
                         httpx.RemoteProtocolError("injected fault: connection closed mid-body",
                                                   request=request))
    if kind is FaultKind.HANG_BODY:
        return _streamed(response, [], _hang_error(fault, request))
    if kind is FaultKind.SLOW_DRIP:
        step = max(1, fault.drip_rate() // 10)
        return _streamed(response, [body[i:i + step] for i in range(0, len(body), step)], None)
    claimed = claimed_length(fault, len(body))
    headers = httpx.Headers(response.headers)
    headers["Content-Length"] = str(claimed)
    if kind is FaultKind.CONTENT_LENGTH_SHORT:
        return _streamed(response, [body[:claimed]], None, headers)  # the client stops reading there
    error = (httpx.RemoteProtocolError("injected fault: connection closed before Content-Length",
                                       request=request) if claimed > len(body) else None)
    return _streamed(response, [body], error, headers)

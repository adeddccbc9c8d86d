"""The Xbox Live sandbox: a pure router over a seeded world, in-process or over HTTP.

``Sandbox.handle(request) -> response`` is the whole emulator. Use it in-process through
``sandbox.transport()`` (an ``httpx.MockTransport``) or serve it on 127.0.0.1 with
``sandbox.serve()`` / ``xbox sandbox serve``. Requests use the mapped layout of
``XBOX_LIVE_BASE_URL``: ``http://127.0.0.1:PORT/HOST/PATH?QUERY``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from .._core.limits import BURST_SECONDS, SUSTAIN_SECONDS, Limit, limit_for_host
from . import services as _services  # noqa: F401  (registers every route)
from ._http import ROUTES, Call, empty, json_response, parse_query, parse_target
from ._tokens import Lifetimes, TokenRegistry
from .eras import resolve_era
from .world import Account, World, world_epoch

__all__ = ["Fault", "Sandbox", "ServedSandbox"]

IN_PROCESS_BASE_URL = "http://xbox-sandbox.invalid"


@dataclass
class Fault:
    """An injected failure: the next ``times`` matching requests fail this way.

    Attributes:
        status: answer with this HTTP status (and ``body``/``headers``) instead of serving.
        error: raise this transport error class instead (``httpx.ConnectError``...);
            over HTTP the connection is dropped.
        host: only requests to this host (None: any).
        path_contains: only requests whose path contains this text.
        delay: over HTTP, answer normally but only after this many seconds (a slow server,
            for timeout tests; in-process transports ignore it).
        truncate_at: serve the request normally but cut the body after this many bytes, then
            fail the stream with ``httpx.RemoteProtocolError`` (over HTTP the connection drops
            mid-body, with the full ``Content-Length`` promised).
    """

    status: int | None = None
    error: type[httpx.TransportError] | None = None
    times: int = 1
    host: str | None = None
    path_contains: str | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    truncate_at: int | None = None
    delay: float | None = None

    def matches(self, host: str, path: str) -> bool:
        return (self.host is None or self.host == host) and (
            self.path_contains is None or self.path_contains in path)


class _TruncatedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """The first ``keep`` bytes of a body, then a dropped connection (``Fault.truncate_at``)."""

    def __init__(self, data: bytes, keep: int) -> None:
        self.data = data[:keep]

    def __iter__(self) -> Iterator[bytes]:
        if self.data:
            yield self.data
        raise httpx.RemoteProtocolError("injected fault: connection closed mid-body")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def _truncated(response: httpx.Response, keep: int) -> httpx.Response:
    return httpx.Response(response.status_code, headers=response.headers,
                          stream=_TruncatedStream(response.content, keep))


class RateLimiter:
    """Sliding-window counters per (user, service): burst 15 s and sustain 300 s.

    Rejected requests still count toward sustain, as Xbox Live does.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.burst: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.sustain: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.rejected = 0

    def check(self, key: tuple[str, str], limit: Limit) -> tuple[str, int, float] | None:
        """Count a request; return (window type, count, retry_after) when it is over a limit."""
        now = self.clock()
        burst, sustain = self.burst[key], self.sustain[key]
        while burst and burst[0] <= now - BURST_SECONDS:
            burst.popleft()
        while sustain and sustain[0] <= now - SUSTAIN_SECONDS:
            sustain.popleft()
        sustain.append(now)  # every request counts toward sustain, rejected or not
        if len(sustain) > limit.sustain:
            self.rejected += 1
            # Rejected requests count too, so the window rolls over only once enough of the
            # newest entries (this one included) have aged out to leave room for one more.
            return "sustain", len(sustain), sustain[-limit.sustain] + SUSTAIN_SECONDS - now
        if len(burst) >= limit.burst:
            self.rejected += 1
            return "burst", len(burst) + 1, burst[0] + BURST_SECONDS - now
        burst.append(now)
        return None


class Sandbox:
    """An emulator of the Xbox Live services, faithful on the wire.

    Args:
        seed: world seed; the same seed gives the same users, clips and bytes.
        clock: seconds since the epoch; defaults to ``time.time``. Tests pass a fake clock
            to move through token lifetimes and signed-URL expiry in no time.
        lifetimes: token lifetimes (shorten them to test refresh).
        rate_limits: enforce Xbox Live's per-user per-service limits (429 + Retry-After).
        limits: override limits per service name (``{"profile": Limit(10, 30)}``).
        auto_approve_device_codes: device codes are approved as soon as they are polled,
            signing in as ``device_code_account`` (for tests and ``--sandbox``).
        world: a prebuilt world (else ``World(seed, epoch=...)`` whose epoch is the clock's
            time truncated to the hour, or ``$XBOX_SANDBOX_EPOCH``).
        era: the wire era of the capture services, one of :data:`xbox.sandbox.ERAS`:
            ``"2025"`` (today: integer enums), ``"2018"`` or ``"2014"`` (older shapes). It
            changes wire shapes only, never the world. Anything else is a ValueError.
            None (the default): ``$XBOX_SANDBOX_ERA`` if set, else ``"2025"``.
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        clock: Callable[[], float] | None = None,
        lifetimes: Lifetimes | None = None,
        rate_limits: bool = True,
        limits: dict[str, Limit] | None = None,
        auto_approve_device_codes: bool = True,
        device_code_account: str = "joe@example.org",
        world: World | None = None,
        era: str | None = None,
    ) -> None:
        self.era = resolve_era(era)
        self.seed = seed
        self.clock = clock or time.time
        # The world's "now" is the clock's, to the hour: captures are as recent as today's.
        self.world = world or World(seed, epoch=world_epoch(self.clock()))
        self.lifetimes = lifetimes or Lifetimes()
        self.rate_limits = rate_limits
        self.limit_overrides = dict(limits or {})
        self.auto_approve_device_codes = auto_approve_device_codes
        self.device_code_account = device_code_account
        self.tokens = TokenRegistry(seed)
        self.limiter = RateLimiter(self.clock)
        self.faults: list[Fault] = []
        self.requests: list[httpx.Request] = []  # every request seen, for tests to inspect
        self.state: dict[str, Any] = {}  # per-service mutable state (device codes, ...)
        self._counter = 0
        self._lock = threading.Lock()
        self.sas_key = hashlib.sha256(f"sas:{seed}".encode()).digest()

    # -- the router -------------------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request in the mapped layout, exactly as Xbox Live would."""
        with self._lock:
            return self._handle(request)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        host, path, query = parse_target(request)
        for fault in self.faults:
            if fault.times > 0 and fault.matches(host, path):
                fault.times -= 1
                if fault.delay is not None:
                    response = self._route(request, host, path, query)
                    response.extensions["xbox_sandbox_delay"] = fault.delay
                    return response
                if fault.truncate_at is not None:
                    return _truncated(self._route(request, host, path, query), fault.truncate_at)
                if fault.error is not None:
                    raise fault.error("injected fault", request=request)
                body = fault.body if fault.body is not None else ""
                if isinstance(body, (dict, list)):
                    return json_response(fault.status or 500, body, headers=fault.headers)
                return httpx.Response(fault.status or 500, headers=fault.headers, content=str(body).encode())
        return self._route(request, host, path, query)

    def _route(self, request: httpx.Request, host: str, path: str, query: str) -> httpx.Response:
        method_allowed = False
        for rt in ROUTES:
            if not rt.host.fullmatch(host):
                continue
            m = rt.path.fullmatch(path)
            if m is None:
                continue
            if rt.method != request.method:
                method_allowed = True
                continue
            call = Call(request, host, path, query, parse_query(query))
            if rt.auth:
                user = self.authorize(request)
                if user is None:
                    return empty(401, headers=self.xbl_headers())
                call.user = user
                limited = self._rate_limit(rt.service, user, request.method, host)
                if limited is not None:
                    return limited
            return rt.handler(self, call, **m.groupdict())
        if method_allowed:
            return empty(405, headers=self.xbl_headers())
        return empty(404, headers=self.xbl_headers())

    def authorize(self, request: httpx.Request) -> Account | None:
        """The account an ``XBL3.0 x=uhs;token`` header stands for, if valid and unexpired."""
        header = request.headers.get("Authorization", "")
        if not header.startswith("XBL3.0 x="):
            return None
        uhs, sep, token = header[len("XBL3.0 x="):].partition(";")
        if not sep:
            return None
        grant = self.tokens.check(token, "xsts", self.clock())
        if grant is None or grant.uhs != uhs:
            return None
        return self.world.by_xuid.get(grant.xuid)

    def _rate_limit(self, service: str | None, user: Account, method: str,
                    host: str) -> httpx.Response | None:
        if not self.rate_limits or service is None:
            return None
        limit = self.limit_overrides.get(service) or limit_for_host(host, method)
        if limit is None:
            return None
        over = self.limiter.check((user.xuid, service), limit)
        if over is None:
            return None
        window, count, retry_after = over
        seconds = max(1, int(retry_after + 0.999))
        body = {"version": 1, "currentRequests": count,
                "maxRequests": limit.burst if window == "burst" else limit.sustain,
                "periodInSeconds": int(BURST_SECONDS if window == "burst" else SUSTAIN_SECONDS),
                "type": window}
        return json_response(429, body, headers={**self.xbl_headers(), "Retry-After": str(seconds)})

    def authorization_for(self, email: str = "joe@example.org") -> str:
        """Sign ``email`` in directly and return its ``Authorization`` header value.

        For tests of the sandbox's own services; clients sign in through login.live.com.
        """
        account = self.world.by_email[email.lower()]
        now = self.clock()
        uhs = self.tokens.new_uhs()
        token = self.tokens.issue("xsts", account.xuid, now + self.lifetimes.xsts, uhs=uhs)
        return f"XBL3.0 x={uhs};{token}"

    # -- helpers for services ---------------------------------------------------------------
    def correlation_id(self) -> str:
        self._counter += 1
        digest = hashlib.sha256(f"{self.seed}:cv:{self._counter}".encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def xbl_headers(self, cache: str = "no-cache, no-store") -> dict[str, str]:
        """Headers every Xbox Live JSON service sends."""
        cid = self.correlation_id()
        cv = base64.b64encode(bytes.fromhex(cid.replace("-", ""))[:12]).decode()
        return {
            "Cache-Control": cache,
            "X-Content-Type-Options": "nosniff",
            "x-xblcorrelationid": cid,
            "MS-CV": f"{cv}.0",
        }

    def now(self) -> float:
        return self.clock()

    def sign(self, text: str) -> str:
        """An HMAC-style signature for signed media URLs (base64, URL-quoted by callers)."""
        return base64.b64encode(hashlib.sha256(self.sas_key + text.encode()).digest()).decode()

    # -- ways to run it ---------------------------------------------------------------------
    def transport(self) -> httpx.MockTransport:
        """An httpx transport that answers from this sandbox, for sync and async clients."""
        return httpx.MockTransport(self.handle)

    base_url = IN_PROCESS_BASE_URL

    def asgi(self) -> Callable[..., Any]:
        """This sandbox as an ASGI application (for uvicorn)."""
        from .asgi import make_asgi_app

        return make_asgi_app(self)

    @contextlib.contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[ServedSandbox]:
        """Serve on ``host:port`` (0 = a free port) in a background thread, for a ``with`` block."""
        from .asgi import serve_in_thread

        with serve_in_thread(self, host, port) as served:
            yield served


@dataclass
class ServedSandbox:
    """A sandbox served over HTTP: ``base_url`` is what ``XBOX_LIVE_BASE_URL`` should be."""

    sandbox: Sandbox
    host: str
    port: int
    stop_event: asyncio.Event | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

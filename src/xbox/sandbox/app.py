"""The Xbox Live sandbox: a pure router over a seeded world, in-process or over HTTP.

``Sandbox.handle(request) -> response`` is the whole emulator. Use it in-process through
``sandbox.transport()`` (an ``httpx.MockTransport``) or serve it on 127.0.0.1 with
``sandbox.serve()`` / ``xbox sandbox serve``. Requests use the mapped layout of
``XBOX_LIVE_BASE_URL``: ``http://127.0.0.1:PORT/HOST/PATH?QUERY``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, SupportsIndex, overload

import httpx

from . import faults as _faults
from . import services as _services  # noqa: F401  (registers every route)
from ._http import ROUTES, Call, empty, json_response, parse_query, parse_target
from ._tokens import Grant, Lifetimes, TokenRegistry
from .activity import Activity
from .asgi import ServedSandbox, make_asgi_app, serve_in_thread
from .eras import resolve_era
from .faults import Answer, Fault, FaultKind
from .limits import EffectiveLimit, LimitLike, RateLimits, period_value
from .relying_parties import XBOXLIVE, relying_parties
from .services.rta import RtaHub
from .world import Account, World, world_epoch

__all__ = ["Fault", "FaultKind", "RequestLog", "Sandbox", "ServedSandbox"]

IN_PROCESS_BASE_URL = "http://xbox-sandbox.invalid"

#: How many requests ``sandbox.requests`` keeps by default (the oldest are dropped).
REQUEST_LOG_SIZE = 10_000


class RequestLog(deque[httpx.Request]):
    """The most recent requests the sandbox saw, oldest first: a ring of ``maxlen`` entries.

    A ``collections.deque`` (``sandbox serve`` runs for days; a list would grow without
    bound) that also slices like the list it replaced: ``sandbox.requests[-3:]`` is a list.
    """

    @overload
    def __getitem__(self, index: SupportsIndex) -> httpx.Request: ...
    @overload
    def __getitem__(self, index: slice) -> list[httpx.Request]: ...

    def __getitem__(self, index: SupportsIndex | slice) -> httpx.Request | list[httpx.Request]:
        if isinstance(index, slice):
            return list(self)[index]
        return super().__getitem__(index)


@dataclass(frozen=True)
class Over:
    """A request over a limit: which window, the count and maximum, and when to come back."""

    window: str  # "burst" or "sustain"
    current: int
    maximum: int
    period: float
    retry_after: float


class RateLimiter:
    """Sliding-window counters per (user, bucket): burst and sustain at once.

    A bucket is a service, or a service's writes where they have a limit of their own
    (:attr:`xbox.sandbox.limits.EffectiveLimit.counter`).

    Every request counts toward sustain, rejected or not, as Xbox Live counts them; only
    accepted requests fill the burst window. Sliding windows are the strict reading of the
    FGRL doc: a client that keeps under them keeps under fixed windows too.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.burst: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.sustain: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.rejected = 0

    def check(self, key: tuple[str, str], limit: EffectiveLimit) -> Over | None:
        """Count a request; return how it is over a limit, or None when it may be served."""
        now = self.clock()
        burst, sustain = self.burst[key], self.sustain[key]
        while burst and burst[0] <= now - limit.burst_seconds:
            burst.popleft()
        while sustain and sustain[0] <= now - limit.sustain_seconds:
            sustain.popleft()
        sustain.append(now)  # every request counts toward sustain, rejected or not
        overs = []
        if len(sustain) > limit.sustain:
            # Rejected requests count too, so the window rolls over only once enough of the
            # newest entries (this one included) have aged out to leave room for one more.
            overs.append(Over("sustain", len(sustain), limit.sustain, limit.sustain_seconds,
                              sustain[-limit.sustain] + limit.sustain_seconds - now))
        if len(burst) >= limit.burst:
            overs.append(Over("burst", len(burst) + 1, limit.burst, limit.burst_seconds,
                              burst[-limit.burst] + limit.burst_seconds - now))
        if overs:
            self.rejected += 1
            # Over both: report the window that frees up last, so that honouring Retry-After
            # is enough to get through (given no requests in between).
            return max(overs, key=lambda over: over.retry_after)
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
        limits: override limits per service name (``{"profile": Limit(10, 30)}``; the
            client's ``xbox.Limit`` or ``xbox.sandbox.limits.Limit``).
        rate_limit_scale: multiply both rate-limit windows by this factor (0.01: burst 0.15 s,
            sustain 3 s), for benchmarks; ``Retry-After`` scales too, with a fractional value
            (see :func:`xbox.sandbox.limits.format_seconds`). Counts are unchanged.
        request_log_size: how many requests ``sandbox.requests`` keeps (a ring; the oldest
            are dropped), 10,000 by default.
        auto_approve_device_codes: device codes approve themselves, signing in as
            ``device_code_account`` (for tests and ``--sandbox``), once they have answered
            ``device_code_pending_polls`` polls with ``authorization_pending``.
        device_code_pending_polls: how many polls an auto-approved code answers
            ``authorization_pending`` first (default 1, so clients meet the pending answer;
            0 approves on the first poll).
        signature_skew: how far (seconds, either way) a signed request's timestamp may be
            from the sandbox clock (default 180; see "Signed sign-in" in the docs).
        mediahub_requires_device_claims: mediahub search refuses XSTS tokens that carry no
            device and title claims, as the real service does (default True; False lets
            a plain sign-in through, for tests about something else).
        world: a prebuilt world (else ``World(seed, epoch=...)`` whose epoch is the latest
            Sunday 12:00 UTC by the clock, or ``$XBOX_SANDBOX_EPOCH``: see
            :func:`~xbox.sandbox.world.world_epoch`).
        era: the wire era, one of :data:`xbox.sandbox.ERAS`: ``"2025"`` (today, as the
            2025-26 recordings show it: integer enums, ``isFriend`` on summaries, presence
            ``timestamp``), ``"2018"`` or ``"2014"`` (older shapes; see
            :mod:`xbox.sandbox.eras`). It changes wire shapes only, never the world.
            Anything else is a ValueError.
            None (the default): ``$XBOX_SANDBOX_ERA`` if set, else ``"2025"``.
        activity: start the world's seeded schedule now (:attr:`activity`): people come
            online, play, unlock achievements and record clips every few seconds, and the
            Real-Time Activity service pushes it. False (the default): the world changes
            only through the controls of :attr:`activity`.

    Attributes:
        activity: the world's changes (:class:`xbox.sandbox.activity.Activity`): the
            schedule, and controls such as ``activity.play("JoeAlcorn", "Halo 5: Guardians")``
            or ``activity.record_clip("JoeAlcorn")``.
        rta: the Real-Time Activity connections (:class:`xbox.sandbox.services.rta.RtaHub`):
            what each received and sent, and ``rta.drop()`` / ``rta.resync()``.
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        clock: Callable[[], float] | None = None,
        lifetimes: Lifetimes | None = None,
        rate_limits: bool = True,
        limits: Mapping[str, LimitLike] | None = None,
        rate_limit_scale: float = 1.0,
        request_log_size: int = REQUEST_LOG_SIZE,
        auto_approve_device_codes: bool = True,
        device_code_account: str = "joe@example.org",
        device_code_pending_polls: int = 1,
        signature_skew: float = 180.0,
        mediahub_requires_device_claims: bool = True,
        world: World | None = None,
        era: str | None = None,
        activity: bool = False,
    ) -> None:
        self.era = resolve_era(era)
        self.seed = seed
        self.clock = clock or time.time
        # The world's "now" is this week's Sunday noon by the clock: captures are about as
        # recent as today's, and the same all week.
        self.world = world or World(seed, epoch=world_epoch(self.clock()))
        self.lifetimes = lifetimes or Lifetimes()
        self.rate_limits = rate_limits
        self.rate_limit_table = RateLimits(limits, scale=rate_limit_scale)
        self.auto_approve_device_codes = auto_approve_device_codes
        self.device_code_account = device_code_account
        self.device_code_pending_polls = device_code_pending_polls
        self.signature_skew = signature_skew
        self.mediahub_requires_device_claims = mediahub_requires_device_claims
        self.tokens = TokenRegistry(seed)
        self.limiter = RateLimiter(self.clock)
        self.faults: list[Fault] = []
        if request_log_size < 1:
            raise ValueError("request_log_size must be at least 1")
        self.requests = RequestLog(maxlen=request_log_size)  # the latest requests, for tests
        self.state: dict[str, Any] = {}  # per-service mutable state (device codes, ...)
        self._counter = 0
        # Re-entrant: a control of the world (sandbox.invalid) runs inside an answer.
        self._lock = threading.RLock()
        self.sas_key = hashlib.sha256(f"sas:{seed}".encode()).digest()
        self.rta = RtaHub(self)
        self.activity = Activity(self)
        if activity:
            self.activity.start()

    @property
    def lock(self) -> contextlib.AbstractContextManager[Any]:
        """The lock every answer and every change of the world is made under."""
        return self._lock

    def tick(self) -> None:
        """Apply the world's scheduled changes that are due (answers and open websockets
        call it; a test with a fake clock may too, after moving the clock)."""
        with self._lock:
            self.activity.tick()

    # -- the router -------------------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request in the mapped layout, exactly as Xbox Live would.

        An injected fault shows as an httpx client would see it in-process: a raised
        transport error, or a response whose body fails while it is read.
        """
        return _faults.in_process(self.answer(request), request)

    def answer(self, request: httpx.Request) -> Answer:
        """What the server does with ``request``: the response, and the fault that damages it.

        ``handle`` plays the fault in-process; the ASGI adapter plays it on the socket.
        """
        with self._lock:
            self.activity.tick()
            self.requests.append(request)
            host, path, query = parse_target(request)
            for fault in self.faults:
                if fault.times > 0 and fault.matches(host, path, request.method):
                    fault.times -= 1
                    return _faults.answer(
                        fault, self, request, host, path, query,
                        serve=lambda: self._route(request, host, path, query),
                        service=self._service_of(host, path, request.method))
            return Answer(self._route(request, host, path, query))

    def _service_of(self, host: str, path: str, method: str) -> str | None:
        """The rate-limited service a request goes to, if any."""
        for rt in ROUTES:
            if rt.method == method and rt.host.fullmatch(host) and rt.path.fullmatch(path):
                return rt.service
        return None

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
                user = self.authorize(request, host, path)
                if user is None:
                    return empty(401, headers=self.xbl_headers())
                call.user = user
                limited = self._rate_limit(rt.service, user, request.method)
                if limited is not None:
                    return limited
            return rt.handler(self, call, **m.groupdict())
        if method_allowed:
            return empty(405, headers=self.xbl_headers())
        return empty(404, headers=self.xbl_headers())

    def authorize(self, request: httpx.Request, host: str | None = None,
                  path: str = "/") -> Account | None:
        """The account an ``XBL3.0 x=uhs;token`` header stands for, if valid and unexpired.

        With ``host`` (every authenticated route passes its own), the token must also have
        been issued for a relying party that host accepts (:mod:`xbox.sandbox.relying_parties`):
        a token for ``rp://api.minecraftservices.com/`` does not read profiles.
        """
        grant = self.xsts_grant(request)
        if grant is None:
            return None
        if host is not None and grant.relying_party not in relying_parties(host, path):
            return None
        return self.world.by_xuid.get(grant.xuid)

    def xsts_grant(self, request: httpx.Request) -> Grant | None:
        """The XSTS grant behind a request's ``XBL3.0 x=uhs;token`` header (its device and
        title claims included), if valid and unexpired."""
        header = request.headers.get("Authorization", "")
        if not header.startswith("XBL3.0 x="):
            return None
        uhs, sep, token = header[len("XBL3.0 x="):].partition(";")
        if not sep:
            return None
        grant = self.tokens.check(token, "xsts", self.clock())
        if grant is None or grant.uhs != uhs:
            return None
        return grant

    def limits_for(self, service: str, method: str = "GET") -> EffectiveLimit | None:
        """The limit this sandbox enforces for ``service`` (windows scaled), or None.

        For a client test or benchmark to configure the same table:
        ``xbox.Limit(lim.burst, lim.sustain)`` with windows ``lim.burst_seconds`` and
        ``lim.sustain_seconds``.
        """
        return self.rate_limit_table.limit_for(service, method)

    def _rate_limit(self, service: str | None, user: Account, method: str) -> httpx.Response | None:
        if not self.rate_limits or service is None:
            return None
        limit = self.limits_for(service, method)
        if limit is None:
            return None
        over = self.limiter.check((user.xuid, limit.counter), limit)
        if over is None:
            return None
        body = {"version": 1, "currentRequests": over.current, "maxRequests": over.maximum,
                "periodInSeconds": period_value(over.period), "type": over.window}
        return json_response(429, body, headers={
            **self.xbl_headers(), "Retry-After": self.rate_limit_table.retry_after(over.retry_after)})

    def authorization_for(self, email: str = "joe@example.org", *, signed: bool = True,
                          relying_party: str = XBOXLIVE) -> str:
        """Sign ``email`` in directly and return its ``Authorization`` header value.

        For tests of the sandbox's own services; clients sign in through login.live.com.

        Args:
            signed: a token with the device and title claims of the Xbox app's signed
                sign-in (SISU), which mediahub asks for; False: a plain sign-in's.
            relying_party: the relying party the token is for (services take only their
                own: see :mod:`xbox.sandbox.relying_parties`).
        """
        account = self.world.by_email[email.lower()]
        now = self.clock()
        uhs = self.tokens.new_uhs()
        token = self.tokens.issue("xsts", account.xuid, now + self.lifetimes.xsts, uhs=uhs,
                                  device_id="{AAAAAAAA-0000-4000-8000-000000000000}" if signed else "",
                                  title_id="328178078" if signed else "",  # the Xbox app's
                                  relying_party=relying_party)
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
        """An httpx transport that answers from this sandbox, for sync and async clients
        (websockets included: :class:`xbox.sandbox.websocket.SandboxTransport`)."""
        from .websocket import SandboxTransport

        return SandboxTransport(self)

    base_url = IN_PROCESS_BASE_URL

    def asgi(self) -> Callable[..., Any]:
        """This sandbox as an ASGI application, for another ASGI server.

        Faults that need the socket (resets, lying ``Content-Length``, hangs) are only
        approximated there; ``serve()`` plays them for real.
        """
        return make_asgi_app(self)

    @contextlib.contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[ServedSandbox]:
        """Serve on ``host:port`` (0 = a free port) in a background thread, for a ``with`` block."""
        with serve_in_thread(self, host, port) as served:
            yield served

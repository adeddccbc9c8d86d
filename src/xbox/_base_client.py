"""What :class:`xbox.Client` and :class:`xbox.AsyncClient` share: everything that is not
sending. The two differ only in how they send and wait (``_async/client.py`` is the
source, ``_sync/client.py`` is generated from it), as httpx's ``BaseClient`` does.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._core.call import Call, PlannedRequest, is_write
from ._core.errors import error_for_response, read_body
from ._core.governor import Booking, Governor
from ._core.limits import Limit
from ._core.retry import (
    RETRY_STATUSES,
    Deadline,
    RetryPolicy,
    parse_retry_after,
    refusal_delay,
    retry_delay,
)
from ._core.urls import BASE_URL_ENV, check_base_url, map_url, resolve_base_url
from ._ledger import Ledger
from .auth import msa
from .auth.state import SignInState
from .auth.store import TokenStore
from .auth.tokens import MsaToken
from .exceptions import InvalidArgument, MalformedResponse, NotFoundException, WaitTooLong

if TYPE_CHECKING:
    import httpx

    from .auth.storage import AsyncSessionStore, AsyncTokenStorage, SessionStore, TokenStorage
    from .auth.tokens import Session

__all__ = ["UNSET", "BaseClient", "DryRun", "checked_http_client", "host_token"]

log = logging.getLogger("xbox")

#: "not given": the default token store (None means "memory only").
UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()


def checked_http_client(http_client: object, kind: str, transport: object) -> Any:
    """The host's ``http_client``, checked: an ``httpx.AsyncClient`` for ``AsyncClient``, an
    ``httpx.Client`` for ``Client``, never with a ``transport`` too.

    Raises:
        TypeError: the wrong kind of client, or both given.
    """
    if http_client is None:
        return None
    import httpx  # the host has it loaded already: it made the client

    wanted = httpx.AsyncClient if kind == "AsyncClient" else httpx.Client
    if not isinstance(http_client, wanted):
        other = "xbox.Client" if kind == "AsyncClient" else "xbox.AsyncClient"
        raise TypeError(
            f"http_client must be an {wanted.__module__}.{wanted.__name__} for xbox.{kind}, "
            f"not {type(http_client).__module__}.{type(http_client).__name__}"
            + (f" (an {type(http_client).__name__} goes with {other})"
               if isinstance(http_client, httpx.Client | httpx.AsyncClient) else ""))
    if http_client.is_closed:
        raise TypeError("http_client is closed: give an open one (we never close it)")
    if transport is not None:
        raise TypeError("give either transport or http_client, not both: mount the "
                        "transport on your http_client instead")
    return http_client


def host_token(token: object, stale: MsaToken | None, now: float) -> MsaToken:
    """What an ``msa_token_provider`` (or the host) handed over, as an MSA token.

    A bare access token takes the client id and scope of the token it replaces (``stale``;
    with none, an Azure app's) and is used at once: its expiry is not known, so the
    provider is asked again the next time a token is needed.

    Raises:
        TypeError: neither a string nor an :class:`~xbox.auth.tokens.MsaToken`.
    """
    if isinstance(token, MsaToken):
        return token
    if isinstance(token, str):
        return MsaToken.from_host(token, client_id=stale.client_id if stale else None,
                                  scope=stale.scope if stale else None, now=now)
    raise TypeError(f"the Microsoft account token must be a str or an xbox.auth.tokens.MsaToken, "
                    f"not {type(token).__name__}")


class DryRun:
    """What :meth:`BaseClient.dry_run` held back.

    Attributes:
        request: the first write of the ``with`` block, as it would have been sent (None:
            the block made none).
    """

    def __init__(self) -> None:
        self.request: PlannedRequest | None = None

    def __repr__(self) -> str:
        return f"<DryRun {self.request}>"


class _WriteHeld(BaseException):
    # Ends the call that made a write in a dry run, up to dry_run()'s `with` block: the
    # write's answer does not exist, so neither can what the call would make of it. A
    # BaseException, as GeneratorExit is: no `except Exception` on the way takes it for an error.
    pass


class BaseClient:
    """The options and sign-in state of a client; see :class:`xbox.Client` for the args."""

    _store: SessionStore | AsyncSessionStore  # (the client's: sync or awaited)

    def __init__(self, *, base_url: str | None, account: str,
                 token_store: TokenStorage | AsyncTokenStorage | None,
                 timeout: Any, retry: RetryPolicy | None, rate_limits: bool,
                 limits: Mapping[str, Limit] | None, language: str, http2: bool,
                 clock: Callable[[], float] | None, allow_insecure: bool = False,
                 max_wait: float | None = None) -> None:
        # An explicit base URL is checked now; $XBOX_LIVE_BASE_URL is read at first use, so
        # that the global ``xbox.client`` (made at import) follows a variable set after it.
        self._allow_insecure = allow_insecure
        self._base_url: Any = UNSET if base_url is None else check_base_url(
            resolve_base_url(base_url), allow_insecure=allow_insecure)
        self._timeout = timeout
        self._waits: dict[str, float | None] | None = None  # _timeout as httpx wants it
        self.retry = retry or RetryPolicy()
        #: The longest rate-limit wait a call takes (None: any that fits in its budget); a
        #: longer one raises WaitTooLong instead (0: fail fast, never wait).
        self.max_wait = _checked_max_wait(max_wait)
        self.language = language
        self._http2 = http2
        self.clock: Callable[[], float] = clock or time.time
        if token_store is UNSET:
            token_store = TokenStore()
        # With the file store, one budget per account for every process using that store
        # (the ledger beside the token files; a base URL's server has budgets of its own
        # there); otherwise (memory, a host's store) this client's own: nothing is written
        # to disk.
        store = token_store
        self.governor = Governor(dict(limits or {}), enabled=rate_limits,
                                 ledger=Ledger(lambda: store.folder, lambda: self.base_url)
                                 if isinstance(store, TokenStore) else None)
        #: The sign-in state: the current session and the token store it is saved in.
        self.auth = SignInState(token_store, account)
        self._dry_run: DryRun | None = None

    # -- who is signed in ---------------------------------------------------------------------
    @property
    def base_url(self) -> str | None:
        """Where requests go instead of the real hosts (``BASE/HOST/PATH``), if anywhere.

        Raises:
            InvalidArgument: ``$XBOX_LIVE_BASE_URL`` is not an acceptable base URL.
        """
        if self._base_url is UNSET:
            try:
                self._base_url = check_base_url(resolve_base_url(None),
                                                allow_insecure=self._allow_insecure)
            except InvalidArgument as exc:
                raise InvalidArgument(f"${BASE_URL_ENV}: {exc}") from None
        url: str | None = self._base_url
        return url

    @property
    def authenticated(self) -> bool:
        """Whether the client is signed in (holds a session, or its token store has one).

        With an :class:`~xbox.auth.storage.AsyncTokenStorage`, which cannot be read here,
        only what the client holds counts (``await xbl.whoami(refresh=False)`` reads it).
        """
        if not self.auth.loaded and self._store.blocking:
            return self.auth.read(self._store.peek(self.auth.account)) is not None
        return self.auth.session is not None

    @property
    def login(self) -> str | None:
        """The e-mail address the session signed in with, if known."""
        session = self.auth.session
        return session.login if session else None

    @property
    def xuid(self) -> str | None:
        """The signed-in user's xuid (None until signed in)."""
        session = self.auth.session
        return session.xuid if session else None

    @property
    def gamertag(self) -> str | None:
        """The signed-in user's gamertag (None until signed in)."""
        session = self.auth.session
        return session.gamertag if session else None

    def __repr__(self) -> str:
        session = self.auth.session
        if session is None:
            return f"<xbox.{type(self).__name__}: Unauthenticated>"
        return f"<xbox.{type(self).__name__}: {session.login or session.gamertag or 'signed in'}>"

    def authorization_url(self, redirect_uri: str, *, client_id: str | None = None,
                          scope: str | None = None, state: str | None = None,
                          login_hint: str | None = None) -> str:
        """The browser sign-in URL, for programs that run their own redirect endpoint.

        Args:
            redirect_uri: where the browser comes back with ``?code=&state=``.
            client_id: an own app's id (default: the Xbox app's public client id).
            scope: default ``msa.LEGACY_SCOPE`` for Live client ids (16 hex digits),
                ``msa.AZURE_SCOPE`` for Azure apps (GUIDs).
            state: a random value to check when the browser comes back.
            login_hint: an e-mail address to pre-fill.

        Returns:
            The URL to open (mapped to the base URL when one is set).
        """
        client_id = client_id or msa.PUBLIC_CLIENT_ID
        url = msa.authorization_url(client_id=client_id, redirect_uri=redirect_uri,
                                      scope=msa.default_scope(client_id, scope), state=state,
                                      login_hint=login_hint)
        return map_url(url, self.base_url)

    @contextlib.contextmanager
    def dry_run(self) -> Iterator[DryRun]:
        """Send no write: within the block, reads go out as usual, and the first write (a
        PUT, PATCH or DELETE, or a POST that is not a look-up) is recorded instead of sent.
        That ends the call that made it, and the rest of the block::

            with xbl.dry_run() as dry:
                xbl.people.add(xuid)
            dry.request   # PlannedRequest(method='PUT', url='https://social.xboxlive.com/...')

        The arguments are checked as for a real call (a bad one raises). Meanwhile the client
        sends no write from any thread or task: use it for nothing else in the block.

        Yields:
            A :class:`DryRun`: its ``request`` is the write held back (None: there was none).
        """
        dry = DryRun()
        self._dry_run = dry
        try:
            yield dry
        except _WriteHeld:
            pass
        finally:
            self._dry_run = None

    def _hold_write(self, call: Call) -> None:
        """In a dry run, record an API write instead of sending it (sign-in steps and reads go
        out as usual)."""
        dry = self._dry_run
        if dry is not None and call.authorize and is_write(call):
            dry.request = PlannedRequest.of(call)
            raise _WriteHeld

    # -- the pure steps of the send path (the clients' ``_send`` does the waiting) ---------------
    def _deadline(self, call: Call) -> Deadline:
        """The call's budget, from now."""
        return Deadline(self.retry.max_total if call.budget is None else call.budget,
                        self.clock(), call.host)

    def _prepare(self, call: Call, session: Session | None,
                 deadline: Deadline) -> tuple[float, httpx.Request, Booking | None]:
        """Book the call's rate-limit slot and build its request.

        Returns:
            How long to wait for the slot (0: none), the request to send after it, and the
            booking (None: not rate limited) for :meth:`_recheck` and :meth:`_answered`.

        Raises:
            RateLimited: the wait would not fit in the call's budget.
        """
        from . import _http  # httpx, on the first send: `import xbox` stays light

        wait, booking = 0.0, None
        if call.governed:
            booking = self.governor.reserve(_user(session), call.host, call.method, self.clock())
            if booking is not None and booking.wait > 0:
                wait = booking.wait
                self._allow_wait(booking, deadline, wait)
        if self._waits is None:
            self._waits = _http.timeouts(self._timeout)
        request = _http.build_request(
            call, base_url=self.base_url, timeout=self._waits, language=self.language,
            remaining=deadline.remaining(self.clock() + wait),
            authorization=session.authorization if session is not None else None)
        if call.signer is not None:
            # Over the real path and the body exactly as sent, at the moment it leaves.
            request.headers["Signature"] = call.signer.sign(
                call.method, _http.real_path(request, self.base_url), request.content,
                request.headers.get("Authorization", ""), self.clock() + wait)
        return wait, request, booking

    def _allow_wait(self, booking: Booking, deadline: Deadline, wait: float) -> None:
        """Check a rate-limit wait against ``max_wait`` and the budget (a booking that
        cannot be used is freed), and say it is being taken."""
        try:
            self._check_max_wait(wait, deadline.host)
            deadline.allow_wait(wait, "rate limit", self.clock())
        except BaseException:
            self.governor.cancel(booking)  # never sent
            raise
        _say_wait(wait, deadline.host)

    def _check_max_wait(self, wait: float, host: str) -> None:
        """Raises WaitTooLong: ``wait`` is longer than ``max_wait``."""
        if self.max_wait is not None and wait > self.max_wait:
            raise WaitTooLong(
                f"{host} needs a {math.ceil(wait)} s wait for its rate limit, longer than "
                f"max_wait ({self.max_wait:g} s)", retry_after=wait, max_wait=self.max_wait,
                service=host)

    def _recheck(self, booking: Booking | None, call: Call, deadline: Deadline) -> float:
        """Just before a request that waited leaves: more seconds to wait (0: send now),
        when a request booked before it left or was answered later than planned."""
        if booking is None:
            return 0.0
        extra = self.governor.recheck(booking, call.host, call.method, self.clock())
        if extra > 0:
            self._allow_wait(booking, deadline, extra)
        return extra

    def _answered(self, booking: Booking | None, status: int | None) -> None:
        """The answer (``status``; None: the request failed) arrived: book it at this time."""
        if booking is not None:
            self.governor.settle(booking, self.clock(), refused=status == 429)

    def _retry_delay(self, call: Call, response: httpx.Response | None, attempt: int,
                     deadline: Deadline, session: Session | None) -> float | None:
        """How long to wait before sending ``call`` again, or None to hand back what came.

        ``response`` is None after a transport error. Transient statuses (408, 429, 5xx)
        are retried for idempotent calls, and 429s always (a refused request did nothing);
        a 429 also teaches the governor the limit its body states. A 429 whose wait fits in
        the budget uses up no attempt; one whose wait does not fit is handed back at once
        (and raised as :class:`~xbox.exceptions.RateLimited`, naming the wait).
        """
        remaining = deadline.remaining(self.clock())
        attempt -= deadline.refusals
        if response is None:
            delay = retry_delay(self.retry, attempt=attempt, idempotent=call.idempotent,
                                remaining=remaining, transport_error=True)
            log.debug("transport error on %s %s; retry in %s s", call.method, call.host, delay)
            return delay
        status = response.status_code
        log.debug("%s %s -> %d", call.method, call.host, status)
        if status not in RETRY_STATUSES:
            return None
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == 429:
            if call.governed:
                self.governor.penalize(_user(session), call.host, call.method, self.clock(),
                                       retry_after, read_body(response))
            if remaining is not None and self.retry.max_attempts > 1:
                delay = refusal_delay(self.retry, deadline, remaining=remaining,
                                      retry_after=retry_after)
                if delay is not None:
                    self._check_max_wait(delay, call.host)
                    deadline.refused(delay)
                    _say_wait(delay, call.host)
                return delay
        delay = retry_delay(self.retry, attempt=attempt, idempotent=call.idempotent or status == 429,
                            status=status, retry_after=retry_after, remaining=remaining)
        if status == 429 and delay is not None:
            self._check_max_wait(delay, call.host)
            _say_wait(delay, call.host)
        return delay

    # -- reading answers ------------------------------------------------------------------------
    @staticmethod
    def _checked_target(host: str, path: str) -> None:
        """:meth:`request`'s host and path, checked before anything is sent."""
        if not isinstance(host, str) or not host or any(c in host for c in "/\\@?# \t\r\n"):
            raise InvalidArgument(
                f"host must be a bare host name like 'profile.xboxlive.com', not {host!r}"[:120])
        if not isinstance(path, str) or not path.startswith("/") or any(
                c in path for c in "\t\r\n"):
            raise InvalidArgument(f"path must start with '/' and be one line: {path!r}"[:120])

    @staticmethod
    def _result(response: httpx.Response, host: str, *,
                not_found: type[NotFoundException] = NotFoundException,
                not_found_message: str | None = None) -> Any:
        """The parsed JSON of an API answer, or the exception for an error status.

        Raises:
            XboxException: a subclass for every error status; MalformedResponse for a
                2xx body that is not JSON.
        """
        if response.status_code >= 400:
            raise error_for_response(response, host=host, not_found=not_found,
                                     not_found_message=not_found_message)
        if not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            raise MalformedResponse(f"{host} sent a body that is not JSON",
                                    status_code=response.status_code, service=host,
                                    body=response.text[:2000]) from None


def _checked_max_wait(value: object) -> float | None:
    """``max_wait`` as given, checked: None, or seconds (a finite number, at least 0).

    Raises:
        InvalidArgument: anything else.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and value >= 0):
        raise InvalidArgument(f"max_wait must be None or a number of seconds >= 0, not {value!r}")
    return float(value)


def _say_wait(seconds: float, host: str) -> None:
    """One log record for a rate-limit wait about to be taken: INFO, with the seconds as
    ``record.rate_limit_wait`` (the CLI prints the long ones on stderr)."""
    log.info("waiting %.0f s for %s (rate limit)", seconds, host,
             extra={"rate_limit_wait": seconds})


def _user(session: Session | None) -> str:
    """Whose rate-limit budget a request books."""
    return (session.xuid or "me") if session is not None else "anonymous"

"""The asynchronous Xbox Live client: the source of truth that ``_sync/`` is generated from.

The request pipeline, in order: build the request (pure, with the host mapping), attach
``XBL3.0`` authorization (refreshing tokens as needed), wait for a rate-limit slot, send,
decide on a retry (pure), and turn a final error status into one typed exception.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from .. import _concurrency
from .._concurrency import AsyncLock
from .._core.errors import error_for_response, read_body
from .._core.governor import Governor
from .._core.limits import Limit
from .._core.retry import IDEMPOTENT_METHODS, RetryPolicy, parse_retry_after, retry_delay
from .._core.urls import is_trusted_host, map_url, resolve_base_url, unmap_url
from ..exceptions import (
    MalformedResponse,
    NotFoundException,
    NotSignedIn,
    Timeout,
    TransportError,
)
from .auth import AsyncAuthenticator
from .resources import (
    AsyncAchievements,
    AsyncClips,
    AsyncPeople,
    AsyncPresence,
    AsyncProfiles,
    AsyncScreenshots,
    AsyncSearch,
    AsyncTitles,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from os import PathLike

    from ..auth.flows import DeviceCode
    from ..auth.store import TokenStore
    from ..auth.tokens import Session
    from ..download import DownloadResult, ProgressCallback
    from ..models.captures import Capture

__all__ = ["DEFAULT_TIMEOUT", "AsyncClient"]

log = logging.getLogger("xbox")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
USER_AGENT = "xbox-python/1.0"
_UNSET: Any = object()


def _has_h2() -> bool:
    try:
        import h2  # noqa: F401
    except ImportError:
        return False
    return True


class AsyncClient:
    """Base API client object handling authentication and making requests.

    A global instance of this is instantiated on import (``xbox.client``); all you have to do
    is call the :meth:`authenticate` method (or run ``xbox login`` once). Use one client per
    account; it keeps one connection pool, the sign-in state and the rate-limit budget.

    Attributes:
        authenticated (bool): whether client is authed.

    Args:
        base_url: send every request to ``BASE/HOST/PATH`` (the sandbox layout) instead of
            the real hosts; defaults to ``$XBOX_LIVE_BASE_URL``.
        transport: an httpx transport (``sandbox.transport()`` for in-process tests).
        account: which saved account of the token store to use.
        token_store: where sign-ins are kept; None keeps them in memory only.
        timeout: seconds, or an ``httpx.Timeout`` (connect 10 s, read/write 30 s by default).
        retry: retry policy for idempotent calls.
        rate_limits: obey Xbox Live's per-user per-service limits by waiting for a slot.
        limits: override limits per service (``{"profile": Limit(10, 30)}``).
        language: ``Accept-Language`` for localized fields.
        clock / sleep: time source and sleeper (tests use fake ones to skip waiting).
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        account: str = "default",
        token_store: TokenStore | None = _UNSET,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limits: bool = True,
        limits: Mapping[str, Limit] | None = None,
        language: str = "en-US",
        http2: bool = True,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self._base_url_arg = base_url
        self._transport = transport
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.retry = retry or RetryPolicy()
        self.governor = Governor(dict(limits or {}), enabled=rate_limits)
        self.language = language
        self._http2 = http2
        self.clock: Callable[[], float] = clock or time.time
        self._sleep = sleep or _concurrency.async_sleep
        self._http: httpx.AsyncClient | None = None
        self._http_lock = AsyncLock()
        if token_store is _UNSET:
            from ..auth.store import TokenStore

            token_store = TokenStore()
        self.auth = AsyncAuthenticator(self, token_store, account)
        self.profiles = AsyncProfiles(self)
        self.clips = AsyncClips(self)
        self.screenshots = AsyncScreenshots(self)
        self.achievements = AsyncAchievements(self)
        self.presence = AsyncPresence(self)
        self.people = AsyncPeople(self)
        self.titles = AsyncTitles(self)
        self.search = AsyncSearch(self)

    # -- the seed API ---------------------------------------------------------------------------
    @property
    def authenticated(self) -> bool:
        """Whether the client is signed in (holds a session)."""
        return self.auth.has_credentials()

    async def authenticate(self, login: str | None = None, password: str | None = None) -> AsyncClient:
        """Authenticate this client instance with an e-mail address and password.

        ``login`` and ``password`` default to the environment variables ``MS_LOGIN`` and
        ``MS_PASSWD`` respectively.

        Args:
            login: e-mail address associated with a Microsoft account.
            password: matching password.

        Raises:
            AuthenticationException: wrong credentials, or the account was refused
                (a subclass says which).

        Returns:
            This client.
        """
        await self.auth.password_sign_in(login, password)
        return self

    # -- signing in (issue 3) ---------------------------------------------------------------------
    async def login_password(self, login: str, password: str) -> Session:
        """Sign in with an e-mail address and password (the 2014 login page flow).

        Args:
            login: e-mail address of the Microsoft account.
            password: its password (never logged or saved; only tokens are saved).

        Returns:
            The new session, also saved to the token store.

        Raises:
            InvalidCredentials: wrong password or unknown account (the message says which).
            SignInBlocked: two-step verification or a security block; use device code.
            XstsError: Xbox Live refused the account (``xerr``, ``reason``, fix URL).
        """
        return await self.auth.password_sign_in(login, password)

    async def start_device_code(self, *, client_id: str | None = None,
                                scope: str | None = None) -> DeviceCode:
        """Start a device-code sign-in: show ``code.verification_uri`` and ``code.user_code``.

        Args:
            client_id: an own Azure app's id (default: the Xbox app's public client id).
            scope: default ``flows.LEGACY_SCOPE`` for Live client ids (16 hex digits),
                ``flows.AZURE_SCOPE`` for Azure apps (GUIDs).

        Returns:
            The pending code; pass it to :meth:`finish_device_code`.

        Raises:
            AuthenticationException: login.live.com refused to hand out a code.
        """
        return await self.auth.start_device_code(client_id, scope)

    async def finish_device_code(self, code: DeviceCode, *,
                                 timeout: float | None = None) -> Session:
        """Wait until a person approves ``code``, then sign in and save the session.

        Polls every ``code.interval`` seconds (5 s more after each ``slow_down``).

        Args:
            code: from :meth:`start_device_code`.
            timeout: give up after this many seconds (default: when the code expires).

        Returns:
            The new session, also saved to the token store.

        Raises:
            DeviceCodeExpired: the code expired, or ``timeout`` passed, before approval.
            DeviceCodeDeclined: the person declined.
            XstsError: Xbox Live refused the account.
        """
        return await self.auth.finish_device_code(code, timeout)

    async def login_device_code(self, *, on_code: Callable[[DeviceCode], None],
                                client_id: str | None = None,
                                scope: str | None = None) -> Session:
        """Device-code sign-in in one call: ``on_code(code)`` shows the URL and the code.

        Interrupting (Ctrl-C, task cancellation) propagates and saves nothing.

        Args:
            on_code: called once with the pending code, before waiting.
            client_id: see :meth:`start_device_code`.
            scope: see :meth:`start_device_code`.

        Returns:
            The new session, also saved to the token store.

        Raises:
            DeviceCodeExpired, DeviceCodeDeclined, XstsError: see :meth:`finish_device_code`.
        """
        code = await self.auth.start_device_code(client_id, scope)
        on_code(code)
        return await self.auth.finish_device_code(code)

    def authorization_url(self, redirect_uri: str, *, client_id: str | None = None,
                          scope: str | None = None, state: str | None = None,
                          login_hint: str | None = None) -> str:
        """The browser sign-in URL, for programs that run their own redirect endpoint.

        Args:
            redirect_uri: where the browser comes back with ``?code=&state=``.
            client_id: see :meth:`start_device_code`.
            scope: see :meth:`start_device_code`.
            state: a random value to check when the browser comes back.
            login_hint: an e-mail address to pre-fill.

        Returns:
            The URL to open (mapped to the base URL when one is set).
        """
        return self.auth.authorization_url(redirect_uri, client_id=client_id, scope=scope,
                                           state=state, login_hint=login_hint)

    async def finish_authorization_code(self, code: str, redirect_uri: str, *,
                                        client_id: str | None = None,
                                        client_secret: str | None = None,
                                        scope: str | None = None) -> Session:
        """Redeem the ``code`` a browser brought back to ``redirect_uri`` and sign in.

        Check the ``state`` that came with it before calling this.

        Returns:
            The new session, also saved to the token store.

        Raises:
            AuthenticationException: the code was refused (expired, used, wrong redirect).
            XstsError: Xbox Live refused the account.
        """
        return await self.auth.finish_authorization_code(
            code, redirect_uri, client_id=client_id, client_secret=client_secret, scope=scope)

    async def login_browser(self, *, client_id: str | None = None,
                            client_secret: str | None = None, scope: str | None = None,
                            redirect_port: int = 0,
                            open_browser: Callable[[str], object] | None = None,
                            state: str | None = None, timeout: float = 300) -> Session:
        """Sign in in a browser (authorization code) with a one-shot listener on 127.0.0.1.

        Args:
            client_id: an own Azure app whose redirect URIs allow
                ``http://127.0.0.1:PORT/auth/callback`` (default: the Xbox app's id).
            client_secret: the Azure app's secret, if it has one (saved with the tokens).
            scope: see :meth:`start_device_code`.
            redirect_port: the listener's port (0: any free port).
            open_browser: opens the URL (default ``webbrowser.open``).
            state: the anti-forgery value (default: a random one).
            timeout: seconds to wait for the browser to come back.

        Returns:
            The new session, also saved to the token store.

        Raises:
            AuthenticationException: timeout, refusal in the browser, or a ``state`` that
                does not match (the code is then not redeemed).
        """
        return await self.auth.login_browser(
            client_id=client_id, client_secret=client_secret, scope=scope,
            redirect_port=redirect_port, open_browser=open_browser, state=state,
            timeout=timeout)

    async def logout(self) -> bool:
        """Forget the session and delete the account's token file.

        Returns:
            Whether there was a session or a file to forget.
        """
        return self.auth.forget()

    async def whoami(self, *, refresh: bool = True) -> dict[str, Any]:
        """Who is signed in, without secrets.

        Args:
            refresh: renew expired tokens first (so the answer is known to still work);
                False only reads the saved session.

        Returns:
            ``account``, ``gamertag``, ``xuid``, ``login``, ``age_group``, ``can_refresh`` and
            ``xsts_expires``/``user_expires``/``msa_expires`` (UTC datetimes or None).

        Raises:
            NotSignedIn: no saved or given sign-in.
            ReauthenticationRequired: the saved sign-in can no longer be refreshed.
            TokenStoreError: the token file is corrupt.
        """
        if refresh:
            session = await self.auth.ensure()
        else:
            self.auth._load()
            if self.auth.session is None:
                raise NotSignedIn()
            session = self.auth.session
        return self.auth.describe(session)

    @property
    def login(self) -> str | None:
        session = self.auth.session
        return session.login if session else None

    @property
    def xuid(self) -> str | None:
        """The signed-in user's xuid (None until signed in)."""
        session = self.auth.session
        return session.xuid if session else None

    @property
    def gamertag(self) -> str | None:
        session = self.auth.session
        return session.gamertag if session else None

    def __repr__(self) -> str:
        session = self.auth.session
        if session is None:
            return f"<xbox.{type(self).__name__}: Unauthenticated>"
        return f"<xbox.{type(self).__name__}: {session.login or session.gamertag or 'signed in'}>"

    # -- lifecycle --------------------------------------------------------------------------------
    @property
    def base_url(self) -> str | None:
        return resolve_base_url(self._base_url_arg)

    async def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            async with self._http_lock:
                if self._http is None:
                    self._http = httpx.AsyncClient(
                        transport=self._transport,
                        timeout=self._timeout,
                        http2=self._http2 and self._transport is None and _has_h2(),
                        follow_redirects=False,
                        headers={"User-Agent": USER_AGENT},
                    )
        return self._http

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    # -- sending ----------------------------------------------------------------------------------
    async def _transport_send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        """Send one request; httpx's exceptions become ours (their text has no secrets)."""
        http = await self._client()
        try:
            return await http.send(request, stream=stream)
        except httpx.TimeoutException as exc:
            host = self._real_host(request)
            raise Timeout(f"{host} did not answer in time ({type(exc).__name__})",
                          service=host) from None
        except httpx.TransportError as exc:
            host = self._real_host(request)
            raise TransportError(f"could not reach {host} ({type(exc).__name__})",
                                 service=host) from None
        except httpx.DecodingError:
            host = self._real_host(request)
            raise MalformedResponse(f"{host} sent a body that could not be decompressed",
                                    service=host) from None
        except httpx.HTTPError as exc:  # anything else httpx can raise while sending
            host = self._real_host(request)
            raise TransportError(f"request to {host} failed ({type(exc).__name__})",
                                 service=host) from None

    def _real_host(self, request: httpx.Request) -> str:
        # Name the real service, not the sandbox/base URL the request was mapped to.
        return urlsplit(unmap_url(str(request.url), self.base_url)).hostname or ""

    def build_request(self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
                      headers: Mapping[str, str] | None = None, json: Any = None,
                      data: Mapping[str, str] | None = None, content: bytes | None = None,
                      remaining: float | None = None) -> httpx.Request:
        """An ``httpx.Request`` for the real ``url``, sent where the mapping says.

        Args:
            remaining: seconds left of the call's total budget; no single wait (connect,
                read, write, pool) may exceed it.
        """
        target = map_url(url, self.base_url)
        # httpx.Client.send() does not add the client's default headers to a Request built
        # by hand, so name ourselves and ask for compression here (titlehub sends gzip).
        request_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate",
                           "Accept-Language": self.language}
        request_headers.update(headers or {})
        # Tokens only go to Microsoft/Xbox hosts (or the mapped base URL).
        if "Authorization" in request_headers and not is_trusted_host(urlsplit(url).hostname or ""):
            del request_headers["Authorization"]
        # send() sends a Request as it is: without this it would have no timeouts at all.
        timeouts = self._timeout.as_dict()
        if remaining is not None:
            timeouts = {k: remaining if v is None else min(v, remaining) for k, v in timeouts.items()}
        return httpx.Request(method, target, params=params, headers=request_headers, json=json,
                             data=data, content=content, extensions={"timeout": timeouts})

    def _remaining(self, host: str, started: float) -> float:
        """Seconds left of ``RetryPolicy.max_total`` for a call that began at ``started``.

        Raises:
            Timeout: none left.
        """
        remaining = self.retry.max_total - (time.monotonic() - started)
        if remaining <= 0:
            raise Timeout(f"{host} did not answer within {self.retry.max_total:g} s "
                          "(RetryPolicy.max_total)", service=host)
        return remaining

    async def _send_raw(self, method: str, url: str, *, retry: bool,
                        params: Mapping[str, Any] | None = None,
                        headers: Mapping[str, str] | None = None, json: Any = None,
                        data: Mapping[str, str] | None = None) -> httpx.Response:
        """Send with retries on transport errors and 5xx (when ``retry``); any status returns."""
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            remaining = self._remaining(urlsplit(url).hostname or "", started)
            request = self.build_request(method, url, params=params, headers=headers, json=json,
                                         data=data, remaining=remaining)
            try:
                response = await self._transport_send(request)
            except TransportError:
                delay = retry_delay(self.retry, attempt=attempt, elapsed=time.monotonic() - started,
                                    idempotent=retry, transport_error=True)
                if delay is None:
                    raise
                await self._sleep(delay)
                continue
            delay = retry_delay(self.retry, attempt=attempt, elapsed=time.monotonic() - started,
                                idempotent=retry, status=response.status_code,
                                retry_after=parse_retry_after(response.headers.get("Retry-After")))
            if delay is None:
                return response
            await self._sleep(delay)

    async def _api(
        self,
        method: str,
        host: str,
        path: str,
        *,
        contract_version: int | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        idempotent: bool | None = None,
        not_found: type[NotFoundException] = NotFoundException,
        not_found_message: str | None = None,
    ) -> httpx.Response:
        """One Xbox Live API call through the whole pipeline; returns a 2xx response."""
        if idempotent is None:
            idempotent = method.upper() in IDEMPOTENT_METHODS
        url = f"https://{host}{path}"
        base_headers = {"Accept": "application/json"}
        if contract_version is not None:
            base_headers["x-xbl-contract-version"] = str(contract_version)
        base_headers.update(headers or {})
        started: float | None = None
        attempt = 0
        reauthorized = False
        while True:
            attempt += 1
            request_headers = dict(base_headers)
            session = None
            user_key = "anonymous"
            if auth:
                session = await self.auth.ensure()
                request_headers["Authorization"] = session.authorization
                user_key = session.xuid or "me"
            wait = self.governor.reserve(user_key, host, method, self.clock())
            if wait > 0:
                log.debug("rate-limit governor: waiting %.2f s for %s", wait, host)
                await self._sleep(wait)
            if started is None:
                started = time.monotonic()  # the budget starts with the first send
            request = self.build_request(method, url, params=params, headers=request_headers,
                                         json=json, remaining=self._remaining(host, started))
            try:
                response = await self._transport_send(request)
            except TransportError:
                delay = retry_delay(self.retry, attempt=attempt, elapsed=time.monotonic() - started,
                                    idempotent=idempotent, transport_error=True)
                if delay is None:
                    raise
                log.debug("transport error on %s %s; retrying in %.2f s", method, host, delay)
                await self._sleep(delay)
                continue
            log.debug("%s %s%s -> %d", method, host, path.split("?", 1)[0], response.status_code)
            status = response.status_code
            if status == 401 and auth and not reauthorized:
                # Tokens can be revoked or expire early: refresh once, then try again.
                reauthorized = True
                await self.auth.refresh(session)
                continue
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if status == 429:
                self.governor.penalize(user_key, host, method, self.clock(), retry_after,
                                       read_body(response))
            if status >= 400:
                delay = retry_delay(self.retry, attempt=attempt, elapsed=time.monotonic() - started,
                                    idempotent=idempotent or status == 429, status=status,
                                    retry_after=retry_after)
                if delay is not None:
                    log.debug("%s %s answered %d; retrying in %.2f s", method, host, status, delay)
                    await self._sleep(delay)
                    continue
                raise error_for_response(response, host=host, not_found=not_found,
                                         not_found_message=not_found_message)
            return response

    async def _json(self, method: str, host: str, path: str, **kwargs: Any) -> Any:
        response = await self._api(method, host, path, **kwargs)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise MalformedResponse(f"{host} sent a body that is not JSON",
                                    status_code=response.status_code, service=host,
                                    body=response.text[:2000]) from None

    async def request(
        self,
        method: str,
        host: str,
        path: str,
        *,
        contract_version: int | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
    ) -> Any:
        """Call any Xbox Live endpoint through the full pipeline (auth, limits, retries, errors).

        Args:
            method: ``"GET"``, ``"POST"``...
            host: the service host, e.g. ``"profile.xboxlive.com"``.
            path: the path, e.g. ``"/users/me/profile/settings"``.
            contract_version: the ``x-xbl-contract-version`` to send.

        Returns:
            The parsed JSON body (None for an empty body).

        Raises:
            XboxException: a subclass for every failure.
        """
        if not host or "/" in host:
            raise ValueError(f"host must be a bare host name like 'profile.xboxlive.com', not {host!r}")
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        return await self._json(method.upper(), host, path, contract_version=contract_version,
                                params=params, json=json, headers=headers, auth=auth)

    async def download(self, capture: Capture, dest: str | PathLike[str], *,
                       thumbnail: str | None = None, progress: ProgressCallback | None = None,
                       chunk_size: int = 256 * 1024) -> DownloadResult:
        """Download a clip or screenshot (or one of its thumbnails) to ``dest``, verified.

        Streams into ``<dest>.part``, resumes with HTTP Range after failures, refreshes the
        signed URL when it is about to expire or the media host answers 403, checks size,
        content type and magic bytes, then renames to ``dest`` atomically.

        Args:
            capture: a clip or screenshot from ``xbl.clips`` / ``xbl.screenshots``.
            dest: the final file path.
            thumbnail: ``"Small"`` or ``"Large"`` to fetch that thumbnail instead.
            progress: called as ``progress(bytes_done, bytes_total)``.
            chunk_size: most bytes per disk write and per progress report.

        Returns:
            The file's path, size, sha256 and content type.

        Raises:
            DownloadError: what went wrong, in plain words (a full disk keeps the ``.part``).
        """
        # Imported here: the download module imports this one's types.
        from .download import download

        return await download(self, capture, dest, thumbnail=thumbnail, progress=progress,
                              chunk_size=chunk_size)

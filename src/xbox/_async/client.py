"""The asynchronous Xbox Live client: the source of truth that ``_sync/`` is generated from.

Everything that does not send lives in :class:`~xbox._base_client.BaseClient`. What is here
is the one way down to the socket, used by API calls, every sign-in step and every media
request alike (:meth:`AsyncClient._send`): wait for a rate-limit slot within the call's
budget, send, decide on a retry (a pure function), refresh the tokens once after a 401,
and hand back the answer. Sign-in flows (:mod:`xbox.auth.flows`) are generators that this
client drives through the same path (:meth:`AsyncClient._run`).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import secrets
import warnings
import webbrowser
from collections.abc import Callable, Generator, Iterable, Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from .. import _concurrency, _response
from .._base_client import UNSET, BaseClient, checked_http_client, host_token
from .._concurrency import AsyncLock
from .._core.call import NO_BODY, Call, Flow, RenewMsa, Wait, api_call
from .._core.retry import Deadline
from .._core.urls import map_url, unmap_url
from .._response import RawResponse
from ..auth import browser, flows, msa, xboxlive
from ..auth.answers import unreadable
from ..auth.storage import AsyncSessionStore
from ..auth.tokens import MsaToken
from ..download._async import download as download_file
from ..exceptions import (
    InvalidArgument,
    MalformedResponse,
    NotFoundException,
    NotSignedIn,
    SessionNotSaved,
    TokenStoreError,
    TransportError,
    XboxException,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable
    from os import PathLike

    import httpx

    from .._core.limits import Limit
    from .._core.retry import RetryPolicy
    from ..auth.browser import BrowserSignIn
    from ..auth.msa import DeviceCode
    from ..auth.state import WhoAmI
    from ..auth.storage import AsyncTokenStorage, TokenStorage
    from ..auth.tokens import Session, XboxToken
    from ..download import DownloadResult, ProgressCallback
    from ..models.captures import Capture
    from ..models.profile import Profile
    from .events import AsyncEvents
    from .resources import (
        AsyncAccount,
        AsyncAchievements,
        AsyncCatalog,
        AsyncClips,
        AsyncConsoles,
        AsyncCqs,
        AsyncLists,
        AsyncMessages,
        AsyncPeople,
        AsyncPresence,
        AsyncProfiles,
        AsyncScreenshots,
        AsyncSearch,
        AsyncStats,
        AsyncTitles,
    )

__all__ = ["AsyncClient"]

log = logging.getLogger("xbox")
T = TypeVar("T")
P = ParamSpec("P")


class AsyncClient(BaseClient):
    """Base API client object handling authentication and making requests.

    A global instance of this is instantiated on import (``xbox.client``); all you have to do
    is call the :meth:`authenticate` method (or run ``xbox login`` once). Use one client per
    account; it keeps one connection pool, the sign-in state and the rate-limit budget.

    Attributes:
        authenticated (bool): whether client is authed.
        profiles, clips, screenshots, achievements, presence, people, titles, search, stats,
            account, catalog, lists, cqs, consoles, messages: the resources
            (``xbl.profiles.get("JoeAlcorn")``), each built on first use.

    Args:
        base_url: send every request to ``BASE/HOST/PATH`` (the sandbox layout) instead of
            the real hosts; defaults to ``$XBOX_LIVE_BASE_URL``. Plain ``http://`` only for
            loopback addresses, unless ``allow_insecure``.
        transport: an httpx transport, the escape hatch for tests (``sandbox.transport()``
            answers in-process).
        http_client: the host application's own client of this kind
            (``httpx.AsyncClient``), to send every request through (API calls, sign-in,
            media): its proxies, TLS settings, event hooks, connection limits and HTTP/2
            apply; our headers, timeouts and the base-URL mapping go on each request, its
            own defaults never change, and it is never closed by us (see
            docs/embedding.rst). Not with ``transport``.
        account: which saved account of the token store to use.
        token_store: where sign-ins are kept (default: the file store, ``TokenStore()``):
            anything with ``load``, ``save`` and ``delete`` per account name
            (:mod:`xbox.auth.storage`: a host's config entry, a database); the async
            client's may be coroutines. Saved each time the tokens change. None keeps them
            in memory only.
        msa_token_provider: a function (a coroutine function for the async client) the
            client calls for a valid Microsoft account token whenever it needs one (a first
            sign-in, or the user token's renewal): the host application's own OAuth (Home
            Assistant's ``OAuth2Session.async_ensure_token_valid()``). It returns the access
            token (``str``) or an :class:`~xbox.auth.tokens.MsaToken`; with it, the client
            never refreshes the Microsoft token itself. Its exceptions reach the caller
            unchanged.
        timeout: seconds (or an ``httpx.Timeout``) per connect, read and write; by default
            10 s to connect and 30 s for the rest.
        retry: retry policy for idempotent calls, and each call's total budget.
        rate_limits: obey Xbox Live's per-user per-service limits by waiting for a slot.
        max_wait: the longest rate-limit wait (the governor's, or a 429's ``Retry-After``)
            a call takes, in seconds; a longer one raises
            :class:`~xbox.exceptions.WaitTooLong`, naming the wait, instead of waiting.
            ``0`` never waits (fail fast); None (the default) takes any wait that fits in
            the call's budget (``RetryPolicy.max_total``).
        limits: override limits per service (``{"profile": Limit(10, 30)}``).
        language: ``Accept-Language`` for localized fields.
        http2: speak HTTP/2 where the server does (our own pool only: a host's
            ``http_client`` decides for itself).
        allow_insecure: accept a plain-http base URL that is not loopback (warns).
        clock / sleep: time source and sleeper (tests use fake ones to skip waiting).
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        account: str = "default",
        token_store: TokenStorage | AsyncTokenStorage | None = UNSET,
        msa_token_provider: Callable[[], Awaitable[str | MsaToken]] | None = None,
        timeout: float | httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
        rate_limits: bool = True,
        limits: Mapping[str, Limit] | None = None,
        language: str = "en-US",
        http2: bool = True,
        allow_insecure: bool = False,
        max_wait: float | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(base_url=base_url, account=account, token_store=token_store,
                         timeout=timeout, retry=retry, rate_limits=rate_limits, limits=limits,
                         language=language, http2=http2, clock=clock,
                         allow_insecure=allow_insecure, max_wait=max_wait)
        self._transport = transport
        #: The host's client (never closed by us), or None: our own pool, made on first use.
        self._host_http = checked_http_client(http_client, "AsyncClient", transport)
        self._store: AsyncSessionStore = AsyncSessionStore(self.auth.store)
        if msa_token_provider is not None and not callable(msa_token_provider):
            raise TypeError("msa_token_provider must be a function returning the Microsoft "
                            f"account token, not {type(msa_token_provider).__name__}")
        self._msa_provider = msa_token_provider
        # Through the module: in the generated twin a bare `sleep` is this parameter.
        self._sleep = sleep or _concurrency.async_sleep
        self._pool: Any = None
        self._upgrade_pool: Any = None
        self._pool_lock = AsyncLock()
        self._sign_in_lock = AsyncLock()

    # -- the resources: each built on first use, and its module imported then: the resources
    #    import the models (pydantic), which `import xbox` does not load.

    @cached_property
    def profiles(self) -> AsyncProfiles:
        """Profile settings of Xbox Live users, one or many (profile.xboxlive.com)."""
        from .resources.profiles import AsyncProfiles

        return AsyncProfiles(self)

    @cached_property
    def clips(self) -> AsyncClips:
        """Game clips: a user's, saved or recent, and the signed-in user's own (mediahub)."""
        from .resources.captures import AsyncClips

        return AsyncClips(self)

    @cached_property
    def screenshots(self) -> AsyncScreenshots:
        """Screenshots: a user's, saved or recent, and the signed-in user's own (mediahub)."""
        from .resources.captures import AsyncScreenshots

        return AsyncScreenshots(self)

    @cached_property
    def achievements(self) -> AsyncAchievements:
        """Achievements and their history, Xbox One and Xbox 360."""
        from .resources.achievements import AsyncAchievements

        return AsyncAchievements(self)

    @cached_property
    def presence(self) -> AsyncPresence:
        """Who is online and what they play; setting your own state."""
        from .resources.presence import AsyncPresence

        return AsyncPresence(self)

    @cached_property
    def people(self) -> AsyncPeople:
        """Friends and followers, follow summaries, adding and removing friends (the ``friends`` command)."""
        from .resources.people import AsyncPeople

        return AsyncPeople(self)

    @cached_property
    def titles(self) -> AsyncTitles:
        """Titles played, and titles by id or package family name (titlehub)."""
        from .resources.titles import AsyncTitles

        return AsyncTitles(self)

    @cached_property
    def search(self) -> AsyncSearch:
        """Gamertag search."""
        from .resources.search import AsyncSearch

        return AsyncSearch(self)

    @cached_property
    def stats(self) -> AsyncStats:
        """A player's statistics in a title (userstats.xboxlive.com)."""
        from .resources.stats import AsyncStats

        return AsyncStats(self)

    @cached_property
    def account(self) -> AsyncAccount:
        """Gamertag reservation and change."""
        from .resources.account import AsyncAccount

        return AsyncAccount(self)

    @cached_property
    def catalog(self) -> AsyncCatalog:
        """Store products: look-ups and search (the ``store`` command)."""
        from .resources.catalog import AsyncCatalog

        return AsyncCatalog(self)

    @cached_property
    def lists(self) -> AsyncLists:
        """The signed-in user's lists: the Xbox home's Pins (the ``pins`` command)."""
        from .resources.lists import AsyncLists

        return AsyncLists(self)

    @cached_property
    def cqs(self) -> AsyncCqs:
        """A TV lineup and what is on."""
        from .resources.cqs import AsyncCqs

        return AsyncCqs(self)

    @cached_property
    def consoles(self) -> AsyncConsoles:
        """The signed-in user's consoles, and remote commands (SmartGlass)."""
        from .resources.consoles import AsyncConsoles

        return AsyncConsoles(self)

    @cached_property
    def messages(self) -> AsyncMessages:
        """Conversations: reading, sending and deleting messages."""
        from .resources.messages import AsyncMessages

        return AsyncMessages(self)

    # -- the seed API ---------------------------------------------------------------------------
    async def authenticate(self, login: str | None = None, password: str | None = None) -> AsyncClient:
        """Authenticate this client instance with an e-mail address and password.

        ``login`` and ``password`` default to the environment variables ``MS_LOGIN`` and
        ``MS_PASSWD`` respectively.

        Args:
            login: e-mail address associated with a Microsoft account.
            password: matching password.

        Raises:
            AuthenticationException: wrong credentials, or the account was refused
                (a subclass says which). The client is then signed out: it does not go on
                as an account signed in earlier.

        Returns:
            This client.
        """
        login = login if login is not None else os.environ.get("MS_LOGIN")
        password = password if password is not None else os.environ.get("MS_PASSWD")
        if not login or not password:
            raise flows.not_signed_in()
        await self.login_password(login, password)
        return self

    # -- signing in (each returns the new Session, also saved to the token store) -------------
    async def login_password(self, login: str, password: str) -> Session:
        """Sign in with an e-mail address and password (the 2014 login page flow).

        Args:
            login: e-mail address of the Microsoft account.
            password: its password (never logged or saved; only tokens are saved).

        Raises:
            InvalidCredentials: wrong password or unknown account (the message says which).
            SignInBlocked: two-step verification or a security block; use device code.
            XstsError: Xbox Live refused the account (``xerr``, ``reason``, fix URL).
        """
        return await self._sign_in(flows.password(login, password, self.clock))

    async def start_device_code(self, *, client_id: str | None = None,
                                scope: str | None = None) -> DeviceCode:
        """Start a device-code sign-in: show ``code.verification_uri`` and ``code.user_code``,
        then pass ``code`` to :meth:`finish_device_code`.

        Args:
            client_id: an own Azure app's id, or a public one (default: the Xbox app's).
            scope: default :func:`xbox.auth.msa.default_scope` of the client id.

        Raises:
            AuthenticationException: login.live.com refused to hand out a code.
        """
        client_id = client_id or msa.PUBLIC_CLIENT_ID
        return await self._run(msa.device_code(client_id, msa.default_scope(client_id, scope),
                                                   self.clock))

    async def finish_device_code(self, code: DeviceCode, *, timeout: float | None = None,
                                 flow: str | None = None) -> Session:
        """Wait until a person approves ``code`` (polling at the interval the server asks
        for), then sign in as the client id's app does (the Xbox app's: SISU) and save.

        Args:
            timeout: give up after this many seconds (default: when the code expires).
            flow: ``"sisu"``, ``"title"`` or ``"plain"`` (default: what the client id needs,
                :func:`xbox.auth.xboxlive.flow_for`).

        Raises:
            DeviceCodeExpired / DeviceCodeDeclined: not approved in time / declined.
            XstsError: Xbox Live refused the account.
        """
        token = await self._run(msa.poll_device_code(code, self.clock, timeout))
        return await self._adopt(token, flow=flow)

    async def login_device_code(self, *, on_code: Callable[[DeviceCode], None],
                                client_id: str | None = None, scope: str | None = None,
                                flow: str | None = None) -> Session:
        """:meth:`start_device_code`, ``on_code(code)`` (shows the URL and the code), then
        :meth:`finish_device_code`. Interrupting (Ctrl-C, cancelling) saves nothing."""
        code = await self.start_device_code(client_id=client_id, scope=scope)
        on_code(code)
        return await self.finish_device_code(code, flow=flow)

    async def finish_authorization_code(self, code: str, redirect_uri: str, *,
                                        client_id: str | None = None,
                                        client_secret: str | None = None,
                                        scope: str | None = None,
                                        flow: str | None = None) -> Session:
        """Redeem the ``code`` a browser brought back to ``redirect_uri`` and sign in.

        Check the ``state`` that came with it before calling this.

        Raises:
            AuthenticationException: the code was refused (expired, used, wrong redirect).
            XstsError: Xbox Live refused the account.
        """
        client_id = client_id or msa.PUBLIC_CLIENT_ID
        token = await self._run(msa.redeem_code(
            code, redirect_uri=redirect_uri, client_id=client_id,
            scope=msa.default_scope(client_id, scope), client_secret=client_secret,
            now=self.clock))
        return await self._adopt(token, client_secret=client_secret, flow=flow)

    async def start_browser_sign_in(self, *, client_id: str | None = None) -> BrowserSignIn:
        """Begin a browser sign-in with a public client id: open ``pending.url``, then pass
        the address the browser lands on (``pending.redirect_uri?code=...``, which no browser
        opens: the person copies it) to :meth:`finish_browser_sign_in`. The Xbox app's id
        (the default) signs in with SISU and PKCE; the 2014 library's id, with its own page.
        """
        client_id = client_id or msa.PUBLIC_CLIENT_ID
        device = self.auth.device(await self._stored_quietly())
        pending = await self._run(browser.start_browser(client_id, device, self.clock))
        return dataclasses.replace(pending, url=map_url(pending.url, self.base_url))

    async def finish_browser_sign_in(self, pending: BrowserSignIn, address: str) -> Session:
        """Finish a browser sign-in from the address the person landed on (pasted).

        Raises:
            AuthenticationException: not that address, the person refused, or an answer
                carrying another sign-in's ``state`` (then nothing is redeemed).
        """
        return await self._sign_in(browser.finish_browser(pending, address, self.clock))

    async def login_browser(self, *, client_id: str | None = None,
                            client_secret: str | None = None, scope: str | None = None,
                            redirect_port: int = 0,
                            open_browser: Callable[[str], object] | None = None,
                            paste: Callable[[str], str] | None = None,
                            state: str | None = None, timeout: float = 300,
                            flow: str | None = None) -> Session:
        """Sign in in a browser: ``open_browser(url)`` (default ``webbrowser.open``), then
        for a public id (default: the Xbox app's) ``paste(prompt)`` returns the address the
        browser landed on (:meth:`start_browser_sign_in`). An own Azure app (a GUID id;
        ``client_secret`` if it has one, saved with the tokens) comes back instead to a
        one-shot listener on ``http://127.0.0.1:redirect_port/auth/callback`` (0: any free
        port), with ``state`` (default: random), within ``timeout`` seconds; ``flow`` as in
        :meth:`finish_device_code`.

        Raises:
            AuthenticationException: timeout, refusal in the browser, a ``state`` that does
                not match (the code is then not redeemed), or no ``paste`` for a public id.
        """
        opener = open_browser or webbrowser.open
        client_id = client_id or msa.PUBLIC_CLIENT_ID
        stored = await self._stored_quietly()
        return await self._sign_in(browser.sign_in(
            client_id, self.auth.device(stored), functools.partial(
                self.auth.new_session, client_secret=client_secret, flow=flow, stored=stored),
            open_url=lambda url: opener(map_url(url, self.base_url)), paste=paste,
            port=redirect_port, state=state or secrets.token_urlsafe(24), timeout=timeout,
            scope=msa.default_scope(client_id, scope), client_secret=client_secret,
            now=self.clock))

    async def login_msa_token(self, token: str | MsaToken | None = None, *,
                              refresh_token: str | None = None, client_id: str | None = None,
                              client_secret: str | None = None, scope: str | None = None,
                              expires_in: float | None = None,
                              flow: str | None = None) -> Session:
        """Sign in with a Microsoft account token the host application obtained itself (its
        own OAuth: Home Assistant's account linking, a web app's sign-in), and save.

        The user token and the XSTS token follow, as the token's client id signs in
        (:func:`xbox.auth.xboxlive.flow_for`: an Azure app's GUID, or no id, takes the
        plain user token + XSTS path), and so do their renewals. When the Microsoft token
        itself runs out, the client asks its ``msa_token_provider`` (it then never
        refreshes the token itself), else redeems ``refresh_token``, else raises
        :class:`~xbox.exceptions.ReauthenticationRequired`.

        Args:
            token: the access token, or an :class:`~xbox.auth.tokens.MsaToken`
                (:meth:`~xbox.auth.tokens.MsaToken.from_host`). None: ask the client's
                ``msa_token_provider`` for it.
            refresh_token: its refresh token, for the client to renew it itself (with
                ``client_id``, and ``client_secret`` for a confidential app).
            client_id: the application id the token was issued to (default: unknown,
                which signs in as an Azure app does).
            scope: the token's scope; its family picks the ticket prefix (``d=`` for
                ``XboxLive.signin``, ``t=`` for ``MBI_SSL``). Default: ``client_id``'s.
            expires_in: seconds the token has left (default: unknown; it is used now and
                renewed the next time one is needed).
            flow: ``"plain"``, ``"sisu"`` or ``"title"`` (default: the client id's).

        Raises:
            InvalidArgument: no token and no provider, or a malformed argument.
            AuthenticationException: Xbox Live refused the token (a subclass says why:
                XstsError for an account Xbox Live will not authorize).
        """
        if not isinstance(token, str) and any(
                value is not None for value in (refresh_token, client_id, scope, expires_in)):
            raise InvalidArgument("refresh_token, client_id, scope and expires_in go with an "
                                  "access token given as a str (an MsaToken carries its own)")
        if token is None:
            if self._msa_provider is None:
                raise InvalidArgument("give the Microsoft account token, or build the client "
                                      "with an msa_token_provider")
            msa_token = host_token(await self._msa_provider(), None, self.clock())
        elif isinstance(token, str):
            msa_token = MsaToken.from_host(token, refresh_token=refresh_token,
                                           client_id=client_id, scope=scope,
                                           expires_in=expires_in, now=self.clock())
        else:
            msa_token = host_token(token, None, self.clock())
        return await self._adopt(msa_token, client_secret=client_secret, flow=flow)

    async def login_sisu_tokens(self, authorize: Mapping[str, object], *, device_key: str,
                                msa_token: str | MsaToken,
                                client_id: str = msa.PUBLIC_CLIENT_ID,
                                device_token: Mapping[str, object] | None = None,
                                device_id: str | None = None) -> Session:
        """Take over a SISU sign-in the host application ran itself (the Xbox app's way:
        device token, ``sisu.xboxlive.com/authorize``), and save it.

        Args:
            authorize: the JSON answer of ``POST sisu.xboxlive.com/authorize`` (with
                ``UserToken``, ``TitleToken``, ``AuthorizationToken`` and ``DeviceToken``).
            device_key: the device's P-256 private key, PEM (what signed the requests).
            msa_token: the Microsoft account token the authorize request was made with (an
                :class:`~xbox.auth.tokens.MsaToken` with its refresh token, or the bare
                access token when an ``msa_token_provider`` renews it).
            client_id: the app id it signed in as (default: the Xbox app's).
            device_token: the ``device.auth.xboxlive.com`` answer, for the device token's
                expiry and id (default: the authorize answer's ``DeviceToken``).
            device_id: the device id (a braced GUID) the device token was asked for with.

        Raises:
            InvalidArgument: an unreadable answer or key.
        """
        token = (MsaToken.from_host(msa_token, client_id=client_id, now=self.clock())
                 if isinstance(msa_token, str) else host_token(msa_token, None, self.clock()))
        session = xboxlive.session_from_sisu(authorize, device_key=device_key, msa=token,
                                             device_token=device_token, device_id=device_id)
        async with self._sign_in_lock:
            return await self._commit(session)

    async def logout(self) -> bool:
        """Forget the session and delete it from the token store; whether there was either."""
        had = self.auth.session is not None
        self.auth.sign_out()
        return await self._store.delete(self.auth.account) or had

    async def with_raw_response(self, call: Callable[P, Awaitable[T]], /, *args: P.args,
                                **kwargs: P.kwargs) -> RawResponse[T]:
        """Run ``call(*args, **kwargs)`` and hand back its result with the responses it
        received: status, headers and correlation id (``X-XblCorrelationId``/``MS-CV``)::

            raw = await xbl.with_raw_response(xbl.profiles.get, "JoeAlcorn")
            raw.status_code, raw.correlation_id, raw.headers["content-type"]
            profile = raw.parse()

        A list's pages are fetched as it is iterated: pass its ``to_list``
        (``xbl.with_raw_response(xbl.clips.recent(xuid).to_list)``) to get them all.
        Sign-in requests made on the way are not recorded.

        Raises:
            InvalidArgument: the call made no request (a list not iterated, say).
            XboxException: what the call raises (errors carry their own correlation id).
        """
        with _response.recording(self) as seen:
            value = await call(*args, **kwargs)
        if not seen:
            raise InvalidArgument(
                f"{getattr(call, '__qualname__', 'the call')} made no request: pass a call "
                "that sends one (for a list, its to_list)")
        return RawResponse(value, tuple(seen))

    async def whoami(self, *, refresh: bool = True) -> WhoAmI:
        """Who is signed in, and until when (no secrets).

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
        session = await self._signed_in() if refresh else await self._load()
        if session is None:
            raise NotSignedIn()
        return self.auth.describe(session)

    async def xsts_token(self, relying_party: str = xboxlive.XBOXLIVE_RP) -> XboxToken:
        """An XSTS token for ``relying_party`` (default: Xbox Live's own), to call a service
        ``xbox`` has no method for; ``token.authorization`` is its ``Authorization`` header.

        Tokens for other relying parties (``rp://api.minecraftservices.com/``, a game's own)
        are asked for as the sign-in's flow asks (signed, with the device and title tokens,
        for ``sisu`` and ``title``), kept with the sign-in and renewed when they expire.

        Raises:
            XstsError: Xbox Live refused a token for that relying party.
        """
        session = await self._signed_in()
        async with self._sign_in_lock:  # concurrent callers share one request
            session = self.auth.session or session
            ready = self.auth.relying_party(session, relying_party, self.clock)
            if not isinstance(ready, Generator):
                return ready
            token = await self._run(ready)
            await self._keep(self.auth.with_token(session, relying_party, token))
            return token

    # -- staying signed in ----------------------------------------------------------------------
    async def _load(self) -> Session | None:
        """The current session, read from the token store the first time."""
        if not self.auth.loaded:
            return self.auth.read(await self._store.load(self.auth.account))
        return self.auth.session

    async def _stored_quietly(self) -> Session | None:
        """The store's session when the client holds none, for its device (a corrupt store
        is reported where the session is loaded, not here)."""
        if self.auth.session is not None:
            return None
        try:
            return await self._store.load(self.auth.account)
        except XboxException:
            return None

    async def _commit(self, session: Session) -> Session:
        """Save ``session``, then make it current (a refused save leaves memory unchanged)."""
        await self._store.save(self.auth.account, session)
        return self.auth.current(session)

    async def _keep(self, session: Session) -> Session:
        """Save a renewed ``session`` and make it current, like :meth:`_commit`; but a save
        the disk refuses (full, read-only) does not undo a renewal Microsoft granted: the
        session is current in memory for the rest of the process, with a
        :class:`~xbox.exceptions.SessionNotSaved` warning, never a refused sign-in. (A
        corrupt or foreign token file still raises: it is never overwritten.)"""
        try:
            return await self._commit(session)
        except TokenStoreError as exc:
            if exc.errno is None:
                raise
            warnings.warn(SessionNotSaved(
                f"the renewed sign-in could not be saved ({exc.message}); it is used for "
                f"this command, and the next one renews it again"), stacklevel=2)
            return self.auth.current(session)

    async def _signed_in(self) -> Session:
        """A session with a valid XSTS token: loaded, refreshed or signed in as needed."""
        session = await self._load()
        if session is not None and session.usable(self.clock()):
            return session
        async with self._sign_in_lock:
            # Another caller may have refreshed while we waited for the lock.
            session = self.auth.session
            if session is not None and session.usable(self.clock()):
                return session
            return await self._renew()

    async def _refresh(self, stale: Session | None) -> Session:
        """Renew the tokens now (after a 401). Callers that saw the same stale session share
        one refresh: whoever comes second finds a new session object and returns it."""
        async with self._sign_in_lock:
            current = self.auth.session
            if current is not None and stale is not None and current is not stale:
                return current
            return await self._renew(force=True)

    async def _renew(self, *, force: bool = False) -> Session:
        """(Under the sign-in lock.) A usable session, renewed or signed in as needed."""
        # Another process sharing the token store may have refreshed: read what it saved.
        stored = await self._store.load(self.auth.account) if (
            self.auth.session is not None and self.auth.store is not None) else None
        ready = self.auth.renewal(self.clock, force=force, stored=stored)
        if ready is None:  # nobody signed in: the host's provider, or NotSignedIn
            if self._msa_provider is None:
                raise flows.not_signed_in()
            token = host_token(await self._msa_provider(), None, self.clock())
            ready = xboxlive.xbox_tokens(self.auth.new_session(
                token, stored=await self._stored_quietly()), self.clock)
        # (_keep: a renewal the disk cannot save is used in memory, with a warning)
        return ready if not isinstance(ready, Generator) else await self._keep(
            await self._run(ready))

    async def _adopt(self, token: MsaToken, *, client_secret: str | None = None,
                     flow: str | None = None) -> Session:
        """Finish an OAuth sign-in: its MSA token through its flow's Xbox Live tokens, saved."""
        session = self.auth.new_session(token, client_secret=client_secret, flow=flow,
                                        stored=await self._stored_quietly())
        return await self._sign_in(xboxlive.xbox_tokens(session, self.clock))

    async def _sign_in(self, flow: Flow[Session]) -> Session:
        """Run an explicit sign-in; a failed one signs the client out (never the stored
        session of another login goes on in its place), leaving saved files untouched."""
        async with self._sign_in_lock:
            try:
                session = await self._run(flow)
            except BaseException:
                self.auth.sign_out()
                raise
            return await self._commit(session)

    async def _run(self, flow: Flow[T]) -> T:
        """Drive a sign-in flow: send each step it yields through :meth:`_send`, sleep
        through each :class:`~xbox._core.call.Wait`. The flow is closed however this ends
        (as httpx closes its auth flows): one interrupted mid-way (Ctrl-C, cancelled, a step
        that failed) runs its ``finally`` blocks now, closing what it opened."""
        try:
            step = next(flow)
            while True:
                if isinstance(step, Wait):
                    await self._sleep(step.seconds)
                    step = next(flow)
                elif isinstance(step, RenewMsa):
                    # Answered with the token, not a response (msa.renewed checks its type).
                    step = flow.send(cast("httpx.Response", await self._renewed_msa(step)))
                else:
                    step = flow.send(await self._send(step, record=False))
        except StopIteration as done:
            result: T = done.value
            return result
        except MalformedResponse as exc:  # an undecodable body: an outage, never a refusal
            raise unreadable(exc.service or "", exc.status_code or 0, "an answer") from None
        finally:
            flow.close()

    async def _renewed_msa(self, step: RenewMsa) -> MsaToken | None:
        """A new Microsoft account token for a flow: the host's provider's when there is
        one (we then never refresh it ourselves), else the refresh-token grant's, else None."""
        if self._msa_provider is not None:
            return host_token(await self._msa_provider(), step.stale, self.clock())
        if step.stale.refresh_token:
            return await self._run(msa.refresh(step.stale, step.client_secret, self.clock))
        return None

    # -- the one way down to the socket -----------------------------------------------------------
    # httpx (and our _http, which builds on it) is imported in the methods below, on the first
    # send: `import xbox` loads neither (httpx alone costs more than all of xbox's own modules).
    async def _http(self, *, upgrade: bool = False) -> Any:
        if self._pool is None:
            async with self._pool_lock:
                if self._pool is None:
                    import httpx

                    from .. import _http

                    if self._host_http is not None:
                        self._pool = _http.host_pool(self._host_http)
                    else:
                        self._pool = _http.new_pool(httpx.AsyncClient, self._transport,
                                                    _http.timeouts(self._timeout), self._http2)
        if upgrade and self._host_http is None:
            from .. import _http

            if _http.speaks_http2(self._transport, self._http2):
                # A websocket handshake is HTTP/1.1 only: it gets a pool of its own. (A host's
                # http_client is used as it is, for this request too.)
                async with self._pool_lock:
                    if self._upgrade_pool is None:
                        import httpx

                        self._upgrade_pool = _http.new_pool(
                            httpx.AsyncClient, self._transport, _http.timeouts(self._timeout),
                            False)
                return self._upgrade_pool
        return self._pool

    async def aclose(self) -> None:
        """Close the connection pools (a host's ``http_client`` stays open: it is the host's)."""
        for name in ("_pool", "_upgrade_pool"):
            pool = getattr(self, name)
            if pool is not None:
                from .. import _http

                setattr(self, name, None)
                if pool is not self._host_http:
                    await pool.aclose()
                _http.closed_pool()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def _send(self, call: Call, *, record: bool = True) -> httpx.Response:
        """Send ``call`` the one way every request goes, and return its answer.

        In order: sign in (``call.authorize``), wait for a rate-limit slot
        (``call.governed``) within the call's budget, send, and retry what may be retried
        (transport errors, 408/429/5xx; only idempotent calls, but 429s always, since a
        refused request did nothing) after the pure :func:`~xbox._core.retry.retry_delay`;
        after a 401, refresh the tokens once and send again. An error status is returned,
        not raised: API calls map it to an exception, sign-in flows read it.

        Args:
            record: note the answer for :meth:`with_raw_response` (sign-in steps are not).

        Returns:
            The response, its body read (unless ``call.stream``: then the caller reads and
            closes it).

        Raises:
            TransportError / Timeout: no answer after the retries, or the budget ran out.
            RateLimited: a rate-limit wait would not fit in the budget.
        """
        self._hold_write(call)  # (in a dry run)
        deadline = self._deadline(call)
        attempt, refreshed = 0, False
        while True:
            attempt += 1
            session = await self._signed_in() if call.authorize else None
            wait, request, booking = self._prepare(call, session, deadline)
            if wait > 0:
                await self._sleep(wait)
                for _ in range(3):  # a request booked before this one left late: wait more
                    if (wait := self._recheck(booking, call, deadline)) <= 0:
                        break
                    await self._sleep(wait)
            try:
                response = await self._transport_send(request, call.host)
                self._answered(booking, response.status_code)
                if not call.stream or response.status_code == 429:  # (a 429's body: the limit)
                    # A body cut off mid-way is a transport error like a refused connection.
                    response = await self._read(response, deadline, call.host)
            except TransportError:
                self._answered(booking, None)
                delay = self._retry_delay(call, None, attempt, deadline, session)
                if delay is None:
                    raise
                await self._sleep(delay)
                continue
            if response.status_code == 401 and call.authorize and not refreshed:
                # Tokens can be revoked or expire early: refresh once, then try again.
                refreshed = True
                await response.aclose()
                await self._refresh(session)
                continue
            delay = self._retry_delay(call, response, attempt, deadline, session)
            if delay is None:
                if record:
                    _response.record(self, response, unmap_url(str(request.url), self.base_url))
                return response
            await response.aclose()
            await self._sleep(delay)

    async def _transport_send(self, request: httpx.Request, host: str) -> httpx.Response:
        """The socket: httpx sends, its exceptions become ours."""
        import httpx

        from .. import _http

        pool = await self._http(upgrade="upgrade" in request.headers)
        try:
            # Explicitly: a host's client may follow redirects or carry an auth of its own.
            response: httpx.Response = await pool.send(request, stream=True, auth=None,
                                                       follow_redirects=False)
        except httpx.HTTPError as exc:
            raise _http.translate(exc, host) from None
        return response

    async def _read(self, response: httpx.Response, deadline: Deadline,
                    host: str) -> httpx.Response:
        """The response with its body read, never past the call's budget (a slow drip is
        cut off with Timeout)."""
        import httpx

        from .. import _http

        if response.is_stream_consumed:
            return response  # answered in-process, body already read (httpx.MockTransport)

        def check() -> None:
            if deadline.passed(self.clock()):
                deadline.remaining(self.clock())  # raises Timeout, naming the budget

        response.stream = _http.AsyncBudgetedBody(response.stream, check)  # type: ignore[arg-type]
        try:
            await response.aread()
        except httpx.HTTPError as exc:  # a corrupt gzip, a connection lost mid-body...
            raise _http.translate(exc, host, response.status_code) from None
        finally:
            await response.aclose()
        return response

    # -- API calls --------------------------------------------------------------------------------
    async def _json(self, call: Call, *,
                    not_found: type[NotFoundException] = NotFoundException,
                    not_found_message: str | None = None) -> Any:
        """One Xbox Live API call: the parsed JSON of a 2xx answer, else the exception."""
        response = await self._send(call)
        return self._result(response, call.host, not_found=not_found,
                            not_found_message=not_found_message)

    async def request(
        self,
        method: str,
        host: str,
        path: str,
        *,
        contract_version: int | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = NO_BODY,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        idempotent: bool | None = None,
    ) -> Any:
        """Call any Xbox Live endpoint through the full pipeline (auth, limits, retries, errors).

        Args:
            method: ``"GET"``, ``"POST"``...
            host: the service host, e.g. ``"profile.xboxlive.com"``.
            path: the path, e.g. ``"/users/me/profile/settings"``.
            contract_version: the ``x-xbl-contract-version`` to send.
            json: a JSON body (none by default).
            auth: send the ``XBL3.0`` authorization (False for public endpoints).
            idempotent: whether sending it twice is harmless, so it may be retried (default:
                GET, PUT and DELETE are; a POST is not: say True for a read-only POST).

        Returns:
            The parsed JSON body (None for an empty body).

        Raises:
            InvalidArgument: a malformed host or path (nothing is sent).
            XboxException: a subclass for every failure.
        """
        self._checked_target(host, path)
        return await self._json(api_call(method, host, path, contract_version=contract_version,
                                         params=params, json=json, headers=headers,
                                         authorize=auth, idempotent=idempotent))

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
        return await download_file(self, capture, dest, thumbnail=thumbnail, progress=progress,
                                   chunk_size=chunk_size)

    def events(self, users: Iterable[str | int | Profile] | None = None, *,
               kinds: str | Iterable[str] | None = None, titles: Iterable[int | str] = (),
               stats: Iterable[str | tuple[str, str]] = (), poll_interval: float = 60.0,
               initial: bool = False) -> AsyncEvents:
        """What happens to Xbox Live users, as it happens: ``async for event in xbl.events(...)``.

        Presence, achievements, statistics and friends come from the Real-Time Activity
        service (a websocket, which needs ``pip install 'xbox[events]'``); new captures,
        which it does not announce, are polled within the rate-limit budget. Each event is
        a model of :mod:`xbox.models.events`, its ``source`` saying which way it came.
        Connections lost are made again (backoff with jitter), tokens renewed, everything
        subscribed again. Use it in ``async with`` to close the connection when done.

        Args:
            users: gamertags, xuids or profiles (default: the signed-in user).
            kinds: ``presence`` (online, playing, rich presence), ``devices`` (sign-ins per
                device), ``titles`` (title presence; of ``titles``), ``achievements``
                (progress and unlocks, in the titles played and ``titles``), ``stats``
                (the ``stats`` given), ``friends`` (the signed-in user's friends list),
                ``captures`` (new clips and screenshots, polled), ``status`` (the
                connection's news), or ``"all"``; a list or a comma-separated string.
                Default: presence, achievements, captures.
            titles: title ids, for ``titles`` and for ``achievements`` from the start.
            stats: statistics to watch, ``"SCID/Name"`` or ``(scid, name)``.
            poll_interval: seconds between capture polls, at the least (longer when the
                rate-limit budget asks for it).
            initial: also deliver each subscription's starting state (``source``
                ``"snapshot"``), not only what changes.

        Raises:
            InvalidArgument: an unknown kind, a malformed user, title or statistic.
            MissingDependency: real-time kinds without ``xbox[events]`` installed.
            GamertagNotFound: a user does not exist (when iteration starts).
            AuthenticationException: the sign-in was refused (when iteration starts).
        """
        from .events import AsyncEvents

        return AsyncEvents(self, users, kinds=kinds, titles=titles, stats=stats,
                           poll_interval=poll_interval, initial=initial)


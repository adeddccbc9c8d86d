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
import webbrowser
from collections.abc import Callable, Generator, Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from .. import _concurrency
from .._base_client import UNSET, BaseClient
from .._concurrency import AsyncLock
from .._core.call import NO_BODY, Call, Flow, Wait, api_call
from .._core.retry import Deadline
from .._core.urls import map_url
from ..auth import browser, flows, msa, xboxlive
from ..auth.answers import unreadable
from ..download._async import download as download_file
from ..exceptions import MalformedResponse, NotFoundException, NotSignedIn, TransportError

if TYPE_CHECKING:
    from collections.abc import Awaitable
    from os import PathLike

    import httpx

    from .._core.limits import Limit
    from .._core.retry import RetryPolicy
    from ..auth.browser import BrowserSignIn
    from ..auth.msa import DeviceCode
    from ..auth.store import TokenStore
    from ..auth.tokens import MsaToken, Session, XboxToken
    from ..download import DownloadResult, ProgressCallback
    from ..models.captures import Capture
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
        account: which saved account of the token store to use.
        token_store: where sign-ins are kept; None keeps them in memory only.
        timeout: seconds (or an ``httpx.Timeout``) per connect, read and write; by default
            10 s to connect and 30 s for the rest.
        retry: retry policy for idempotent calls, and each call's total budget.
        rate_limits: obey Xbox Live's per-user per-service limits by waiting for a slot.
        limits: override limits per service (``{"profile": Limit(10, 30)}``).
        language: ``Accept-Language`` for localized fields.
        allow_insecure: accept a plain-http base URL that is not loopback (warns).
        clock / sleep: time source and sleeper (tests use fake ones to skip waiting).
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        account: str = "default",
        token_store: TokenStore | None = UNSET,
        timeout: float | httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
        rate_limits: bool = True,
        limits: Mapping[str, Limit] | None = None,
        language: str = "en-US",
        http2: bool = True,
        allow_insecure: bool = False,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(base_url=base_url, account=account, token_store=token_store,
                         timeout=timeout, retry=retry, rate_limits=rate_limits, limits=limits,
                         language=language, http2=http2, clock=clock,
                         allow_insecure=allow_insecure)
        self._transport = transport
        # Through the module: in the generated twin a bare `sleep` is this parameter.
        self._sleep = sleep or _concurrency.async_sleep
        self._pool: Any = None
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
        pending = await self._run(browser.start_browser(client_id, self.auth.device(), self.clock))
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
        return await self._sign_in(browser.sign_in(
            client_id, self.auth.device(), functools.partial(
                self.auth.new_session, client_secret=client_secret, flow=flow),
            open_url=lambda url: opener(map_url(url, self.base_url)), paste=paste,
            port=redirect_port, state=state or secrets.token_urlsafe(24), timeout=timeout,
            scope=msa.default_scope(client_id, scope), client_secret=client_secret,
            now=self.clock))

    async def logout(self) -> bool:
        """Forget the session and delete the account's token file; whether there was either."""
        return self.auth.forget()

    async def whoami(self, *, refresh: bool = True) -> dict[str, Any]:
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
        session = await self._signed_in() if refresh else self.auth.load()
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
            return ready if not isinstance(ready, Generator) else self.auth.keep(
                session, relying_party, await self._run(ready))

    # -- staying signed in ----------------------------------------------------------------------
    async def _signed_in(self) -> Session:
        """A session with a valid XSTS token: loaded, refreshed or signed in as needed."""
        session = self.auth.load()
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
        ready = self.auth.renewal(self.clock, force=force)
        # (renewed: a renewal the disk cannot save is used in memory, with a warning)
        return ready if not isinstance(ready, Generator) else self.auth.renewed(await self._run(ready))

    async def _adopt(self, token: MsaToken, *, client_secret: str | None = None,
                     flow: str | None = None) -> Session:
        """Finish an OAuth sign-in: its MSA token through its flow's Xbox Live tokens, saved."""
        return await self._sign_in(xboxlive.xbox_tokens(
            self.auth.new_session(token, client_secret=client_secret, flow=flow), self.clock))

    async def _sign_in(self, flow: Flow[Session]) -> Session:
        """Run an explicit sign-in; a failed one signs the client out (never the stored
        session of another login goes on in its place), leaving saved files untouched."""
        async with self._sign_in_lock:
            try:
                session = await self._run(flow)
            except BaseException:
                self.auth.sign_out()
                raise
            return self.auth.commit(session)

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
                else:
                    step = flow.send(await self._send(step))
        except StopIteration as done:
            result: T = done.value
            return result
        except MalformedResponse as exc:  # an undecodable body: an outage, never a refusal
            raise unreadable(exc.service or "", exc.status_code or 0, "an answer") from None
        finally:
            flow.close()

    # -- the one way down to the socket -----------------------------------------------------------
    # httpx (and our _http, which builds on it) is imported in the methods below, on the first
    # send: `import xbox` loads neither (httpx alone costs more than all of xbox's own modules).
    async def _http(self) -> Any:
        if self._pool is None:
            async with self._pool_lock:
                if self._pool is None:
                    import httpx

                    from .. import _http

                    self._pool = _http.new_pool(httpx.AsyncClient, self._transport,
                                                _http.timeouts(self._timeout), self._http2)
        return self._pool

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._pool is not None:
            from .. import _http

            pool, self._pool = self._pool, None
            await pool.aclose()
            _http.closed_pool()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def _send(self, call: Call) -> httpx.Response:
        """Send ``call`` the one way every request goes, and return its answer.

        In order: sign in (``call.authorize``), wait for a rate-limit slot
        (``call.governed``) within the call's budget, send, and retry what may be retried
        (transport errors, 408/429/5xx; only idempotent calls, but 429s always, since a
        refused request did nothing) after the pure :func:`~xbox._core.retry.retry_delay`;
        after a 401, refresh the tokens once and send again. An error status is returned,
        not raised: API calls map it to an exception, sign-in flows read it.

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
                return response
            await response.aclose()
            await self._sleep(delay)

    async def _transport_send(self, request: httpx.Request, host: str) -> httpx.Response:
        """The socket: httpx sends, its exceptions become ours."""
        import httpx

        from .. import _http

        pool = await self._http()
        try:
            response: httpx.Response = await pool.send(request, stream=True)
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


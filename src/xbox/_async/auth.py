"""Signing in and staying signed in: drives the pure flows of ``xbox.auth.flows`` over HTTP.

One :class:`AsyncAuthenticator` per client holds the session (MSA, user and XSTS tokens).
Tokens are refreshed before they expire and once on a 401; concurrent callers share one
refresh (a lock, then a re-check), and every change is saved to the token store.

A renewal never edits the current :class:`Session` in place: it builds a new one and swaps
it in, so a caller holding the old object can tell (by identity) that someone else already
refreshed, and a failed renewal leaves the working session untouched.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import secrets
import time
import webbrowser
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from .._concurrency import AsyncLock
from .._core.urls import map_url
from ..auth import flows, redact
from ..auth.redirect import RedirectListener
from ..auth.tokens import MsaToken, Session, XboxToken
from ..exceptions import (
    AuthenticationException,
    DeviceCodeExpired,
    NotSignedIn,
    ReauthenticationRequired,
    XstsError,
)

if TYPE_CHECKING:
    from ..auth.store import TokenStore
    from .client import AsyncClient

__all__ = ["AsyncAuthenticator"]

log = logging.getLogger("xbox")

_CREDENTIALS_HELP = (
    "Authentication credentials required: run `xbox login`, pass login and password to "
    "authenticate(), or set MS_LOGIN and MS_PASSWD"
)
_TOKEN_URL = f"https://{flows.LOGIN_HOST}/oauth20_token.srf"
_CONNECT_URL = f"https://{flows.LOGIN_HOST}/oauth20_connect.srf"
_USER_URL = "https://user.auth.xboxlive.com/user/authenticate"
_XSTS_URL = "https://xsts.auth.xboxlive.com/xsts/authorize"
# RFC 8628 §3.5: after ``slow_down`` the client adds 5 s to its polling interval for good.
_SLOW_DOWN_STEP = 5.0
# How often the browser flow looks whether the redirect has arrived.
_LISTENER_POLL = 0.05


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


def _when(ts: float | None) -> datetime | None:
    return datetime.fromtimestamp(ts, UTC) if ts is not None else None


class AsyncAuthenticator:
    """The sign-in state of one client.

    Args:
        client: the client whose transport carries the sign-in requests.
        store: where sessions are saved and loaded (None: memory only).
        account: the token store account name.

    Raises:
        ValueError: ``account`` is not a valid account name.
    """

    def __init__(self, client: AsyncClient, store: TokenStore | None, account: str) -> None:
        if store is not None:
            store.path(account)  # validate the name now, not at the first call
        redact.install()  # httpcore's DEBUG lines would show tokens in headers
        self._client = client
        self.store = store
        self.account = account
        self.session: Session | None = None
        self._loaded = False
        self._lock = AsyncLock()

    @property
    def _now(self) -> Callable[[], float]:
        return self._client.clock

    # -- state ------------------------------------------------------------------------------
    def _load(self) -> None:
        if self._loaded:
            return
        if self.session is None and self.store is not None:
            self.session = self.store.load(self.account)
        # Only after a successful read: a corrupt file keeps raising, never reads as "none".
        self._loaded = True

    def _commit(self, session: Session) -> Session:
        """Save ``session``, then make it current (a refused save leaves memory unchanged)."""
        if self.store is not None:
            self.store.save(self.account, session)
        self.session = session
        self._loaded = True
        return session

    def has_credentials(self) -> bool:
        self._load()
        return self.session is not None

    # -- staying signed in ----------------------------------------------------------------------
    async def ensure(self) -> Session:
        """A session with a valid XSTS token: loaded, refreshed or signed in as needed."""
        self._load()
        session = self.session
        if session is not None and session.usable(self._now()):
            return session
        async with self._lock:
            # Another caller may have refreshed while we waited for the lock.
            session = self.session
            if session is not None and session.usable(self._now()):
                return session
            return await self._renew()

    async def refresh(self, stale: Session | None = None) -> Session:
        """Renew the tokens now (after a 401). Callers that saw the same stale session share
        one refresh: whoever comes second finds a new session object and returns it."""
        async with self._lock:
            if self.session is not None and stale is not None and self.session is not stale:
                return self.session
            return await self._renew(force=True)

    def _stored(self) -> Session | None:
        return self.store.load(self.account) if self.store is not None else None

    async def _renew(self, *, force: bool = False) -> Session:
        session = self.session
        if session is None:
            login, password = os.environ.get("MS_LOGIN"), os.environ.get("MS_PASSWD")
            if login and password:
                return await self._password_sign_in(login, password)
            raise NotSignedIn(_CREDENTIALS_HELP)
        now = self._now()
        # Another process sharing the token store may have refreshed already: use its tokens
        # rather than asking Microsoft again (and never when they are the ones just refused).
        stored = self._stored()
        if stored is not None and stored.usable(now) and stored.xsts is not None and (
                session.xsts is None or stored.xsts.token != session.xsts.token):
            log.debug("using tokens another process refreshed")
            self.session = stored
            return stored
        if not force and session.usable(now):
            return session
        fresh = dataclasses.replace(session, xsts=None)
        renewed_user = False
        if fresh.user is None or fresh.user.expired(now):
            await self._renew_user(fresh)
            renewed_user = True
        assert fresh.user is not None
        try:
            fresh.xsts = await self._xsts(fresh.user.token)
        except XstsError as exc:
            if renewed_user or exc.xerr is not None or exc.status_code != 401:
                raise
            # A bare 401 means the user token itself was refused (revoked or expired early).
            await self._renew_user(fresh)
            fresh.xsts = await self._xsts(fresh.user.token)
        log.debug("renewed the Xbox Live tokens")
        return self._commit(fresh)

    async def _renew_user(self, fresh: Session) -> None:
        """A new user token into ``fresh``, refreshing its MSA token first when expired."""
        if fresh.msa is None:
            raise ReauthenticationRequired()
        if fresh.msa.expired(self._now()):
            fresh.msa = await self._refresh_msa(fresh.msa, fresh.client_secret)
        fresh.user, fresh.msa = await self._user_token(fresh.msa, fresh.client_secret)

    # -- signing in -------------------------------------------------------------------------------
    async def password_sign_in(self, login: str | None, password: str | None) -> Session:
        """The seed's e-mail + password sign-in (``MS_LOGIN``/``MS_PASSWD`` by default)."""
        login = login if login is not None else os.environ.get("MS_LOGIN")
        password = password if password is not None else os.environ.get("MS_PASSWD")
        if not login or not password:
            raise NotSignedIn(_CREDENTIALS_HELP)
        async with self._lock:
            return await self._password_sign_in(login, password)

    async def _password_sign_in(self, login: str, password: str) -> Session:
        page = await self._client._send_raw("GET", flows.legacy_authorize_url(), retry=True)
        if page.status_code != 200:
            raise AuthenticationException(
                f"login.live.com answered HTTP {page.status_code} to the sign-in page",
                status_code=page.status_code, service=flows.LOGIN_HOST)
        url_post, ppft = flows.parse_login_page(page.content)
        form = flows.legacy_login_form(login, password, ppft)
        cookies = flows.login_cookies(page.headers.get_list("set-cookie"))
        posted = await self._client._send_raw("POST", url_post, data=form, retry=False,
                                              headers={"Cookie": cookies} if cookies else None)
        location = posted.headers.get("Location")
        if not location:
            raise flows.login_failure(posted.content)
        msa = flows.parse_login_redirect(location, now=self._now())
        # The 2014 client sent the ticket bare; user.auth accepts that for Live tokens.
        session = Session(msa=msa, login=login)
        session.user, session.msa = await self._user_token(msa, None)
        session.xsts = await self._xsts(session.user.token)
        log.debug("signed in with e-mail and password")
        return self._commit(session)

    async def adopt_msa(self, msa: MsaToken, *, login: str | None = None,
                        client_secret: str | None = None) -> Session:
        """Finish any OAuth sign-in (device code, browser): MSA token -> user -> XSTS."""
        async with self._lock:
            session = Session(msa=msa, login=login, client_secret=client_secret)
            session.user, session.msa = await self._user_token(msa, client_secret)
            session.xsts = await self._xsts(session.user.token)
            return self._commit(session)

    async def start_device_code(self, client_id: str | None = None,
                                scope: str | None = None) -> flows.DeviceCode:
        """Ask login.live.com for a device code (see ``AsyncClient.start_device_code``)."""
        client_id = client_id or flows.PUBLIC_CLIENT_ID
        scope = flows.default_scope(client_id, scope)
        response = await self._client._send_raw(
            "POST", _CONNECT_URL, data=flows.device_code_form(client_id, scope), retry=True)
        body = _json(response)
        if response.status_code != 200:
            raise flows.oauth_error(body, response.status_code)
        return flows.parse_device_code(body, client_id=client_id, scope=scope, now=self._now())

    async def finish_device_code(self, code: flows.DeviceCode,
                                 timeout: float | None = None) -> Session:
        """Poll until ``code`` is approved, then sign in with it (see the client's method)."""
        started = self._now()
        deadline = code.expires_at if timeout is None else min(code.expires_at, started + timeout)
        interval = code.interval
        while True:
            now = self._now()
            if now >= deadline:
                if now < code.expires_at:
                    raise DeviceCodeExpired(
                        f"No one approved the sign-in within {timeout:g} s; run `xbox login` "
                        "again for a new code", service=flows.LOGIN_HOST)
                raise DeviceCodeExpired(service=flows.LOGIN_HOST)
            response = await self._client._send_raw(
                "POST", _TOKEN_URL, data=flows.device_poll_form(code), retry=True)
            body = _json(response)
            if response.status_code == 200:
                msa = flows.parse_oauth_token(body, client_id=code.client_id, now=self._now())
                log.debug("device code approved")
                return await self.adopt_msa(msa)
            if flows.device_poll_result(body, response.status_code) == "slow_down":
                interval += _SLOW_DOWN_STEP
                log.debug("device-code polling slowed down to every %g s", interval)
            await self._client._sleep(max(0.0, min(interval, deadline - self._now())))

    def authorization_url(self, redirect_uri: str, *, client_id: str | None = None,
                          scope: str | None = None, state: str | None = None,
                          login_hint: str | None = None) -> str:
        """The URL a browser should open (mapped to the base URL when one is set)."""
        client_id = client_id or flows.PUBLIC_CLIENT_ID
        url = flows.authorization_url(client_id=client_id, redirect_uri=redirect_uri,
                                      scope=flows.default_scope(client_id, scope), state=state,
                                      login_hint=login_hint)
        return map_url(url, self._client.base_url)

    async def finish_authorization_code(self, code: str, redirect_uri: str, *,
                                        client_id: str | None = None,
                                        client_secret: str | None = None,
                                        scope: str | None = None) -> Session:
        """Redeem a browser sign-in's ``code`` and sign in with it."""
        client_id = client_id or flows.PUBLIC_CLIENT_ID
        scope = flows.default_scope(client_id, scope)
        form = flows.authorization_code_form(code, client_id=client_id, redirect_uri=redirect_uri,
                                             scope=scope, client_secret=client_secret)
        # A code is single use: never resend it automatically.
        response = await self._client._send_raw("POST", _TOKEN_URL, data=form, retry=False)
        body = _json(response)
        if response.status_code != 200:
            error = body.get("error") if isinstance(body, dict) else None
            if error == "invalid_grant":
                raise AuthenticationException(
                    "login.live.com refused the sign-in code (expired, already used, or for "
                    "another redirect URI); sign in again", status_code=response.status_code,
                    service=flows.LOGIN_HOST, body=body)
            raise flows.oauth_error(body, response.status_code)
        msa = flows.parse_oauth_token(body, client_id=client_id, now=self._now())
        return await self.adopt_msa(msa, client_secret=client_secret)

    async def login_browser(self, *, client_id: str | None, client_secret: str | None,
                            scope: str | None, redirect_port: int,
                            open_browser: Callable[[str], object] | None, state: str | None,
                            timeout: float) -> Session:
        """The authorization-code flow with a one-shot listener on 127.0.0.1."""
        state = state or secrets.token_urlsafe(24)
        opener = open_browser or webbrowser.open
        with RedirectListener(redirect_port, expected_state=state) as listener:
            redirect_uri = listener.redirect_uri
            url = self.authorization_url(redirect_uri, client_id=client_id, scope=scope,
                                         state=state)
            opener(url)
            # A real-time bound: this waits for a person and a browser, not for a token.
            deadline = time.monotonic() + timeout
            while (result := listener.result()) is None:
                if time.monotonic() >= deadline:
                    raise AuthenticationException(
                        f"The browser did not come back within {timeout:g} s; run "
                        "`xbox login --browser` again or use `xbox login` (device code)")
                await self._client._sleep(_LISTENER_POLL)
        if result.error:
            raise AuthenticationException(
                f"The browser sign-in was refused: {result.error}"
                + (f" ({result.error_description})" if result.error_description else ""),
                service=flows.LOGIN_HOST)
        if not secrets.compare_digest(result.state or "", state):
            raise AuthenticationException(
                "The browser sign-in answer did not carry this sign-in's state, so it was not "
                "used (it may have come from another site); sign in again")
        if not result.code:
            raise AuthenticationException("The browser sign-in answer carried no code")
        return await self.finish_authorization_code(
            result.code, redirect_uri, client_id=client_id, client_secret=client_secret,
            scope=scope)

    def forget(self) -> bool:
        """Drop the session and delete its saved file; True when there was either."""
        had = self.session is not None
        self.session = None
        self._loaded = True
        if self.store is not None:
            had = self.store.delete(self.account) or had
        return had

    def describe(self, session: Session) -> dict[str, Any]:
        """Who ``session`` is and when its tokens expire: no secrets."""
        return {
            "account": self.account,
            "gamertag": session.gamertag,
            "xuid": session.xuid,
            "login": session.login,
            "age_group": session.xsts.claims.get("agg") if session.xsts else None,
            "xsts_expires": _when(session.xsts.expires_at if session.xsts else None),
            "user_expires": _when(session.user.expires_at if session.user else None),
            "msa_expires": _when(session.msa.expires_at if session.msa else None),
            "can_refresh": bool(session.msa and session.msa.refresh_token),
        }

    # -- the steps ----------------------------------------------------------------------------
    async def _refresh_msa(self, msa: MsaToken, client_secret: str | None) -> MsaToken:
        form = flows.refresh_form(msa, client_secret)
        response = await self._client._send_raw("POST", _TOKEN_URL, data=form, retry=True)
        body = _json(response)
        if response.status_code != 200:
            raise flows.oauth_error(body, response.status_code)
        fresh = flows.parse_oauth_token(body, client_id=msa.client_id, now=self._now())
        if not fresh.scope:
            fresh.scope = msa.scope
        if not fresh.refresh_token:
            fresh.refresh_token = msa.refresh_token
        log.debug("refreshed the Microsoft account token")
        return fresh

    async def _post_ticket(self, msa: MsaToken) -> httpx.Response:
        # Tokens of the 2014 client id go bare, as the 2014 library sent them; others get
        # the t=/d= prefix their scope family needs (Azure tokens without d= are refused).
        bare = msa.client_id == flows.LEGACY_CLIENT_ID
        return await self._client._send_raw(
            "POST", _USER_URL, json=flows.user_token_body(flows.rps_ticket(msa, bare=bare)),
            headers={"x-xbl-contract-version": "1"}, retry=True)

    async def _user_token(self, msa: MsaToken,
                          client_secret: str | None) -> tuple[XboxToken, MsaToken]:
        """A user token for ``msa``; returns it and the MSA token used (maybe refreshed)."""
        response = await self._post_ticket(msa)
        if response.status_code == 401 and msa.refresh_token:
            # The MSA token was refused; one refresh, then give up.
            msa = await self._refresh_msa(msa, client_secret)
            response = await self._post_ticket(msa)
        if response.status_code != 200:
            raise AuthenticationException(
                f"Xbox Live refused the Microsoft account token (HTTP {response.status_code}); "
                "run `xbox login` again",
                status_code=response.status_code, service="user.auth.xboxlive.com",
                body=_json(response), correlation_id=response.headers.get("x-xblcorrelationid"))
        log.debug("obtained an Xbox Live user token")
        return flows.parse_user_token(_json(response)), msa

    async def _xsts(self, user_token: str) -> XboxToken:
        response = await self._client._send_raw(
            "POST", _XSTS_URL, json=flows.xsts_body(user_token),
            headers={"x-xbl-contract-version": "1"}, retry=True)
        if response.status_code != 200:
            raise flows.xsts_error(response.status_code, _json(response),
                                   response.headers.get("x-xblcorrelationid"))
        log.debug("obtained an XSTS token")
        return flows.parse_xsts(_json(response))

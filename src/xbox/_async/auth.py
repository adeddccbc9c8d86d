"""Signing in and staying signed in: drives the pure flows of ``xbox.auth.flows`` over HTTP.

One :class:`AsyncAuthenticator` per client holds the session (MSA, user and XSTS tokens).
Tokens are refreshed before they expire and once on a 401; concurrent callers share one
refresh (a lock, then a re-check), and every change is saved to the token store.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from .._concurrency import AsyncLock
from ..auth import flows
from ..auth.tokens import MsaToken, Session
from ..exceptions import (
    AuthenticationException,
    NotSignedIn,
    ReauthenticationRequired,
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


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


class AsyncAuthenticator:
    """The sign-in state of one client.

    Args:
        client: the client whose transport carries the sign-in requests.
        store: where sessions are saved and loaded (None: memory only).
        account: the token store account name.
    """

    def __init__(self, client: AsyncClient, store: TokenStore | None, account: str) -> None:
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
        self._loaded = True
        if self.session is None and self.store is not None:
            self.session = self.store.load(self.account)

    def _save(self) -> None:
        if self.store is not None and self.session is not None:
            self.store.save(self.account, self.session)

    def has_credentials(self) -> bool:
        self._load()
        return self.session is not None

    # -- the public entry points --------------------------------------------------------------
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
        one refresh: whoever comes second finds the new session and returns it."""
        async with self._lock:
            if self.session is not None and stale is not None and self.session is not stale:
                return self.session
            if self.session is not None and self.session.xsts is not None:
                self.session.xsts = None
            return await self._renew()

    async def _renew(self) -> Session:
        session = self.session
        now = self._now()
        if session is None:
            login, password = os.environ.get("MS_LOGIN"), os.environ.get("MS_PASSWD")
            if login and password:
                return await self._password_sign_in(login, password)
            raise NotSignedIn(_CREDENTIALS_HELP)
        if session.user is None or session.user.expired(now):
            if session.msa is None:
                raise ReauthenticationRequired()
            if session.msa.expired(now):
                session.msa = await self._refresh_msa(session.msa, session.client_secret)
            session.user = await self._user_token(session.msa)
        session.xsts = await self._xsts(session.user.token)
        self._save()
        return session

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
        posted = await self._client._send_raw("POST", url_post, data=form, retry=False)
        location = posted.headers.get("Location")
        if not location:
            raise flows.login_failure(posted.content)
        msa = flows.parse_login_redirect(location, now=self._now())
        # The 2014 client sent the ticket bare; user.auth accepts that for Live tokens.
        session = Session(msa=msa, login=login)
        session.user = await self._user_token(msa, bare=True)
        session.xsts = await self._xsts(session.user.token)
        self._adopt(session)
        return session

    def _adopt(self, session: Session) -> None:
        self.session = session
        self._loaded = True
        self._save()

    async def adopt_msa(self, msa: MsaToken, *, login: str | None = None,
                        client_secret: str | None = None) -> Session:
        """Finish any OAuth sign-in (device code, browser): MSA token -> user -> XSTS."""
        async with self._lock:
            session = Session(msa=msa, login=login, client_secret=client_secret)
            session.user = await self._user_token(msa)
            session.xsts = await self._xsts(session.user.token)
            self._adopt(session)
            return session

    def forget(self) -> None:
        """Drop the session (and its saved file)."""
        self.session = None
        self._loaded = True
        if self.store is not None:
            self.store.delete(self.account)

    # -- the steps ----------------------------------------------------------------------------
    async def _refresh_msa(self, msa: MsaToken, client_secret: str | None) -> MsaToken:
        form = flows.refresh_form(msa, client_secret)
        response = await self._client._send_raw(
            "POST", f"https://{flows.LOGIN_HOST}/oauth20_token.srf", data=form, retry=True)
        body = _json(response)
        if response.status_code != 200:
            raise flows.oauth_error(body, response.status_code)
        fresh = flows.parse_oauth_token(body, client_id=msa.client_id, now=self._now())
        if not fresh.refresh_token:
            fresh.refresh_token = msa.refresh_token
        log.debug("refreshed the Microsoft account token")
        return fresh

    async def _user_token(self, msa: MsaToken, *, bare: bool = False) -> Any:
        response = await self._client._send_raw(
            "POST", "https://user.auth.xboxlive.com/user/authenticate",
            json=flows.user_token_body(flows.rps_ticket(msa, bare=bare)),
            headers={"x-xbl-contract-version": "1"}, retry=True)
        if response.status_code == 401 and msa.refresh_token:
            # The MSA token was refused; one refresh, then give up.
            secret = self.session.client_secret if self.session else None
            fresh = await self._refresh_msa(msa, secret)
            msa.access_token, msa.expires_at = fresh.access_token, fresh.expires_at
            msa.refresh_token = fresh.refresh_token
            response = await self._client._send_raw(
                "POST", "https://user.auth.xboxlive.com/user/authenticate",
                json=flows.user_token_body(flows.rps_ticket(msa, bare=bare)),
                headers={"x-xbl-contract-version": "1"}, retry=True)
        if response.status_code != 200:
            raise AuthenticationException(
                f"Xbox Live refused the Microsoft account token (HTTP {response.status_code}); "
                "run `xbox login` again",
                status_code=response.status_code, service="user.auth.xboxlive.com",
                body=_json(response))
        log.debug("obtained an Xbox Live user token")
        return flows.parse_user_token(_json(response))

    async def _xsts(self, user_token: str) -> Any:
        response = await self._client._send_raw(
            "POST", "https://xsts.auth.xboxlive.com/xsts/authorize",
            json=flows.xsts_body(user_token), headers={"x-xbl-contract-version": "1"},
            retry=True)
        if response.status_code != 200:
            raise flows.xsts_error(response.status_code, _json(response),
                                   response.headers.get("x-xblcorrelationid"))
        log.debug("obtained an XSTS token")
        return flows.parse_xsts(_json(response))

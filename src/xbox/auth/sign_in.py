"""Sign-in as generator flows: each yields the requests it needs and receives their answers.

A flow is pure: it holds no client and touches no socket. It yields a
:class:`~xbox._core.call.Call` and is sent back the response (after the client's one send
path has retried what may be retried), or yields a :class:`~xbox._core.call.Wait` to be
resumed after that many seconds. Its return value is the result (a :class:`Session`, a
token...). The same flows run in :class:`xbox.Client` and :class:`xbox.AsyncClient`, the
way httpx drives one ``auth_flow`` from both of its clients.

The steps, whose requests and answers :mod:`xbox.auth.flows` builds and reads:

* MSA (login.live.com): the 2014 password page scrape, the device code, the authorization
  code, and the refresh token grant;
* user token (user.auth.xboxlive.com) for the MSA token;
* XSTS token (xsts.auth.xboxlive.com) for the user token: ``XBL3.0 x=<uhs>;<xsts>``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

from .._core.call import Call, Wait
from ..exceptions import (
    AuthenticationException,
    DeviceCodeExpired,
    NotSignedIn,
    ReauthenticationRequired,
    XstsError,
)
from . import flows
from .tokens import MsaToken, Session, XboxToken

if TYPE_CHECKING:
    import httpx

    from .redirect import RedirectListener, RedirectResult

__all__ = [
    "CREDENTIALS_HELP",
    "Flow",
    "device_code",
    "password",
    "poll_device_code",
    "redeem_code",
    "renew",
    "xbox_tokens",
]

log = logging.getLogger("xbox")

T = TypeVar("T")
#: A sign-in flow: yields steps, is sent each step's response (None after a Wait).
Flow = Generator[Call | Wait, "httpx.Response | None", T]
Clock = Callable[[], float]

CREDENTIALS_HELP = (
    "Authentication credentials required: run `xbox login`, pass login and password to "
    "authenticate(), or set MS_LOGIN and MS_PASSWD"
)
TOKEN_URL = f"https://{flows.LOGIN_HOST}/oauth20_token.srf"
CONNECT_URL = f"https://{flows.LOGIN_HOST}/oauth20_connect.srf"
USER_URL = "https://user.auth.xboxlive.com/user/authenticate"
XSTS_URL = "https://xsts.auth.xboxlive.com/xsts/authorize"
# RFC 8628 §3.5: after ``slow_down`` the client adds 5 s to its polling interval for good.
SLOW_DOWN_STEP = 5.0
_CONTRACT_1 = {"x-xbl-contract-version": "1"}
# How often the browser flow looks whether the redirect has arrived.
LISTENER_POLL = 0.05


def _answer(response: httpx.Response | None) -> httpx.Response:
    assert response is not None, "a Call step is always answered with its response"
    return response


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


# -- the password flow (the seed API's) -------------------------------------------------------

def password(login: str, password: str, now: Clock) -> Flow[Session]:
    """The 2014 library's e-mail + password sign-in, through to an XSTS token."""
    page = _answer((yield Call("GET", flows.legacy_authorize_url())))
    if page.status_code != 200:
        raise AuthenticationException(
            f"login.live.com answered HTTP {page.status_code} to the sign-in page",
            status_code=page.status_code, service=flows.LOGIN_HOST)
    url_post, ppft = flows.parse_login_page(page.content)
    cookies = flows.login_cookies(page.headers.get_list("set-cookie"))
    # The password is never sent twice on its own: no automatic retry.
    posted = _answer((yield Call("POST", url_post, idempotent=False,
                                 data=flows.legacy_login_form(login, password, ppft),
                                 headers={"Cookie": cookies} if cookies else {})))
    location = posted.headers.get("Location")
    if not location:
        raise flows.login_failure(posted.content)
    msa = flows.parse_login_redirect(location, now=now())
    log.debug("signed in with e-mail and password")
    return (yield from xbox_tokens(Session(msa=msa, login=login), now))


# -- OAuth: device code, authorization code, refresh ------------------------------------------

def device_code(client_id: str, scope: str, now: Clock) -> Flow[flows.DeviceCode]:
    """Ask login.live.com for a device code to show a person."""
    response = _answer((yield Call("POST", CONNECT_URL,
                                   data=flows.device_code_form(client_id, scope))))
    body = _json(response)
    if response.status_code != 200:
        raise flows.oauth_error(body, response.status_code)
    return flows.parse_device_code(body, client_id=client_id, scope=scope, now=now())


def poll_device_code(code: flows.DeviceCode, now: Clock,
                     timeout: float | None = None) -> Flow[MsaToken]:
    """Poll until a person approves ``code`` (at its interval, slower after ``slow_down``)."""
    started = now()
    deadline = code.expires_at if timeout is None else min(code.expires_at, started + timeout)
    interval = code.interval
    while True:
        if now() >= deadline:
            if now() < code.expires_at:
                raise DeviceCodeExpired(
                    f"No one approved the sign-in within {timeout:g} s; run `xbox login` "
                    "again for a new code", service=flows.LOGIN_HOST)
            raise DeviceCodeExpired(service=flows.LOGIN_HOST)
        response = _answer((yield Call("POST", TOKEN_URL, data=flows.device_poll_form(code))))
        body = _json(response)
        if response.status_code == 200:
            log.debug("device code approved")
            return flows.parse_oauth_token(body, client_id=code.client_id, now=now())
        if flows.device_poll_result(body, response.status_code) == "slow_down":
            interval += SLOW_DOWN_STEP
            log.debug("device-code polling slowed down to every %g s", interval)
        yield Wait(max(0.0, min(interval, deadline - now())))


def redeem_code(code: str, *, redirect_uri: str, client_id: str, scope: str,
                client_secret: str | None, now: Clock) -> Flow[MsaToken]:
    """Redeem the ``code`` a browser sign-in brought back."""
    form = flows.authorization_code_form(code, client_id=client_id, redirect_uri=redirect_uri,
                                         scope=scope, client_secret=client_secret)
    # A code is single use: never resend it automatically.
    response = _answer((yield Call("POST", TOKEN_URL, data=form, idempotent=False)))
    body = _json(response)
    if response.status_code != 200:
        error = body.get("error") if isinstance(body, dict) else None
        if error == "invalid_grant":
            raise AuthenticationException(
                "login.live.com refused the sign-in code (expired, already used, or for "
                "another redirect URI); sign in again", status_code=response.status_code,
                service=flows.LOGIN_HOST, body=body)
        raise flows.oauth_error(body, response.status_code)
    return flows.parse_oauth_token(body, client_id=client_id, now=now())


def refresh_msa(msa: MsaToken, client_secret: str | None, now: Clock) -> Flow[MsaToken]:
    """A new MSA access token from the refresh token (which may be replaced too)."""
    response = _answer((yield Call("POST", TOKEN_URL, data=flows.refresh_form(msa, client_secret))))
    body = _json(response)
    if response.status_code != 200:
        raise flows.oauth_error(body, response.status_code)
    fresh = flows.parse_oauth_token(body, client_id=msa.client_id, now=now())
    log.debug("refreshed the Microsoft account token")
    return dataclasses.replace(fresh, scope=fresh.scope or msa.scope,
                               refresh_token=fresh.refresh_token or msa.refresh_token)


# -- Xbox Live tokens ---------------------------------------------------------------------------

def _ticket(msa: MsaToken) -> Call:
    # Tokens of the 2014 client id go bare, as the 2014 library sent them; others get the
    # t=/d= prefix their scope family needs (Azure tokens without d= are refused).
    bare = msa.client_id == flows.LEGACY_CLIENT_ID
    return Call("POST", USER_URL, json=flows.user_token_body(flows.rps_ticket(msa, bare=bare)),
                headers=_CONTRACT_1)


def user_token(msa: MsaToken, client_secret: str | None,
               now: Clock) -> Flow[tuple[XboxToken, MsaToken]]:
    """A user token for ``msa``; returns it and the MSA token used (maybe refreshed)."""
    response = _answer((yield _ticket(msa)))
    if response.status_code == 401 and msa.refresh_token:
        # The MSA token was refused; one refresh, then give up.
        msa = yield from refresh_msa(msa, client_secret, now)
        response = _answer((yield _ticket(msa)))
    if response.status_code != 200:
        raise AuthenticationException(
            f"Xbox Live refused the Microsoft account token (HTTP {response.status_code}); "
            "run `xbox login` again",
            status_code=response.status_code, service="user.auth.xboxlive.com",
            body=_json(response), correlation_id=response.headers.get("x-xblcorrelationid"))
    log.debug("obtained an Xbox Live user token")
    return flows.parse_user_token(_json(response)), msa


def xsts(user: XboxToken) -> Flow[XboxToken]:
    """The XSTS token that authorizes every Xbox Live call."""
    response = _answer((yield Call("POST", XSTS_URL, json=flows.xsts_body(user.token),
                                   headers=_CONTRACT_1)))
    if response.status_code != 200:
        raise flows.xsts_error(response.status_code, _json(response),
                               response.headers.get("x-xblcorrelationid"))
    log.debug("obtained an XSTS token")
    return flows.parse_xsts(_json(response))


def xbox_tokens(session: Session, now: Clock) -> Flow[Session]:
    """``session`` (with an MSA token) completed with a user token and an XSTS token."""
    if session.msa is None:
        raise ReauthenticationRequired()
    user, msa = yield from user_token(session.msa, session.client_secret, now)
    token = yield from xsts(user)
    return dataclasses.replace(session, msa=msa, user=user, xsts=token)


def renew(session: Session, now: Clock) -> Flow[Session]:
    """A copy of ``session`` with a fresh XSTS token (and user and MSA tokens as needed).

    A renewal never edits the session it was given: a caller still holding the old one
    can tell that it was replaced, and a failed renewal leaves it untouched.
    """
    fresh = dataclasses.replace(session, xsts=None)
    renewed_user = False
    if fresh.user is None or fresh.user.expired(now()):
        fresh = yield from _new_user_token(fresh, now)
        renewed_user = True
    assert fresh.user is not None
    try:
        token = yield from xsts(fresh.user)
    except XstsError as exc:
        if renewed_user or exc.xerr is not None or exc.status_code != 401:
            raise
        # A bare 401 means the user token itself was refused (revoked or expired early).
        fresh = yield from _new_user_token(fresh, now)
        assert fresh.user is not None
        token = yield from xsts(fresh.user)
    log.debug("renewed the Xbox Live tokens")
    return dataclasses.replace(fresh, xsts=token)


def _new_user_token(session: Session, now: Clock) -> Flow[Session]:
    msa = session.msa
    if msa is None:
        raise ReauthenticationRequired()
    if msa.expired(now()):
        msa = yield from refresh_msa(msa, session.client_secret, now)
    user, msa = yield from user_token(msa, session.client_secret, now)
    return dataclasses.replace(session, msa=msa, user=user)


def redirect(listener: RedirectListener, timeout: float) -> Flow[RedirectResult]:
    """Wait (looking every 50 ms) until the browser comes back to ``listener``.

    A real-time bound: this waits for a person and a browser, not for a token.
    """
    deadline = time.monotonic() + timeout
    while (result := listener.result()) is None:
        if time.monotonic() >= deadline:
            raise AuthenticationException(
                f"The browser did not come back within {timeout:g} s; run "
                "`xbox login --browser` again or use `xbox login` (device code)")
        yield Wait(LISTENER_POLL)
    return result


def not_signed_in() -> NotSignedIn:
    return NotSignedIn(CREDENTIALS_HELP)

"""Sign-in as generator flows: each yields the requests it needs and receives their answers.

A flow is pure: it holds no client and touches no socket. It yields a
:class:`~xbox._core.call.Call` and is sent back the response (after the client's one send
path has retried what may be retried), or yields a :class:`~xbox._core.call.Wait` to be
resumed after that many seconds. Its return value is the result (a :class:`Session`, a
token...). The same flows run in :class:`xbox.Client` and :class:`xbox.AsyncClient`, the
way httpx drives one ``auth_flow`` from both of its clients.

The steps, whose requests and answers :mod:`xbox.auth.flows` builds and reads:

* MSA (login.live.com): the password page scrape (any era of the page), the device code, the authorization
  code, and the refresh token grant;
* user token (user.auth.xboxlive.com) for the MSA token;
* XSTS token (xsts.auth.xboxlive.com) for the user token: ``XBL3.0 x=<uhs>;<xsts>``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import secrets
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from .._core.call import Call, Wait
from ..exceptions import (
    AuthenticationException,
    DeviceCodeExpired,
    InvalidArgument,
    NotSignedIn,
    ReauthenticationRequired,
    XboxException,
    XstsError,
)
from . import flows
from .tokens import Device, MsaToken, Session, XboxToken

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
    """The seed API's e-mail + password sign-in (the sign-in page scrape), through to an XSTS
    token: the page of any era is read, today's form is posted."""
    page = _answer((yield Call("GET", flows.legacy_authorize_url(flows.PASSWORD_CLIENT_ID))))
    _refused(page, flows.LOGIN_HOST, "to show its sign-in page")
    url_post, ppft = flows.parse_login_page(page.content)
    flows.check_credentials_target(url_post)
    cookies = flows.login_cookies(page.headers.get_list("set-cookie"))
    # The password is never sent twice on its own: no automatic retry.
    posted = _answer((yield Call("POST", url_post, idempotent=False,
                                 data=flows.password_form(login, password, ppft),
                                 headers={"Cookie": cookies} if cookies else {})))
    location = posted.headers.get("Location")
    if not location:
        down = flows.outage(posted.status_code, flows.LOGIN_HOST)
        raise down or flows.login_failure(posted.content, posted.status_code)
    msa = flows.parse_login_redirect(location, client_id=flows.PASSWORD_CLIENT_ID, now=now())
    log.debug("signed in with e-mail and password")
    return (yield from xbox_tokens(Session(msa=msa, login=login), now))


# -- OAuth: device code, authorization code, refresh ------------------------------------------

def device_code(client_id: str, scope: str, now: Clock) -> Flow[flows.DeviceCode]:
    """Ask login.live.com for a device code to show a person."""
    response = _answer((yield Call("POST", CONNECT_URL,
                                   data=flows.device_code_form(client_id, scope))))
    body = _oauth_body(response)
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
        down = flows.outage(response.status_code, flows.LOGIN_HOST)
        if down is not None:
            raise down
        body = _json(response)
        if response.status_code == 200:
            log.debug("device code approved")
            return flows.parse_oauth_token(body, client_id=code.client_id, now=now())
        if flows.device_poll_result(body, response.status_code) == "slow_down":
            interval += SLOW_DOWN_STEP
            log.debug("device-code polling slowed down to every %g s", interval)
        yield Wait(max(0.0, min(interval, deadline - now())))


def redeem_code(code: str, *, redirect_uri: str, client_id: str, scope: str,
                client_secret: str | None, now: Clock,
                code_verifier: str | None = None) -> Flow[MsaToken]:
    """Redeem the ``code`` a browser sign-in brought back."""
    form = flows.authorization_code_form(code, client_id=client_id, redirect_uri=redirect_uri,
                                         scope=scope, client_secret=client_secret,
                                         code_verifier=code_verifier)
    # A code is single use: never resend it automatically.
    response = _answer((yield Call("POST", TOKEN_URL, data=form, idempotent=False)))
    body = _json(response)
    down = flows.outage(response.status_code, flows.LOGIN_HOST, body)
    if down is not None:
        raise down
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
    body = _oauth_body(response)
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
    down = flows.outage(response.status_code, "user.auth.xboxlive.com", _json(response))
    if down is not None:
        raise down
    if response.status_code != 200:
        raise AuthenticationException(
            f"Xbox Live refused the Microsoft account token (HTTP {response.status_code}); "
            "run `xbox login` again",
            status_code=response.status_code, service="user.auth.xboxlive.com",
            body=_json(response), correlation_id=response.headers.get("x-xblcorrelationid"))
    log.debug("obtained an Xbox Live user token")
    return flows.parse_user_token(_body(response, "user.auth.xboxlive.com", "a user token")), msa


def xsts(user: XboxToken, relying_party: str = flows.XBOXLIVE_RP) -> Flow[XboxToken]:
    """The XSTS token that authorizes every Xbox Live call (or ``relying_party``'s)."""
    response = _answer((yield Call("POST", XSTS_URL, json=flows.xsts_body(user.token, relying_party),
                                   headers=_CONTRACT_1)))
    if response.status_code != 200:
        raise _xsts_refusal(response)
    log.debug("obtained an XSTS token")
    return flows.parse_xsts(_body(response, "xsts.auth.xboxlive.com", "an XSTS token"))


def xbox_tokens(session: Session, now: Clock) -> Flow[Session]:
    """``session`` (with an MSA token) completed with the Xbox Live tokens its flow takes:
    SISU (device token, then user, title and XSTS tokens at once), a title token (device,
    title and user tokens, then XSTS, all signed), or the plain user token and XSTS."""
    if session.msa is None:
        raise ReauthenticationRequired()
    if session.flow == "sisu":
        return (yield from sisu(session, now))
    if session.flow == "title":
        return (yield from title_sign_in(session, now))
    user, msa = yield from user_token(session.msa, session.client_secret, now)
    token = yield from xsts(user)
    return dataclasses.replace(session, msa=msa, user=user, xsts=token)


def renew(session: Session, now: Clock) -> Flow[Session]:
    """A copy of ``session`` with a fresh XSTS token (and user and MSA tokens as needed).

    A renewal never edits the session it was given: a caller still holding the old one
    can tell that it was replaced, and a failed renewal leaves it untouched.
    """
    if session.flow in ("sisu", "title"):
        msa = session.msa
        if msa is None:
            raise ReauthenticationRequired()
        if msa.expired(now()):
            msa = yield from refresh_msa(msa, session.client_secret, now)
        return (yield from xbox_tokens(dataclasses.replace(session, msa=msa, xsts=None), now))
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


# -- the Xbox app's signed sign-in -----------------------------------------------------------

def device_token(device: Device, now: Clock) -> Flow[Device]:
    """``device`` with a valid device token (its own, or a new one for its key)."""
    if device.token is not None and not device.token.expired(now()):
        return device
    response = _answer((yield Call("POST", flows.DEVICE_URL, json=flows.device_token_body(device),
                                   headers=_CONTRACT_1, signer=device.signer)))
    _refused(response, "device.auth.xboxlive.com", "the device token")
    log.debug("obtained a device token")
    return dataclasses.replace(device, token=flows.parse_claimed_token(
        _body(response, "device.auth.xboxlive.com", "a device token"), "xdi", "device token"))


def sisu(session: Session, now: Clock, session_id: str | None = None) -> Flow[Session]:
    """The Xbox app's sign-in: a device token, then sisu.xboxlive.com's user, title and XSTS
    tokens at once for the MSA token (the XSTS token carries the device and title claims)."""
    assert session.msa is not None
    device = session.device or Device.new()
    for fresh_device in (False, True):
        device = yield from device_token(dataclasses.replace(device, token=None)
                                         if fresh_device else device, now)
        response = _answer((yield Call("POST", flows.SISU_AUTHORIZE_URL, signer=device.signer,
                                       json=flows.sisu_authorize_body(session.msa, device,
                                                                      session_id))))
        body = _json(response)
        if response.status_code == 401 and isinstance(body, dict) and "XErr" in body:
            raise flows.xsts_error(401, body, response.headers.get("x-xblcorrelationid"))
        if response.status_code != 401 or fresh_device:
            break
        # A device token Xbox Live no longer knows (revoked, or a store copied elsewhere):
        # once more with a new one for the same key.
        log.debug("sisu refused the device token; asking for a new one")
    _refused(response, "sisu.xboxlive.com", "the sign-in")
    user, title, token = flows.parse_sisu_authorize(
        _body(response, "sisu.xboxlive.com", "a sign-in answer"))
    log.debug("signed in through SISU")
    return dataclasses.replace(session, user=user, title=title, xsts=token, device=device,
                               flow="sisu")


def title_sign_in(session: Session, now: Clock) -> Flow[Session]:
    """A title id's sign-in: user token, device token, title token, then XSTS with all
    three (signed), as title-registered clients do."""
    assert session.msa is not None
    msa, user = session.msa, session.user
    if user is None or user.expired(now()):
        user, msa = yield from user_token(msa, session.client_secret, now)
    device = yield from device_token(session.device or Device.new(), now)
    title = session.title
    if title is None or title.expired(now()):
        response = _answer((yield Call("POST", flows.TITLE_URL, headers=_CONTRACT_1,
                                       json=flows.title_token_body(msa, device),
                                       signer=device.signer)))
        _refused(response, "title.auth.xboxlive.com", "a title token")
        title = flows.parse_claimed_token(
            _body(response, "title.auth.xboxlive.com", "a title token"), "xti", "title token")
    response = _answer((yield Call("POST", XSTS_URL, headers=_CONTRACT_1, signer=device.signer,
                                   json=flows.signed_xsts_body(user.token, device, title.token))))
    if response.status_code != 200:
        raise _xsts_refusal(response, signed=True)
    log.debug("signed in with a title token")
    return dataclasses.replace(session, msa=msa, user=user, title=title, device=device,
                               xsts=flows.parse_xsts(_json(response)), flow="title")


def relying_party_token(session: Session, relying_party: str, now: Clock) -> Flow[XboxToken]:
    """An XSTS token of ``session`` for another relying party (a game's service, say), asked
    for as its flow asks: signed with the device and title tokens, or plain."""
    assert session.user is not None
    if session.flow == "plain" or session.device is None or session.title is None:
        return (yield from xsts(session.user, relying_party))
    device = yield from device_token(session.device, now)
    response = _answer((yield Call("POST", XSTS_URL, headers=_CONTRACT_1, signer=device.signer,
                                   json=flows.signed_xsts_body(session.user.token, device,
                                                               session.title.token,
                                                               relying_party))))
    if response.status_code != 200:
        raise _xsts_refusal(response, signed=True)
    return flows.parse_xsts(_body(response, "xsts.auth.xboxlive.com", "an XSTS token"))


@dataclass(frozen=True)
class BrowserSignIn:
    """A browser sign-in waiting for the person: open ``url``, then hand the address the
    browser lands on to the client's ``finish_browser_sign_in``.

    Attributes:
        url: where the person signs in.
        redirect_uri: where login.live.com sends the browser when done (an address the
            browser cannot open: the person copies it from the address bar).
    """

    url: str
    redirect_uri: str
    client_id: str
    state: str
    flow: str
    device: Device | None = None
    session_id: str | None = None
    verifier: str | None = field(default=None, repr=False)  # PKCE: a secret until redeemed

    def __repr__(self) -> str:
        return f"BrowserSignIn(url={self.url.split('?', 1)[0]!r}, flow={self.flow!r})"


def start_browser(client_id: str, device: Device, now: Clock) -> Flow[BrowserSignIn]:
    """Begin a browser sign-in with a public client id: SISU's (the Xbox app's, PKCE and a
    session bound to the device), or the legacy id's implicit sign-in page."""
    if flows.flow_for(client_id) != "sisu":
        return BrowserSignIn(flows.legacy_authorize_url(), flows.LEGACY_REDIRECT_URI,
                             flows.LEGACY_CLIENT_ID, "", "plain")
    device = yield from device_token(device, now)
    verifier, challenge = flows.pkce()
    state = secrets.token_urlsafe(24)
    response = _answer((yield Call("POST", flows.SISU_AUTHENTICATE_URL, signer=device.signer,
                                   json=flows.sisu_authenticate_body(client_id, device, challenge,
                                                                     state))))
    _refused(response, "sisu.xboxlive.com", "a browser sign-in")
    body = _body(response, "sisu.xboxlive.com", "a sign-in address")
    url = body.get("MsaOauthRedirect") if isinstance(body, dict) else None
    if not isinstance(url, str) or not url.startswith("https://"):
        raise flows.unreadable("sisu.xboxlive.com", response.status_code, "a sign-in address")
    return BrowserSignIn(url, flows.SISU_REDIRECT_URI, client_id, state, "sisu", device,
                         response.headers.get("X-SessionId"), verifier)


def finish_browser(pending: BrowserSignIn, address: str, now: Clock) -> Flow[Session]:
    """Finish a browser sign-in from the address the person landed on (pasted)."""
    if pending.flow == "plain":  # the legacy id's page hands the tokens over in the fragment
        if "#" not in address or "access_token=" not in address:
            raise AuthenticationException(
                "That is not the address the sign-in ended on (it has no token); copy the whole "
                f"address from the browser's address bar ({flows.LEGACY_REDIRECT_URI}#...)")
        msa = flows.parse_login_redirect(address.strip(), now=now())
        return (yield from xbox_tokens(Session(msa=msa), now))
    code = flows.redirect_answer(address, pending.state)
    msa = yield from redeem_code(code, redirect_uri=pending.redirect_uri,
                                 client_id=pending.client_id, scope=flows.LEGACY_SCOPE,
                                 client_secret=None, now=now, code_verifier=pending.verifier)
    return (yield from sisu(Session(msa=msa, device=pending.device), now, pending.session_id))


def _refused(response: httpx.Response, host: str, what: str) -> None:
    """Raise for an answer that is not a success: an outage as an outage, a refusal as one."""
    if response.status_code == 200:
        return
    down = flows.outage(response.status_code, host, _json(response))
    if down is not None:
        raise down
    if response.status_code == 403:
        raise flows.signature_refused(host, what)
    raise AuthenticationException(f"{host} refused {what} (HTTP {response.status_code})",
                                  status_code=response.status_code, service=host,
                                  body=_json(response),
                                  correlation_id=response.headers.get("x-xblcorrelationid"))


def _oauth_body(response: httpx.Response) -> Any:
    """A login.live.com OAuth answer's JSON; an outage, or the refusal it states, raised."""
    body = _json(response)
    down = flows.outage(response.status_code, flows.LOGIN_HOST, body)
    if down is not None:
        raise down
    if response.status_code != 200:
        raise flows.oauth_error(body, response.status_code)
    if not isinstance(body, dict):
        raise flows.unreadable(flows.LOGIN_HOST, response.status_code, "a token answer")
    return body


def _body(response: httpx.Response, host: str, what: str) -> Any:
    """The JSON of a success, or :class:`ServiceUnavailable` when it is not JSON."""
    body = _json(response)
    if not isinstance(body, dict):
        raise flows.unreadable(host, response.status_code, what)
    return body


def _xsts_refusal(response: httpx.Response, *, signed: bool = False) -> XboxException:
    down = flows.outage(response.status_code, "xsts.auth.xboxlive.com", _json(response))
    if signed and response.status_code == 403 and not response.content:
        return flows.signature_refused("xsts.auth.xboxlive.com", "the XSTS token request")
    return down or flows.xsts_error(response.status_code, _json(response),
                                    response.headers.get("x-xblcorrelationid"))


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


def browser(client_id: str, device: Device, adopt: Callable[[MsaToken], Session], *,
            open_url: Callable[[str], object], paste: Callable[[str], str] | None,
            port: int, state: str, scope: str, client_secret: str | None, timeout: float,
            now: Clock) -> Flow[Session]:
    """A whole browser sign-in: a public id's with the landing address pasted back (see
    :func:`start_browser`), an Azure app's through a one-shot loopback listener.

    Args:
        adopt: makes the session an Azure app's MSA token starts (its flow and secret).
        open_url: opens a sign-in page (mapped to the base URL already).
    """
    from .redirect import RedirectListener

    if not flows.is_azure_app(client_id):
        if paste is None:
            raise InvalidArgument("a browser sign-in with a public client id needs paste= "
                                  "(a callable that returns the address the browser lands on)")
        pending = yield from start_browser(client_id, device, now)
        open_url(pending.url)
        return (yield from finish_browser(pending, paste(
            f"When you are signed in, copy the address your browser shows "
            f"({pending.redirect_uri}...) and paste it here"), now))
    with RedirectListener(port, expected_state=state) as listener:
        open_url(flows.authorization_url(client_id=client_id, redirect_uri=listener.redirect_uri,
                                         scope=scope, state=state))
        result = yield from redirect(listener, timeout)
    msa = yield from redeem_code(flows.redirect_code(result, state),
                                 redirect_uri=listener.redirect_uri, client_id=client_id,
                                 scope=scope, client_secret=client_secret, now=now)
    return (yield from xbox_tokens(adopt(msa), now))


def not_signed_in() -> NotSignedIn:
    return NotSignedIn(CREDENTIALS_HELP)

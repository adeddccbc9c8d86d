"""Browser sign-in: each request it sends, the readers of their answers, and its flows.

Two ways back from the browser:

* a public client id (the Xbox app's, by default): SISU hands out the sign-in page
  (``sisu/authenticate``, PKCE, a session bound to the device), and the person pastes the
  address the browser lands on (``ms-xal-...://auth?code=``, which no browser opens); the
  legacy id's page hands its tokens over in that address's fragment instead;
* a user's own Azure app: login.live.com sends the browser back to a one-shot listener on
  127.0.0.1 (:mod:`xbox.auth.redirect`) with an authorization code.

The code is redeemed at login.live.com (:mod:`xbox.auth.msa`) and the session completed by
Xbox Live (:mod:`xbox.auth.xboxlive`). Pure but for the listener a flow may open.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

from .._core.call import Call, Flow, Wait
from ..exceptions import AuthenticationException, InvalidArgument
from .answers import Clock, json_body, raise_unless_ok, unreadable
from .msa import (
    LEGACY_CLIENT_ID,
    LEGACY_REDIRECT_URI,
    LEGACY_SCOPE,
    RedirectResult,
    authorization_url,
    is_azure_app,
    legacy_authorize_url,
    parse_login_redirect,
    redeem_code,
    redirect_code,
)
from .tokens import Device, MsaToken, Session
from .xboxlive import XBOX_APP_TITLE_ID, device_token, flow_for, sisu, xbox_tokens

if TYPE_CHECKING:
    from .redirect import RedirectListener

__all__ = [
    "LISTENER_POLL",
    "SISU_AUTHENTICATE_URL",
    "SISU_REDIRECT_URI",
    "BrowserSignIn",
    "finish_browser",
    "pkce",
    "redirect",
    "redirect_answer",
    "sign_in",
    "sisu_authenticate_body",
    "start_browser",
]

SISU_REDIRECT_URI = "ms-xal-000000004c12ae6f://auth"
SISU_AUTHENTICATE_URL = "https://sisu.xboxlive.com/authenticate"
# How often the browser flow looks whether the redirect has arrived.
LISTENER_POLL = 0.05


def pkce() -> tuple[str, str]:
    """A PKCE (RFC 7636) verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)[:86]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")


# -- the steps --------------------------------------------------------------------------------

def sisu_authenticate_body(client_id: str, device: Device, challenge: str,
                           state: str) -> dict[str, Any]:
    """``POST sisu/authenticate``: where to send a person to sign in (the browser flow)."""
    assert device.token is not None
    return {"AppId": client_id, "TitleId": XBOX_APP_TITLE_ID, "RedirectUri": SISU_REDIRECT_URI,
            "DeviceToken": device.token.token, "Sandbox": "RETAIL", "TokenType": "code",
            "Offers": [LEGACY_SCOPE],
            "Query": {"display": "android_phone", "code_challenge": challenge,
                      "code_challenge_method": "S256", "state": state}}


# -- the flows --------------------------------------------------------------------------------

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
    if flow_for(client_id) != "sisu":
        return BrowserSignIn(legacy_authorize_url(), LEGACY_REDIRECT_URI,
                             LEGACY_CLIENT_ID, "", "plain")
    device = yield from device_token(device, now)
    verifier, challenge = pkce()
    state = secrets.token_urlsafe(24)
    response = yield Call("POST", SISU_AUTHENTICATE_URL, signer=device.signer,
                          json=sisu_authenticate_body(client_id, device, challenge,
                                                      state))
    raise_unless_ok(response, "sisu.xboxlive.com", "a browser sign-in")
    body = json_body(response, "sisu.xboxlive.com", "a sign-in address")
    url = body.get("MsaOauthRedirect") if isinstance(body, dict) else None
    if not isinstance(url, str) or not url.startswith("https://"):
        raise unreadable("sisu.xboxlive.com", response.status_code, "a sign-in address")
    return BrowserSignIn(url, SISU_REDIRECT_URI, client_id, state, "sisu", device,
                         response.headers.get("X-SessionId"), verifier)


def redirect_answer(address: str, state: str) -> str:
    """The ``code`` in the address a person landed on after signing in (pasted), checked.

    Raises:
        AuthenticationException: not such an address, a refusal, or another sign-in's state.
    """
    parts = urlparse(address.strip())
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if not query or not ({"code", "error"} & query.keys()):
        raise AuthenticationException(
            "That is not the address the sign-in ended on (it has no code); copy the whole "
            f"address from the browser's address bar ({SISU_REDIRECT_URI}?code=...)")
    return redirect_code(RedirectResult(query.get("code"), query.get("state"), query.get("error"),
                                        query.get("error_description")), state)


def finish_browser(pending: BrowserSignIn, address: str, now: Clock) -> Flow[Session]:
    """Finish a browser sign-in from the address the person landed on (pasted)."""
    if pending.flow == "plain":  # the legacy id's page hands the tokens over in the fragment
        if "#" not in address or "access_token=" not in address:
            raise AuthenticationException(
                "That is not the address the sign-in ended on (it has no token); copy the whole "
                f"address from the browser's address bar ({LEGACY_REDIRECT_URI}#...)")
        msa = parse_login_redirect(address.strip(), now=now())
        return (yield from xbox_tokens(Session(msa=msa), now))
    code = redirect_answer(address, pending.state)
    msa = yield from redeem_code(code, redirect_uri=pending.redirect_uri,
                                 client_id=pending.client_id, scope=LEGACY_SCOPE,
                                 client_secret=None, now=now, code_verifier=pending.verifier)
    return (yield from sisu(Session(msa=msa, device=pending.device), now, pending.session_id))


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


def sign_in(client_id: str, device: Device, adopt: Callable[[MsaToken], Session], *,
            open_url: Callable[[str], object], paste: Callable[[str], str] | None,
            port: int, state: str, scope: str, client_secret: str | None, timeout: float,
            now: Clock) -> Flow[Session]:
    """A whole browser sign-in: a public id's with the landing address pasted back (see
    :func:`start_browser`), an Azure app's through a one-shot loopback listener.

    Args:
        adopt: makes the session an Azure app's MSA token starts (its flow and secret).
        open_url: opens a sign-in page (mapped to the base URL already).
    """
    # Imported when a browser signs in: http.server is not for `import xbox` to pay.
    from .redirect import RedirectListener

    if not is_azure_app(client_id):
        if paste is None:
            raise InvalidArgument("a browser sign-in with a public client id needs paste= "
                                  "(a callable that returns the address the browser lands on)")
        pending = yield from start_browser(client_id, device, now)
        open_url(pending.url)
        return (yield from finish_browser(pending, paste(
            f"When you are signed in, copy the address your browser shows "
            f"({pending.redirect_uri}...) and paste it here"), now))
    with RedirectListener(port, expected_state=state) as listener:
        open_url(authorization_url(client_id=client_id, redirect_uri=listener.redirect_uri,
                                   scope=scope, state=state))
        result = yield from redirect(listener, timeout)
    msa = yield from redeem_code(redirect_code(result, state),
                                 redirect_uri=listener.redirect_uri, client_id=client_id,
                                 scope=scope, client_secret=client_secret, now=now)
    return (yield from xbox_tokens(adopt(msa), now))

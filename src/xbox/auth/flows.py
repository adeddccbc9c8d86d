"""Sign-in as generator flows: every flow a client runs, by name.

A flow is pure: it holds no client and touches no socket. It yields a
:class:`~xbox._core.call.Call` and is sent back the response (after the client's one send
path has retried what may be retried), or yields a :class:`~xbox._core.call.Wait` to be
resumed after that many seconds. Its return value is the result (a
:class:`~xbox.auth.tokens.Session`, a token...). The same flows run in :class:`xbox.Client`
and :class:`xbox.AsyncClient`, the way httpx drives one ``auth_flow`` from both of its
clients; the client closes a flow it stops driving.

Each stage keeps its requests, the readers of their answers and its flows together:

* :mod:`xbox.auth.msa`: login.live.com, up to the Microsoft account (MSA) token: the
  password page (of any era), the device code, the authorization code, the refresh token
  grant;
* :mod:`xbox.auth.xboxlive`: Xbox Live's tokens for it: the user token and XSTS, or the
  Xbox app's signed sign-in (device token, SISU, title token), and their renewal:
  ``Authorization: XBL3.0 x=<uhs>;<xsts>``;
* :mod:`xbox.auth.browser`: the browser sign-in, which spans both.

This module names the flows in one place, with the constants a program needs to pick a
client id and scope (``from xbox.auth.flows import AZURE_SCOPE``), and holds the one flow
that is not a stage's: the seed's password sign-in, which goes through both.
"""

from __future__ import annotations

from .._core.call import Flow
from ..exceptions import NotSignedIn
from .answers import Clock
from .browser import BrowserSignIn, finish_browser, start_browser
from .msa import (
    AZURE_SCOPE,
    LEGACY_CLIENT_ID,
    LEGACY_SCOPE,
    LOGIN_HOST,
    PASSWORD_CLIENT_ID,
    PUBLIC_CLIENT_ID,
    DeviceCode,
    authorization_url,
    default_scope,
    device_code,
    password_token,
    poll_device_code,
    redeem_code,
)
from .tokens import Session
from .xboxlive import (
    XBOXLIVE_RP,
    XERR_REASONS,
    flow_for,
    relying_party_token,
    renew,
    xbox_tokens,
)

__all__ = [
    "AZURE_SCOPE",
    "CREDENTIALS_HELP",
    "LEGACY_CLIENT_ID",
    "LEGACY_SCOPE",
    "LOGIN_HOST",
    "PASSWORD_CLIENT_ID",
    "PUBLIC_CLIENT_ID",
    "XBOXLIVE_RP",
    "XERR_REASONS",
    "BrowserSignIn",
    "DeviceCode",
    "Flow",
    "authorization_url",
    "default_scope",
    "device_code",
    "finish_browser",
    "flow_for",
    "not_signed_in",
    "password",
    "poll_device_code",
    "redeem_code",
    "relying_party_token",
    "renew",
    "start_browser",
    "xbox_tokens",
]

CREDENTIALS_HELP = (
    "Authentication credentials required: run `xbox login`, pass login and password to "
    "authenticate(), or set MS_LOGIN and MS_PASSWD"
)


def password(login: str, password: str, now: Clock) -> Flow[Session]:
    """The 2014 library's e-mail + password sign-in, through to an XSTS token."""
    msa = yield from password_token(login, password, now)
    return (yield from xbox_tokens(Session(msa=msa, login=login), now))


def not_signed_in() -> NotSignedIn:
    """The error for a call that needs a sign-in when there is none to be had."""
    return NotSignedIn(CREDENTIALS_HELP)

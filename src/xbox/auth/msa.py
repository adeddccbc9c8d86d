"""Microsoft account sign-in at login.live.com: each request a step sends, the reader of
its answer, and the flows that yield them, up to the MSA token.

* the seed API's e-mail + password sign-in, a scrape of the sign-in page of any era
  (:func:`password_token`);
* OAuth2: the refresh token grant (:func:`refresh`), the authorization code a browser
  sign-in brings back (:func:`redeem_code`), the device code (:func:`device_code`, then
  :func:`poll_device_code`).

What comes after, the Xbox Live tokens for the MSA token, is :mod:`xbox.auth.xboxlive`'s.
Pure: a flow yields a :class:`~xbox._core.call.Call` (or a :class:`~xbox._core.call.Wait`)
and is sent its answer by the client; nothing here touches a socket.
"""

from __future__ import annotations

import dataclasses
import html
import json
import logging
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlencode, urlparse

from .._core.call import Call, Flow, RenewMsa, Wait
from .._core.urls import is_sign_in_host
from ..exceptions import (
    AuthenticationException,
    DeviceCodeDeclined,
    DeviceCodeExpired,
    InvalidCredentials,
    ReauthenticationRequired,
    SignInBlocked,
    SignInPageUnreadable,
    XboxException,
)
from .answers import Clock, json_of, outage, raise_unless_ok, unreadable
from .tokens import AZURE_SCOPE, LEGACY_SCOPE, MsaToken, default_scope, is_azure_app

if TYPE_CHECKING:
    import httpx

__all__ = [
    "AZURE_SCOPE",
    "CONNECT_URL",
    "LEGACY_CLIENT_ID",
    "LEGACY_REDIRECT_URI",
    "LEGACY_SCOPE",
    "LOGIN_HOST",
    "PASSWORD_CLIENT_ID",
    "PUBLIC_CLIENT_ID",
    "SLOW_DOWN_STEP",
    "TOKEN_URL",
    "DeviceCode",
    "RedirectResult",
    "authorization_code_form",
    "authorization_url",
    "check_credentials_target",
    "default_scope",
    "device_code",
    "device_code_form",
    "device_poll_form",
    "device_poll_result",
    "expired_without_renewal",
    "is_azure_app",
    "legacy_authorize_url",
    "login_cookies",
    "login_failure",
    "oauth_body",
    "oauth_error",
    "parse_device_code",
    "parse_login_page",
    "parse_login_redirect",
    "parse_oauth_token",
    "password_form",
    "password_token",
    "poll_device_code",
    "redeem_code",
    "redirect_code",
    "refresh",
    "refresh_form",
    "renewed",
    "server_data",
]

log = logging.getLogger("xbox")

LOGIN_HOST = "login.live.com"
LEGACY_CLIENT_ID = "0000000048093EE3"  # the old Xbox app; the 2014 library's id
PUBLIC_CLIENT_ID = "000000004C12AE6F"  # the Xbox app: device code with no Azure app
#: The id of the e-mail + password sign-in: the Xbox app's, the one every maintained password
#: client uses today (XboxReplay xboxlive-auth 5.1, prismarine-auth through it); the 2014 id
#: above is still honoured for refreshing sessions it signed in.
PASSWORD_CLIENT_ID = PUBLIC_CLIENT_ID
LEGACY_REDIRECT_URI = "https://login.live.com/oauth20_desktop.srf"
TOKEN_URL = f"https://{LOGIN_HOST}/oauth20_token.srf"
CONNECT_URL = f"https://{LOGIN_HOST}/oauth20_connect.srf"
# RFC 8628 §3.5: after ``slow_down`` the client adds 5 s to its polling interval for good.
SLOW_DOWN_STEP = 5.0


# -- e-mail + password (the sign-in page scrape) ----------------------------------------------

def legacy_authorize_url(client_id: str = LEGACY_CLIENT_ID) -> str:
    """The authorize page URL, its query NOT percent-encoded: the server wants it raw."""
    query = unquote(urlencode({
        "locale": "en",
        "redirect_uri": LEGACY_REDIRECT_URI,
        "response_type": "token",
        "client_id": client_id,
        "scope": LEGACY_SCOPE,
        "display": "touch",
    }))
    return f"https://{LOGIN_HOST}/oauth20_authorize.srf?{query}"


# Where the page's ServerData object starts (JSON since mid-2025, a JS literal before).
_SERVER_DATA_RE = re.compile(r"\bServerData\s*=\s*(?=\{)")
# The PPFT inside the sFTTag hidden input, in a decoded value or in a literal page.
_PPFT_IN_TAG_RE = re.compile(r'name="PPFT"[^>]*value="([^"]+)"')
# XboxReplay xboxlive-auth 5.1's patterns (June 2025): they read every page since 2014 --
# today's JSON with escaped quotes, the 2018 literal (urlPost:'...' with a %-encoded query)
# and the 2014 one (urlPost:'...' raw).
_URL_POST_RE = re.compile(r"""\\?['"]?urlPost\\?['"]?:\s*\\?['"]([^'"\\]+)\\?['"]""", re.I)
_PPFT_RE = re.compile(r'name=\\?"PPFT\\?"[^>]*value=\\?"([^"\\]+)\\?"', re.I)
_ERR_RE = re.compile(r"sErrTxt:\s*'((?:[^'\\]|\\.)*)'")
_HR_RE = re.compile(r"HR=([0-9A-Fa-f]{8})")

# HRESULTs in sErrTxt that mean "a person has to look at this account".
_BLOCKED_HR = {"80041032", "80041033", "8004490C", "80048821", "80048823"}
_BAD_CREDENTIALS_HR = {"80041012", "CFFFFC15", "80041010", "80041011"}


def server_data(content: bytes) -> dict[str, Any] | None:
    """Today's ``ServerData`` (a JSON object) decoded, or None: the 2014 and 2018 pages'
    object literals (unquoted keys, single quotes) are not JSON."""
    text = content.decode("utf-8", "replace")
    match = _SERVER_DATA_RE.search(text)
    if match is None:
        return None
    try:
        data, _ = json.JSONDecoder().raw_decode(text, match.end())
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def parse_login_page(content: bytes) -> tuple[str, str]:
    """``urlPost`` and the PPFT value of a login.live.com sign-in page, whichever its era:
    today's JSON ``ServerData`` (``"urlPost":"…"``, ``"sFTTag":"<input … value=\\"…\\"/>"``),
    the 2018 literal (``urlPost:'…'``, a percent-encoded query) or the 2014 one.

    Raises:
        SignInPageUnreadable: the page has no ``urlPost`` or no PPFT; it names which (and
            never quotes the page).
    """
    url = ppft = None
    data = server_data(content)
    if data is not None:
        if isinstance(data.get("urlPost"), str):
            url = data["urlPost"]
        tag = data.get("sFTTag")
        found = _PPFT_IN_TAG_RE.search(tag) if isinstance(tag, str) else None
        ppft = found.group(1) if found else data.get("sFT") if isinstance(data.get("sFT"),
                                                                          str) else None
    text = content.decode("utf-8", "replace")
    if not url:
        found = _URL_POST_RE.search(text)
        url = found.group(1) if found else None
    if not ppft:
        found = _PPFT_RE.search(text)
        ppft = found.group(1) if found else None
    missing = [name for name, value in (("urlPost", url), ("PPFT", ppft)) if not value]
    if missing:
        raise SignInPageUnreadable(missing)
    assert url is not None and ppft is not None
    return url, ppft


_COOKIE_SPLIT_RE = re.compile(r",\s*(?=[A-Za-z0-9_.\-]+=)")


def login_cookies(set_cookie_headers: list[str]) -> str:
    """The ``Cookie`` header a browser would send back to login.live.com.

    The authorize page sets ``MSPRequ`` and ``MSPOK`` (two cookies in one comma-joined
    ``Set-Cookie``, marked ``version=1``, which Python's cookie jar refuses as RFC 2965
    cookies); the credentials post must carry them, as the 2014 client's session did.
    """
    pairs = []
    for header in set_cookie_headers:
        for cookie in _COOKIE_SPLIT_RE.split(header):
            name_value = cookie.split(";", 1)[0].strip()
            if "=" in name_value:
                pairs.append(name_value)
    return "; ".join(pairs)


def password_form(login: str, password: str, ppft: str) -> dict[str, str]:
    """The form today's sign-in page posts to ``urlPost``.

    The e-mail address goes as ``loginfmt`` (the page's e-mail field) and ``login`` (its
    hidden copy), as XboxReplay xboxlive-auth 5.1 sends them; the rest are the fields of the
    page's own form with the values a browser without a security key sends (``type`` 11: a
    password, ``LoginOptions`` 3: do not stay signed in; a Bing sign-in client, ms-auth,
    posts the same list). Older pages read ``login`` and ignore what they do not know.
    """
    return {
        "i13": "0",
        "login": login,
        "loginfmt": login,
        "type": "11",
        "LoginOptions": "3",
        "lrt": "",
        "lrtPartition": "",
        "hisRegion": "",
        "hisScaleUnit": "",
        "passwd": password,
        "ps": "2",
        "psRNGCDefaultType": "",
        "psRNGCEntropy": "",
        "psRNGCSLK": "",
        "canary": "",
        "ctx": "",
        "hpgrequestid": "",
        "PPFT": ppft,
        "PPSX": "Passpor",
        "NewUser": "1",
        "FoundMSAs": "",
        "fspost": "0",
        "i21": "0",
        "CookieDisclosure": "0",
        "IsFidoSupported": "0",
        "isSignupPost": "0",
        "isRecoveryAttemptPost": "0",
    }


def check_credentials_target(url_post: str) -> None:
    """The address the login page says to post the password to, checked: https on a
    Microsoft sign-in host, or the password is not sent.

    Raises:
        AuthenticationException: the page names another host, or plain http.
    """
    parts = urlparse(url_post)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not is_sign_in_host(host):
        raise AuthenticationException(
            f"The sign-in page asked for the password to be sent to {parts.scheme}://{host}, "
            "which is not Microsoft's sign-in over https; nothing was sent. Sign in with "
            "`xbox login` (device code) instead", service=LOGIN_HOST)


def login_failure(content: bytes, status: int = 200) -> XboxException:
    """Why a credentials post did not redirect, read from the page it sent instead: a
    refusal only when the page says so (else an outage: a page that is not the login
    page's answer says nothing about the password)."""
    data = server_data(content)
    if b"PROOF.Type" in content or (data is not None and "arrUserProofs" in data):
        return SignInBlocked(
            "This Microsoft account uses two-step verification, which password sign-in cannot "
            "complete; sign in with `xbox login` (device code) instead")
    raw, code = "", ""
    if data is not None:  # today's page: "sErrTxt" and its HRESULT in "sErrorCode"
        raw, code = str(data.get("sErrTxt") or ""), str(data.get("sErrorCode") or "").upper()
    else:
        match = _ERR_RE.search(content.decode("utf-8", "replace"))
        raw = match.group(1).replace("\\'", "'") if match else ""
        hr = _HR_RE.search(raw)
        code = hr.group(1).upper() if hr else ""
    text = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<!--.*?-->", "", raw))).strip()
    if raw:
        if code in _BLOCKED_HR or "blocked" in text.lower():
            return SignInBlocked(
                "Microsoft blocked this sign-in for the account's security; review it at "
                "https://account.live.com/activity, then sign in again"
                + (f" (login.live.com said: {text})" if text else ""))
        if code in _BAD_CREDENTIALS_HR or text:
            return InvalidCredentials(
                "Could not log in with supplied credentials" + (f": {text}" if text else ""))
    if b"ServerData" in content and b"urlPost" in content:
        # The login page again, with no error text: the credentials were not taken.
        return InvalidCredentials("Could not log in with supplied credentials")
    return unreadable(LOGIN_HOST, status, "its sign-in answer")


def parse_login_redirect(location: str, *, client_id: str = LEGACY_CLIENT_ID,
                         now: float) -> MsaToken:
    """Read the tokens from the ``Location`` fragment of the successful credentials post."""
    fragment = parse_qs(urlparse(location).fragment)
    try:
        access_token = fragment["access_token"][0]
    except (KeyError, IndexError):
        raise InvalidCredentials("login.live.com did not hand out a token") from None
    return MsaToken(
        access_token=access_token,
        refresh_token=fragment.get("refresh_token", [None])[0],
        expires_at=now + float(fragment.get("expires_in", ["86400"])[0]),
        scope=fragment.get("scope", [LEGACY_SCOPE])[0],
        client_id=client_id,
        user_id=fragment.get("user_id", [""])[0],
    )


def password_token(login: str, password: str, now: Clock) -> Flow[MsaToken]:
    """The seed API's e-mail + password sign-in (the sign-in page scrape): the page of any
    era is read, today's form is posted, and the MSA token comes from the redirect
    (:func:`xbox.auth.flows.password` goes on to Xbox Live)."""
    page = yield Call("GET", legacy_authorize_url(PASSWORD_CLIENT_ID))
    raise_unless_ok(page, LOGIN_HOST, "to show its sign-in page")
    url_post, ppft = parse_login_page(page.content)
    check_credentials_target(url_post)
    cookies = login_cookies(page.headers.get_list("set-cookie"))
    # The password is never sent twice on its own: no automatic retry.
    posted = yield Call("POST", url_post, idempotent=False,
                        data=password_form(login, password, ppft),
                        headers={"Cookie": cookies} if cookies else {})
    location = posted.headers.get("Location")
    if not location:
        down = outage(posted.status_code, LOGIN_HOST)
        raise down or login_failure(posted.content, posted.status_code)
    log.debug("signed in with e-mail and password")
    return parse_login_redirect(location, client_id=PASSWORD_CLIENT_ID, now=now())


# -- OAuth2: refresh, authorization code ---------------------------------------------------

def refresh_form(token: MsaToken, client_secret: str | None = None) -> dict[str, str]:
    """The refresh_token grant (scope is required by login.live.com)."""
    if not token.refresh_token:
        raise ReauthenticationRequired(
            "This sign-in has no refresh token; run `xbox login` again")
    form = {
        "grant_type": "refresh_token",
        "client_id": token.client_id,
        "scope": token.scope,
        "refresh_token": token.refresh_token,
    }
    if client_secret:
        form["client_secret"] = client_secret
    return form


def parse_oauth_token(body: Any, *, client_id: str, now: float) -> MsaToken:
    """Read a login.live.com token response."""
    if not isinstance(body, dict) or "access_token" not in body:
        raise AuthenticationException("login.live.com sent an unreadable token response")
    return MsaToken(
        access_token=str(body["access_token"]),
        refresh_token=body.get("refresh_token"),
        expires_at=now + float(body.get("expires_in", 3600)),
        scope=str(body.get("scope", "")),
        client_id=client_id,
        user_id=str(body.get("user_id", "")),
    )


def oauth_error(body: Any, status: int) -> AuthenticationException:
    """The exception for a refused login.live.com token request."""
    error = body.get("error", "") if isinstance(body, dict) else ""
    description = body.get("error_description", "") if isinstance(body, dict) else ""
    if error == "invalid_grant":
        return ReauthenticationRequired(
            "The saved sign-in was refused by Microsoft (expired or revoked): run `xbox login` "
            "again", status_code=status, service=LOGIN_HOST, body=body)
    return AuthenticationException(
        f"login.live.com refused the request: {error or 'unknown error'}"
        + (f" ({description})" if description else ""),
        status_code=status, service=LOGIN_HOST, body=body)


def oauth_body(response: httpx.Response) -> Any:
    """A login.live.com OAuth answer's JSON; an outage, or the refusal it states, raised."""
    body = json_of(response)
    down = outage(response.status_code, LOGIN_HOST, body)
    if down is not None:
        raise down
    if response.status_code != 200:
        raise oauth_error(body, response.status_code)
    if not isinstance(body, dict):
        raise unreadable(LOGIN_HOST, response.status_code, "a token answer")
    return body


def refresh(msa: MsaToken, client_secret: str | None, now: Clock) -> Flow[MsaToken]:
    """A new MSA access token from the refresh token (which may be replaced too)."""
    response = yield Call("POST", TOKEN_URL, data=refresh_form(msa, client_secret))
    body = oauth_body(response)
    fresh = parse_oauth_token(body, client_id=msa.client_id, now=now())
    log.debug("refreshed the Microsoft account token")
    return dataclasses.replace(fresh, scope=fresh.scope or msa.scope,
                               refresh_token=fresh.refresh_token or msa.refresh_token)


def renewed(msa: MsaToken, client_secret: str | None, *,
            refused: bool = False) -> Flow[MsaToken | None]:
    """A new MSA token for one that expired (or that Xbox Live ``refused``), from wherever
    the client gets them: the host application's provider, or the refresh-token grant
    (:func:`refresh`). None: the client has no way to get one.
    """
    answer: object = yield RenewMsa(msa, client_secret, refused)
    return answer if isinstance(answer, MsaToken) else None


def expired_without_renewal() -> ReauthenticationRequired:
    """An expired MSA token that nothing can renew (no refresh token, no provider)."""
    return ReauthenticationRequired(
        "The Microsoft account token expired and this sign-in cannot renew it (no refresh "
        "token, and no msa_token_provider was given to the client): sign in again")


def authorization_url(*, client_id: str, redirect_uri: str, scope: str, state: str | None = None,
                      login_hint: str | None = None) -> str:
    """The browser sign-in URL of the authorization-code flow (spec §1b).

    Args:
        client_id: the application (client) id.
        redirect_uri: where login.live.com sends the browser back with ``?code=&state=``.
        scope: the scope family of ``client_id`` (see :func:`default_scope`).
        state: an unguessable value echoed back, to tie the answer to this request.
        login_hint: an e-mail address to pre-fill.

    Returns:
        The real ``https://login.live.com/oauth20_authorize.srf?...`` URL.
    """
    query = {"client_id": client_id, "response_type": "code", "approval_prompt": "auto",
             "scope": scope, "redirect_uri": redirect_uri}
    if state is not None:
        query["state"] = state
    if login_hint:
        query["login_hint"] = login_hint
    return f"https://{LOGIN_HOST}/oauth20_authorize.srf?{urlencode(query)}"


@dataclass(frozen=True)
class RedirectResult:
    """What the browser brought back: a ``code`` (and ``state``), or an OAuth ``error``."""

    code: str | None
    state: str | None
    error: str | None
    error_description: str | None

    def __repr__(self) -> str:
        # The code is a short-lived credential: never show it.
        return f"RedirectResult(state={self.state!r}, error={self.error!r})"


def redirect_code(result: RedirectResult, state: str) -> str:
    """The ``code`` a browser sign-in brought back, once its answer is checked.

    Raises:
        AuthenticationException: the person refused, the answer carries another sign-in's
            ``state`` (it may come from another site; the code is not used), or no code.
    """
    if result.error:
        raise AuthenticationException(
            f"The browser sign-in was refused: {result.error}"
            + (f" ({result.error_description})" if result.error_description else ""),
            service=LOGIN_HOST)
    if not secrets.compare_digest(result.state or "", state):
        raise AuthenticationException(
            "The browser sign-in answer did not carry this sign-in's state, so it was not "
            "used (it may have come from another site); sign in again")
    if not result.code:
        raise AuthenticationException("The browser sign-in answer carried no code")
    return result.code


def authorization_code_form(code: str, *, client_id: str, redirect_uri: str, scope: str,
                            client_secret: str | None = None,
                            code_verifier: str | None = None) -> dict[str, str]:
    """The ``authorization_code`` grant that redeems a browser sign-in's ``code`` (with the
    PKCE verifier of a SISU sign-in)."""
    form = {"grant_type": "authorization_code", "code": code, "client_id": client_id,
            "redirect_uri": redirect_uri, "scope": scope}
    if client_secret:
        form["client_secret"] = client_secret
    if code_verifier:
        form["code_verifier"] = code_verifier
    return form


def redeem_code(code: str, *, redirect_uri: str, client_id: str, scope: str,
                client_secret: str | None, now: Clock,
                code_verifier: str | None = None) -> Flow[MsaToken]:
    """Redeem the ``code`` a browser sign-in brought back."""
    form = authorization_code_form(code, client_id=client_id, redirect_uri=redirect_uri,
                                   scope=scope, client_secret=client_secret,
                                   code_verifier=code_verifier)
    # A code is single use: never resend it automatically.
    response = yield Call("POST", TOKEN_URL, data=form, idempotent=False)
    body = json_of(response)
    down = outage(response.status_code, LOGIN_HOST, body)
    if down is not None:
        raise down
    if response.status_code != 200:
        error = body.get("error") if isinstance(body, dict) else None
        if error == "invalid_grant":
            raise AuthenticationException(
                "login.live.com refused the sign-in code (expired, already used, or for "
                "another redirect URI); sign in again", status_code=response.status_code,
                service=LOGIN_HOST, body=body)
        raise oauth_error(body, response.status_code)
    return parse_oauth_token(body, client_id=client_id, now=now())


# -- device code (RFC 8628) ------------------------------------------------------------------

@dataclass(frozen=True)
class DeviceCode:
    """A pending device-code sign-in: show ``verification_uri`` and ``user_code`` to a person."""

    user_code: str
    device_code: str
    verification_uri: str
    interval: float
    expires_at: float
    client_id: str
    scope: str

    def __repr__(self) -> str:
        return (f"DeviceCode(user_code={self.user_code!r}, "
                f"verification_uri={self.verification_uri!r})")


def device_code_form(client_id: str, scope: str) -> dict[str, str]:
    """The request for a device code."""
    return {"client_id": client_id, "scope": scope, "response_type": "device_code"}


def parse_device_code(body: Any, *, client_id: str, scope: str, now: float) -> DeviceCode:
    """Read the device code login.live.com handed out."""
    try:
        return DeviceCode(
            user_code=str(body["user_code"]),
            device_code=str(body["device_code"]),
            verification_uri=str(body.get("verification_uri", "https://www.microsoft.com/link")),
            interval=float(body.get("interval", 5)),
            expires_at=now + float(body.get("expires_in", 900)),
            client_id=client_id,
            scope=scope,
        )
    except (KeyError, TypeError, ValueError):
        raise AuthenticationException("login.live.com sent an unreadable device code") from None


def device_poll_form(code: DeviceCode) -> dict[str, str]:
    """One poll of the token endpoint for a pending device code."""
    return {"client_id": code.client_id,
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "device_code": code.device_code}


def device_poll_result(body: Any, status: int) -> str:
    """What a refused device-code poll means: ``"pending"`` or ``"slow_down"`` (keep polling).

    Raises:
        DeviceCodeExpired: the code expired or is no longer valid (already used, unknown).
        DeviceCodeDeclined: the person declined the sign-in.
        AuthenticationException: any other refusal.
    """
    error = body.get("error", "") if isinstance(body, dict) else ""
    if error == "authorization_pending":
        return "pending"
    if error == "slow_down":
        return "slow_down"
    if error in ("expired_token", "invalid_grant", "bad_verification_code"):
        raise DeviceCodeExpired(status_code=status, service=LOGIN_HOST, body=body)
    if error in ("authorization_declined", "access_denied"):
        raise DeviceCodeDeclined(status_code=status, service=LOGIN_HOST, body=body)
    raise oauth_error(body, status)


def device_code(client_id: str, scope: str, now: Clock) -> Flow[DeviceCode]:
    """Ask login.live.com for a device code to show a person."""
    response = yield Call("POST", CONNECT_URL,
                          data=device_code_form(client_id, scope))
    body = oauth_body(response)
    return parse_device_code(body, client_id=client_id, scope=scope, now=now())


def poll_device_code(code: DeviceCode, now: Clock,
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
                    "again for a new code", service=LOGIN_HOST)
            raise DeviceCodeExpired(service=LOGIN_HOST)
        response = yield Call("POST", TOKEN_URL, data=device_poll_form(code))
        down = outage(response.status_code, LOGIN_HOST)
        if down is not None:
            raise down
        body = json_of(response)
        if response.status_code == 200:
            log.debug("device code approved")
            return parse_oauth_token(body, client_id=code.client_id, now=now())
        if device_poll_result(body, response.status_code) == "slow_down":
            interval += SLOW_DOWN_STEP
            log.debug("device-code polling slowed down to every %g s", interval)
        yield Wait(max(0.0, min(interval, deadline - now())))

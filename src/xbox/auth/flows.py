"""Sign-in as pure functions: build each request, read each response. No sockets here.

The chain is MSA (login.live.com) access token -> user token (user.auth.xboxlive.com)
-> XSTS token (xsts.auth.xboxlive.com) -> ``Authorization: XBL3.0 x=<uhs>;<xsts>``.
The client in ``xbox._async.auth`` drives these functions over HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlencode, urlparse

from .._core.urls import is_sign_in_host
from ..exceptions import (
    AuthenticationException,
    DeviceCodeDeclined,
    DeviceCodeExpired,
    InvalidCredentials,
    RateLimited,
    ReauthenticationRequired,
    ServiceUnavailable,
    SignInBlocked,
    SignInPageUnreadable,
    XboxException,
    XstsError,
)
from .tokens import Device, MsaToken, XboxToken, parse_wire_time

if TYPE_CHECKING:
    from .redirect import RedirectResult

__all__ = [
    "AZURE_SCOPE",
    "LEGACY_CLIENT_ID",
    "LEGACY_REDIRECT_URI",
    "LEGACY_SCOPE",
    "LOGIN_HOST",
    "PASSWORD_CLIENT_ID",
    "PUBLIC_CLIENT_ID",
    "XBOXLIVE_RP",
    "XERR_REASONS",
    "DeviceCode",
    "authorization_code_form",
    "authorization_header",
    "authorization_url",
    "default_scope",
    "device_code_form",
    "device_poll_form",
    "device_poll_result",
    "legacy_authorize_url",
    "login_cookies",
    "oauth_error",
    "parse_device_code",
    "parse_login_page",
    "parse_login_redirect",
    "parse_oauth_token",
    "parse_user_token",
    "parse_xsts",
    "password_form",
    "redirect_code",
    "refresh_form",
    "rps_ticket",
    "server_data",
    "user_token_body",
    "xsts_body",
    "xsts_error",
]

LOGIN_HOST = "login.live.com"
#: The relying party of the XSTS token every Xbox Live service in ``xbox`` accepts.
XBOXLIVE_RP = "http://xboxlive.com"
LEGACY_CLIENT_ID = "0000000048093EE3"  # the old Xbox app; the 2014 library's id
PUBLIC_CLIENT_ID = "000000004C12AE6F"  # the Xbox app: device code with no Azure app
#: The id of the e-mail + password sign-in: the Xbox app's, the one every maintained password
#: client uses today (XboxReplay xboxlive-auth 5.1, prismarine-auth through it); the 2014 id
#: above is still honoured for refreshing sessions it signed in.
PASSWORD_CLIENT_ID = PUBLIC_CLIENT_ID
LEGACY_SCOPE = "service::user.auth.xboxlive.com::MBI_SSL"
AZURE_SCOPE = "Xboxlive.signin Xboxlive.offline_access"
LEGACY_REDIRECT_URI = "https://login.live.com/oauth20_desktop.srf"


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


# -- OAuth2: refresh, authorization code, device code ----------------------------------------

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


_LIVE_CLIENT_ID_RE = re.compile(r"^[0-9A-Fa-f]{16}$")


def default_scope(client_id: str, scope: str | None = None) -> str:
    """The scope to ask for: ``scope`` if given, else the family ``client_id`` belongs to.

    Microsoft's own "Live" client ids are 16 hex digits and use the ``MBI_SSL`` scope; a
    self-registered Azure app (a GUID) uses ``Xboxlive.signin Xboxlive.offline_access``.
    """
    if scope:
        return scope
    return LEGACY_SCOPE if _LIVE_CLIENT_ID_RE.match(client_id) else AZURE_SCOPE


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
    return {"client_id": client_id, "scope": scope, "response_type": "device_code"}


def parse_device_code(body: Any, *, client_id: str, scope: str, now: float) -> DeviceCode:
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


# -- user token and XSTS -----------------------------------------------------------------------

def rps_ticket(token: MsaToken, *, bare: bool = False) -> str:
    """The ``RpsTicket``: ``d=`` for Azure-app tokens, ``t=`` for Live-client tokens.

    The 2014 library sent the token bare, which the service also accepts (``bare=True``).
    """
    if token.scope.lower().startswith("xboxlive.signin"):
        return "d=" + token.access_token
    return token.access_token if bare else "t=" + token.access_token


def user_token_body(ticket: str) -> dict[str, Any]:
    return {
        "RelyingParty": "http://auth.xboxlive.com",
        "TokenType": "JWT",
        "Properties": {"AuthMethod": "RPS", "SiteName": "user.auth.xboxlive.com",
                       "RpsTicket": ticket},
    }


def xsts_body(user_token: str, relying_party: str = XBOXLIVE_RP) -> dict[str, Any]:
    return {
        "RelyingParty": relying_party,
        "TokenType": "JWT",
        "Properties": {"UserTokens": [user_token], "SandboxId": "RETAIL"},
    }


def _parse_xbox_token(body: Any, what: str) -> XboxToken:
    try:
        claims = body["DisplayClaims"]["xui"][0]
        return XboxToken(
            token=str(body["Token"]),
            uhs=str(claims["uhs"]),
            issued_at=parse_wire_time(body["IssueInstant"]),
            expires_at=parse_wire_time(body["NotAfter"]),
            claims={str(k): str(v) for k, v in claims.items()},
        )
    except (KeyError, IndexError, TypeError, ValueError):
        raise AuthenticationException(f"Xbox Live sent an unreadable {what}") from None


def parse_user_token(body: Any) -> XboxToken:
    return _parse_xbox_token(body, "user token")


def parse_xsts(body: Any) -> XboxToken:
    return _parse_xbox_token(body, "XSTS token")


# XSTS XErr codes: what they mean and what to do (community consensus, spec §1d).
XERR_REASONS: dict[int, tuple[str, str | None]] = {
    2148916227: ("This account is banned or suspended from Xbox Live.",
                 "https://www.xbox.com/en-US/Forms/Enforcement"),
    2148916229: ("This is a child account and a parent has not allowed it to play online.",
                 "https://account.microsoft.com/family/"),
    2148916233: ("This Microsoft account has no Xbox profile yet. Create one by signing in at "
                 "xbox.com, then try again.", "https://start.ui.xboxlive.com/CreateAccount"),
    2148916234: ("This account has not accepted the Xbox terms of use. Sign in at xbox.com once "
                 "and accept them.", "https://www.xbox.com/"),
    2148916235: ("Xbox Live is not available in this account's country or region.", None),
    2148916236: ("This account needs adult (age) verification before it can use Xbox Live.",
                 "https://start.ui.xboxlive.com/AgeVerification"),
    2148916237: ("This account has reached its playtime limit or needs age verification.",
                 None),
    2148916238: ("This is an under-18 account that is not in a Microsoft family. An adult must "
                 "add it to a family group first.",
                 "https://start.ui.xboxlive.com/AddChildToFamily"),
}


def xsts_error(status: int, body: Any, correlation_id: str | None = None) -> XstsError:
    """A readable :class:`XstsError` for an XSTS refusal (401 with an XErr body, or 400)."""
    xerr: int | None = None
    redirect: str | None = None
    if isinstance(body, dict):
        raw = body.get("XErr")
        try:
            xerr = int(raw) if raw is not None else None
        except (TypeError, ValueError):
            xerr = None
        redirect = body.get("Redirect") or None
    reason, fix = XERR_REASONS.get(xerr or -1, (
        f"Xbox Live refused to authorize this account (XErr {xerr})." if xerr else
        f"Xbox Live refused to authorize this account (HTTP {status}).", None))
    url = redirect or fix
    message = reason + (f" See {url}" if url else "")
    return XstsError(message, xerr=xerr, reason=reason, redirect=url, status_code=status,
                     body=body, correlation_id=correlation_id)


def authorization_header(uhs: str, xsts_token: str) -> str:
    """``XBL3.0 x=<uhs>;<token>``: the header every Xbox Live call carries."""
    return f"XBL3.0 x={uhs};{xsts_token}"


# -- outages are not refusals -----------------------------------------------------------------

def outage(status: int, host: str, body: Any = None,
           retry_after: float | None = None) -> XboxException | None:
    """The error for an answer that says the service is down or busy (5xx, 429), or None.

    A refusal is only what a service says is one: these say nothing about the account, and
    must never read as "wrong password" or "sign in again".
    """
    if status == 429:
        return RateLimited(f"Xbox Live sign-in is busy ({host} rate limited the request); "
                           "try again later", retry_after=retry_after, status_code=status,
                           service=host, body=body)
    if status >= 500:
        return ServiceUnavailable(f"Xbox Live sign-in is unavailable ({host} answered HTTP "
                                  f"{status}); try again later", status_code=status,
                                  service=host, body=body)
    return None


def unreadable(host: str, status: int, what: str) -> ServiceUnavailable:
    """An answer that is not the sign-in answer it should be (an HTML page, a proxy's error)."""
    return ServiceUnavailable(f"Xbox Live sign-in is unavailable ({host} sent something that "
                              f"is not {what}); try again later", status_code=status, service=host)


def signature_refused(host: str, what: str) -> AuthenticationException:
    """A signed sign-in request refused (403): the signature's time or key did not pass."""
    return AuthenticationException(
        f"{host} refused {what} (HTTP 403). Xbox Live refuses a signed request whose time is "
        "more than a few minutes from its own (check this machine's clock and time zone), "
        "and a sign-in flow the app id is not registered for (see `xbox login --flow`)",
        status_code=403, service=host)


# -- the Xbox app's signed sign-in: device token, SISU, title token ---------------------------

#: The Xbox app's SISU registration (xal-rs ``app_params``; the sandbox's client table).
XBOX_APP_TITLE_ID = "328178078"
SISU_REDIRECT_URI = "ms-xal-000000004c12ae6f://auth"
#: Live ids that sign in through SISU, and those that sign in with a title token (peers:
#: xbox-webapi's XAL and its five app identities, xal-rs, prismarine-auth, RaphiMC
#: MinecraftAuth). The Minecraft Java id is a SISU one: its title authentication answers
#: ``403 {}`` (prismarine-auth #54, #140, #182).
SISU_CLIENT_IDS = frozenset({"000000004c12ae6f", "000000004415494b", "000000004c20a908",
                             "00000000482c8f49", "0000000048183522", "00000000402b5328"})
TITLE_CLIENT_IDS = frozenset({"00000000441cc96b"})
DEVICE_URL = "https://device.auth.xboxlive.com/device/authenticate"
TITLE_URL = "https://title.auth.xboxlive.com/title/authenticate"
SISU_AUTHENTICATE_URL = "https://sisu.xboxlive.com/authenticate"
SISU_AUTHORIZE_URL = "https://sisu.xboxlive.com/authorize"
_AUTH_RP = "http://auth.xboxlive.com"


def flow_for(client_id: str) -> str:
    """How a client id signs in to Xbox Live after its MSA token (:data:`~xbox.auth.tokens.FLOWS`).

    The Xbox app and its kin: SISU; the Minecraft ids: a title token; the 2014 library's id
    and users' own Azure apps (GUIDs): the plain user token + XSTS. Another Live id (16 hex
    digits) is taken for a title id.
    """
    key = client_id.lower()
    if key in SISU_CLIENT_IDS:
        return "sisu"
    if key in TITLE_CLIENT_IDS or (_LIVE_CLIENT_ID_RE.match(key) and key != LEGACY_CLIENT_ID.lower()):
        return "title"
    return "plain"


def is_azure_app(client_id: str) -> bool:
    """Whether ``client_id`` is a user's own Azure app (a GUID), not a Microsoft Live id."""
    return not _LIVE_CLIENT_ID_RE.match(client_id)


def pkce() -> tuple[str, str]:
    """A PKCE (RFC 7636) verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)[:86]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")


def device_token_body(device: Device) -> dict[str, Any]:
    """``POST device.auth/device/authenticate``: a device token for the device's key."""
    return {"Properties": {"AuthMethod": "ProofOfPossession", "Id": device.id,
                           "DeviceType": device.device_type, "SerialNumber": device.serial,
                           "Version": device.version, "ProofKey": device.signer.proof_key},
            "RelyingParty": _AUTH_RP, "TokenType": "JWT"}


def title_token_body(msa: MsaToken, device: Device) -> dict[str, Any]:
    """``POST title.auth/title/authenticate``: a title token for a title id's MSA ticket."""
    assert device.token is not None
    return {"Properties": {"AuthMethod": "RPS", "DeviceToken": device.token.token,
                           "RpsTicket": "t=" + msa.access_token,
                           "SiteName": "user.auth.xboxlive.com",
                           "ProofKey": device.signer.proof_key},
            "RelyingParty": _AUTH_RP, "TokenType": "JWT"}


def sisu_authenticate_body(client_id: str, device: Device, challenge: str,
                           state: str) -> dict[str, Any]:
    """``POST sisu/authenticate``: where to send a person to sign in (the browser flow)."""
    assert device.token is not None
    return {"AppId": client_id, "TitleId": XBOX_APP_TITLE_ID, "RedirectUri": SISU_REDIRECT_URI,
            "DeviceToken": device.token.token, "Sandbox": "RETAIL", "TokenType": "code",
            "Offers": [LEGACY_SCOPE],
            "Query": {"display": "android_phone", "code_challenge": challenge,
                      "code_challenge_method": "S256", "state": state}}


def sisu_authorize_body(msa: MsaToken, device: Device, session_id: str | None = None,
                        relying_party: str = XBOXLIVE_RP) -> dict[str, Any]:
    """``POST sisu/authorize``: the user, title and XSTS tokens at once for an MSA token."""
    assert device.token is not None
    body: dict[str, Any] = {"AccessToken": "t=" + msa.access_token, "AppId": msa.client_id,
                            "DeviceToken": device.token.token, "Sandbox": "RETAIL",
                            "UseModernGamertag": True, "SiteName": "user.auth.xboxlive.com",
                            "RelyingParty": relying_party, "ProofKey": device.signer.proof_key}
    if session_id:
        body["SessionId"] = session_id
    return body


def signed_xsts_body(user_token: str, device: Device, title_token: str,
                     relying_party: str = XBOXLIVE_RP) -> dict[str, Any]:
    """``POST xsts/authorize`` with the device and title tokens (the title flow)."""
    assert device.token is not None
    return {"RelyingParty": relying_party, "TokenType": "JWT",
            "Properties": {"UserTokens": [user_token], "DeviceToken": device.token.token,
                           "TitleToken": title_token, "SandboxId": "RETAIL",
                           "ProofKey": device.signer.proof_key}}


def parse_claimed_token(body: Any, claim: str, what: str) -> XboxToken:
    """A device token (``xdi`` claims) or a title token (``xti``)."""
    try:
        claims = body["DisplayClaims"][claim]
        return XboxToken(token=str(body["Token"]), uhs="",
                         issued_at=parse_wire_time(body["IssueInstant"]),
                         expires_at=parse_wire_time(body["NotAfter"]),
                         claims={str(k): str(v) for k, v in claims.items()})
    except (KeyError, TypeError, ValueError, AttributeError):
        raise AuthenticationException(f"Xbox Live sent an unreadable {what}") from None


def parse_sisu_authorize(body: Any) -> tuple[XboxToken, XboxToken, XboxToken]:
    """The user, title and XSTS tokens of a SISU authorize answer."""
    if not isinstance(body, dict):
        raise AuthenticationException("sisu.xboxlive.com sent an unreadable answer")
    return (parse_user_token(body.get("UserToken")),
            parse_claimed_token(body.get("TitleToken"), "xti", "title token"),
            parse_xsts(body.get("AuthorizationToken")))


def redirect_answer(address: str, state: str) -> str:
    """The ``code`` in the address a person landed on after signing in (pasted), checked.

    Raises:
        AuthenticationException: not such an address, a refusal, or another sign-in's state.
    """
    from .redirect import RedirectResult

    parts = urlparse(address.strip())
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if not query or not ({"code", "error"} & query.keys()):
        raise AuthenticationException(
            "That is not the address the sign-in ended on (it has no code); copy the whole "
            f"address from the browser's address bar ({SISU_REDIRECT_URI}?code=...)")
    return redirect_code(RedirectResult(query.get("code"), query.get("state"), query.get("error"),
                                        query.get("error_description")), state)

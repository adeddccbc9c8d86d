"""login.live.com (and the www.microsoft.com/link approval page): MSA sign-in for the sandbox.

Spec §1a-§1c. Four ways in, all ending in an MSA access token plus a refresh token:

* the password scrape: ``oauth20_authorize.srf?response_type=token`` serves the gzip
  sign-in page of the sandbox's era (:mod:`xbox.sandbox.services.login_pages`: the 2014
  single-quoted ``ServerData`` the 2014 client scrapes with two regexes, the 2018 one with a
  percent-encoded ``urlPost``, or today's JSON ``ServerData``); ``ppsecure/post.srf``
  answers 302 with the tokens in the Location *fragment*, or 200 with the page re-rendered
  and its error set (``GetCredentialType.srf``, which 2018 clients asked first, answers too);
* the browser authorization-code flow (``response_type=code``) through the same post endpoint,
  then ``oauth20_token.srf`` with ``grant_type=authorization_code``;
* the refresh grant, by GET (legacy) or POST;
* the device-code flow: ``oauth20_connect.srf`` then polling ``oauth20_token.srf``, approved by
  a person on ``www.microsoft.com/link`` (or by itself with ``sb.auto_approve_device_codes``,
  after ``sb.device_code_pending_polls`` polls answered ``authorization_pending``).

Every flow is checked against the client id's registration (:mod:`xbox.sandbox.clients`):
an unknown id, a flow the id may not use, or a redirect URI not registered for it is refused
as login.live.com refuses it. Authorization codes with a PKCE ``code_challenge`` (the Xbox
app's SISU sign-in) are only redeemed with the matching ``code_verifier``.

State lives in ``sb.state`` under ``login.*`` keys. Tokens come from ``sb.tokens``.
"""

from __future__ import annotations

import base64
import html
import string
import uuid
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus, urlencode

import httpx

from .. import clients
from .._http import Call, empty, html_response, json_response, route
from . import login_pages
from . import msa_grants as grants
from .login_pages import PAGE_STYLE, PageError, page_error

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account

__all__ = [
    "BLOCKED_EMAIL",
    "LEGACY_SCOPE",
    "approve_device_code",
    "decline_device_code",
    "revoke_refresh_tokens",
]

HOST = r"login\.live\.com"
LINK_HOST = r"www\.microsoft\.com"
LEGACY_SCOPE = "service::user.auth.xboxlive.com::MBI_SSL"
DESKTOP_REDIRECT = clients.DESKTOP_REDIRECT
ERROR_PAGE = "https://login.live.com/err.srf?lc=1033"
CREDENTIAL_TYPE_URL = "https://login.live.com/GetCredentialType.srf"
VERIFICATION_URI = "https://www.microsoft.com/link"
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# An e-mail whose sign-in Microsoft blocks for security (no world account needed).
BLOCKED_EMAIL = "blocked@example.org"

PPFT_LIFETIME = 3600.0  # how long a served login page may be posted back

ERR_CLIENT = ("We\\'re unable to complete your request. invalid_request: The client does not "
              "exist or is not enabled for consumers.")
# Where login.live.com sends the browser for a redirect URI the app did not register
# (HTBox/allReady#312, jasonjoh/javascript-tutorial#1, auth0-samples#113: the browser
# lands on err.srf with this in the fragment).
ERR_REDIRECT_URI = ("The provided value for the input parameter 'redirect_uri' is not valid. "
                    "The expected value is 'https://login.live.com/oauth20_desktop.srf' or a URL "
                    "which matches the redirect URI registered for this client application.")
# A flow the app may not use: RFC 6749 §4.1.2.1's error and text (MSA's own text unrecorded).
ERR_FLOW = "The client is not authorized to request {what} using this method."
# A device code for an Azure app that is not a public client: Microsoft's text for it,
# quoted in many app-registration guides and MSAL test doubles.
ERR_NOT_PUBLIC = ("AADSTS70002: The provided client is not supported for this feature. The "
                  "client application must be marked as 'mobile.'")

# -- small state helpers --------------------------------------------------------------------

def _new_ppft(sb: Sandbox) -> str:
    """A fresh PPFT value (~190 chars of ``[A-Za-z0-9!*$]`` ending in ``$$``), remembered."""
    raw = grants.digest(sb, "ppft") + grants.digest(sb, "ppft2")
    text = base64.b64encode(raw).decode().rstrip("=").replace("+", "!").replace("/", "*")
    value = text[:188] + "$$"
    tags = grants.bucket(sb, "ppft")
    now = sb.now()
    for old in [k for k, exp in tags.items() if exp <= now]:  # forget stale pages
        del tags[old]
    tags[value] = now + PPFT_LIFETIME
    return value


def _take_ppft(sb: Sandbox, value: str) -> bool:
    """Whether ``value`` is a live PPFT this sandbox served; it is used up either way."""
    expires = grants.bucket(sb, "ppft").pop(value, None)
    return expires is not None and expires > sb.now()


_URL_SAFE = set(string.ascii_letters + string.digits + ":?_-./=")


def _raw_value(value: str) -> str:
    """A query value as the 2014 client sent it: un-percent-encoded where the urlPost regex
    allows the characters, percent-encoded only otherwise (spaces, ``&``...)."""
    return "".join(ch if ch in _URL_SAFE else f"%{b:02X}" for ch in value
                   for b in ch.encode())


def _fragment_value(value: str) -> str:
    """Percent-encode a token for the Location fragment the way login.live.com does:
    lowercase hex (``+``->``%2b``, ``=``->``%3d``, ``$``->``%24``), ``/ ! *`` left raw."""
    safe = set(string.ascii_letters + string.digits + "-._~/!*")
    return "".join(ch if ch in safe else "".join(f"%{b:02x}" for b in ch.encode())
                   for ch in value)


# -- pages ----------------------------------------------------------------------------------

def _page_headers(sb: Sandbox, *, cookies: bool = True) -> dict[str, str]:
    """Headers of every login.live.com HTML page (spec §1a step 1); the 2014 cookies too."""
    now = int(sb.now())
    headers = {
        "Cache-Control": "no-cache",
        "Pragma": "no-cache",
        "X-Frame-Options": "deny",
        "Server": "Microsoft-IIS/7.5",
        "PPServer": "PPV: 30 H: BL2IDSLGN1D033 V: 0",
    }
    if cookies and sb.era == "2014":
        # Both cookies in one Set-Cookie header, as the 2014 recording has them.
        mspok = uuid.UUID(bytes=grants.digest(sb, "mspok")[:16], version=4)
        headers["Set-Cookie"] = (f"MSPRequ=lt={now}&co=1&id=N; path=/;HTTPOnly=;version=1, "
                                 f"MSPOK=$uuid-{mspok}; domain=login.live.com;path=/;"
                                 "HTTPOnly= ;version=1")
    return headers


def _page_cookies(sb: Sandbox, uaid: str) -> list[str]:
    """The sign-in page's cookies since 2018: one ``Set-Cookie`` each (the 2018 recording's
    three; today's page adds ``OParams``, where it keeps the flow, an assumption)."""
    if sb.era == "2014":
        return []  # in the one header of _page_headers
    mspok = uuid.UUID(bytes=grants.digest(sb, "mspok")[:16], version=4)
    tail = "; domain=login.live.com;secure= ;path=/;HTTPOnly= ;version=1"
    cookies = [f"MSPRequ=lt={int(sb.now())}&co=1&id=N; secure= ;path=/;HTTPOnly=;version=1",
               f"uaid={uaid}{tail}", f"MSPOK=$uuid-{mspok}{tail}"]
    if sb.era != "2018":
        cookies.append(f"OParams={grants.digest(sb, 'oparams').hex()[:64]}{tail}")
    return cookies


def _flow_query(params: dict[str, str]) -> str:
    """The flow's parameters percent-encoded, in the order sent (2018 recording)."""
    return urlencode({k: v for k, v in params.items() if k not in _POST_ONLY}, quote_via=quote)


# Parameters login.live.com adds to urlPost itself, never part of the flow's own query.
_POST_ONLY = ("bk", "uaid", "contextid", "opid", "pid")


def _url_post(sb: Sandbox, params: dict[str, str], uaid: str, *, rerender: bool) -> str:
    """Where the page says to post the credentials, in its era's encoding.

    2014: the flow query raw (the 2014 URL regex's character class), ``bk`` and, on a first
    page, ``uaid``. Since 2018 the query is percent-encoded and login.live.com adds its
    context: ``contextid``, ``bk``, ``uaid`` and ``pid`` (2018 recording), today also
    ``opid`` (a Go SISU client's test of today's page shows ``contextid`` and ``opid``).
    """
    now = int(sb.now())
    if sb.era == "2014":
        query = "&".join(f"{_raw_value(k)}={_raw_value(v)}" for k, v in params.items()
                         if k not in _POST_ONLY)
        url = f"https://login.live.com/ppsecure/post.srf?{query}&bk={now}"
        return url if rerender else f"{url}&uaid={uaid}"
    context = grants.digest(sb, "contextid").hex()[:16].upper()
    url = f"https://login.live.com/ppsecure/post.srf?{_flow_query(params)}&contextid={context}"
    if sb.era != "2018":
        url += f"&opid={grants.digest(sb, 'opid').hex()[:16].upper()}"
    return f"{url}&bk={now}&uaid={uaid}&pid=15216"


def _legacy_page(sb: Sandbox, params: dict[str, str], *, error: PageError | None = None,
                 email: str = "", rerender: bool = False) -> httpx.Response:
    """The "Sign in to your Microsoft account" page of the sandbox's era (see
    :mod:`xbox.sandbox.services.login_pages`).

    A re-rendered page (after a failed post) has a fresh PPFT, a urlPost with a new ``bk``
    (and, in 2014, no ``uaid``), the sign-in name typed and the error.
    """
    uaid = grants.digest(sb, "uaid").hex()[:32]
    query = _flow_query(params)
    page = login_pages.sign_in_page(
        sb.era, url_post=_url_post(sb, params, uaid, rerender=rerender), ppft=_new_ppft(sb),
        client_id=_raw_value(params.get("client_id", "")), flow_query=query,
        credential_type_url=f"{CREDENTIAL_TYPE_URL}?{query}&vv=1600&mkt=EN-US&lc=1033",
        email=email, error=error, rerender=rerender)
    return html_response(200, page, headers=_page_headers(sb, cookies=not rerender),
                         cookies=[] if rerender else _page_cookies(sb, uaid))


def _error_page(sb: Sandbox, error: str) -> httpx.Response:
    """A login.live.com error page (bad request to the authorize endpoint)."""
    page = ("<!DOCTYPE html><html><head><title>Microsoft account</title>"
            f"<script type=\"text/javascript\">var ServerData = {{sErrTxt:'{error}',C:39}};"
            "</script></head><body><div>We're unable to complete your request.</div>"
            "</body></html>")
    return html_response(200, page, headers=_page_headers(sb, cookies=False))


def _proof_page(sb: Sandbox, params: dict[str, str], email: str) -> httpx.Response:
    """What a two-factor account gets instead of tokens: the proof (2FA) page, no Location."""
    page = login_pages.proof_page(
        sb.era, email=email, ppft=_new_ppft(sb),
        url_post=_url_post(sb, params, grants.digest(sb, "uaid").hex()[:32], rerender=True))
    return html_response(200, page, headers=_page_headers(sb, cookies=False))


_CODE_FIELDS = ("client_id", "redirect_uri", "state", "scope", "code_challenge",
                "code_challenge_method", "response_mode")


def _code_page(sb: Sandbox, params: dict[str, str], *, error: str = "",
               email: str = "") -> httpx.Response:
    """The browser sign-in page of the authorization-code flow: a plain HTML form.

    The form action is relative (``ppsecure/post.srf``) so it resolves to login.live.com on
    the real host and to the sandbox's own mapped URL when a browser is pointed at it.
    """
    flow = {"response_type": "code", **{k: params[k] for k in _CODE_FIELDS if k in params}}
    action = html.escape("ppsecure/post.srf?" + urlencode(flow))
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{html.escape(params[k])}">'
        for k in _CODE_FIELDS if k in params)
    ppft = _new_ppft(sb)
    message = f'<div class="alert-error" id="error">{error}</div>' if error else ""
    page = (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Sign in to your Microsoft account</title>{PAGE_STYLE}</head>"
        "<body><div class=\"inner\"><div class=\"title\">Sign in</div>"
        f"<div class=\"row\">to continue to {html.escape(params.get('client_id', ''))}</div>"
        f"{message}<form method=\"post\" action=\"{action}\">"
        f"<input type=\"email\" name=\"login\" value=\"{html.escape(email)}\" "
        "class=\"form-control\" placeholder=\"Email, phone, or Skype\"> "
        "<input type=\"password\" name=\"passwd\" class=\"form-control\" placeholder=\"Password\">"
        f"<input type=\"hidden\" name=\"PPFT\" value=\"{ppft}\">{hidden}"
        "<input type=\"submit\" class=\"btn-primary\" value=\"Sign in\"></form></div>"
        "</body></html>"
    )
    return html_response(200, page, headers=_page_headers(sb))


# -- sign-in: authorize page and credential post ---------------------------------------------

def _code_redirect(sb: Sandbox, params: dict[str, str], account: Account) -> httpx.Response:
    """302 back to the app's redirect URI with ``code`` (and ``state`` echoed if sent)."""
    query = {"code": grants.new_auth_code(sb, params, account)}
    if "state" in params:
        query["state"] = params["state"]
    redirect = params["redirect_uri"]
    if params.get("response_mode") == "fragment":  # as MSAL asks for it in a browser
        location = f"{redirect}#{urlencode(query)}"
    else:
        location = redirect + ("&" if "?" in redirect else "?") + urlencode(query)
    return httpx.Response(302, headers=[
        ("Cache-Control", "no-cache"), ("Pragma", "no-cache"),
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "0"),
        ("Server", "Microsoft-IIS/7.5"), ("Location", location)], content=b"")


def _err_redirect(sb: Sandbox, error: str, description: str,
                  params: dict[str, str]) -> httpx.Response:
    """302 to login.live.com's error page, the error in the fragment (state echoed)."""
    location = (f"{ERROR_PAGE}#error={error}"
                f"&error_description={quote_plus(description, safe=chr(39) + ':/')}")
    if "state" in params:
        location += f"&state={quote_plus(params['state'])}"
    return httpx.Response(302, headers=[
        ("Cache-Control", "no-cache"), ("Pragma", "no-cache"),
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "0"),
        ("Server", "Microsoft-IIS/7.5"), ("Location", location)], content=b"")


def _client_refusal(sb: Sandbox, params: dict[str, str]) -> httpx.Response | None:
    """How login.live.com refuses this authorize request for its client id (None: served)."""
    app = clients.lookup(params.get("client_id", ""))
    if app is None:
        return _error_page(sb, ERR_CLIENT)
    code_flow = params.get("response_type") == "code"
    if not app.allows(clients.CODE if code_flow else clients.PASSWORD):
        return _err_redirect(sb, "unauthorized_client", ERR_FLOW.format(
            what="an authorization code" if code_flow else "an access token"), params)
    if not app.redirect_allowed(params.get("redirect_uri") or DESKTOP_REDIRECT):
        return _err_redirect(sb, "invalid_request", ERR_REDIRECT_URI, params)
    if params.get("code_challenge") and \
            params.get("code_challenge_method", "plain") not in ("S256", "plain"):
        return _err_redirect(sb, "invalid_request", "The provided value for the input "
                             "parameter 'code_challenge_method' is not valid.", params)
    return None


@route("GET", HOST, r"/err\.srf", auth=False)
def error_page(sb: Sandbox, call: Call) -> httpx.Response:
    """Where refused authorize requests land (the error itself is in the URL fragment)."""
    page = ("<!DOCTYPE html><html><head><title>Microsoft account</title></head><body>"
            "<div class=\"title\">We're unable to complete your request</div>"
            "<div>Microsoft account is experiencing technical problems. Please try again later."
            "</div></body></html>")
    return html_response(200, page, headers=_page_headers(sb, cookies=False))


@route("GET", HOST, r"/oauth20_authorize\.srf", auth=False)
def authorize(sb: Sandbox, call: Call) -> httpx.Response:
    """The sign-in page: the 2014 scrape page (token) or a browser form (code)."""
    params = call.params  # parse_qsl copes with both raw (2014 client) and encoded queries
    if not params.get("client_id"):
        return _error_page(sb, ERR_CLIENT)
    if params.get("response_type") == "code" and not params.get("redirect_uri"):
        return _error_page(sb, "The provided value for the input parameter "
                               "\\'redirect_uri\\' is not valid.")
    refused = _client_refusal(sb, params)
    if refused is not None:
        return refused
    if params.get("response_type") == "code":
        hint = params.get("login_hint", "").lower()
        account = sb.world.by_email.get(hint)
        # Test convenience: with auto-approval on, a known login_hint signs in at once.
        if sb.auto_approve_device_codes and account is not None and hint != BLOCKED_EMAIL:
            return _code_redirect(sb, params, account)
        return _code_page(sb, params, email=params.get("login_hint", ""))
    return _legacy_page(sb, params)


def _token_redirect(sb: Sandbox, params: dict[str, str], account: Account) -> httpx.Response:
    """The 2014 success answer: 302 with the tokens in the Location fragment (spec §1a)."""
    scope = params.get("scope") or LEGACY_SCOPE
    access, refresh, life = grants.issue_pair(sb, account, scope, params.get("client_id", ""))
    redirect = params.get("redirect_uri") or DESKTOP_REDIRECT
    # Fragment keys in the recorded order: the 2014 login that xbox-webapi-python's
    # cassette tests/data/cassettes/token_refresh.json (v1.1.8, recorded 2014-09-20) copies
    # redirects to #access_token, refresh_token, token_type, expires_in, scope, user_id
    # (spec §1a lists another order; the recording wins). Tokens are percent-encoded as
    # recorded (+ %2b, = %3d, $ %24) so that parse_qs gives them back.
    # Since 2018 (xbox-webapi-python v1.1.8 full_auth.json, recorded 2018-04-17):
    # #access_token, token_type, expires_in, scope, refresh_token, user_id. Today's order is
    # unrecorded: the 2018 one is kept (XboxReplay 5.1 reads the keys, not their order).
    fields = {"access_token": _fragment_value(access), "refresh_token": _fragment_value(refresh),
              "token_type": "bearer", "expires_in": str(int(life)), "scope": _raw_value(scope),
              "user_id": account.msa_user_id}
    order = (("access_token", "refresh_token", "token_type", "expires_in", "scope", "user_id")
             if sb.era == "2014" else
             ("access_token", "token_type", "expires_in", "scope", "refresh_token", "user_id"))
    location = f"{redirect}?lc=1033#" + "&".join(f"{key}={fields[key]}" for key in order)
    stamp = grants.digest(sb, "cookies").hex()
    cookie_tail = "; domain=login.live.com;path=/;HTTPOnly= ;version=1"
    cookies = [
        "MSPRequ=; path=/;version=1;Expires=Thu, 30-Oct-1980 16:00:00 GMT",
        "MSPOK=; domain=login.live.com;path=/;version=1;Expires=Thu, 30-Oct-1980 16:00:00 GMT",
        f"PPAuth={stamp[:64]}{cookie_tail}",
        f"MSPAuth={stamp[64:128]}; domain=.live.com;path=/;HTTPOnly= ;version=1",
        f"MSPProf={stamp[:48]}; domain=.live.com;path=/;HTTPOnly= ;version=1",
        f"WLSSC={stamp[16:80]}; domain=.live.com;path=/;secure= ;HTTPOnly= ;version=1",
        f"MSPCID={account.msa_user_id}; domain=login.live.com;path=/;version=1",
        f"NAP=V=1.9&E={stamp[:4]}&C={stamp[4:40]}&W=1; domain=.live.com;path=/",
        f"ANON=A={stamp[40:72]}&E={stamp[72:76]}&W=1; domain=.live.com;path=/",
    ]
    headers = [
        ("Cache-Control", "no-cache"), ("Pragma", "no-cache"),
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "0"),
        ("Expires", "-1"), ("Server", "Microsoft-IIS/7.5"),
        ("PPServer", "PPV: 30 H: BL2IDSLGN1D033 V: 0"), ("X-Frame-Options", "deny"),
        *[("Set-Cookie", c) for c in cookies],
        ("Location", location),
    ]
    return httpx.Response(302, headers=headers, content=b"")


@route("POST", HOST, r"/ppsecure/post\.srf", auth=False)
def post_credentials(sb: Sandbox, call: Call) -> httpx.Response:
    """The credential post of both sign-in pages; the query (urlPost) tells which flow."""
    form = call.form()
    params = dict(call.params)
    # The code page also carries its flow parameters as hidden fields.
    params.update({k: form[k] for k in _CODE_FIELDS if form.get(k)})
    code_flow = params.get("response_type") == "code"
    # Today's page names its e-mail field loginfmt (and keeps login hidden); the 2014 and
    # 2018 forms have login alone. Either is read.
    email = (form.get("loginfmt") or form.get("login") or "").strip()
    password = form.get("passwd", "")

    def again(kind: str) -> httpx.Response:
        error = page_error(kind, sb.era)
        if code_flow:
            return _code_page(sb, params, error=error.text, email=email)
        return _legacy_page(sb, params, error=error, email=email, rerender=True)

    if not params.get("client_id") or (code_flow and not params.get("redirect_uri")):
        return _error_page(sb, ERR_CLIENT)
    refused = _client_refusal(sb, params)  # a post must not get past what the page refused
    if refused is not None:
        return refused
    if not _take_ppft(sb, form.get("PPFT", "")):
        return again("session")
    if not email or not password:
        return again("missing")
    if email.lower() == BLOCKED_EMAIL:  # before any account look-up: it has none
        return again("blocked")
    account = sb.world.by_email.get(email.lower())
    if account is None:
        return again("no_account")
    if account.password is None or password != account.password:
        return again("bad_password")
    if account.two_factor:
        return _proof_page(sb, params, email)
    if code_flow:
        return _code_redirect(sb, params, account)
    return _token_redirect(sb, params, account)


@route("POST", HOST, r"/GetCredentialType\.srf", auth=False)
def credential_type(sb: Sandbox, call: Call) -> httpx.Response:
    """What the page asks before the password: does the account exist, how does it sign in.

    The 2018 clients posted here first (xbox-webapi-python v1.1.8, ``full_auth.json``);
    the answer's shape is that recording's. Assumption: ``IfExistsResult`` 1 for an unknown
    name (0, "exists", is the only recorded value).
    """
    body = call.json()
    name = body.get("username") if isinstance(body, dict) else None
    if not isinstance(name, str):
        return empty(400, headers=_token_headers())
    account = sb.world.by_email.get(name.strip().lower())
    return json_response(200, {
        "Username": name, "Display": name, "Location": "",
        "IfExistsResult": 0 if account is not None else 1,
        "Credentials": {"PrefCredential": 1, "HasPassword": 1, "HasRemoteNGC": 0,
                        "HasFido": 0, "HasPhone": 0},
    })


# -- the token endpoint ------------------------------------------------------------------------

def _token_headers() -> dict[str, str]:
    return {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _oauth_error(sb: Sandbox, error: str, description: str) -> httpx.Response:
    """An OAuth error body, HTTP 400, with the correlation id MSA adds."""
    return json_response(400, {"error": error, "error_description": description,
                               "correlation_id": sb.correlation_id()},
                         headers=_token_headers())


def _invalid(sb: Sandbox, name: str) -> httpx.Response:
    return _oauth_error(sb, "invalid_grant",
                        f"The provided value for the input parameter '{name}' is not valid.")


def _missing(sb: Sandbox, name: str) -> httpx.Response:
    return _oauth_error(sb, "invalid_request",
                        f"The request is missing a required parameter: {name}.")


def _token_body(sb: Sandbox, account: Account, scope: str, client_id: str) -> httpx.Response:
    """The success body of every grant, keys in the recorded order (spec §1a/§1b)."""
    access, refresh, life = grants.issue_pair(sb, account, scope, client_id)
    return json_response(200, {
        "token_type": "bearer", "expires_in": int(life), "scope": scope,
        "access_token": access, "refresh_token": refresh, "user_id": account.msa_user_id,
    }, headers=_token_headers())


def _refusal(sb: Sandbox, refused: grants.Refused) -> httpx.Response:
    """A refused grant in login.live.com's words."""
    if refused.kind == "missing":
        return _missing(sb, refused.name)
    if refused.kind == "expired":
        return _oauth_error(sb, "expired_token",
                            "The provided value for the input parameter 'device_code' is not "
                            "valid. This device code has expired.")
    if refused.kind == "declined":
        return _oauth_error(sb, "authorization_declined",
                            "The user has declined to authorize the application.")
    if refused.kind == "slow_down":
        return _oauth_error(sb, "slow_down",
                            "The client is polling too quickly and should back off.")
    if refused.kind == "pending":
        return _oauth_error(sb, "authorization_pending",
                            "The user has not yet completed the sign-in. Continue polling.")
    return _invalid(sb, refused.name)  # invalid, or a code used before


def _grant(sb: Sandbox, params: dict[str, str], grant_type: str) -> httpx.Response:
    try:
        if grant_type == "refresh_token":
            account = grants.redeem_refresh(sb, params)
            return _token_body(sb, account, params["scope"], params["client_id"])
        if grant_type == "authorization_code":
            account, code = grants.redeem_code(sb, params)
            return _token_body(sb, account, params.get("scope") or code.scope or LEGACY_SCOPE,
                               params["client_id"])
        account, device = grants.poll_device_code(sb, params)
        return _token_body(sb, account, device.scope, device.client_id)
    except grants.Refused as refused:
        return _refusal(sb, refused)


def _token(sb: Sandbox, params: dict[str, str]) -> httpx.Response:
    """Dispatch on ``grant_type``; every grant needs a client_id."""
    if not params.get("client_id"):
        return _missing(sb, "client_id")
    grant_type = params.get("grant_type", "")
    if not grant_type:
        return _missing(sb, "grant_type")
    if grant_type in ("refresh_token", "authorization_code", DEVICE_CODE_GRANT):
        return _grant(sb, params, grant_type)
    return _oauth_error(sb, "unsupported_grant_type",
                        "The provided value for the input parameter 'grant_type' is not valid.")


@route("GET", HOST, r"/oauth20_token\.srf", auth=False)
def token_get(sb: Sandbox, call: Call) -> httpx.Response:
    """The legacy refresh by plain GET (spec §1a), and any grant given in the query."""
    return _token(sb, call.params)


@route("POST", HOST, r"/oauth20_token\.srf", auth=False)
def token_post(sb: Sandbox, call: Call) -> httpx.Response:
    """The token endpoint proper: form body, query values as fallback (prismarine-auth
    appends ``?client_id=`` to the URL)."""
    return _token(sb, {**call.params, **call.form()})


# -- device-code flow ------------------------------------------------------------------------

@route("POST", HOST, r"/oauth20_connect\.srf", auth=False)
def connect(sb: Sandbox, call: Call) -> httpx.Response:
    """Start a device-code sign-in (spec §1c)."""
    params = {**call.params, **call.form()}
    for name in ("client_id", "scope"):
        if not params.get(name):
            return _missing(sb, name)
    if params.get("response_type") != "device_code":
        return _oauth_error(sb, "invalid_request",
                            "The provided value for the input parameter 'response_type' is "
                            "not valid.")
    app = clients.lookup(params["client_id"])
    if app is None:
        return _oauth_error(sb, "invalid_client",
                            "The client does not exist or is not enabled for consumers.")
    if not app.allows(clients.DEVICE_CODE):
        return _oauth_error(sb, "unauthorized_client", ERR_NOT_PUBLIC if app.azure
                            else ERR_FLOW.format(what="a device code"))
    device_code, entry = grants.new_device_code(sb, params["client_id"], params["scope"])
    return json_response(200, {
        "user_code": entry.user_code, "device_code": device_code,
        "verification_uri": VERIFICATION_URI, "interval": entry.interval,
        "expires_in": int(sb.lifetimes.device_code),
    }, headers=_token_headers())


def approve_device_code(sb: Sandbox, user_code: str, email: str) -> bool:
    """Approve a pending device code as the account ``email`` (no password needed).

    Returns whether a live code was approved. For tests and tools; people use /link.
    """
    entry = grants.device_entry(sb, user_code)
    account = sb.world.by_email.get(email.lower())
    if entry is None or account is None:
        return False
    entry.status, entry.xuid = "approved", account.xuid
    return True


def decline_device_code(sb: Sandbox, user_code: str) -> bool:
    """Decline a pending device code; its next poll answers ``authorization_declined``."""
    entry = grants.device_entry(sb, user_code)
    if entry is None:
        return False
    entry.status = "declined"
    return True


def revoke_refresh_tokens(sb: Sandbox, xuid: str) -> int:
    """Revoke every refresh token of the account ``xuid`` (as a password change would).

    Returns how many were revoked; using one afterwards answers 400 invalid_grant.
    """
    count = 0
    for grant in sb.tokens.grants.values():
        if grant.kind == "refresh" and grant.xuid == xuid and not grant.revoked:
            grant.revoked = True
            count += 1
    return count


def _link_page(message: str = "", code: str = "", *, done: bool = False) -> httpx.Response:
    """The microsoft.com/link page: a form, or a confirmation once the code is handled."""
    note = f'<p class="message">{html.escape(message, quote=False)}</p>' if message else ""
    form = "" if done else (
        '<form method="post" action="link">'
        f'<label>Code <input name="code" value="{html.escape(code)}"></label> '
        '<label>Email <input type="email" name="login"></label> '
        '<label>Password <input type="password" name="passwd"></label> '
        '<button type="submit">Allow access</button> '
        '<button type="submit" name="decline" value="1">Decline</button></form>')
    page = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Enter code - Microsoft account</title></head><body>"
            f"<h1>Enter code</h1>{note}{form}</body></html>")
    return html_response(200, page, headers={"Cache-Control": "no-cache"}, gzip=False)


@route("GET", LINK_HOST, r"/link", auth=False)
def link_form(sb: Sandbox, call: Call) -> httpx.Response:
    """Where a person types the device's user code (``?otc=`` pre-fills it)."""
    return _link_page("Enter the code displayed on your device.", call.params.get("otc", ""))


@route("POST", LINK_HOST, r"/link", auth=False)
def link_submit(sb: Sandbox, call: Call) -> httpx.Response:
    """Approve (correct credentials) or decline (``decline=1``) a device code."""
    form = call.form()
    code = form.get("code", "")
    entry = grants.device_entry(sb, code)
    if entry is None:
        return _link_page("That code didn't work. Check the code and try again.", code)
    if form.get("decline") == "1":
        entry.status = "declined"
        return _link_page("You declined access. You can close this window.", done=True)
    email = form.get("login", "").strip().lower()
    if email == BLOCKED_EMAIL:
        return _link_page("Sign-in is blocked for security. Please visit "
                          "https://account.live.com/activity.", code)
    account = sb.world.by_email.get(email)
    if account is None or account.password is None or form.get("passwd") != account.password:
        return _link_page("Your account or password is incorrect.", code)
    entry.status, entry.xuid = "approved", account.xuid
    return _link_page("You're signed in. You can close this window and return to your device.",
                      done=True)

"""login.live.com (and the www.microsoft.com/link approval page): MSA sign-in for the sandbox.

Spec §1a-§1c. Four ways in, all ending in an MSA access token plus a refresh token:

* the 2014 password scrape: ``oauth20_authorize.srf?response_type=token`` serves a gzip page
  whose single-line ``ServerData`` the 2014 client scrapes with two regexes (``urlPost`` and
  the ``PPFT`` hidden input); ``ppsecure/post.srf`` answers 302 with the tokens in the
  Location *fragment*, or 200 with the page re-rendered and ``sErrTxt`` set;
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
import hashlib
import html
import string
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote_plus, urlencode

import httpx

from .. import clients
from .._http import Call, html_response, json_response, route

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
VERIFICATION_URI = "https://www.microsoft.com/link"
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# An e-mail whose sign-in Microsoft blocks for security (no world account needed).
BLOCKED_EMAIL = "blocked@example.org"

CODE_LIFETIME = 300.0  # authorization codes: single use, about 5 minutes
PPFT_LIFETIME = 3600.0  # how long a served login page may be posted back
USER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I/O/0/1: people read them aloud
SLOW_DOWN_STEP = 5  # RFC 8628 §3.5: each slow_down adds 5 s to the interval

# sErrTxt values, already escaped for a single-quoted JS string (spec §1a, byte-for-byte).
ERR_BAD_PASSWORD = ("That password is incorrect. Be sure you\\'re using the password for your "
                    "Microsoft account.<!-- HR=80041012 -->")
ERR_NO_ACCOUNT = ("That Microsoft account doesn\\'t exist. Enter a different email address or "
                  "<a href=\"https://signup.live.com/signup.aspx?lic=1\">get a new account</a>."
                  "<!-- HR=CFFFFC15 -->")
ERR_BLOCKED = ("Sign-in is blocked. We\\'ve detected something unusual about this sign-in, so to "
               "help keep your account safe we\\'ve blocked it. Please visit "
               "https://account.live.com/activity to review your recent activity."
               "<!-- HR=80041032 -->")
ERR_SESSION = ("Your session has timed out. To sign in, please go back and try again."
               "<!-- HR=80048809 -->")
ERR_MISSING = "Please enter your email address and password.<!-- HR=80041010 -->"
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

PROOF_SCRIPT = ("var PROOF = {}; PROOF.Type = {SQSA: 6, CSS: 5, DeviceId: 4, Email: 1, "
                "AltEmail: 2, SMS: 3, HIP: 8};")

# Filler styles so the page is the ~5 KB the real one is (and looks like a page in a browser).
_STYLE = """<style type="text/css">
html,body{margin:0;padding:0;height:100%;font-family:"Segoe UI","Segoe UI Web (West European)",
"Segoe UI",-apple-system,BlinkMacSystemFont,Roboto,"Helvetica Neue",sans-serif;font-size:15px;
color:#000;background:#fff}
.inner{max-width:440px;width:calc(100% - 40px);padding:44px;margin:40px auto;
box-shadow:0 2px 6px rgba(0,0,0,0.2);min-width:320px;min-height:338px;box-sizing:border-box}
.title{font-size:1.5rem;font-weight:600;line-height:1.75rem;padding:0;margin:16px 0 12px}
.row{margin-bottom:16px}.form-control{width:100%;padding:6px 10px;border:none;
border-bottom:1px solid rgba(0,0,0,0.6);height:36px;outline:none;background:transparent}
.alert-error{color:#e81123}.btn-primary{color:#fff;background:#0067b8;border:none;
min-width:108px;height:32px;padding:4px 12px;cursor:pointer}
.footer{position:absolute;bottom:0;right:0;font-size:12px;line-height:28px;padding:0 12px}
.footer a{color:#000;margin-left:8px;text-decoration:none}
.text-secondary{color:#666;font-size:.8125rem}.hidden{display:none}
</style>"""

# The page's localized strings, on their own line (never on the ServerData line).
_STRINGS = (
    "<script type=\"text/javascript\">var $Str = {"
    "sEmail:'Email or phone',sPassword:'Password',sSignIn:'Sign in',sKeepMe:'Keep me signed in',"
    "sForgot:'Forgot your password?',sNoAccount:'No account? Create one!',"
    "sUseSecurityKey:'Sign in with a security key',sCantAccess:'Can\\'t access your account?',"
    "sEmailMissing:'Enter the email address or phone number that you use with your account.',"
    "sPasswordMissing:'Please enter the password for your Microsoft account.',"
    "sPhoneInvalid:'Enter a valid phone number.',sEmailInvalid:'Enter a valid email address.',"
    "sCookiesDisabled:'Cookies are disabled. Microsoft account requires cookies to sign in. "
    "Change your browser settings to allow cookies, and then try signing in again.',"
    "sSessionTimeout:'Your session has timed out. Please sign in again.',"
    "sKmsi:'Stay signed in? Do this to reduce the number of times you are asked to sign in.',"
    "sPrivacy:'Privacy & Cookies',sTerms:'Terms of Use',sCopyright:'Microsoft',"
    "sHelp:'Help',sFeedback:'Feedback',sLoading:'Please wait',sBack:'Back',sNext:'Next',"
    "sOtherWays:'Other ways to sign in',sPhoneCode:'Send a code to my phone',"
    "sAuthenticator:'Use an app instead',sSkype:'Sign in with Skype',"
    "sGitHub:'Sign in with GitHub',sRemember:'Remember my sign-in name',"
    "sBlocked:'Your account has been temporarily blocked',sLocked:'Your account has been locked',"
    "sUnusual:'We detected something unusual about this sign-in.',"
    "sVerify:'Help us protect your account',sProofTitle:'Verify your identity'"
    "};</script>"
)


# -- small state helpers --------------------------------------------------------------------

@dataclass
class _AuthCode:
    """An authorization code: single use, bound to client, redirect URI, account and scope."""

    client_id: str
    redirect_uri: str
    xuid: str
    scope: str
    expires: float
    used: bool = False
    code_challenge: str = ""  # PKCE (RFC 7636), as the authorize request gave it
    code_challenge_method: str = ""


@dataclass
class _DeviceCode:
    """A device code and where its approval stands."""

    user_code: str
    client_id: str
    scope: str
    expires: float
    interval: int
    status: str = "pending"  # pending | approved | declined | redeemed
    xuid: str = ""
    last_poll: float | None = None
    polls: int = 0


def _bucket(sb: Sandbox, name: str) -> dict[str, Any]:
    """The ``sb.state`` dict for ``login.<name>`` (created on first use)."""
    return cast("dict[str, Any]", sb.state.setdefault(f"login.{name}", {}))


def _digest(sb: Sandbox, purpose: str) -> bytes:
    """Deterministic per-seed bytes: a counter in ``sb.state`` makes every call differ."""
    count = int(sb.state.get("login.counter", 0)) + 1
    sb.state["login.counter"] = count
    return hashlib.sha512(f"{sb.seed}:login:{purpose}:{count}".encode()).digest()


def _new_ppft(sb: Sandbox) -> str:
    """A fresh PPFT value (~190 chars of ``[A-Za-z0-9!*$]`` ending in ``$$``), remembered."""
    raw = _digest(sb, "ppft") + _digest(sb, "ppft2")
    text = base64.b64encode(raw).decode().rstrip("=").replace("+", "!").replace("/", "*")
    value = text[:188] + "$$"
    tags = _bucket(sb, "ppft")
    now = sb.now()
    for old in [k for k, exp in tags.items() if exp <= now]:  # forget stale pages
        del tags[old]
    tags[value] = now + PPFT_LIFETIME
    return value


def _take_ppft(sb: Sandbox, value: str) -> bool:
    """Whether ``value`` is a live PPFT this sandbox served; it is used up either way."""
    expires = _bucket(sb, "ppft").pop(value, None)
    return expires is not None and expires > sb.now()


def _js(text: str) -> str:
    """User input made safe inside a single-quoted JS string on the ServerData line.

    Quotes and angle brackets become ``\\xNN`` so an e-mail can never end the string nor
    put a ``"/>`` after sFTTag (which would break the 2014 client's greedy PPFT regex).
    """
    out = []
    for ch in text:
        if ch.isalnum() or ch in "@.-_+ ":
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


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


def _is_azure(scope: str) -> bool:
    """Azure-app scopes (``Xboxlive.signin ...``) get 1 h tokens; Live MBI_SSL ones 24 h."""
    return "xboxlive.signin" in scope.lower()


# -- pages ----------------------------------------------------------------------------------

def _page_headers(sb: Sandbox, *, cookies: bool = True) -> dict[str, str]:
    """Headers of every login.live.com HTML page (spec §1a step 1)."""
    now = int(sb.now())
    headers = {
        "Cache-Control": "no-cache",
        "Pragma": "no-cache",
        "X-Frame-Options": "deny",
        "Server": "Microsoft-IIS/7.5",
        "PPServer": "PPV: 30 H: BL2IDSLGN1D033 V: 0",
    }
    if cookies:
        # Both cookies in one Set-Cookie header, as the 2014 recording has them.
        mspok = uuid.UUID(bytes=_digest(sb, "mspok")[:16], version=4)
        headers["Set-Cookie"] = (f"MSPRequ=lt={now}&co=1&id=N; path=/;HTTPOnly=;version=1, "
                                 f"MSPOK=$uuid-{mspok}; domain=login.live.com;path=/;"
                                 "HTTPOnly= ;version=1")
    return headers


def _legacy_page(sb: Sandbox, params: dict[str, str], *, error: str = "", email: str = "",
                 rerender: bool = False) -> httpx.Response:
    """The "Sign in to your Microsoft account" page the 2014 client scrapes.

    ``error`` is an already-escaped sErrTxt. A re-rendered page (after a failed post) has a
    fresh PPFT, a urlPost with a new ``bk`` and no ``uaid``, ``F:true`` and ``b:'<email>'``.
    """
    query = "&".join(f"{_raw_value(k)}={_raw_value(v)}" for k, v in params.items()
                     if k not in ("bk", "uaid"))
    url_post = f"https://login.live.com/ppsecure/post.srf?{query}&bk={int(sb.now())}"
    if not rerender:
        url_post += f"&uaid={_digest(sb, 'uaid').hex()[:32]}"
    ppft = _new_ppft(sb)
    client_id = _raw_value(params.get("client_id", ""))
    server_data = (
        "var ServerData = {"
        f"urlPost:'{url_post}',"
        f"sFTTag:'<input type=\"hidden\" name=\"PPFT\" id=\"i0327\" value=\"{ppft}\"/>',"
        "aP:'',D:'0',"
        "f:'https://account.live.com/ResetPassword.aspx?wreply=https://login.live.com/login.srf',"
        f"g:'https://signup.live.com/signup.aspx?lic=1&client_id={client_id}',"
        f"F:{'true' if rerender else 'false'},X:'',Y:'',H:'0',j:'',"
        f"sErrTxt:'{error}',l:'Passpo',oPost:{{}},m:'https://login.live.com/pp1600/',"
        "urlSwitch:'https://login.live.com/logout.srf',aI:'1',O:'0',html:[],str:[],"
        "am:'Microsoft account',a:'1033',"
        f"b:'{_js(email)}',R:'',AP:'',"
        "oClientAppProperties:{DisplayName:'My Xbox Live'},C:39};</script>"
        "<script type=\"text/javascript\" "
        "src=\"https://auth.gfx.ms/16.000.25219.00/Login_Core.js\"></script>"
    )
    page = (
        "<!DOCTYPE html>\r\n"
        "<html dir=\"ltr\" lang=\"en\"><head>"
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">"
        "<title>Sign in to your Microsoft account</title>\n"
        f"{_STYLE}\n{_STRINGS}\n"
        "<noscript><meta http-equiv=\"Refresh\" "
        "content=\"0; URL=https://login.live.com/jsDisabled.srf?mkt=EN-US&lc=1033\"/>"
        "Microsoft account requires JavaScript to sign in. This web browser either does not "
        "support JavaScript, or scripts are being blocked.</noscript>\n"
        # The whole ServerData literal and the script after it stay on this one line.
        f"<script type=\"text/javascript\">{server_data}\n"
        "</head><body class=\"cb\"><div class=\"inner\"><div class=\"title\">Sign in</div>"
        "<div id=\"maincontent\" class=\"row\">Use your Microsoft account."
        " <a href=\"https://go.microsoft.com/fwlink/?LinkID=254486\">What's this?</a></div>"
        "<div class=\"text-secondary\">Microsoft account lets you sign in to Xbox Live, "
        "Outlook.com, OneDrive, Skype and Windows with one e-mail address and password.</div>"
        "</div><div class=\"footer\"><span>&#169;2014 Microsoft</span>"
        "<a href=\"https://login.live.com/gls.srf?urlID=WinLiveTermsOfUse\">Terms</a>"
        "<a href=\"https://login.live.com/gls.srf?urlID=MSNPrivacyStatement\">Privacy &amp; "
        "Cookies</a></div></body></html>"
    )
    return html_response(200, page, headers=_page_headers(sb, cookies=not rerender))


def _error_page(sb: Sandbox, error: str) -> httpx.Response:
    """A login.live.com error page (bad request to the authorize endpoint)."""
    page = ("<!DOCTYPE html><html><head><title>Microsoft account</title>"
            f"<script type=\"text/javascript\">var ServerData = {{sErrTxt:'{error}',C:39}};"
            "</script></head><body><div>We're unable to complete your request.</div>"
            "</body></html>")
    return html_response(200, page, headers=_page_headers(sb, cookies=False))


def _proof_page(sb: Sandbox, email: str) -> httpx.Response:
    """What a two-factor account gets instead of tokens: the proof (2FA) page, no Location."""
    page = ("<!DOCTYPE html><html><head><title>Help us protect your account</title>"
            f"<script type=\"text/javascript\">{PROOF_SCRIPT} "
            f"var ServerData = {{b:'{_js(email)}',sErrTxt:'',C:39}};</script></head>"
            "<body><div class=\"title\">Help us protect your account</div>"
            "<div>Before you can access sensitive info, you need to verify your identity "
            "with a security code.</div></body></html>")
    return html_response(200, page, headers=_page_headers(sb, cookies=False))


_CODE_FIELDS = ("client_id", "redirect_uri", "state", "scope", "code_challenge",
                "code_challenge_method")


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
        f"<title>Sign in to your Microsoft account</title>{_STYLE}</head>"
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

def _new_auth_code(sb: Sandbox, params: dict[str, str], account: Account) -> str:
    """Mint and remember a single-use authorization code for ``account``."""
    raw = _digest(sb, "code")
    code = f"M.C5{raw[0] % 100:02d}_BAY.2.{uuid.UUID(bytes=raw[1:17], version=4)}"
    _bucket(sb, "codes")[code] = _AuthCode(
        client_id=params.get("client_id", ""), redirect_uri=params.get("redirect_uri", ""),
        xuid=account.xuid, scope=params.get("scope", ""), expires=sb.now() + CODE_LIFETIME,
        code_challenge=params.get("code_challenge", ""),
        code_challenge_method=params.get("code_challenge_method", "") or "plain")
    return code


def _code_redirect(sb: Sandbox, params: dict[str, str], account: Account) -> httpx.Response:
    """302 back to the app's redirect URI with ``code`` (and ``state`` echoed if sent)."""
    query = {"code": _new_auth_code(sb, params, account)}
    if "state" in params:
        query["state"] = params["state"]
    redirect = params["redirect_uri"]
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


def _issue_pair(sb: Sandbox, account: Account, scope: str,
                client_id: str) -> tuple[str, str, float]:
    """An MSA access token and a refresh token for ``account``; returns them and the life."""
    life = sb.lifetimes.msa_azure if _is_azure(scope) else sb.lifetimes.msa_legacy
    now = sb.now()
    access = sb.tokens.issue("msa", account.xuid, now + life, scope=scope, client_id=client_id)
    refresh = sb.tokens.issue("refresh", account.xuid, now + sb.lifetimes.refresh,
                              scope=scope, client_id=client_id)
    return access, refresh, life


def _token_redirect(sb: Sandbox, params: dict[str, str], account: Account) -> httpx.Response:
    """The 2014 success answer: 302 with the tokens in the Location fragment (spec §1a)."""
    scope = params.get("scope") or LEGACY_SCOPE
    access, refresh, life = _issue_pair(sb, account, scope, params.get("client_id", ""))
    redirect = params.get("redirect_uri") or DESKTOP_REDIRECT
    # Fragment keys in the recorded order: the 2014 login that xbox-webapi-python's
    # cassette tests/data/cassettes/token_refresh.json (v1.1.8, recorded 2014-09-20) copies
    # redirects to #access_token, refresh_token, token_type, expires_in, scope, user_id
    # (spec §1a lists another order; the recording wins). Tokens are percent-encoded as
    # recorded (+ %2b, = %3d, $ %24) so that parse_qs gives them back.
    location = (f"{redirect}?lc=1033#access_token={_fragment_value(access)}"
                f"&refresh_token={_fragment_value(refresh)}&token_type=bearer"
                f"&expires_in={int(life)}&scope={_raw_value(scope)}"
                f"&user_id={account.msa_user_id}")
    stamp = _digest(sb, "cookies").hex()
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
    email = form.get("login", "").strip()
    password = form.get("passwd", "")

    def again(error: str) -> httpx.Response:
        if code_flow:
            return _code_page(sb, params, error=error.replace("\\'", "'"), email=email)
        return _legacy_page(sb, params, error=error, email=email, rerender=True)

    if not params.get("client_id") or (code_flow and not params.get("redirect_uri")):
        return _error_page(sb, ERR_CLIENT)
    refused = _client_refusal(sb, params)  # a post must not get past what the page refused
    if refused is not None:
        return refused
    if not _take_ppft(sb, form.get("PPFT", "")):
        return again(ERR_SESSION)
    if not email or not password:
        return again(ERR_MISSING)
    if email.lower() == BLOCKED_EMAIL:  # before any account look-up: it has none
        return again(ERR_BLOCKED)
    account = sb.world.by_email.get(email.lower())
    if account is None:
        return again(ERR_NO_ACCOUNT)
    if account.password is None or password != account.password:
        return again(ERR_BAD_PASSWORD)
    if account.two_factor:
        return _proof_page(sb, email)
    if code_flow:
        return _code_redirect(sb, params, account)
    return _token_redirect(sb, params, account)


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
    access, refresh, life = _issue_pair(sb, account, scope, client_id)
    return json_response(200, {
        "token_type": "bearer", "expires_in": int(life), "scope": scope,
        "access_token": access, "refresh_token": refresh, "user_id": account.msa_user_id,
    }, headers=_token_headers())


def _same_client(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _refresh_grant(sb: Sandbox, params: dict[str, str]) -> httpx.Response:
    for name in ("scope", "refresh_token"):
        if not params.get(name):
            return _missing(sb, name)  # login.live.com insists on scope (spec §1b)
    grant = sb.tokens.check(params["refresh_token"], "refresh", sb.now())
    if grant is None or (grant.client_id and not _same_client(grant.client_id,
                                                                params["client_id"])):
        return _invalid(sb, "refresh_token")
    account = sb.world.by_xuid.get(grant.xuid)
    if account is None:
        return _invalid(sb, "refresh_token")
    return _token_body(sb, account, params["scope"], params["client_id"])


def _code_grant(sb: Sandbox, params: dict[str, str]) -> httpx.Response:
    if not params.get("code"):
        return _missing(sb, "code")
    if not params.get("redirect_uri"):
        return _missing(sb, "redirect_uri")
    entry = _bucket(sb, "codes").get(params["code"])
    if not isinstance(entry, _AuthCode) or entry.used or entry.expires <= sb.now() \
            or not _same_client(entry.client_id, params["client_id"]):
        return _invalid(sb, "code")
    if entry.redirect_uri != params["redirect_uri"]:
        return _invalid(sb, "redirect_uri")
    if entry.code_challenge and not _pkce_ok(entry, params.get("code_verifier", "")):
        return _invalid(sb, "code_verifier")
    entry.used = True  # single use, even if what follows fails
    account = sb.world.by_xuid.get(entry.xuid)
    if account is None:
        return _invalid(sb, "code")
    return _token_body(sb, account, params.get("scope") or entry.scope or LEGACY_SCOPE,
                       params["client_id"])


def _pkce_ok(entry: _AuthCode, verifier: str) -> bool:
    """RFC 7636 §4.6: the verifier hashes (S256) or equals (plain) the code's challenge."""
    if not verifier:
        return False
    if entry.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        verifier = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return verifier == entry.code_challenge


def _device_grant(sb: Sandbox, params: dict[str, str]) -> httpx.Response:
    if not params.get("device_code"):
        return _missing(sb, "device_code")
    entry = _bucket(sb, "device_codes").get(params["device_code"])
    if not isinstance(entry, _DeviceCode) or entry.status == "redeemed" \
            or not _same_client(entry.client_id, params["client_id"]):
        return _invalid(sb, "device_code")
    now = sb.now()
    if now >= entry.expires:
        return _oauth_error(sb, "expired_token",
                            "The provided value for the input parameter 'device_code' is not "
                            "valid. This device code has expired.")
    if entry.status == "declined":
        return _oauth_error(sb, "authorization_declined",
                            "The user has declined to authorize the application.")
    previous, entry.last_poll = entry.last_poll, now
    too_fast = previous is not None and now - previous < entry.interval
    if entry.status == "pending" and sb.auto_approve_device_codes and not too_fast \
            and entry.polls >= sb.device_code_pending_polls:
        # Test convenience: a person "approves" once the client has seen the code pending.
        account = sb.world.by_email.get(sb.device_code_account.lower())
        if account is not None:
            entry.status, entry.xuid = "approved", account.xuid
    entry.polls += 1
    if entry.status == "approved":
        account = sb.world.by_xuid.get(entry.xuid)
        entry.status = "redeemed"  # a device code gives tokens once
        if account is None:
            return _invalid(sb, "device_code")
        return _token_body(sb, account, entry.scope, entry.client_id)
    if too_fast:
        entry.interval += SLOW_DOWN_STEP  # RFC 8628: the client must add 5 s too
        return _oauth_error(sb, "slow_down",
                            "The client is polling too quickly and should back off.")
    return _oauth_error(sb, "authorization_pending",
                        "The user has not yet completed the sign-in. Continue polling.")


def _token(sb: Sandbox, params: dict[str, str]) -> httpx.Response:
    """Dispatch on ``grant_type``; every grant needs a client_id."""
    if not params.get("client_id"):
        return _missing(sb, "client_id")
    grant_type = params.get("grant_type", "")
    if not grant_type:
        return _missing(sb, "grant_type")
    if grant_type == "refresh_token":
        return _refresh_grant(sb, params)
    if grant_type == "authorization_code":
        return _code_grant(sb, params)
    if grant_type == DEVICE_CODE_GRANT:
        return _device_grant(sb, params)
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

def _new_user_code(sb: Sandbox) -> str:
    codes = _bucket(sb, "user_codes")
    while True:
        raw = _digest(sb, "user_code")
        code = "".join(USER_CODE_ALPHABET[b % len(USER_CODE_ALPHABET)] for b in raw[:8])
        if code not in codes:
            return code


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
    user_code = _new_user_code(sb)
    device_code = "DAQABAAEAAAD" + base64.urlsafe_b64encode(
        _digest(sb, "device_code")[:48]).decode().rstrip("=")
    interval = int(sb.lifetimes.device_interval)
    _bucket(sb, "device_codes")[device_code] = _DeviceCode(
        user_code=user_code, client_id=params["client_id"], scope=params["scope"],
        expires=sb.now() + sb.lifetimes.device_code, interval=interval)
    _bucket(sb, "user_codes")[user_code] = device_code
    return json_response(200, {
        "user_code": user_code, "device_code": device_code,
        "verification_uri": VERIFICATION_URI, "interval": interval,
        "expires_in": int(sb.lifetimes.device_code),
    }, headers=_token_headers())


def _device_entry(sb: Sandbox, user_code: str) -> _DeviceCode | None:
    """The live (pending, unexpired) device code a person typed, forgiving case and dashes."""
    key = user_code.upper().replace("-", "").replace(" ", "")
    device_code = _bucket(sb, "user_codes").get(key)
    entry = _bucket(sb, "device_codes").get(device_code or "")
    if not isinstance(entry, _DeviceCode) or entry.status != "pending" \
            or entry.expires <= sb.now():
        return None
    return entry


def approve_device_code(sb: Sandbox, user_code: str, email: str) -> bool:
    """Approve a pending device code as the account ``email`` (no password needed).

    Returns whether a live code was approved. For tests and tools; people use /link.
    """
    entry = _device_entry(sb, user_code)
    account = sb.world.by_email.get(email.lower())
    if entry is None or account is None:
        return False
    entry.status, entry.xuid = "approved", account.xuid
    return True


def decline_device_code(sb: Sandbox, user_code: str) -> bool:
    """Decline a pending device code; its next poll answers ``authorization_declined``."""
    entry = _device_entry(sb, user_code)
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
    entry = _device_entry(sb, code)
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

"""The login.live.com sign-in pages of each wire era, as HTML text (no HTTP here).

The password scrape reads two values off the page login.live.com serves for
``oauth20_authorize.srf?response_type=token``: where to post the credentials (``urlPost``)
and the flow token (``PPFT``, inside the ``sFTTag`` hidden input). Where they sit changed
over the years, and each era serves its own page:

* ``"2014"``: one ``ServerData`` object literal on one line, unquoted keys, single-quoted
  values: ``urlPost:'…'`` with the flow query un-percent-encoded, ``sFTTag:'<input …
  value="…"/>'``. The 2014 library's two regexes must match it byte for byte (wire spec §1a,
  the 2014 betamax cassettes).
* ``"2018"``: the same kind of literal, as recorded on 2018-03-23 (xbox-webapi-python v1.1.8
  ``tests/data/cassettes/2fa_*.json``, kept as ``tests/fixtures/recorded-sign-in/login_page_2018.html``):
  ``urlPost:'…'`` whose query is percent-encoded (``redirect_uri=https%3A%2F%2F…``, with
  ``contextid``, ``bk``, ``uaid`` and ``pid``, so the 2014 URL regex stops at the first
  ``%``), the ``GetCredentialType.srf`` address (key ``bo``) the 2018 clients posted to first,
  ``BW:'PPFT'`` and ``sFTTag``; three cookies in three ``Set-Cookie`` headers.
* ``"2025"`` (today): ``ServerData`` is a JSON object, so every key and string is
  double-quoted and the ``sFTTag`` input's own quotes are escaped (``value=\\"…\\"``).
  XboxReplay xboxlive-auth 5.1 (June 2025, "PreAuth regex update") reads it with
  ``\\\\?['"]?urlPost\\\\?['"]?:\\s*\\\\?['"]([^'"\\\\]+)`` and
  ``name=\\\\?"PPFT\\\\?"[^>]*value=\\\\?"([^"\\\\]+)``; a Go SISU client's test quotes the shape
  (``{"sFTName":"PPFT","sFTTag":"<input type=\\"hidden\\" name=\\"PPFT\\" id=\\"i0327\\"
  value=\\"…\\"/>","urlPost":"https://login.live.com/ppsecure/post.srf?contextid=…&opid=…"}``).
  Its errors come as ``"sErrTxt"`` with an ``"sErrorCode"`` (the HRESULT the old pages put in
  an ``<!-- HR=… -->`` comment), and a two-step account gets a page whose ServerData lists
  ``"arrUserProofs"`` (what today's community clients look for) instead of the old
  ``PROOF.Type`` object.

Which era wins is ``Sandbox.era``; the flows behind the pages (post.srf, the fragment
redirect) are in :mod:`xbox.sandbox.services.login`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = ["PAGE_STYLE", "PROOF_SCRIPT", "PageError", "js_string", "page_error", "proof_page",
           "sign_in_page"]

# The 2014 and 2018 two-step page's proof types (2018 recording, [OX118] 2fa_*.json).
PROOF_SCRIPT = ("var PROOF = {}; PROOF.Type = {SQSA: 6, CSS: 5, DeviceId: 4, Email: 1, "
                "AltEmail: 2, SMS: 3, HIP: 8};")


@dataclass(frozen=True)
class PageError:
    """What a re-rendered sign-in page says, and the HRESULT it carries."""

    text: str
    hr: str


# The 2014 texts are the recorded ones (wire spec §1a); the 2018 page kept them.
_OLD_ERRORS = {
    "bad_password": PageError("That password is incorrect. Be sure you're using the password "
                              "for your Microsoft account.", "80041012"),
    "no_account": PageError("That Microsoft account doesn't exist. Enter a different email "
                            "address or <a href=\"https://signup.live.com/signup.aspx?lic=1\">"
                            "get a new account</a>.", "CFFFFC15"),
    "blocked": PageError("Sign-in is blocked. We've detected something unusual about this "
                         "sign-in, so to help keep your account safe we've blocked it. Please "
                         "visit https://account.live.com/activity to review your recent "
                         "activity.", "80041032"),
    "session": PageError("Your session has timed out. To sign in, please go back and try "
                         "again.", "80048809"),
    "missing": PageError("Please enter your email address and password.", "80041010"),
}
# Today's texts: the converged sign-in page's (the bad-password one is what community
# clients match, with "sErrorCode":"80041012"); the codes are the old HRESULTs.
_TODAY_ERRORS = {
    **_OLD_ERRORS,
    "bad_password": PageError("Your account or password is incorrect. If you don't remember "
                              "your password, <a href=\"https://account.live.com/"
                              "ResetPassword.aspx\">reset it now.</a>", "80041012"),
    "no_account": PageError("That Microsoft account doesn't exist. Enter a different account "
                            "or <a href=\"https://signup.live.com/signup\">get a new one</a>.",
                            "CFFFFC15"),
    "missing": PageError("Enter a valid email address, phone number, or Skype name.",
                         "80041010"),
}


def page_error(kind: str, era: str) -> PageError:
    """The error ``kind`` (bad_password, no_account, blocked, session, missing) of ``era``."""
    return (_TODAY_ERRORS if era == "2025" else _OLD_ERRORS)[kind]


def js_string(text: str) -> str:
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


def _js_text(text: str) -> str:
    """Our own (trusted) text in a single-quoted JS string: only ``\\`` and ``'`` escaped."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _json(value: object) -> str:
    """A JSON value for today's ServerData (markup in our own strings left as it is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _typed(text: str) -> str:
    """What a person typed, shown back in today's JSON: no angle brackets (an e-mail address
    has none), so it can never close the script element."""
    return text.replace("<", "").replace(">", "")


def _ppft_tag(ppft: str) -> str:
    return f'<input type="hidden" name="PPFT" id="i0327" value="{ppft}"/>'


# Filler styles so the page is the ~5 KB the real one is (and looks like a page in a browser).
PAGE_STYLE = """<style type="text/css">
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

_NOSCRIPT = (
    "<noscript><meta http-equiv=\"Refresh\" "
    "content=\"0; URL=https://login.live.com/jsDisabled.srf?mkt=EN-US&lc=1033\"/>"
    "Microsoft account requires JavaScript to sign in. This web browser either does not "
    "support JavaScript, or scripts are being blocked.</noscript>"
)


def _body(year: str) -> str:
    """What a browser shows under the script (the real pages draw it with JavaScript)."""
    return (
        "<body class=\"cb\"><div class=\"inner\"><div class=\"title\">Sign in</div>"
        "<div id=\"maincontent\" class=\"row\">Use your Microsoft account."
        " <a href=\"https://go.microsoft.com/fwlink/?LinkID=254486\">What's this?</a></div>"
        "<div class=\"text-secondary\">Microsoft account lets you sign in to Xbox Live, "
        "Outlook.com, OneDrive, Skype and Windows with one e-mail address and password.</div>"
        f"</div><div class=\"footer\"><span>&#169;{year} Microsoft</span>"
        "<a href=\"https://login.live.com/gls.srf?urlID=WinLiveTermsOfUse\">Terms</a>"
        "<a href=\"https://login.live.com/gls.srf?urlID=MSNPrivacyStatement\">Privacy &amp; "
        "Cookies</a></div></body></html>"
    )


def _head(title: str = "Sign in to your Microsoft account") -> str:
    return ("<!DOCTYPE html>\r\n<html dir=\"ltr\" lang=\"en\"><head>"
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">"
            f"<title>{title}</title>\n{PAGE_STYLE}\n{_STRINGS}\n{_NOSCRIPT}\n")


def sign_in_page(era: str, *, url_post: str, ppft: str, client_id: str, flow_query: str,
                 credential_type_url: str, email: str = "", error: PageError | None = None,
                 rerender: bool = False) -> str:
    """The "Sign in to your Microsoft account" page of ``era``.

    Args:
        url_post: where the credentials go (already in the era's encoding).
        ppft: the flow token of this page.
        client_id: the application signing in (the sign-up link names it).
        flow_query: the flow's parameters, percent-encoded (2018 and today).
        credential_type_url: the ``GetCredentialType.srf`` address (2018 and today).
        email: the sign-in name typed before (a re-rendered page shows it).
        error: what went wrong on a re-rendered page.
    """
    if era == "2014":
        return _page_2014(url_post, ppft, client_id, email, error, rerender)
    if era == "2018":
        return _page_2018(url_post, ppft, client_id, flow_query, credential_type_url, email,
                          error)
    return _page_today(url_post, ppft, client_id, flow_query, credential_type_url, email,
                       error)


def _page_2014(url_post: str, ppft: str, client_id: str, email: str, error: PageError | None,
               rerender: bool) -> str:
    err = f"{_js_text(error.text)}<!-- HR={error.hr} -->" if error else ""
    server_data = (
        "var ServerData = {"
        f"urlPost:'{url_post}',"
        f"sFTTag:'{_ppft_tag(ppft)}',"
        "aP:'',D:'0',"
        "f:'https://account.live.com/ResetPassword.aspx?wreply=https://login.live.com/login.srf',"
        f"g:'https://signup.live.com/signup.aspx?lic=1&client_id={client_id}',"
        f"F:{'true' if rerender else 'false'},X:'',Y:'',H:'0',j:'',"
        f"sErrTxt:'{err}',l:'Passpo',oPost:{{}},m:'https://login.live.com/pp1600/',"
        "urlSwitch:'https://login.live.com/logout.srf',aI:'1',O:'0',html:[],str:[],"
        "am:'Microsoft account',a:'1033',"
        f"b:'{js_string(email)}',R:'',AP:'',"
        "oClientAppProperties:{DisplayName:'My Xbox Live'},C:39};</script>"
        "<script type=\"text/javascript\" "
        "src=\"https://auth.gfx.ms/16.000.25219.00/Login_Core.js\"></script>"
    )
    # The whole ServerData literal and the script after it stay on one line.
    return (f"{_head()}<script type=\"text/javascript\">{server_data}\n</head>"
            + _body("2014"))


def _page_2018(url_post: str, ppft: str, client_id: str, flow_query: str,
               credential_type_url: str, email: str, error: PageError | None) -> str:
    """The 2018 recording's ServerData: the same keys around the ones clients read."""
    err = f"{_js_text(error.text)}<!-- HR={error.hr} -->" if error else ""
    server_data = (
        "var ServerData = {"
        f"B0:'{flow_query}',AQ:'Pas',urlSwitch:'',B1:'',bk:'',B2:'',"
        "fHasBackgroundColor:false,m:5,B3:'US',"
        "oClientAppProperties:{DisplayName:'My Xbox Live'},Bh:10000,n:60,"
        "B5:\"&copy;2018 Microsoft\","
        f"bo:'{credential_type_url}',p:true,bp:'',"
        "Bm:{\"backgroundLogoIndex\":20,\"backgroundColor\":\"#107c10\"},bq:'',"
        "bu:'https://login.live.com/Instrumentation.srf?actionid=15&mkt=EN-US&lc=1033',"
        "hpgid:37,"
        f"urlPost:'{url_post}',"
        f"C:'https://login.live.com/oauth20_authorize.srf?lc=1033&mkt=EN-US&{flow_query}"
        "&res=cancel',html:[],str:[],"
        f"sErrTxt:'{err}',BA:true,a2:false,bF:'{js_string(email)}',BB:0,ah:true,"
        "Bx:'16.0.27701.0',oPost:{},"
        "J:'https://login.live.com/cookiesDisabled.srf?mkt=EN-US&lc=1033',"
        "S:'https://login.live.com/GetSessionState.srf?vv=1600&mkt=EN-US&lc=1033',"
        "aE:'https://auth.gfx.ms/16.000.27701.00/',BW:'PPFT',aH:true,"
        f"sFTTag:'{_ppft_tag(ppft)}',a:'',"
        "c:'https://account.live.com/ResetPassword.aspx?mkt=EN-US&lc=1033',"
        "bc:\"Sign in\",e:39,"
        f"g:'https://signup.live.com/signup?client_id={client_id}&mkt=EN-US&lc=1033',"
        "aT:true};</script>"
        "<script type=\"text/javascript\" src=\"https://auth.gfx.ms/16.000.27701.00/"
        "ConvergedLogin_PCore.js\"></script>"
    )
    head = ("<!DOCTYPE html><!-- RequestLCID: 1033, Market:EN-US, PrefCountry: US, "
            "LangLCID: 1033, LangISO: EN --><html dir=\"ltr\" lang=\"EN-US\"><head>"
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"/>"
            "<base href=\"https://login.live.com/pp1600/\"/>"
            "<title>Sign in to your Microsoft account</title>"
            "<meta name=\"PageID\" content=\"i5011\"/><meta name=\"SiteID\" content=\"290794\"/>")
    return (f"{head}{PAGE_STYLE}{_NOSCRIPT}<script type=\"text/javascript\">{server_data}"
            "</head>" + _body("2018"))


def _page_today(url_post: str, ppft: str, client_id: str, flow_query: str,
                credential_type_url: str, email: str, error: PageError | None) -> str:
    server_data = {
        "urlGetCredentialType": credential_type_url,
        "urlPost": url_post,
        "urlSwitch": "https://login.live.com/logout.srf",
        "urlCancel": f"https://login.live.com/oauth20_authorize.srf?{flow_query}&res=cancel",
        "urlSignUp": f"https://signup.live.com/signup?client_id={client_id}&lic=1",
        "urlResetPassword": "https://account.live.com/ResetPassword.aspx",
        "sFTName": "PPFT",
        "sFTTag": _ppft_tag(ppft),
        "sPOST_Username": _typed(email),
        "sErrTxt": error.text if error else "",
        "sErrorCode": error.hr if error else "",
        "iMaxStackForKMSI": 15,
        "fShowButtons": True,
        "oClientAppProperties": {"DisplayName": "My Xbox Live"},
        "str": {"sSignIn": "Sign in", "sEmail": "Email, phone, or Skype"},
    }
    return (f"{_head('Sign in to your Microsoft account')}<script type=\"text/javascript\">"
            f"//<![CDATA[\nvar ServerData = {_json(server_data)};\n//]]>\n</script></head>"
            + _body("2025"))


def proof_page(era: str, *, email: str, url_post: str, ppft: str) -> str:
    """What a two-step account gets instead of tokens: the proof page, no Location."""
    title = "<title>Help us protect your account</title>"
    text = ("<body><div class=\"title\">Help us protect your account</div>"
            "<div>Before you can access sensitive info, you need to verify your identity "
            "with a security code.</div></body></html>")
    if era != "2025":
        return ("<!DOCTYPE html><html><head>" + title
                + f"<script type=\"text/javascript\">{PROOF_SCRIPT} "
                f"var ServerData = {{b:'{js_string(email)}',sErrTxt:'',C:39}};</script></head>"
                + text)
    email = _typed(email)
    masked = email[:2] + "*****" + email[email.find("@"):] if "@" in email else email
    server_data = {
        "urlPost": url_post,
        "sFT": ppft,
        "sFTName": "PPFT",
        "sPOST_Username": email,
        "sErrTxt": "",
        "arrUserProofs": [{"type": 1, "display": masked, "data": "", "isDefault": True,
                           "isLost": False}],
    }
    return ("<!DOCTYPE html><html><head>" + title
            + f"<script type=\"text/javascript\">//<![CDATA[\nvar ServerData = "
            f"{_json(server_data)};\n//]]>\n</script></head>" + text)

"""login.microsoftonline.com v2.0: where MSAL-style clients sign in with an Azure app id.

An app registered in Azure (a GUID client id) with the ``XboxLive.signin`` permission signs
a personal Microsoft account in at the Microsoft identity platform's v2.0 endpoints, as MSAL
does (prismarine-auth's ``msal`` flow: ``authority: https://login.microsoftonline.com/
consumers``, scopes ``XboxLive.signin offline_access``; Minecraft launchers the same way):

* ``GET /{tenant}/oauth2/v2.0/authorize`` sends the browser on to login.live.com's sign-in
  page, which personal accounts sign in on (``…&issuer=mso&tenant=…&msproxy=1`` as quoted
  in aspnet/AspNetKatana#48); the browser comes back to the app's redirect URI with
  ``?code=`` (or ``#code=`` with ``response_mode=fragment``).
* ``POST /{tenant}/oauth2/v2.0/devicecode`` starts a device-code sign-in; the answer is the
  recorded consumers one (a Microsoft Q&A thread quotes it in full): ``user_code``,
  ``device_code``, ``verification_uri`` ``https://www.microsoft.com/link``, ``expires_in``
  900, ``interval`` 5 and a ``message``.
* ``POST /{tenant}/oauth2/v2.0/token`` redeems a code (with its PKCE verifier), a device code
  or a refresh token: ``{"token_type":"Bearer","scope":…,"expires_in":3600,
  "ext_expires_in":3600,"access_token":…,"refresh_token":…}``. The access token is an MSA
  ticket: user.auth takes it as ``d=<token>`` only (spec §1b).

Refusals are AAD's JSON: ``error``, ``error_description`` ("AADSTSnnnn: text" then the
trace and correlation ids and a timestamp), ``error_codes``, ``timestamp``, ``trace_id``,
``correlation_id``, ``error_uri``, as Microsoft's documentation and the recorded
``authorization_pending`` answer show them; HTTP 400.

Tenants: ``consumers`` (and the personal accounts' tenant id
``9188040d-6c67-4c5b-b112-36a304b66dad``) serve every Azure app; ``common`` serves apps
registered for all account types, and answers an app registered for personal accounts only
(xbox-webapi-python tells its users to register "Personal Microsoft accounts only";
its own app is one) with ``AADSTS9002331`` as Microsoft does; ``organizations`` signs in work
and school accounts only, of which Xbox Live has none: it answers ``AADSTS9002331`` too. Any
other tenant is unknown (``AADSTS90002``).
"""

from __future__ import annotations

import base64
import html
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import httpx

from .. import clients
from .._http import Call, html_response, json_response, route
from . import msa_grants as grants
from .login import DEVICE_CODE_GRANT, VERIFICATION_URI

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account

__all__ = ["CONSUMERS_TENANT_ID", "PERSONAL_ONLY_APPS"]

HOST = r"login\.microsoftonline\.com"
TENANT = r"/(?P<tenant>[^/]+)"
CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"
#: Azure apps registered for personal Microsoft accounts only (the sandbox cannot know a
#: user's own app's registration: any other GUID is taken as registered for all accounts).
PERSONAL_ONLY_APPS = frozenset({clients.OPENXBOX_AZURE_APP})
# OpenID Connect scopes MSAL adds to every request: no id token is issued (an assumption:
# the sandbox signs no JWTs), so they are not granted.
_OIDC_SCOPES = {"openid", "profile", "email"}


def _now_text(sb: Sandbox) -> str:
    return datetime.fromtimestamp(sb.now(), UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _aad_error(sb: Sandbox, error: str, code: int, text: str,
               status: int = 400) -> httpx.Response:
    """An error in AAD's shape (keys in the recorded order)."""
    trace, correlation, when = sb.correlation_id(), sb.correlation_id(), _now_text(sb)
    return json_response(status, {
        "error": error,
        "error_description": (f"AADSTS{code}: {text}\r\nTrace ID: {trace}\r\n"
                              f"Correlation ID: {correlation}\r\nTimestamp: {when}"),
        "error_codes": [code],
        "timestamp": when,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    }, headers=_headers())


def _headers() -> dict[str, str]:
    return {"Content-Type": "application/json; charset=utf-8",
            "Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}


def _app_refusal(sb: Sandbox, tenant: str, client_id: str) -> httpx.Response | None:
    """How this tenant refuses this client id (None: served)."""
    if tenant.lower() not in ("consumers", "common", "organizations", CONSUMERS_TENANT_ID):
        return _aad_error(sb, "invalid_request", 90002,
                          f"Tenant '{tenant}' not found. Check to make sure you have the "
                          "correct tenant ID and are signing into the correct cloud.")
    if not client_id:
        return _aad_error(sb, "invalid_request", 900144,
                          "The request body must contain the following parameter: "
                          "'client_id'.")
    app = clients.lookup(client_id)
    if app is None or not app.azure:
        return _aad_error(sb, "unauthorized_client", 700016,
                          f"Application with identifier '{client_id}' was not found in the "
                          f"directory '{tenant}'. This can happen if the application has not "
                          "been installed by the administrator of the tenant or consented to "
                          "by any user in the tenant. You might have sent your authentication "
                          "request to the wrong tenant.")
    personal_only = app.client_id.lower() in PERSONAL_ONLY_APPS
    if tenant.lower() == "organizations" or (tenant.lower() == "common" and personal_only):
        return _aad_error(sb, "invalid_request", 9002331,
                          f"Application '{app.client_id}'({app.name}) is configured for use "
                          "by Microsoft Account users only. Please use the /consumers "
                          "endpoint to serve this request.")
    return None


def _form(sb: Sandbox, call: Call, tenant: str) -> tuple[dict[str, str], httpx.Response | None]:
    """A POST's parameters (form, query values as fallback) and how the tenant refuses its
    client id, if it does."""
    params = {**call.params, **call.form()}
    return params, _app_refusal(sb, tenant, params.get("client_id", ""))


def _xbox_scope(sb: Sandbox, scope: str) -> str | httpx.Response:
    """The scopes granted (the OpenID ones MSAL adds dropped), or the refusal of a request
    that asks for no Xbox Live permission."""
    if not scope.strip():
        return _aad_error(sb, "invalid_request", 900144,
                          "The request body must contain the following parameter: 'scope'.")
    names = scope.split()
    if not any(name.lower() == "xboxlive.signin" for name in names):
        return _aad_error(sb, "invalid_scope", 70011,
                          f"The provided request must include a 'scope' input parameter. The "
                          f"provided value for the input parameter 'scope' is not valid. The "
                          f"scope {scope} is not valid.")
    return " ".join(dict.fromkeys(n for n in names if n.lower() not in _OIDC_SCOPES))


# -- authorize -------------------------------------------------------------------------------

@route("GET", HOST, TENANT + r"/oauth2/v2\.0/authorize", auth=False)
def authorize(sb: Sandbox, call: Call, tenant: str) -> httpx.Response:
    """On to login.live.com's sign-in page, where personal accounts sign in."""
    params = dict(call.params)
    refused = _app_refusal(sb, tenant, params.get("client_id", "")) \
        or (None if params.get("response_type") == "code" else _aad_error(
            sb, "unsupported_response_type", 700054,
            f"response_type '{params.get('response_type', '')}' is not enabled for the "
            "application."))
    scope = _xbox_scope(sb, params.get("scope", ""))
    if refused is None and isinstance(scope, httpx.Response):
        refused = scope
    if refused is not None:
        # AAD shows an error page for a request it cannot send back to the app.
        message = html.escape(json.loads(refused.content)["error_description"].split("\r\n")[0])
        page = ("<!DOCTYPE html><html><head><title>Sign in to your account</title></head>"
                "<body><div id=\"error\">We couldn't sign you in.</div>"
                f"<div>{message}</div></body></html>")
        return html_response(400, page, gzip=False)
    forwarded = ("client_id", "scope", "redirect_uri", "response_type", "state",
                 "code_challenge", "code_challenge_method", "response_mode", "login_hint")
    query: dict[str, str] = {k: params[k] for k in forwarded if k in params}
    assert isinstance(scope, str)
    query["scope"] = scope
    query.update({"issuer": "mso", "tenant": tenant, "msproxy": "1"})
    location = "https://login.live.com/oauth20_authorize.srf?" + urlencode(query)
    return httpx.Response(302, headers=[("Cache-Control", "no-store, no-cache"),
                                        ("Content-Length", "0"), ("Location", location)],
                          content=b"")


# -- device code -----------------------------------------------------------------------------

@route("POST", HOST, TENANT + r"/oauth2/v2\.0/devicecode", auth=False)
def devicecode(sb: Sandbox, call: Call, tenant: str) -> httpx.Response:
    """A device code for a public-client Azure app."""
    params, refused = _form(sb, call, tenant)
    if refused is not None:
        return refused
    app = clients.lookup(params["client_id"])
    assert app is not None
    if not app.allows(clients.DEVICE_CODE):  # not a public client
        return _aad_error(sb, "invalid_client", 70002,
                          "The provided client is not supported for this feature. The client "
                          "application must be marked as 'mobile.'")
    scope = _xbox_scope(sb, params.get("scope", ""))
    if isinstance(scope, httpx.Response):
        return scope
    device_code, entry = grants.new_device_code(sb, params["client_id"], scope,
                                                issuer=grants.MICROSOFTONLINE,
                                                prefix="HAQABAAEAAAD--DLA3VO7QrddgJg7Wevr")
    return json_response(200, {
        "user_code": entry.user_code, "device_code": device_code,
        "verification_uri": VERIFICATION_URI, "expires_in": int(sb.lifetimes.device_code),
        "interval": entry.interval,
        "message": (f"To sign in, use a web browser to open the page {VERIFICATION_URI} and "
                    f"enter the code {entry.user_code} to authenticate."),
    }, headers=_headers())


# -- token -----------------------------------------------------------------------------------

def _token_body(sb: Sandbox, account: Account, scope: str, client_id: str,
                client_info: bool) -> httpx.Response:
    access, refresh, life = grants.issue_pair(sb, account, scope, client_id)
    body: dict[str, object] = {"token_type": "Bearer", "scope": scope,
                               "expires_in": int(life), "ext_expires_in": int(life),
                               "access_token": access, "refresh_token": refresh}
    if client_info:  # MSAL asks for it (client_info=1) to key its token cache
        info = json.dumps({"ver": "1.0", "uid": f"00000000-0000-0000-{account.msa_user_id}",
                           "utid": CONSUMERS_TENANT_ID}, separators=(",", ":"))
        body["client_info"] = base64.urlsafe_b64encode(info.encode()).decode().rstrip("=")
    return json_response(200, body, headers=_headers())


# AAD's codes for the grant refusals (Microsoft's AADSTS error code reference).
_REFUSALS = {
    "pending": ("authorization_pending", 70016, "The provided request has not yet been "
                "authorized by the user. The user must input their code."),
    "expired": ("expired_token", 70019, "Verification code expired."),
    "declined": ("authorization_declined", 70000, "The user has declined to authorize the "
                 "application."),
    "used": ("invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please "
             "retry with a new valid code or use an existing refresh token."),
}


def _refusal(sb: Sandbox, refused: grants.Refused) -> httpx.Response:
    if refused.kind == "missing":
        return _aad_error(sb, "invalid_request", 900144, "The request body must contain the "
                          f"following parameter: '{refused.name}'.")
    if refused.kind in _REFUSALS:
        error, code, text = _REFUSALS[refused.kind]
        return _aad_error(sb, error, code, text)
    if refused.name == "code_verifier":
        return _aad_error(sb, "invalid_grant", 501481, "The Code_Verifier does not match the "
                          "code_challenge supplied in the authorization request.")
    if refused.name == "redirect_uri":
        return _aad_error(sb, "invalid_grant", 70000, "The request was denied because the "
                          "redirect_uri does not match the one the code was issued for.")
    return _aad_error(sb, "invalid_grant", 70000, f"The provided value for the "
                      f"'{refused.name}' parameter is not valid.")


@route("POST", HOST, TENANT + r"/oauth2/v2\.0/token", auth=False)
def token(sb: Sandbox, call: Call, tenant: str) -> httpx.Response:
    """Redeem an authorization code, a device code or a refresh token."""
    params, refused = _form(sb, call, tenant)
    if refused is not None:
        return refused
    client_info = params.get("client_info") == "1"
    grant_type = params.get("grant_type", "")
    try:
        if grant_type == "authorization_code":
            account, code = grants.redeem_code(sb, params)
            return _token_body(sb, account, code.scope, params["client_id"], client_info)
        if grant_type == "refresh_token":
            account = grants.redeem_refresh(sb, params, scope_required=False)
            scope = _xbox_scope(sb, params.get("scope") or "XboxLive.signin offline_access")
            if isinstance(scope, httpx.Response):
                return scope
            return _token_body(sb, account, scope, params["client_id"], client_info)
        if grant_type in (DEVICE_CODE_GRANT, "device_code"):
            account, device = grants.poll_device_code(sb, params, slow_down=False,
                                                      issuer=grants.MICROSOFTONLINE)
            return _token_body(sb, account, device.scope, device.client_id, client_info)
    except grants.Refused as refusal:
        return _refusal(sb, refusal)
    if not grant_type:
        return _refusal(sb, grants.Refused("missing", "grant_type"))
    return _aad_error(sb, "unsupported_grant_type", 70003,
                      f"The app requested an unsupported grant type '{grant_type}'.")

"""sisu.xboxlive.com: the Xbox app's sign-in (SISU), every request signed by the device.

Spec "Signed requests (ProofOfPossession) and SISU"; bodies as xbox-webapi-python's
``xal.py``, xal-rs and prismarine-auth send them.

* ``POST /authenticate`` (browser flow): the app (``AppId``/``TitleId``/``RedirectUri``, as
  registered in :mod:`xbox.sandbox.clients`), its device token and the PKCE ``Query``. The
  answer (recorded ``xal_authentication_resp.json``) is the login.live.com authorize URL to
  open, and an ``X-SessionId`` header. login.live.com then sends the browser to
  ``ms-xal-<appid>://auth?code=…&state=…``; the app redeems the code with its PKCE
  ``code_verifier`` at ``oauth20_token.srf``.
* ``POST /authorize``: the MSA access token (``t=…``) of that app on that device (optionally
  the ``SessionId``) for all the tokens at once (recorded ``xal_authorization_resp.json``):
  user, title and XSTS ("AuthorizationToken"), the XSTS token carrying the device and title
  claims. Accounts XSTS refuses get the XErr body with an ``X-Err`` header (the header is
  what prismarine-auth and RaphiMC MinecraftAuth read on a failed authorize); under-18
  accounts are admitted, the request being a title sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

import httpx

from .. import clients
from .._http import Call, empty, json_response, route
from .._proof import device_of
from .auth import wire_time, xerr_refusal, xsts_claims

if TYPE_CHECKING:
    from ..app import Sandbox

__all__ = ["SESSION_LIFETIME"]

HOST = r"sisu\.xboxlive\.com"
SESSION_LIFETIME = 900.0  # how long an authenticate session may be authorized (assumption)
RETAIL = "RETAIL"  # the only Xbox Live sandbox the emulator knows
SITE_NAME = "user.auth.xboxlive.com"
AUTHORIZE_URL = "https://login.live.com/oauth20_authorize.srf"


@dataclass
class _Session:
    """An authenticate call waiting for its authorize: the app and device it is for."""

    app_id: str
    device_id: str
    expires: float


def _sessions(sb: Sandbox) -> dict[str, _Session]:
    return cast("dict[str, _Session]", sb.state.setdefault("sisu.sessions", {}))


def _session_id(sb: Sandbox) -> str:
    """A fresh session id (GUID-shaped; the real format is not recorded)."""
    return sb.correlation_id()


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _msa_redirect(app: clients.ClientApp, redirect_uri: str, offers: list[str],
                  query: dict[str, str | None]) -> str:
    """The authorize URL, parameters in the recorded order (``xal_authentication_resp.json``)."""
    parts = ["lw=1", "fl=dob,easi2", "xsup=1"]
    if query.get("display"):
        parts.append(f"display={quote(query['display'] or '', safe='')}")
    if query.get("code_challenge"):
        parts.append(f"code_challenge={quote(query['code_challenge'] or '', safe='')}")
        parts.append(f"code_challenge_method={quote(query['code_challenge_method'] or '', safe='')}")
    if query.get("state") is not None:
        parts.append(f"state={quote(query['state'] or '', safe='')}")
    parts += [f"client_id={app.client_id.upper()}", "response_type=code",
              f"scope={quote(' '.join(offers), safe='')}",
              f"redirect_uri={quote(redirect_uri, safe='')}", "nopa=2"]
    return f"{AUTHORIZE_URL}?{'&'.join(parts)}"


@route("POST", HOST, r"/authenticate", auth=False)
def sisu_authenticate(sb: Sandbox, call: Call) -> httpx.Response:
    """Start a SISU browser sign-in: where to send the person, and a session id."""
    body = call.json()
    headers = sb.xbl_headers()
    try:
        app_id, redirect_uri = _str(body["AppId"]), _str(body["RedirectUri"])
        title_id, device_token = body["TitleId"], _str(body["DeviceToken"])
        sandbox, offers, query = _str(body["Sandbox"]), body["Offers"], body["Query"]
        assert body["TokenType"] == "code" and isinstance(title_id, (str, int))
        assert isinstance(offers, list) and offers and all(isinstance(o, str) for o in offers)
        assert isinstance(query, dict)
        pkce = {k: _opt_str(query.get(k)) for k in ("display", "code_challenge",
                                                    "code_challenge_method", "state")}
    except (KeyError, TypeError, AssertionError):
        return empty(400, headers=headers)
    app = clients.lookup(app_id)
    if app is None or not app.allows(clients.SISU) or not app.redirect_allowed(redirect_uri) \
            or str(title_id) != app.title_id or sandbox != RETAIL \
            or (pkce["code_challenge"] and pkce["code_challenge_method"] != "S256"):
        return empty(400, headers=headers)
    device, refused = device_of(sb, call, device_token, body.get("ProofKey"))
    if refused is not None or device is None:
        return refused or empty(401, headers=headers)
    session_id = _session_id(sb)
    _sessions(sb)[session_id] = _Session(app.client_id, device.device_id,
                                         sb.now() + SESSION_LIFETIME)
    headers["X-SessionId"] = session_id
    return json_response(200, {
        "MsaOauthRedirect": _msa_redirect(app, redirect_uri, offers, pkce),
        "MsaRequestParameters": {},
    }, headers=headers)


def _token(token: str, issued: float, expires: float, claims: dict[str, Any]) -> dict[str, Any]:
    """One token of the authorize answer, keys in the recorded order."""
    return {"DisplayClaims": claims, "IssueInstant": wire_time(issued),
            "NotAfter": wire_time(expires), "Token": token}


@route("POST", HOST, r"/authorize", auth=False)
def sisu_authorize(sb: Sandbox, call: Call) -> httpx.Response:
    """The MSA token of an app on a device -> user, title and XSTS tokens in one answer."""
    body = call.json()
    headers = sb.xbl_headers()
    try:
        access, app_id = _str(body["AccessToken"]), _str(body["AppId"])
        device_token, sandbox = _str(body["DeviceToken"]), _str(body["Sandbox"])
        assert _str(body["SiteName"]) == SITE_NAME and "ProofKey" in body
        relying_party = _str(body.get("RelyingParty", "http://xboxlive.com"))
        session_id = _opt_str(body.get("SessionId"))
        modern = body.get("UseModernGamertag")
        assert modern is None or isinstance(modern, bool)
    except (KeyError, TypeError, AssertionError):
        return empty(400, headers=headers)
    app = clients.lookup(app_id)
    if app is None or not app.allows(clients.SISU) or sandbox != RETAIL \
            or not access.startswith("t="):  # SISU takes Live tickets, always t= (all peers)
        return empty(400, headers=headers)
    device, refused = device_of(sb, call, device_token, body["ProofKey"])
    if refused is not None or device is None:
        return refused or empty(401, headers=headers)
    now = sb.now()
    msa = sb.tokens.check(access[2:], "msa", now)
    if msa is None:
        return empty(401, headers=headers)
    if msa.client_id.lower() != app.client_id.lower():
        return empty(403, headers=headers)  # an access token issued to another app
    if session_id is not None:
        session = _sessions(sb).pop(session_id, None)
        if session is None or session.expires <= now or session.app_id != app.client_id \
                or session.device_id != device.device_id:
            return empty(403, headers=headers)
    account = sb.world.by_xuid[msa.xuid]
    refusal = xerr_refusal(sb, account, title=True,
                           headers={**headers, "X-Err": str(account.xerr)})
    if refusal is not None:
        return refusal
    uhs = sb.tokens.new_uhs()
    life = sb.lifetimes
    user = sb.tokens.issue("user", account.xuid, now + life.user, uhs=uhs)
    title = sb.tokens.issue("title", "", now + life.title, client_id=app.client_id,
                            device_id=device.device_id, title_id=app.title_id)
    xsts = sb.tokens.issue("xsts", account.xuid, now + life.xsts, uhs=uhs,
                           device_id=device.device_id, title_id=app.title_id,
                           relying_party=relying_party)
    answer: dict[str, Any] = {
        "DeviceToken": device_token,
        "TitleToken": _token(title, now, now + life.title, {"xti": {"tid": app.title_id}}),
        "UserToken": _token(user, now, now + life.user, {"xui": [{"uhs": uhs}]}),
        "AuthorizationToken": _token(xsts, now, now + life.xsts, {
            "xui": [xsts_claims(account, uhs, relying_party, sisu=True)]}),
        "WebPage": f"https://sisu.xboxlive.com/client/v27/{app.client_id.lower()}/view/index.html",
        "Sandbox": RETAIL,
    }
    if modern is not None:  # echoed when asked for (the recorded request did not ask)
        answer["UseModernGamertag"] = modern
    return json_response(200, answer, headers=headers)

"""user.auth.xboxlive.com and xsts.auth.xboxlive.com: MSA ticket -> user token -> XSTS.

Spec §1d. A user token lives 14 days, an XSTS token 16 hours (both shortenable through
``Lifetimes``). Accounts with an ``xerr`` get the XSTS 401 XErr body.

Two ways in, both kept: the plain path (unsigned, a user token only, as the 2014 library and
the password sign-in use it) and the device-bound path of the Xbox app (spec "Signed
requests"): a ``ProofKey`` and ``Signature``, and for XSTS a ``DeviceToken`` and
``TitleToken``. Requests with a key must be signed by it; the XSTS token then records the
device and title claims. A title token also admits under-18 accounts the plain path refuses
with XErr 2148916238, as peers report (prismarine-auth: "the issue with accounts under 18
(2148916238) should not happen through title auth").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from .._http import Call, empty, json_response, route
from .._proof import device_of, signed_by
from .._signature import ProofKey

if TYPE_CHECKING:
    from .._tokens import Grant
    from ..app import Sandbox
    from ..world import Account

__all__ = ["PRIVILEGES", "UNDER_18_XERR", "wire_time", "xerr_refusal", "xsts_claims"]

# The privileges an adult account carries (2014 recording).
PRIVILEGES = ("191 193 196 199 200 201 204 205 206 208 209 211 217 224 227 228 235 238 245 247 "
              "249 252 254 255")
UNDER_18_XERR = 2148916238  # under 18 and not in a Microsoft family: waived with a title token


def wire_time(ts: float) -> str:
    """``2014-09-20T18:41:06.7079424Z``: seven fraction digits, as .NET writes them."""
    dt = datetime.fromtimestamp(ts, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}0Z"


def xsts_claims(account: Account, uhs: str, relying_party: str, *,
                sisu: bool = False) -> dict[str, str]:
    """The ``xui`` claims of an XSTS token for ``relying_party``.

    ``sisu``: the key set and order of the recorded SISU answer (no ``utr``).
    """
    if relying_party == "http://xboxlive.com":
        if sisu:
            return {"gtg": account.gamertag, "xid": account.xuid, "uhs": uhs,
                    "agg": account.age_group, "usr": "195 229 243", "prv": PRIVILEGES}
        return {"agg": account.age_group, "gtg": account.gamertag, "prv": PRIVILEGES,
                "xid": account.xuid, "uhs": uhs, "usr": "195 229 243", "utr": "190"}
    if relying_party == "http://accounts.xboxlive.com":
        return {"uhs": uhs, "agg": account.age_group}
    return {"uhs": uhs}  # a game's own relying party


def xerr_refusal(sb: Sandbox, account: Account, *, title: bool,
                 headers: dict[str, str]) -> httpx.Response | None:
    """The XSTS 401 XErr answer for an account Xbox Live refuses (None: admitted)."""
    if account.xerr is None or (title and account.xerr == UNDER_18_XERR):
        return None
    return json_response(401, {
        "Identity": "0",
        "XErr": account.xerr,
        "Message": "",
        "Redirect": account.xerr_redirect or "",
    }, headers=headers)


def _optional_str(props: dict[str, Any], name: str) -> str | None:
    value = props.get(name)
    if value is not None and not isinstance(value, str):
        raise TypeError(name)
    return value


@route("POST", r"user\.auth\.xboxlive\.com", r"/user/authenticate", auth=False)
def user_authenticate(sb: Sandbox, call: Call) -> httpx.Response:
    body = call.json()
    headers = sb.xbl_headers()
    try:
        props = body["Properties"]
        ticket = props["RpsTicket"]
        assert isinstance(props, dict)
        assert body["RelyingParty"] == "http://auth.xboxlive.com"
        assert body["TokenType"] == "JWT"
        assert isinstance(ticket, str)
    except (KeyError, TypeError, AssertionError):
        return empty(400, headers=headers)
    if "ProofKey" in props:
        # A key sent along must have signed the request. Without one there is nothing to
        # check a Signature header against, so the plain path ignores it.
        key = ProofKey.from_jwk(props["ProofKey"])
        if key is None:
            return empty(400, headers=headers)
        refused = signed_by(sb, call, key)
        if refused is not None:
            return refused
    # Live-client tokens go bare or as t=..., Azure-app tokens as d=... (spec §1b).
    bare = ticket[2:] if ticket[:2] in ("t=", "d=") else ticket
    grant = sb.tokens.check(bare, "msa", sb.now())
    if grant is None:
        return empty(401, headers=headers)
    if "xboxlive.signin" in grant.scope.lower() and not ticket.startswith("d="):
        # Azure-app tokens without the d= prefix are refused with a 400 (OpenXbox issue #6).
        return empty(400, headers=headers)
    now = sb.now()
    uhs = sb.tokens.new_uhs()
    token = sb.tokens.issue("user", grant.xuid, now + sb.lifetimes.user, uhs=uhs)
    headers["x-err"] = "00000005"
    return json_response(200, {
        "IssueInstant": wire_time(now),
        "NotAfter": wire_time(now + sb.lifetimes.user),
        "Token": token,
        "DisplayClaims": {"xui": [{"uhs": uhs}]},
    }, headers=headers)


def _bindings(sb: Sandbox, call: Call, props: dict[str, Any]
              ) -> tuple[Grant | None, Grant | None, httpx.Response | None]:
    """The device and title tokens of an XSTS request, checked (or the refusal).

    A title token is bound to the device it was issued for, so it needs that device token
    along (400 without one, 403 with another device's).
    """
    device_token = _optional_str(props, "DeviceToken")
    title_token = _optional_str(props, "TitleToken")
    if title_token and not device_token:
        return None, None, empty(400, headers=sb.xbl_headers())
    device = title = None
    if device_token:
        device, refused = device_of(sb, call, device_token, props.get("ProofKey"))
        if refused is not None:
            return None, None, refused
    elif "ProofKey" in props:
        key = ProofKey.from_jwk(props["ProofKey"])
        if key is None:
            return None, None, empty(400, headers=sb.xbl_headers())
        refused = signed_by(sb, call, key)
        if refused is not None:
            return None, None, refused
    if title_token:
        title = sb.tokens.check(title_token, "title", sb.now())
        if title is None:
            return None, None, empty(401, headers=sb.xbl_headers())
        if device is None or title.device_id != device.device_id:
            return None, None, empty(403, headers=sb.xbl_headers())
    return device, title, None


@route("POST", r"xsts\.auth\.xboxlive\.com", r"/xsts/authorize", auth=False)
def xsts_authorize(sb: Sandbox, call: Call) -> httpx.Response:
    body = call.json()
    headers = sb.xbl_headers()
    try:
        props = body["Properties"]
        tokens = props["UserTokens"]
        relying_party = body["RelyingParty"]
        assert isinstance(props, dict)
        assert isinstance(tokens, list) and len(tokens) == 1 and isinstance(tokens[0], str)
        assert isinstance(relying_party, str)
        device, title, refused = _bindings(sb, call, props)
    except (KeyError, TypeError, AssertionError):
        return empty(400, headers=headers)
    if refused is not None:
        return refused
    grant = sb.tokens.check(tokens[0], "user", sb.now())
    if grant is None:
        return empty(401, headers=headers)
    account = sb.world.by_xuid[grant.xuid]
    refusal = xerr_refusal(sb, account, title=title is not None, headers=headers)
    if refusal is not None:
        return refusal
    now = sb.now()
    token = sb.tokens.issue("xsts", account.xuid, now + sb.lifetimes.xsts, uhs=grant.uhs,
                            device_id=device.device_id if device else "",
                            title_id=title.title_id if title else "",
                            relying_party=relying_party)
    return json_response(200, {
        "IssueInstant": wire_time(now),
        "NotAfter": wire_time(now + sb.lifetimes.xsts),
        "Token": token,
        "DisplayClaims": {"xui": [xsts_claims(account, grant.uhs, relying_party)]},
    }, headers=headers)

"""user.auth.xboxlive.com and xsts.auth.xboxlive.com: MSA ticket -> user token -> XSTS.

Spec §1d. A user token lives 14 days, an XSTS token 16 hours (both shortenable through
``Lifetimes``). Accounts with an ``xerr`` get the XSTS 401 XErr body.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx

from .._http import Call, empty, json_response, route

if TYPE_CHECKING:
    from ..app import Sandbox

# The privileges an adult account carries (2014 recording).
PRIVILEGES = ("191 193 196 199 200 201 204 205 206 208 209 211 217 224 227 228 235 238 245 247 "
              "249 252 254 255")


def wire_time(ts: float) -> str:
    """``2014-09-20T18:41:06.7079424Z``: seven fraction digits, as .NET writes them."""
    dt = datetime.fromtimestamp(ts, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}0Z"


@route("POST", r"user\.auth\.xboxlive\.com", r"/user/authenticate", auth=False)
def user_authenticate(sb: Sandbox, call: Call) -> httpx.Response:
    body = call.json()
    headers = sb.xbl_headers()
    try:
        props = body["Properties"]
        ticket = props["RpsTicket"]
        assert body["RelyingParty"] == "http://auth.xboxlive.com"
        assert body["TokenType"] == "JWT"
        assert isinstance(ticket, str)
    except (KeyError, TypeError, AssertionError):
        return empty(400, headers=headers)
    # Live-client tokens go bare or as t=..., Azure-app tokens as d=... (spec §1b).
    bare = ticket[2:] if ticket[:2] in ("t=", "d=") else ticket
    grant = sb.tokens.check(bare, "msa", sb.now())
    if grant is None:
        return empty(401, headers=headers)
    if grant.scope.lower().startswith("xboxlive.signin") and not ticket.startswith("d="):
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


@route("POST", r"xsts\.auth\.xboxlive\.com", r"/xsts/authorize", auth=False)
def xsts_authorize(sb: Sandbox, call: Call) -> httpx.Response:
    body = call.json()
    headers = sb.xbl_headers()
    try:
        tokens = body["Properties"]["UserTokens"]
        relying_party = body["RelyingParty"]
        assert isinstance(tokens, list) and len(tokens) == 1 and isinstance(tokens[0], str)
        assert isinstance(relying_party, str)
    except (KeyError, TypeError, AssertionError):
        return empty(400, headers=headers)
    grant = sb.tokens.check(tokens[0], "user", sb.now())
    if grant is None:
        return empty(401, headers=headers)
    account = sb.world.by_xuid[grant.xuid]
    if account.xerr is not None:
        return json_response(401, {
            "Identity": "0",
            "XErr": account.xerr,
            "Message": "",
            "Redirect": account.xerr_redirect or "",
        }, headers=headers)
    now = sb.now()
    token = sb.tokens.issue("xsts", account.xuid, now + sb.lifetimes.xsts, uhs=grant.uhs)
    if relying_party == "http://xboxlive.com":
        claims = {"agg": account.age_group, "gtg": account.gamertag, "prv": PRIVILEGES,
                  "xid": account.xuid, "uhs": grant.uhs, "usr": "195 229 243", "utr": "190"}
    elif relying_party == "http://accounts.xboxlive.com":
        claims = {"uhs": grant.uhs, "agg": account.age_group}
    else:  # a game's own relying party
        claims = {"uhs": grant.uhs}
    return json_response(200, {
        "IssueInstant": wire_time(now),
        "NotAfter": wire_time(now + sb.lifetimes.xsts),
        "Token": token,
        "DisplayClaims": {"xui": [claims]},
    }, headers=headers)

"""device.auth.xboxlive.com and title.auth.xboxlive.com: the tokens of a device and a title.

Spec "Signed requests (ProofOfPossession) and SISU". A device proves it holds a P-256 key:
``POST /device/authenticate`` carries the public key as a JWK ``ProofKey`` and is signed
with it; the device token (14 days, ``xdi`` claims ``did``/``dcs`` as recorded in
``auth_device_token.json``) remembers the key, and every later request that carries the
device token must be signed by it.

``POST /title/authenticate`` turns an MSA ticket of a client id registered for title
authentication (the Minecraft ids, see :mod:`xbox.sandbox.clients`) and a device token
into a title token (``xti`` claim ``tid``). Peers' bodies: prismarine-auth, xal-rs, RaphiMC
MinecraftAuth.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

import httpx

from .. import clients
from .._http import Call, empty, json_response, route
from .._proof import device_of, signed_by
from .._signature import ProofKey
from .auth import wire_time

if TYPE_CHECKING:
    from ..app import Sandbox

__all__ = ["DEVICE_TYPES"]

AUTH_RELYING_PARTY = "http://auth.xboxlive.com"
# The device types a device token can be asked for without a console's hardware proof
# (xal-rs ``get_device_token``: "Android, iOS, Nintendo, Win32"; Xbox consoles use a much
# more sophisticated request).
DEVICE_TYPES = frozenset({"Android", "iOS", "Nintendo", "Win32"})
# A device Id: a GUID, braced for Android/Nintendo/Win32, bare upper case for iOS.
_DEVICE_ID = re.compile(r"\{?[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\}?")


def _did(sb: Sandbox, device_id: str) -> str:
    """The device claim (16 upper-case hex digits, as recorded): stable per device Id."""
    key = device_id.strip("{}").lower()
    return hashlib.sha256(f"{sb.seed}:did:{key}".encode()).hexdigest()[:16].upper()


@route("POST", r"device\.auth\.xboxlive\.com", r"/device/authenticate", auth=False)
def device_authenticate(sb: Sandbox, call: Call) -> httpx.Response:
    """A device token for a key the request proves it holds."""
    body = call.json()
    headers = sb.xbl_headers()
    try:
        props = body["Properties"]
        assert isinstance(props, dict)
        assert body["RelyingParty"] == AUTH_RELYING_PARTY and body["TokenType"] == "JWT"
        assert props["AuthMethod"] == "ProofOfPossession"
        device_id, device_type = props["Id"], props["DeviceType"]
        assert isinstance(device_id, str) and _DEVICE_ID.fullmatch(device_id)
        assert device_type in DEVICE_TYPES and isinstance(props["Version"], str)
        key = ProofKey.from_jwk(props["ProofKey"])
        assert key is not None
    except (KeyError, TypeError, AssertionError):
        return empty(400, headers=headers)
    refused = signed_by(sb, call, key)
    if refused is not None:
        return refused
    now = sb.now()
    did = _did(sb, device_id)
    token = sb.tokens.issue("device", "", now + sb.lifetimes.device, proof_key=key,
                            device_id=did)
    return json_response(200, {
        "IssueInstant": wire_time(now),
        "NotAfter": wire_time(now + sb.lifetimes.device),
        "Token": token,
        "DisplayClaims": {"xdi": {"did": did, "dcs": "0"}},
    }, headers=headers)


def _title_refusal(sb: Sandbox, status: int) -> httpx.Response:
    """How title.auth refuses: the status with ``{}`` as the body, as peers quote it
    ("403 Forbidden {}", prismarine-auth #54, #140, #182)."""
    return json_response(status, {}, headers=sb.xbl_headers())


@route("POST", r"title\.auth\.xboxlive\.com", r"/title/authenticate", auth=False)
def title_authenticate(sb: Sandbox, call: Call) -> httpx.Response:
    """A title token for an MSA ticket of a title-auth client id, on a signed device.

    Refusals (401, 403) carry ``{}``; a malformed request is the empty 400 of every
    sign-in service.
    """
    answer = _title_token(sb, call)
    if answer.status_code in (401, 403) and not answer.content:
        return _title_refusal(sb, answer.status_code)
    return answer


def _title_token(sb: Sandbox, call: Call) -> httpx.Response:
    body = call.json()
    headers = sb.xbl_headers()
    try:
        props = body["Properties"]
        assert isinstance(props, dict)
        assert body["RelyingParty"] == AUTH_RELYING_PARTY and body["TokenType"] == "JWT"
        assert props["AuthMethod"] == "RPS"
        ticket, device_token = props["RpsTicket"], props["DeviceToken"]
        assert isinstance(ticket, str) and isinstance(device_token, str)
    except (KeyError, TypeError, AssertionError):
        return empty(400, headers=headers)
    device, refused = device_of(sb, call, device_token, props.get("ProofKey"))
    if refused is not None or device is None:
        return refused or empty(401, headers=headers)
    msa = sb.tokens.check(ticket[2:] if ticket[:2] in ("t=", "d=") else ticket, "msa", sb.now())
    if msa is None:
        return empty(401, headers=headers)
    app = clients.lookup(msa.client_id)
    if app is None or not app.allows(clients.TITLE_AUTH):
        # Only the ids Microsoft set up for it get title tokens ("This *only* works with
        # live.com auth", prismarine-auth); the Minecraft Java id gets "403 Forbidden {}"
        # (prismarine-auth #54, #140, #182), which the router fills in.
        return empty(403, headers=headers)
    now = sb.now()
    token = sb.tokens.issue("title", "", now + sb.lifetimes.title, client_id=app.client_id,
                            device_id=device.device_id, title_id=app.title_id)
    return json_response(200, {
        "IssueInstant": wire_time(now),
        "NotAfter": wire_time(now + sb.lifetimes.title),
        "Token": token,
        "DisplayClaims": {"xti": {"tid": app.title_id}},
    }, headers=headers)

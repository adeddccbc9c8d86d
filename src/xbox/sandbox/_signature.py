"""Checking the ``Signature`` header of ProofOfPossession requests, as Xbox Live does.

The sign-in services that bind tokens to a device (device.auth, title.auth, sisu, and
user.auth/XSTS when they carry a key) want each request signed with the device's P-256 key.
This is the sandbox's own verifier: it shares no code with any client signer, so a test of
one against the other proves the wire format, not a shared mistake.

The header is base64 of 76 bytes (spec "Signed requests"; checked against the published
vectors in ``tests/fixtures/recorded/signing_vectors.json``)::

    policy version (uint32 BE) | FILETIME (uint64 BE) | r (32 bytes) | s (32 bytes)

and the ECDSA P-256 / SHA-256 signature covers::

    version | 0 | filetime | 0 | METHOD | 0 | path?query | 0 | Authorization | 0 | body[:8192] | 0

The public key comes from the request's JWK ``ProofKey`` (device.auth) or from the device
token the request carries (title.auth, sisu, XSTS).
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

if TYPE_CHECKING:
    from ._http import Call

__all__ = [
    "FILETIME_UNIX_OFFSET",
    "MAX_BODY_BYTES",
    "POLICY_VERSION",
    "ProofKey",
    "signing_input",
    "unix_of",
    "verify_call",
    "verify_signature",
]

# The one signature policy the sign-in hosts use: title.mgt's endpoint list gives
# sisu.xboxlive.com and *.xboxlive.com policy 0 = {Version 1, ES256, MaxBodyBytes 8192}
# (recorded ``auth_title_endpoints.json``).
POLICY_VERSION = 1
MAX_BODY_BYTES = 8192
FILETIME_UNIX_OFFSET = 11_644_473_600  # seconds from 1601-01-01 (FILETIME) to 1970-01-01
TICKS_PER_SECOND = 10_000_000  # FILETIME counts 100 ns ticks
SIGNATURE_BYTES = 4 + 8 + 32 + 32

_B64URL = re.compile(r"[A-Za-z0-9_-]+")


def unix_of(filetime: int) -> float:
    """Unix time of a Windows FILETIME."""
    return filetime / TICKS_PER_SECOND - FILETIME_UNIX_OFFSET


def signing_input(version: int, filetime: int, method: str, path_and_query: str,
                  authorization: str, body: bytes, max_body: int = MAX_BODY_BYTES) -> bytes:
    """The bytes a request signature covers (each field followed by one zero byte)."""
    return b"".join((
        struct.pack(">I", version), b"\0",
        struct.pack(">Q", filetime), b"\0",
        method.upper().encode("ascii"), b"\0",
        path_and_query.encode("utf-8"), b"\0",
        authorization.encode("utf-8"), b"\0",
        body[:max_body], b"\0",
    ))


def _coordinate(text: Any) -> int | None:
    """A JWK coordinate: base64url of exactly 32 bytes, no padding (RFC 7518 §6.2.1.2)."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text):
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return int.from_bytes(raw, "big") if len(raw) == 32 else None


@dataclass(frozen=True)
class ProofKey:
    """A device's public key as its JWK ``ProofKey`` names it (x and y, base64url)."""

    x: str
    y: str

    @classmethod
    def from_jwk(cls, jwk: Any) -> ProofKey | None:
        """The key of a well-formed ES256 JWK on the P-256 curve, else None.

        Every member the clients send must be there and exact: ``crv`` P-256, ``alg`` ES256,
        ``use`` sig, ``kty`` EC, and ``x``/``y`` naming a point on the curve.
        """
        if not isinstance(jwk, dict):
            return None
        if (jwk.get("crv"), jwk.get("alg"), jwk.get("use"), jwk.get("kty")) != (
                "P-256", "ES256", "sig", "EC"):
            return None
        x, y = _coordinate(jwk.get("x")), _coordinate(jwk.get("y"))
        if x is None or y is None:
            return None
        try:
            ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        except ValueError:  # not a point on P-256
            return None
        return cls(jwk["x"], jwk["y"])

    def public_key(self) -> ec.EllipticCurvePublicKey:
        x, y = _coordinate(self.x), _coordinate(self.y)
        assert x is not None and y is not None  # checked by from_jwk
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()


def verify_signature(header: str | None, key: ProofKey, *, method: str, path_and_query: str,
                     authorization: str, body: bytes, now: float, skew: float) -> str | None:
    """Why the ``Signature`` header does not prove ``key`` signed this request (None: it does).

    The reasons ("unsigned", "malformed", "unsupported policy", "stale", "bad signature")
    are for tests and logs; the wire answer is the same for all of them.
    """
    if not header:
        return "unsigned"
    try:
        raw = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return "malformed"
    if len(raw) != SIGNATURE_BYTES:
        return "malformed"
    version, filetime = struct.unpack(">IQ", raw[:12])
    if version != POLICY_VERSION:
        return "unsupported policy"
    if abs(unix_of(filetime) - now) > skew:
        return "stale"
    r, s = int.from_bytes(raw[12:44], "big"), int.from_bytes(raw[44:76], "big")
    data = signing_input(version, filetime, method, path_and_query, authorization, body)
    try:
        key.public_key().verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "bad signature"
    return None


def verify_call(call: Call, key: ProofKey, *, now: float, skew: float) -> str | None:
    """:func:`verify_signature` for a request the sandbox received in the mapped layout.

    The signed path is the real one (``/device/authenticate``), not the mapped
    ``/device.auth.xboxlive.com/device/authenticate`` the sandbox sees.
    """
    path_and_query = call.path + (f"?{call.query}" if call.query else "")
    return verify_signature(
        call.header("Signature"), key, method=call.method, path_and_query=path_and_query,
        authorization=call.header("Authorization", "") or "", body=call.request.content,
        now=now, skew=skew)

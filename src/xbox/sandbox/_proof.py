"""Proof of possession for the sign-in services: is this request signed by the right key?

Shared by device.auth, title.auth, sisu, user.auth and XSTS. Every failure is answered the
way Xbox Live answers a signature it does not accept: 403 with an empty body (modrinth/code
issue #1145: a clock a few minutes off gets "403 Forbidden error and no content body"; that
the other signature failures look the same is an assumption).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ._http import Call, empty
from ._signature import ProofKey, verify_call

if TYPE_CHECKING:
    from ._tokens import Grant
    from .app import Sandbox

__all__ = ["device_of", "signed_by"]


def signed_by(sb: Sandbox, call: Call, key: ProofKey) -> httpx.Response | None:
    """None when ``key`` signed this request within the allowed skew, else the 403."""
    if verify_call(call, key, now=sb.now(), skew=sb.signature_skew) is None:
        return None
    return empty(403, headers=sb.xbl_headers())


def device_of(sb: Sandbox, call: Call, device_token: str,
              proof_key: Any = None) -> tuple[Grant | None, httpx.Response | None]:
    """The device token a request carries, once the request proves it holds the device's key.

    Returns (grant, None) or (None, refusal): 401 for a device token the sandbox did not
    issue or that expired, 403 when a ``ProofKey`` sent along is not the device's key or the
    request is not signed by it.
    """
    grant = sb.tokens.check(device_token, "device", sb.now())
    if grant is None or grant.proof_key is None:
        return None, empty(401, headers=sb.xbl_headers())
    if proof_key is not None and ProofKey.from_jwk(proof_key) != grant.proof_key:
        return None, empty(403, headers=sb.xbl_headers())
    refused = signed_by(sb, call, grant.proof_key)
    if refused is not None:
        return None, refused
    return grant, None

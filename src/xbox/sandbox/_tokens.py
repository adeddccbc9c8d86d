"""Tokens the sandbox issues, and their real lifetimes (shortenable for tests).

Every token is an opaque random-looking string bound to an account and an expiry on the
sandbox clock. A token the sandbox did not issue, or one past its expiry, is refused.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field

from ._signature import ProofKey

__all__ = ["Grant", "Lifetimes", "TokenRegistry"]


@dataclass(frozen=True)
class Lifetimes:
    """Token lifetimes in seconds, as Xbox Live issues them.

    Attributes:
        msa_legacy: login.live.com access tokens for Live client ids (MBI_SSL scope): 24 h.
        msa_azure: access tokens for Azure apps (``Xboxlive.signin`` scope): 1 h.
        refresh: MSA refresh tokens (real ones last ~90 days of disuse).
        user: user tokens from user.auth.xboxlive.com: 14 days.
        xsts: XSTS tokens: 16 h (8 h in 2014).
        device_code: how long a device code may be approved: 15 min.
        device_interval: the polling interval the device-code endpoint asks for.
        sas: how long a signed media URL works: about 1 h.
        device: device tokens from device.auth.xboxlive.com: 14 days (recorded).
        title: title tokens from title.auth / SISU: 14 days (recorded SISU answer).
    """

    msa_legacy: float = 86400
    msa_azure: float = 3600
    refresh: float = 90 * 86400
    user: float = 14 * 86400
    xsts: float = 16 * 3600
    device_code: float = 900
    device_interval: int = 5
    sas: float = 3600
    device: float = 14 * 86400
    title: float = 14 * 86400


@dataclass
class Grant:
    """What a token stands for."""

    kind: str  # "msa" | "refresh" | "user" | "xsts" | "device" | "title"
    xuid: str  # "" for device and title tokens: they name no user
    expires: float
    uhs: str = ""
    scope: str = ""
    client_id: str = ""
    revoked: bool = False
    proof_key: ProofKey | None = None  # device tokens: the key their requests are signed with
    device_id: str = ""  # device, title and XSTS tokens: the device claim (xdi did)
    title_id: str = ""  # title and XSTS tokens: the title claim (xti tid)
    relying_party: str = ""  # XSTS tokens: the RelyingParty they were issued for


@dataclass
class TokenRegistry:
    """Issued tokens by value. Deterministic per seed: token values derive from a counter."""

    seed: int
    grants: dict[str, Grant] = field(default_factory=dict)
    _counter: int = 0

    def _mint(self, prefix: str, length: int) -> str:
        self._counter += 1
        material = hashlib.sha512(f"{self.seed}:{prefix}:{self._counter}:{secrets.token_hex(4)}".encode())
        raw = material.digest() * (length // 64 + 1)
        text = base64.b64encode(raw).decode()[:length]
        return prefix + text

    def issue(self, kind: str, xuid: str, expires: float, *, uhs: str = "", scope: str = "",
              client_id: str = "", proof_key: ProofKey | None = None, device_id: str = "",
              title_id: str = "", relying_party: str = "") -> str:
        # Device and title tokens are opaque JWEs like the user token (the recordings are
        # sanitized, so their lengths are the sandbox's choice).
        prefixes = {"msa": "EwCAAupv", "refresh": "M.R3_BAY.", "user": "eyJlbmMiOiJBMTI4Q0JDK0hTMjU2",
                    "xsts": "eyJlbmMiOiJBMTI4Q0JDK0hTMjU2IiwiYWxnIjoiUlNBLU9BRVAi",
                    "device": "eyJlbmMiOiJBMTI4Q0JDK0hTMjU2IiwiYWxnIjoiUlNBLU9BRVAiLCJjdHkiOiJKV1Qi",
                    "title": "eyJlbmMiOiJBMTI4Q0JDK0hTMjU2IiwiYWxnIjoiUlNBLU9BRVAiLCJjdHkiOiJK"}
        lengths = {"msa": 472, "refresh": 300, "user": 1262, "xsts": 1230, "device": 1104,
                   "title": 1056}
        token = self._mint(prefixes[kind], lengths[kind])
        if kind == "refresh":
            token = token.replace("+", "!").replace("/", "*") + "$"
        self.grants[token] = Grant(kind, xuid, expires, uhs=uhs, scope=scope, client_id=client_id,
                                   proof_key=proof_key, device_id=device_id, title_id=title_id,
                                   relying_party=relying_party)
        return token

    def check(self, token: str, kind: str, now: float) -> Grant | None:
        """The grant behind ``token`` if it is of ``kind``, unrevoked and unexpired."""
        grant = self.grants.get(token)
        if grant is None or grant.kind != kind or grant.revoked or grant.expires <= now:
            return None
        return grant

    def new_uhs(self) -> str:
        self._counter += 1
        digest = hashlib.sha256(f"{self.seed}:uhs:{self._counter}".encode()).digest()
        return str(int.from_bytes(digest[:8], "big") % 10**19 + 10**18)

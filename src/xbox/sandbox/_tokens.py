"""Tokens the sandbox issues, and their real lifetimes (shortenable for tests).

Every token is an opaque random-looking string bound to an account and an expiry on the
sandbox clock. A token the sandbox did not issue, or one past its expiry, is refused.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field

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
    """

    msa_legacy: float = 86400
    msa_azure: float = 3600
    refresh: float = 90 * 86400
    user: float = 14 * 86400
    xsts: float = 16 * 3600
    device_code: float = 900
    device_interval: int = 5
    sas: float = 3600


@dataclass
class Grant:
    """What a token stands for."""

    kind: str  # "msa" | "refresh" | "user" | "xsts"
    xuid: str
    expires: float
    uhs: str = ""
    scope: str = ""
    client_id: str = ""
    revoked: bool = False


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
              client_id: str = "") -> str:
        prefixes = {"msa": "EwCAAupv", "refresh": "M.R3_BAY.", "user": "eyJlbmMiOiJBMTI4Q0JDK0hTMjU2",
                    "xsts": "eyJlbmMiOiJBMTI4Q0JDK0hTMjU2IiwiYWxnIjoiUlNBLU9BRVAi"}
        lengths = {"msa": 472, "refresh": 300, "user": 1262, "xsts": 1230}
        token = self._mint(prefixes[kind], lengths[kind])
        if kind == "refresh":
            token = token.replace("+", "!").replace("/", "*") + "$"
        self.grants[token] = Grant(kind, xuid, expires, uhs=uhs, scope=scope, client_id=client_id)
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

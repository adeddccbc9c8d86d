"""The tokens of a signed-in account, with expiry, in a form the token store can save.

``repr()`` of every object here hides the secrets: tokens never reach logs or tracebacks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .._core.times import parse_datetime

__all__ = ["REFRESH_MARGIN", "MsaToken", "Session", "XboxToken", "parse_wire_time"]

# Refresh a token this many seconds before it expires, so no call races the expiry.
REFRESH_MARGIN = 300.0


def parse_wire_time(value: str) -> float:
    """Seconds since the epoch for ``2014-09-20T18:41:06.7079424Z`` (0-7 fraction digits)."""
    return parse_datetime(value).timestamp()


def _check(value: Any, types: type | tuple[type, ...], name: str) -> None:
    # bool is an int subclass, but never a valid time or token here.
    if isinstance(value, bool) or not isinstance(value, types):
        raise TypeError(f"{name} has the wrong type")


_NUMBER = (int, float)
_OPT_STR = (str, type(None))
_MSA_TYPES: dict[str, Any] = {"access_token": str, "refresh_token": _OPT_STR,
                              "expires_at": _NUMBER, "scope": str, "client_id": str,
                              "user_id": str}
_XBOX_TYPES: dict[str, Any] = {"token": str, "uhs": str, "issued_at": _NUMBER,
                               "expires_at": _NUMBER, "claims": dict}


def _fields(data: Any, types: dict[str, Any]) -> dict[str, Any]:
    """``data`` checked against ``types`` (a hand-edited file must not crash later, in a
    comparison of a string with a number deep inside a refresh)."""
    if not isinstance(data, dict):
        raise TypeError("a token entry is not an object")
    unknown = set(data) - set(types)
    if unknown:
        raise KeyError(f"unknown token fields: {sorted(unknown)}")
    for name, value in data.items():
        _check(value, types[name], name)
    if "claims" in data and not all(isinstance(k, str) and isinstance(v, str)
                                    for k, v in data["claims"].items()):
        raise TypeError("claims are not strings")
    return data


@dataclass
class MsaToken:
    """A login.live.com access token (and the refresh token that renews it)."""

    access_token: str
    refresh_token: str | None
    expires_at: float
    scope: str
    client_id: str
    user_id: str = ""

    def expired(self, now: float, margin: float = REFRESH_MARGIN) -> bool:
        return now >= self.expires_at - margin

    def __repr__(self) -> str:
        return f"MsaToken(client_id={self.client_id!r}, scope={self.scope!r}, expires_at={self.expires_at})"


@dataclass
class XboxToken:
    """A user token or an XSTS token, with the claims Xbox Live displayed for it."""

    token: str
    uhs: str
    issued_at: float
    expires_at: float
    claims: dict[str, str] = field(default_factory=dict)

    def expired(self, now: float, margin: float = REFRESH_MARGIN) -> bool:
        return now >= self.expires_at - margin

    def __repr__(self) -> str:
        return f"XboxToken(uhs=<hidden>, expires_at={self.expires_at})"


@dataclass
class Session:
    """Everything one signed-in account needs: MSA, user and XSTS tokens.

    Attributes:
        login: the e-mail address used to sign in, if known (not a secret, never a password).
        client_secret: only for users' own Azure apps; saved with the tokens.
    """

    msa: MsaToken | None = None
    user: XboxToken | None = None
    xsts: XboxToken | None = None
    login: str | None = None
    client_secret: str | None = None

    @property
    def xuid(self) -> str | None:
        return self.xsts.claims.get("xid") if self.xsts else None

    @property
    def gamertag(self) -> str | None:
        return self.xsts.claims.get("gtg") if self.xsts else None

    @property
    def authorization(self) -> str:
        if self.xsts is None or self.user is None:
            raise ValueError("session has no XSTS token")
        return f"XBL3.0 x={self.user.uhs};{self.xsts.token}"

    def usable(self, now: float) -> bool:
        return self.xsts is not None and self.user is not None and not self.xsts.expired(now)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "login": self.login,
            "client_secret": self.client_secret,
            "msa": asdict(self.msa) if self.msa else None,
            "user": asdict(self.user) if self.user else None,
            "xsts": asdict(self.xsts) if self.xsts else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        """Rebuild a session saved by :meth:`to_dict`; raises ``ValueError``/``TypeError``/
        ``KeyError`` on a malformed document (the store turns that into a readable error)."""
        if not isinstance(data, dict) or data.get("version") != 1:
            raise ValueError("not an xbox token file (version 1)")
        for name in ("login", "client_secret"):
            _check(data.get(name), (str, type(None)), name)
        msa = data.get("msa")
        user = data.get("user")
        xsts = data.get("xsts")
        return cls(
            msa=MsaToken(**_fields(msa, _MSA_TYPES)) if msa else None,
            user=XboxToken(**_fields(user, _XBOX_TYPES)) if user else None,
            xsts=XboxToken(**_fields(xsts, _XBOX_TYPES)) if xsts else None,
            login=data.get("login"),
            client_secret=data.get("client_secret"),
        )

    def __repr__(self) -> str:
        return f"Session(gamertag={self.gamertag!r}, xuid={self.xuid!r})"

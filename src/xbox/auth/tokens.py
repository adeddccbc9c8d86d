"""The tokens of a signed-in account, with expiry, in a form the token store can save.

``repr()`` of every object here hides the secrets: tokens never reach logs or tracebacks.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from .._core.times import parse_datetime
from ..exceptions import InvalidArgument

if TYPE_CHECKING:
    from .signing import RequestSigner

__all__ = ["AZURE_SCOPE", "FLOWS", "LEGACY_SCOPE", "REFRESH_MARGIN", "Device", "MsaToken",
           "Session", "XboxToken", "default_scope", "is_azure_app", "parse_wire_time"]

#: How a session signs in to Xbox Live, after the Microsoft account (MSA) token:
#: ``"sisu"`` (the Xbox app's way: a signed device token, then sisu.xboxlive.com gives the
#: user, title and XSTS tokens at once), ``"title"`` (device token + title token + user
#: token, then XSTS, all signed) or ``"plain"`` (user token, then XSTS, unsigned: the 2014
#: library's way, and users' own Azure apps').
FLOWS = ("sisu", "title", "plain")

# Refresh a token this many seconds before it expires, so no call races the expiry.
REFRESH_MARGIN = 300.0

#: The two scope families of Microsoft account tokens Xbox Live takes (spec §1b): a Live
#: client id's (the ticket goes as ``t=TOKEN``) and an Azure app's (``d=TOKEN``).
LEGACY_SCOPE = "service::user.auth.xboxlive.com::MBI_SSL"
AZURE_SCOPE = "Xboxlive.signin Xboxlive.offline_access"
_LIVE_CLIENT_ID_RE = re.compile(r"^[0-9A-Fa-f]{16}$")


def default_scope(client_id: str, scope: str | None = None) -> str:
    """The scope to ask for: ``scope`` if given, else the family ``client_id`` belongs to.

    Microsoft's own "Live" client ids are 16 hex digits and use the ``MBI_SSL`` scope; a
    self-registered Azure app (a GUID) uses ``Xboxlive.signin Xboxlive.offline_access``.
    """
    if scope:
        return scope
    return LEGACY_SCOPE if _LIVE_CLIENT_ID_RE.match(client_id) else AZURE_SCOPE


def is_azure_app(client_id: str) -> bool:
    """Whether ``client_id`` is a user's own Azure app (a GUID), not a Microsoft Live id."""
    return not _LIVE_CLIENT_ID_RE.match(client_id)


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
_DEVICE_TYPES: dict[str, Any] = {"key_pem": str, "id": str, "serial": str,
                                 "token": (dict, type(None)), "device_type": str, "version": str}
T = TypeVar("T")


def _token(kind: type[T], data: Any, types: dict[str, Any]) -> T | None:
    return kind(**_fields(data, types)) if data else None


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
    """A login.live.com access token (and the refresh token that renews it).

    Attributes:
        access_token: the token itself.
        refresh_token: what renews it (None: only a new sign-in, or the host application's
            ``msa_token_provider``, can).
        expires_at: seconds since the epoch when it runs out.
        scope: its scope; the family says how Xbox Live takes it (``XboxLive.signin``:
            an Azure app's, sent as ``d=TOKEN``; ``service::user.auth.xboxlive.com::MBI_SSL``:
            a Live client's, sent as ``t=TOKEN``).
        client_id: the application (client) id it was issued to (empty: not known).
        user_id: the Microsoft account's id, when the token answer said it.
    """

    access_token: str
    refresh_token: str | None
    expires_at: float
    scope: str
    client_id: str
    user_id: str = ""

    @classmethod
    def from_host(cls, access_token: str, *, refresh_token: str | None = None,
                  client_id: str | None = None, scope: str | None = None,
                  expires_at: float | None = None, expires_in: float | None = None,
                  now: float | None = None) -> MsaToken:
        """A Microsoft account token a host application obtained itself (its own OAuth,
        Home Assistant's ``OAuth2Session.token``...), for
        :meth:`xbox.AsyncClient.login_msa_token` or an ``msa_token_provider`` to return.

        Args:
            access_token: the access token.
            refresh_token: its refresh token, if the client is to renew it itself (leave it
                out when the host renews tokens: with a provider, the client never does).
            client_id: the application id it was issued to: an Azure app's GUID (the plain
                Xbox Live flow) or a Live id such as the Xbox app's (its own flow, see
                :func:`xbox.auth.xboxlive.flow_for`). Needed to refresh it.
            scope: its scope (default: what ``client_id`` asks for, Azure's
                ``Xboxlive.signin Xboxlive.offline_access`` when no id is given). The
                family decides the ticket prefix: ``d=`` for ``XboxLive.signin``, ``t=``
                for ``MBI_SSL``.
            expires_at: when it runs out (seconds since the epoch), or ``expires_in``
                seconds from ``now``. Neither: it is used at once and renewed the next
                time one is needed.
            now: the current time (default: :func:`time.time`).

        Raises:
            InvalidArgument: an empty or non-string token, or a malformed time.
        """
        import time

        if not isinstance(access_token, str) or not access_token.strip():
            raise InvalidArgument("access_token must be a non-empty string")
        for name, value in (("refresh_token", refresh_token), ("client_id", client_id),
                            ("scope", scope)):
            if value is not None and not isinstance(value, str):
                raise InvalidArgument(f"{name} must be a string, not {type(value).__name__}")
        for name, when in (("expires_at", expires_at), ("expires_in", expires_in)):
            if when is not None and (isinstance(when, bool) or not isinstance(when, int | float)):
                raise InvalidArgument(f"{name} must be a number of seconds, not {when!r}")
        clock = time.time() if now is None else now
        if expires_at is None:
            expires_at = clock + expires_in if expires_in is not None else clock
        client = client_id or ""
        return cls(access_token=access_token, refresh_token=refresh_token or None,
                   expires_at=float(expires_at), client_id=client,
                   scope=scope or (default_scope(client) if client else AZURE_SCOPE))

    def expired(self, now: float, margin: float = REFRESH_MARGIN) -> bool:
        """Whether it runs out within ``margin`` seconds of ``now``."""
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

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value for this (XSTS) token: ``XBL3.0 x=uhs;token``."""
        return f"XBL3.0 x={self.uhs or self.claims.get('uhs', '')};{self.token}"

    def __repr__(self) -> str:
        return f"XboxToken(uhs=<hidden>, expires_at={self.expires_at})"


@dataclass
class Device:
    """This machine as Xbox Live knows it: a P-256 key that signs requests, a stable id and
    serial number, and the device token (14 days) issued for the key.

    The key is a secret like a token: ``repr()`` never shows it.
    """

    key_pem: str
    id: str
    serial: str
    token: XboxToken | None = None
    device_type: str = "Win32"
    version: str = "10.0.19041"

    @classmethod
    def new(cls) -> Device:
        """A new device: a new key, new ids (braced GUIDs, as Windows devices send them)."""
        from .signing import RequestSigner  # cryptography, when a key is needed: not at import

        return cls(RequestSigner().to_pem(), "{" + str(uuid.uuid4()).upper() + "}",
                   "{" + str(uuid.uuid4()).upper() + "}")

    @property
    def signer(self) -> RequestSigner:
        """The request signer of the device's key."""
        found = _SIGNERS.get(self.key_pem)
        if found is None:
            from .signing import RequestSigner  # (as in new())

            found = _SIGNERS[self.key_pem] = RequestSigner.from_pem(self.key_pem)
        return found

    def __repr__(self) -> str:
        return f"Device(id={self.id!r}, token={self.token!r})"


# Parsing a PEM key costs ~0.1 ms: once per key (devices are few; keys never change).
_SIGNERS: dict[str, RequestSigner] = {}


@dataclass
class Session:
    """Everything one signed-in account needs: MSA, user and XSTS tokens.

    Attributes:
        login: the e-mail address used to sign in, if known (not a secret, never a password).
        client_secret: only for users' own Azure apps; saved with the tokens.
        flow: how the session signs in after the MSA token (:data:`FLOWS`).
        device: the device key and token of the ``sisu`` and ``title`` flows.
        title: the title token of those flows.
        relying_parties: XSTS tokens for relying parties other than ``http://xboxlive.com``
            (whose token is ``xsts``), by relying party.
    """

    msa: MsaToken | None = None
    user: XboxToken | None = None
    xsts: XboxToken | None = None
    login: str | None = None
    client_secret: str | None = None
    flow: str = "plain"
    device: Device | None = None
    title: XboxToken | None = None
    relying_parties: dict[str, XboxToken] = field(default_factory=dict)

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
        """The session as the token file holds it (version 2: with flow, device and title)."""
        return {
            "version": 2,
            "login": self.login,
            "client_secret": self.client_secret,
            "flow": self.flow,
            "msa": asdict(self.msa) if self.msa else None,
            "user": asdict(self.user) if self.user else None,
            "xsts": asdict(self.xsts) if self.xsts else None,
            "device": asdict(self.device) if self.device else None,
            "title": asdict(self.title) if self.title else None,
            "relying_parties": {rp: asdict(token) for rp, token in self.relying_parties.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        """Rebuild a session saved by :meth:`to_dict` (version 1 files too); raises
        ``ValueError``/``TypeError``/``KeyError`` on a malformed document (the store turns
        that into a readable error)."""
        if not isinstance(data, dict) or data.get("version") not in (1, 2):
            raise ValueError("not an xbox token file (version 1 or 2)")
        unknown = set(data) - {"version", "login", "client_secret", "flow", "msa", "user", "xsts",
                               "device", "title", "relying_parties"}
        if unknown:
            raise KeyError(f"unknown fields: {sorted(unknown)}")
        for name in ("login", "client_secret"):
            _check(data.get(name), (str, type(None)), name)
        flow = data.get("flow", "plain")
        if flow not in FLOWS:
            raise ValueError(f"unknown sign-in flow {flow!r}")
        device = data.get("device")
        if device:
            device = dict(_fields(device, _DEVICE_TYPES))
            token = device.get("token")
            device["token"] = XboxToken(**_fields(token, _XBOX_TYPES)) if token else None
        others = data.get("relying_parties") or {}
        _check(others, (dict,), "relying_parties")
        return cls(
            msa=_token(MsaToken, data.get("msa"), _MSA_TYPES),
            user=_token(XboxToken, data.get("user"), _XBOX_TYPES),
            xsts=_token(XboxToken, data.get("xsts"), _XBOX_TYPES),
            title=_token(XboxToken, data.get("title"), _XBOX_TYPES),
            device=Device(**device) if device else None,
            login=data.get("login"),
            client_secret=data.get("client_secret"),
            flow=flow,
            relying_parties={str(rp): XboxToken(**_fields(token, _XBOX_TYPES))
                             for rp, token in others.items()},
        )

    def __repr__(self) -> str:
        return f"Session(gamertag={self.gamertag!r}, xuid={self.xuid!r})"

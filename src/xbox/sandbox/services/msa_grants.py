"""The Microsoft account grants both sign-in hosts redeem, without their wire formats.

login.live.com (:mod:`~xbox.sandbox.services.login`) and login.microsoftonline.com's v2.0
endpoints (:mod:`~xbox.sandbox.services.microsoftonline`) hand out the same kinds of MSA
tokens for the same authorization codes, device codes and refresh tokens; each answers a
refusal in its own shape. The rules live here once: a grant either returns the account and
scope it stands for, or raises :class:`Refused` saying why, which each host words its way.

State lives in ``sb.state`` under ``login.*`` keys (codes, device codes, user codes).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account

__all__ = ["LIVE", "MICROSOFTONLINE", "AuthCode", "DeviceCode", "Refused", "bucket",
           "device_entry", "digest", "is_azure", "issue_pair", "new_auth_code",
           "new_device_code", "poll_device_code", "redeem_code", "redeem_refresh"]

CODE_LIFETIME = 300.0  # authorization codes: single use, about 5 minutes
USER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I/O/0/1: people read them aloud
SLOW_DOWN_STEP = 5  # RFC 8628 §3.5: each slow_down adds 5 s to the interval
# Where a device code was asked for: it is redeemed there only.
LIVE = "login.live.com"
MICROSOFTONLINE = "login.microsoftonline.com"


class Refused(Exception):
    """Why a grant gives no tokens.

    Attributes:
        kind: ``missing`` or ``invalid`` (a parameter), ``used`` (a code redeemed before),
            ``expired``, ``declined``, ``pending`` or ``slow_down`` (device codes).
        name: the parameter in question (``code``, ``redirect_uri``, ``device_code``...).
    """

    def __init__(self, kind: str, name: str = "") -> None:
        super().__init__(kind, name)
        self.kind, self.name = kind, name


@dataclass
class AuthCode:
    """An authorization code: single use, bound to client, redirect URI, account and scope."""

    client_id: str
    redirect_uri: str
    xuid: str
    scope: str
    expires: float
    used: bool = False
    code_challenge: str = ""  # PKCE (RFC 7636), as the authorize request gave it
    code_challenge_method: str = ""


@dataclass
class DeviceCode:
    """A device code and where its approval stands."""

    user_code: str
    client_id: str
    scope: str
    expires: float
    interval: int
    status: str = "pending"  # pending | approved | declined | redeemed
    xuid: str = ""
    last_poll: float | None = None
    polls: int = 0
    issuer: str = LIVE  # the host it was asked of, and may be redeemed at


def bucket(sb: Sandbox, name: str) -> dict[str, Any]:
    """The ``sb.state`` dict for ``login.<name>`` (created on first use)."""
    return cast("dict[str, Any]", sb.state.setdefault(f"login.{name}", {}))


def digest(sb: Sandbox, purpose: str) -> bytes:
    """Deterministic per-seed bytes: a counter in ``sb.state`` makes every call differ."""
    count = int(sb.state.get("login.counter", 0)) + 1
    sb.state["login.counter"] = count
    return hashlib.sha512(f"{sb.seed}:login:{purpose}:{count}".encode()).digest()


def is_azure(scope: str) -> bool:
    """Azure-app scopes (``Xboxlive.signin ...``) get 1 h tokens; Live MBI_SSL ones 24 h."""
    return "xboxlive.signin" in scope.lower()


def issue_pair(sb: Sandbox, account: Account, scope: str,
               client_id: str) -> tuple[str, str, float]:
    """An MSA access token and a refresh token for ``account``; returns them and the life."""
    life = sb.lifetimes.msa_azure if is_azure(scope) else sb.lifetimes.msa_legacy
    now = sb.now()
    access = sb.tokens.issue("msa", account.xuid, now + life, scope=scope, client_id=client_id)
    refresh = sb.tokens.issue("refresh", account.xuid, now + sb.lifetimes.refresh,
                              scope=scope, client_id=client_id)
    return access, refresh, life


def _same_client(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def new_auth_code(sb: Sandbox, params: dict[str, str], account: Account) -> str:
    """Mint and remember a single-use authorization code for ``account``."""
    raw = digest(sb, "code")
    code = f"M.C5{raw[0] % 100:02d}_BAY.2.{uuid.UUID(bytes=raw[1:17], version=4)}"
    bucket(sb, "codes")[code] = AuthCode(
        client_id=params.get("client_id", ""), redirect_uri=params.get("redirect_uri", ""),
        xuid=account.xuid, scope=params.get("scope", ""), expires=sb.now() + CODE_LIFETIME,
        code_challenge=params.get("code_challenge", ""),
        code_challenge_method=params.get("code_challenge_method", "") or "plain")
    return code


def _pkce_ok(entry: AuthCode, verifier: str) -> bool:
    """RFC 7636 §4.6: the verifier hashes (S256) or equals (plain) the code's challenge."""
    if not verifier:
        return False
    if entry.code_challenge_method == "S256":
        hashed = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        verifier = base64.urlsafe_b64encode(hashed).decode().rstrip("=")
    return verifier == entry.code_challenge


def redeem_code(sb: Sandbox, params: dict[str, str]) -> tuple[Account, AuthCode]:
    """The account an authorization code stands for (the code is used up).

    Raises:
        Refused: ``missing``/``invalid`` code or redirect_uri, ``used``, ``invalid``
            code_verifier (which does not use the code up).
    """
    for name in ("code", "redirect_uri"):
        if not params.get(name):
            raise Refused("missing", name)
    entry = bucket(sb, "codes").get(params["code"])
    if not isinstance(entry, AuthCode) or entry.expires <= sb.now() \
            or not _same_client(entry.client_id, params.get("client_id", "")):
        raise Refused("invalid", "code")
    if entry.used:
        raise Refused("used", "code")
    if entry.redirect_uri != params["redirect_uri"]:
        raise Refused("invalid", "redirect_uri")
    if entry.code_challenge and not _pkce_ok(entry, params.get("code_verifier", "")):
        raise Refused("invalid", "code_verifier")
    entry.used = True  # single use, even if what follows fails
    account = sb.world.by_xuid.get(entry.xuid)
    if account is None:
        raise Refused("invalid", "code")
    return account, entry


def redeem_refresh(sb: Sandbox, params: dict[str, str], *,
                   scope_required: bool = True) -> Account:
    """The account a refresh token stands for (of the same client, unrevoked, unexpired).

    Raises:
        Refused: ``missing`` scope (login.live.com insists on it, spec §1b) or
            refresh_token, ``invalid`` refresh_token.
    """
    for name in ("scope", "refresh_token") if scope_required else ("refresh_token",):
        if not params.get(name):
            raise Refused("missing", name)
    grant = sb.tokens.check(params["refresh_token"], "refresh", sb.now())
    if grant is None or (grant.client_id and not _same_client(grant.client_id,
                                                                params.get("client_id", ""))):
        raise Refused("invalid", "refresh_token")
    account = sb.world.by_xuid.get(grant.xuid)
    if account is None:
        raise Refused("invalid", "refresh_token")
    return account


def _new_user_code(sb: Sandbox) -> str:
    codes = bucket(sb, "user_codes")
    while True:
        raw = digest(sb, "user_code")
        code = "".join(USER_CODE_ALPHABET[b % len(USER_CODE_ALPHABET)] for b in raw[:8])
        if code not in codes:
            return code


def new_device_code(sb: Sandbox, client_id: str, scope: str, *, issuer: str = LIVE,
                    prefix: str = "DAQABAAEAAAD") -> tuple[str, DeviceCode]:
    """A new device code (its value and its entry) for a person to approve."""
    user_code = _new_user_code(sb)
    device_code = prefix + base64.urlsafe_b64encode(
        digest(sb, "device_code")[:48]).decode().rstrip("=")
    entry = DeviceCode(user_code=user_code, client_id=client_id, scope=scope,
                       expires=sb.now() + sb.lifetimes.device_code,
                       interval=int(sb.lifetimes.device_interval), issuer=issuer)
    bucket(sb, "device_codes")[device_code] = entry
    bucket(sb, "user_codes")[user_code] = device_code
    return device_code, entry


def poll_device_code(sb: Sandbox, params: dict[str, str], *, issuer: str = LIVE,
                     slow_down: bool = True) -> tuple[Account, DeviceCode]:
    """One poll of a device code: the account once approved (the code is used up).

    Args:
        issuer: the host polled; a code asked of another host is not valid here.
        slow_down: answer polls faster than the interval with ``slow_down`` (and a longer
            interval) rather than as ``pending``.

    Raises:
        Refused: ``missing``/``invalid`` device_code, ``expired``, ``declined``,
            ``slow_down`` or ``pending``.
    """
    if not params.get("device_code"):
        raise Refused("missing", "device_code")
    entry = bucket(sb, "device_codes").get(params["device_code"])
    if not isinstance(entry, DeviceCode) or entry.status == "redeemed" \
            or entry.issuer != issuer or not _same_client(entry.client_id,
                                                           params.get("client_id", "")):
        raise Refused("invalid", "device_code")
    now = sb.now()
    if now >= entry.expires:
        raise Refused("expired", "device_code")
    if entry.status == "declined":
        raise Refused("declined", "device_code")
    previous, entry.last_poll = entry.last_poll, now
    too_fast = slow_down and previous is not None and now - previous < entry.interval
    if entry.status == "pending" and sb.auto_approve_device_codes and not too_fast \
            and entry.polls >= sb.device_code_pending_polls:
        # Test convenience: a person "approves" once the client has seen the code pending.
        account = sb.world.by_email.get(sb.device_code_account.lower())
        if account is not None:
            entry.status, entry.xuid = "approved", account.xuid
    entry.polls += 1
    if entry.status == "approved":
        entry.status = "redeemed"  # a device code gives tokens once
        account = sb.world.by_xuid.get(entry.xuid)
        if account is None:
            raise Refused("invalid", "device_code")
        return account, entry
    if too_fast:
        entry.interval += SLOW_DOWN_STEP  # RFC 8628: the client must add 5 s too
        raise Refused("slow_down", "device_code")
    raise Refused("pending", "device_code")


def device_entry(sb: Sandbox, user_code: str) -> DeviceCode | None:
    """The live (pending, unexpired) device code a person typed, forgiving case and dashes."""
    key = user_code.upper().replace("-", "").replace(" ", "")
    device_code = bucket(sb, "user_codes").get(key)
    entry = bucket(sb, "device_codes").get(device_code or "")
    if not isinstance(entry, DeviceCode) or entry.status != "pending" \
            or entry.expires <= sb.now():
        return None
    return entry

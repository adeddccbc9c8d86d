"""Xbox Live's tokens for a Microsoft account token: each request a step sends, the reader
of its answer, and the flows that yield them, up to ``XBL3.0 x=<uhs>;<xsts>``.

* the plain flow: a user token (user.auth.xboxlive.com) for the MSA token, then the XSTS
  token (xsts.auth.xboxlive.com) for the user token;
* the Xbox app's signed sign-in (SISU): a device token for the device's key
  (device.auth.xboxlive.com), then the user, title and XSTS tokens at once
  (sisu.xboxlive.com); or a title id's: device, title and user tokens, then XSTS, signed;
* keeping a session signed in: :func:`renew`, and tokens for other relying parties.

Which flow a client id takes is :func:`flow_for`'s choice. The MSA token itself comes from
:mod:`xbox.auth.msa` (which also refreshes it when a user token request refuses it). Pure:
nothing here touches a socket.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._core.call import Call, Flow
from ..exceptions import AuthenticationException, ReauthenticationRequired, XboxException, XstsError
from .answers import (
    Clock,
    json_body,
    json_of,
    outage,
    raise_unless_ok,
    signature_refused,
)
from .msa import LEGACY_CLIENT_ID, expired_without_renewal, is_azure_app, renewed
from .tokens import Device, MsaToken, Session, XboxToken, parse_wire_time

if TYPE_CHECKING:
    import httpx

__all__ = [
    "DEVICE_URL",
    "SISU_AUTHORIZE_URL",
    "SISU_CLIENT_IDS",
    "TITLE_CLIENT_IDS",
    "TITLE_URL",
    "USER_URL",
    "XBOXLIVE_RP",
    "XBOX_APP_TITLE_ID",
    "XERR_REASONS",
    "XSTS_URL",
    "authorization_header",
    "device_token",
    "device_token_body",
    "flow_for",
    "parse_claimed_token",
    "parse_sisu_authorize",
    "parse_user_token",
    "parse_xsts",
    "relying_party_token",
    "renew",
    "rps_ticket",
    "session_from_sisu",
    "signed_xsts_body",
    "sisu",
    "sisu_authorize_body",
    "title_sign_in",
    "title_token_body",
    "user_token",
    "user_token_body",
    "xbox_tokens",
    "xsts",
    "xsts_body",
    "xsts_error",
]

log = logging.getLogger("xbox")

#: The relying party of the XSTS token every Xbox Live service in ``xbox`` accepts.
XBOXLIVE_RP = "http://xboxlive.com"
USER_URL = "https://user.auth.xboxlive.com/user/authenticate"
XSTS_URL = "https://xsts.auth.xboxlive.com/xsts/authorize"
DEVICE_URL = "https://device.auth.xboxlive.com/device/authenticate"
TITLE_URL = "https://title.auth.xboxlive.com/title/authenticate"
SISU_AUTHORIZE_URL = "https://sisu.xboxlive.com/authorize"
#: The Xbox app's SISU registration (xal-rs ``app_params``; the sandbox's client table).
XBOX_APP_TITLE_ID = "328178078"
#: Live ids that sign in through SISU, and those that sign in with a title token (peers:
#: xbox-webapi's XAL and its five app identities, xal-rs, prismarine-auth, RaphiMC
#: MinecraftAuth). The Minecraft Java id is a SISU one: its title authentication answers
#: ``403 {}`` (prismarine-auth #54, #140, #182).
SISU_CLIENT_IDS = frozenset({"000000004c12ae6f", "000000004415494b", "000000004c20a908",
                             "00000000482c8f49", "0000000048183522", "00000000402b5328"})
TITLE_CLIENT_IDS = frozenset({"00000000441cc96b"})
_AUTH_RP = "http://auth.xboxlive.com"
_CONTRACT_1 = {"x-xbl-contract-version": "1"}


def flow_for(client_id: str) -> str:
    """How a client id signs in to Xbox Live after its MSA token (:data:`~xbox.auth.tokens.FLOWS`).

    The Xbox app and its kin: SISU; the Minecraft ids: a title token; the 2014 library's id
    and users' own Azure apps (GUIDs): the plain user token + XSTS. Another Live id (16 hex
    digits) is taken for a title id.
    """
    key = client_id.lower()
    if key in SISU_CLIENT_IDS:
        return "sisu"
    if key in TITLE_CLIENT_IDS or (not is_azure_app(key) and key != LEGACY_CLIENT_ID.lower()):
        return "title"
    return "plain"


# -- the plain flow: user token, then XSTS ---------------------------------------------------

def rps_ticket(token: MsaToken, *, bare: bool = False) -> str:
    """The ``RpsTicket``: ``d=`` for Azure-app tokens, ``t=`` for Live-client tokens.

    The 2014 library sent the token bare, which the service also accepts (``bare=True``).
    The scope's words may come in any order (``XboxLive.offline_access XboxLive.signin``).
    """
    if "xboxlive.signin" in token.scope.lower().split():
        return "d=" + token.access_token
    return token.access_token if bare else "t=" + token.access_token


def user_token_body(ticket: str) -> dict[str, Any]:
    """``POST user.auth/user/authenticate``: a user token for an MSA ticket."""
    return {
        "RelyingParty": "http://auth.xboxlive.com",
        "TokenType": "JWT",
        "Properties": {"AuthMethod": "RPS", "SiteName": "user.auth.xboxlive.com",
                       "RpsTicket": ticket},
    }


def xsts_body(user_token: str, relying_party: str = XBOXLIVE_RP) -> dict[str, Any]:
    """``POST xsts/authorize``: the XSTS token for a user token (the plain flow)."""
    return {
        "RelyingParty": relying_party,
        "TokenType": "JWT",
        "Properties": {"UserTokens": [user_token], "SandboxId": "RETAIL"},
    }


def _parse_xbox_token(body: Any, what: str) -> XboxToken:
    try:
        claims = body["DisplayClaims"]["xui"][0]
        return XboxToken(
            token=str(body["Token"]),
            uhs=str(claims["uhs"]),
            issued_at=parse_wire_time(body["IssueInstant"]),
            expires_at=parse_wire_time(body["NotAfter"]),
            claims={str(k): str(v) for k, v in claims.items()},
        )
    except (KeyError, IndexError, TypeError, ValueError):
        raise AuthenticationException(f"Xbox Live sent an unreadable {what}") from None


def parse_user_token(body: Any) -> XboxToken:
    """Read a user token answer."""
    return _parse_xbox_token(body, "user token")


def parse_xsts(body: Any) -> XboxToken:
    """Read an XSTS token answer."""
    return _parse_xbox_token(body, "XSTS token")


# XSTS XErr codes: what they mean and what to do (community consensus, spec §1d).
XERR_REASONS: dict[int, tuple[str, str | None]] = {
    2148916227: ("This account is banned or suspended from Xbox Live.",
                 "https://www.xbox.com/en-US/Forms/Enforcement"),
    2148916229: ("This is a child account and a parent has not allowed it to play online.",
                 "https://account.microsoft.com/family/"),
    2148916233: ("This Microsoft account has no Xbox profile yet. Create one by signing in at "
                 "xbox.com, then try again.", "https://start.ui.xboxlive.com/CreateAccount"),
    2148916234: ("This account has not accepted the Xbox terms of use. Sign in at xbox.com once "
                 "and accept them.", "https://www.xbox.com/"),
    2148916235: ("Xbox Live is not available in this account's country or region.", None),
    2148916236: ("This account needs adult (age) verification before it can use Xbox Live.",
                 "https://start.ui.xboxlive.com/AgeVerification"),
    2148916237: ("This account has reached its playtime limit or needs age verification.",
                 None),
    2148916238: ("This is an under-18 account that is not in a Microsoft family. An adult must "
                 "add it to a family group first.",
                 "https://start.ui.xboxlive.com/AddChildToFamily"),
}


def xsts_error(status: int, body: Any, correlation_id: str | None = None) -> XstsError:
    """A readable :class:`XstsError` for an XSTS refusal (401 with an XErr body, or 400)."""
    xerr: int | None = None
    redirect: str | None = None
    if isinstance(body, dict):
        raw = body.get("XErr")
        try:
            xerr = int(raw) if raw is not None else None
        except (TypeError, ValueError):
            xerr = None
        redirect = body.get("Redirect") or None
    reason, fix = XERR_REASONS.get(xerr or -1, (
        f"Xbox Live refused to authorize this account (XErr {xerr})." if xerr else
        f"Xbox Live refused to authorize this account (HTTP {status}).", None))
    url = redirect or fix
    message = reason + (f" See {url}" if url else "")
    return XstsError(message, xerr=xerr, reason=reason, redirect=url, status_code=status,
                     body=body, correlation_id=correlation_id)


def authorization_header(uhs: str, xsts_token: str) -> str:
    """``XBL3.0 x=<uhs>;<token>``: the header every Xbox Live call carries."""
    return f"XBL3.0 x={uhs};{xsts_token}"


# -- the Xbox app's signed sign-in: device token, SISU, title token ---------------------------

def device_token_body(device: Device) -> dict[str, Any]:
    """``POST device.auth/device/authenticate``: a device token for the device's key."""
    return {"Properties": {"AuthMethod": "ProofOfPossession", "Id": device.id,
                           "DeviceType": device.device_type, "SerialNumber": device.serial,
                           "Version": device.version, "ProofKey": device.signer.proof_key},
            "RelyingParty": _AUTH_RP, "TokenType": "JWT"}


def title_token_body(msa: MsaToken, device: Device) -> dict[str, Any]:
    """``POST title.auth/title/authenticate``: a title token for a title id's MSA ticket."""
    assert device.token is not None
    return {"Properties": {"AuthMethod": "RPS", "DeviceToken": device.token.token,
                           "RpsTicket": "t=" + msa.access_token,
                           "SiteName": "user.auth.xboxlive.com",
                           "ProofKey": device.signer.proof_key},
            "RelyingParty": _AUTH_RP, "TokenType": "JWT"}


def sisu_authorize_body(msa: MsaToken, device: Device, session_id: str | None = None,
                        relying_party: str = XBOXLIVE_RP) -> dict[str, Any]:
    """``POST sisu/authorize``: the user, title and XSTS tokens at once for an MSA token."""
    assert device.token is not None
    body: dict[str, Any] = {"AccessToken": "t=" + msa.access_token, "AppId": msa.client_id,
                            "DeviceToken": device.token.token, "Sandbox": "RETAIL",
                            "UseModernGamertag": True, "SiteName": "user.auth.xboxlive.com",
                            "RelyingParty": relying_party, "ProofKey": device.signer.proof_key}
    if session_id:
        body["SessionId"] = session_id
    return body


def signed_xsts_body(user_token: str, device: Device, title_token: str,
                     relying_party: str = XBOXLIVE_RP) -> dict[str, Any]:
    """``POST xsts/authorize`` with the device and title tokens (the title flow)."""
    assert device.token is not None
    return {"RelyingParty": relying_party, "TokenType": "JWT",
            "Properties": {"UserTokens": [user_token], "DeviceToken": device.token.token,
                           "TitleToken": title_token, "SandboxId": "RETAIL",
                           "ProofKey": device.signer.proof_key}}


def parse_claimed_token(body: Any, claim: str, what: str) -> XboxToken:
    """A device token (``xdi`` claims) or a title token (``xti``)."""
    try:
        claims = body["DisplayClaims"][claim]
        return XboxToken(token=str(body["Token"]), uhs="",
                         issued_at=parse_wire_time(body["IssueInstant"]),
                         expires_at=parse_wire_time(body["NotAfter"]),
                         claims={str(k): str(v) for k, v in claims.items()})
    except (KeyError, TypeError, ValueError, AttributeError):
        raise AuthenticationException(f"Xbox Live sent an unreadable {what}") from None


def parse_sisu_authorize(body: Any) -> tuple[XboxToken, XboxToken, XboxToken]:
    """The user, title and XSTS tokens of a SISU authorize answer."""
    if not isinstance(body, dict):
        raise AuthenticationException("sisu.xboxlive.com sent an unreadable answer")
    return (parse_user_token(body.get("UserToken")),
            parse_claimed_token(body.get("TitleToken"), "xti", "title token"),
            parse_xsts(body.get("AuthorizationToken")))


def session_from_sisu(authorize: Any, *, device_key: str, msa: MsaToken,
                      device_token: Any = None, device_id: str | None = None) -> Session:
    """The session of a SISU sign-in someone else ran (a host application): its authorize
    answer, the device key that signed it and the MSA token it was made with. The session
    renews as one of ours does (SISU again, signed with the same key).

    Args:
        device_token: the ``device.auth.xboxlive.com`` answer (its expiry and id); without
            it, the authorize answer's ``DeviceToken``, taken to expire with the title token
            issued for it (renewals ask for a new one when Xbox Live no longer takes it).

    Raises:
        InvalidArgument: an answer without the three tokens, or not a P-256 key in PEM.
    """
    from ..exceptions import InvalidArgument
    from .signing import RequestSigner

    if not isinstance(device_key, str) or not isinstance(authorize, Mapping):
        raise InvalidArgument("give the SISU authorize answer (a JSON object) and the device "
                              "key (PEM text)")
    RequestSigner.from_pem(device_key)  # checked now, not at the first renewal
    try:
        user, title, token = parse_sisu_authorize(dict(authorize))
        if device_token is not None:
            device = parse_claimed_token(device_token, "xdi", "device token")
        else:
            raw = authorize.get("DeviceToken")
            if not isinstance(raw, str) or not raw:
                raise AuthenticationException("the answer carries no DeviceToken")
            device = XboxToken(token=raw, uhs="", issued_at=title.issued_at,
                               expires_at=title.expires_at)
    except AuthenticationException as exc:
        raise InvalidArgument(f"not a SISU authorize answer: {exc}") from None
    fresh = Device.new()  # ids only: the key is the host's
    ident = device_id or device.claims.get("did") or fresh.id
    return Session(msa=msa, user=user, title=title, xsts=token, flow="sisu",
                   device=Device(device_key, ident, fresh.serial, token=device))


# -- the flows --------------------------------------------------------------------------------

def _ticket(msa: MsaToken) -> Call:
    # Tokens of the 2014 client id go bare, as the 2014 library sent them; others get the
    # t=/d= prefix their scope family needs (Azure tokens without d= are refused).
    bare = msa.client_id == LEGACY_CLIENT_ID
    return Call("POST", USER_URL, json=user_token_body(rps_ticket(msa, bare=bare)),
                headers=_CONTRACT_1)


def user_token(msa: MsaToken, client_secret: str | None,
               now: Clock) -> Flow[tuple[XboxToken, MsaToken]]:
    """A user token for ``msa``; returns it and the MSA token used (maybe refreshed)."""
    response = yield _ticket(msa)
    if response.status_code == 401:
        # The MSA token was refused; one renewal (when there is a way), then give up.
        fresh = yield from renewed(msa, client_secret, refused=True)
        if fresh is not None:
            msa = fresh
            response = yield _ticket(msa)
    down = outage(response.status_code, "user.auth.xboxlive.com", json_of(response))
    if down is not None:
        raise down
    if response.status_code != 200:
        raise AuthenticationException(
            f"Xbox Live refused the Microsoft account token (HTTP {response.status_code}); "
            "run `xbox login` again",
            status_code=response.status_code, service="user.auth.xboxlive.com",
            body=json_of(response), correlation_id=response.headers.get("x-xblcorrelationid"))
    log.debug("obtained an Xbox Live user token")
    return parse_user_token(json_body(response, "user.auth.xboxlive.com", "a user token")), msa


def xsts(user: XboxToken, relying_party: str = XBOXLIVE_RP) -> Flow[XboxToken]:
    """The XSTS token that authorizes every Xbox Live call (or ``relying_party``'s)."""
    response = yield Call("POST", XSTS_URL, json=xsts_body(user.token, relying_party),
                          headers=_CONTRACT_1)
    if response.status_code != 200:
        raise _xsts_refusal(response)
    log.debug("obtained an XSTS token")
    return parse_xsts(json_body(response, "xsts.auth.xboxlive.com", "an XSTS token"))


def _xsts_refusal(response: httpx.Response, *, signed: bool = False) -> XboxException:
    """An XSTS refusal (with the XErr's reason and fix), or the outage it was."""
    down = outage(response.status_code, "xsts.auth.xboxlive.com", json_of(response))
    if signed and response.status_code == 403 and not response.content:
        return signature_refused("xsts.auth.xboxlive.com", "the XSTS token request")
    return down or xsts_error(response.status_code, json_of(response),
                              response.headers.get("x-xblcorrelationid"))


def xbox_tokens(session: Session, now: Clock) -> Flow[Session]:
    """``session`` (with an MSA token) completed with the Xbox Live tokens its flow takes:
    SISU (device token, then user, title and XSTS tokens at once), a title token (device,
    title and user tokens, then XSTS, all signed), or the plain user token and XSTS."""
    if session.msa is None:
        raise ReauthenticationRequired()
    if session.flow == "sisu":
        return (yield from sisu(session, now))
    if session.flow == "title":
        return (yield from title_sign_in(session, now))
    user, msa = yield from user_token(session.msa, session.client_secret, now)
    token = yield from xsts(user)
    return dataclasses.replace(session, msa=msa, user=user, xsts=token)


def renew(session: Session, now: Clock) -> Flow[Session]:
    """A copy of ``session`` with a fresh XSTS token (and user and MSA tokens as needed).

    A renewal never edits the session it was given: a caller still holding the old one
    can tell that it was replaced, and a failed renewal leaves it untouched.
    """
    if session.flow in ("sisu", "title"):
        msa = session.msa
        if msa is None:
            raise ReauthenticationRequired()
        if msa.expired(now()):
            msa = yield from _renewed(msa, session.client_secret)
        return (yield from xbox_tokens(dataclasses.replace(session, msa=msa, xsts=None), now))
    fresh = dataclasses.replace(session, xsts=None)
    renewed_user = False
    if fresh.user is None or fresh.user.expired(now()):
        fresh = yield from _new_user_token(fresh, now)
        renewed_user = True
    assert fresh.user is not None
    try:
        token = yield from xsts(fresh.user)
    except XstsError as exc:
        if renewed_user or exc.xerr is not None or exc.status_code != 401:
            raise
        # A bare 401 means the user token itself was refused (revoked or expired early).
        fresh = yield from _new_user_token(fresh, now)
        assert fresh.user is not None
        token = yield from xsts(fresh.user)
    log.debug("renewed the Xbox Live tokens")
    return dataclasses.replace(fresh, xsts=token)


def _new_user_token(session: Session, now: Clock) -> Flow[Session]:
    msa = session.msa
    if msa is None:
        raise ReauthenticationRequired()
    if msa.expired(now()):
        msa = yield from _renewed(msa, session.client_secret)
    user, msa = yield from user_token(msa, session.client_secret, now)
    return dataclasses.replace(session, msa=msa, user=user)


def _renewed(msa: MsaToken, client_secret: str | None) -> Flow[MsaToken]:
    """A new MSA token for an expired one, or ReauthenticationRequired."""
    fresh = yield from renewed(msa, client_secret)
    if fresh is None:
        raise expired_without_renewal()
    return fresh


def device_token(device: Device, now: Clock) -> Flow[Device]:
    """``device`` with a valid device token (its own, or a new one for its key)."""
    if device.token is not None and not device.token.expired(now()):
        return device
    response = yield Call("POST", DEVICE_URL, json=device_token_body(device),
                          headers=_CONTRACT_1, signer=device.signer)
    raise_unless_ok(response, "device.auth.xboxlive.com", "the device token")
    log.debug("obtained a device token")
    return dataclasses.replace(device, token=parse_claimed_token(
        json_body(response, "device.auth.xboxlive.com", "a device token"), "xdi", "device token"))


def sisu(session: Session, now: Clock, session_id: str | None = None) -> Flow[Session]:
    """The Xbox app's sign-in: a device token, then sisu.xboxlive.com's user, title and XSTS
    tokens at once for the MSA token (the XSTS token carries the device and title claims)."""
    assert session.msa is not None
    device = session.device or Device.new()
    for fresh_device in (False, True):
        device = yield from device_token(dataclasses.replace(device, token=None)
                                         if fresh_device else device, now)
        response = yield Call("POST", SISU_AUTHORIZE_URL, signer=device.signer,
                              json=sisu_authorize_body(session.msa, device,
                                                       session_id))
        body = json_of(response)
        if response.status_code == 401 and isinstance(body, dict) and "XErr" in body:
            raise xsts_error(401, body, response.headers.get("x-xblcorrelationid"))
        if response.status_code != 401 or fresh_device:
            break
        # A device token Xbox Live no longer knows (revoked, or a store copied elsewhere):
        # once more with a new one for the same key.
        log.debug("sisu refused the device token; asking for a new one")
    raise_unless_ok(response, "sisu.xboxlive.com", "the sign-in")
    user, title, token = parse_sisu_authorize(
        json_body(response, "sisu.xboxlive.com", "a sign-in answer"))
    log.debug("signed in through SISU")
    return dataclasses.replace(session, user=user, title=title, xsts=token, device=device,
                               flow="sisu")


def title_sign_in(session: Session, now: Clock) -> Flow[Session]:
    """A title id's sign-in: user token, device token, title token, then XSTS with all
    three (signed), as title-registered clients do."""
    assert session.msa is not None
    msa, user = session.msa, session.user
    if user is None or user.expired(now()):
        user, msa = yield from user_token(msa, session.client_secret, now)
    device = yield from device_token(session.device or Device.new(), now)
    title = session.title
    if title is None or title.expired(now()):
        response = yield Call("POST", TITLE_URL, headers=_CONTRACT_1,
                              json=title_token_body(msa, device),
                              signer=device.signer)
        raise_unless_ok(response, "title.auth.xboxlive.com", "a title token")
        title = parse_claimed_token(
            json_body(response, "title.auth.xboxlive.com", "a title token"), "xti", "title token")
    response = yield Call("POST", XSTS_URL, headers=_CONTRACT_1, signer=device.signer,
                          json=signed_xsts_body(user.token, device, title.token))
    if response.status_code != 200:
        raise _xsts_refusal(response, signed=True)
    log.debug("signed in with a title token")
    return dataclasses.replace(session, msa=msa, user=user, title=title, device=device,
                               xsts=parse_xsts(json_of(response)), flow="title")


def relying_party_token(session: Session, relying_party: str, now: Clock) -> Flow[XboxToken]:
    """An XSTS token of ``session`` for another relying party (a game's service, say), asked
    for as its flow asks: signed with the device and title tokens, or plain."""
    assert session.user is not None
    if session.flow == "plain" or session.device is None or session.title is None:
        return (yield from xsts(session.user, relying_party))
    device = yield from device_token(session.device, now)
    response = yield Call("POST", XSTS_URL, headers=_CONTRACT_1, signer=device.signer,
                          json=signed_xsts_body(session.user.token, device,
                                                session.title.token,
                                                relying_party))
    if response.status_code != 200:
        raise _xsts_refusal(response, signed=True)
    return parse_xsts(json_body(response, "xsts.auth.xboxlive.com", "an XSTS token"))

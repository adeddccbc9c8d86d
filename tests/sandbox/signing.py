"""A request signer and sign-in steps for the sandbox's sign-in tests.

The signer is written here from the wire description alone, with ``cryptography`` directly:
it shares no code with the sandbox's verifier (``xbox.sandbox._signature``) nor with the
client's signer, so the sandbox accepting its requests proves the format, not a shared bug.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from xbox.sandbox import Sandbox

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "recorded"
EPOCH_1601 = 11_644_473_600
LEGACY_SCOPE = "service::user.auth.xboxlive.com::MBI_SSL"
XBOX_APP = "000000004C12AE6F"
XBOX_APP_REDIRECT = "ms-xal-000000004c12ae6f://auth"
XBOX_APP_TITLE = "328178078"
SWITCH_MINECRAFT = "00000000441cc96b"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

DEVICE_AUTH = "https://device.auth.xboxlive.com/device/authenticate"
TITLE_AUTH = "https://title.auth.xboxlive.com/title/authenticate"
USER_AUTH = "https://user.auth.xboxlive.com/user/authenticate"
XSTS = "https://xsts.auth.xboxlive.com/xsts/authorize"
SISU_AUTHENTICATE = "https://sisu.xboxlive.com/authenticate"
SISU_AUTHORIZE = "https://sisu.xboxlive.com/authorize"


def mapped(url: str) -> str:
    """``https://host/path?q`` -> ``/host/path?q``: where the sandbox serves it."""
    return "/" + url.split("://", 1)[1]


def _b64url(number: int) -> str:
    return base64.urlsafe_b64encode(number.to_bytes(32, "big")).decode().rstrip("=")


class Signer:
    """A device's P-256 key and what it signs."""

    def __init__(self, key: ec.EllipticCurvePrivateKey | None = None) -> None:
        self.key = key or ec.generate_private_key(ec.SECP256R1())

    @classmethod
    def test_key(cls) -> Signer:
        """The published test key (``signing_test_key.pem``)."""
        key = load_pem_private_key((RECORDED / "signing_test_key.pem").read_bytes(), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return cls(key)

    @property
    def jwk(self) -> dict[str, str]:
        numbers = self.key.public_key().public_numbers()
        return {"crv": "P-256", "alg": "ES256", "use": "sig", "kty": "EC",
                "x": _b64url(numbers.x), "y": _b64url(numbers.y)}

    def signature(self, method: str, path_and_query: str, body: bytes, when: float,
                  authorization: str = "") -> str:
        """The ``Signature`` header: version 1, FILETIME of ``when``, r and s."""
        filetime = int((when + EPOCH_1601) * 10_000_000)
        head = struct.pack(">I", 1) + struct.pack(">Q", filetime)
        message = (head[:4] + b"\0" + head[4:] + b"\0" + method.encode() + b"\0"
                   + path_and_query.encode() + b"\0" + authorization.encode() + b"\0"
                   + body[:8192] + b"\0")
        r, s = decode_dss_signature(self.key.sign(message, ec.ECDSA(hashes.SHA256())))
        return base64.b64encode(head + r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode()

    def post(self, http: httpx.Client, url: str, body: Any, when: float, *,
             sign_path: str | None = None, sign_body: bytes | None = None,
             signed: bool = True, headers: dict[str, str] | None = None) -> httpx.Response:
        """POST ``body`` (JSON) to the real ``url`` through the sandbox, signed at ``when``.

        ``sign_path``/``sign_body`` sign something other than what is sent (tampering).
        """
        content = json.dumps(body).encode()
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = {"Content-Type": "application/json", "x-xbl-contract-version": "1",
                **(headers or {})}
        if signed:
            sent["Signature"] = self.signature(
                "POST", sign_path or path, content if sign_body is None else sign_body, when,
                sent.get("Authorization", ""))
        return http.post(mapped(url), content=content, headers=sent)


def device_body(signer: Signer, device_type: str = "Win32") -> dict[str, Any]:
    """A device.auth request as prismarine-auth / xal-rs send it."""
    return {"Properties": {"AuthMethod": "ProofOfPossession",
                           "Id": "{" + str(uuid.uuid4()).upper() + "}",
                           "DeviceType": device_type,
                           "SerialNumber": "{" + str(uuid.uuid4()).upper() + "}",
                           "Version": "10.0.22631", "ProofKey": signer.jwk},
            "RelyingParty": "http://auth.xboxlive.com", "TokenType": "JWT"}


def device_token(http: httpx.Client, signer: Signer, when: float,
                 device_type: str = "Win32") -> dict[str, Any]:
    response = signer.post(http, DEVICE_AUTH, device_body(signer, device_type), when)
    assert response.status_code == 200, response.status_code
    body: dict[str, Any] = response.json()
    return body


def device_code_token(http: httpx.Client, client_id: str) -> str:
    """An MSA access token of ``client_id`` by device code (the sandbox approving at once)."""
    start = http.post("/login.live.com/oauth20_connect.srf", data={
        "client_id": client_id, "scope": LEGACY_SCOPE, "response_type": "device_code"})
    assert start.status_code == 200, start.text
    poll = http.post("/login.live.com/oauth20_token.srf", data={
        "client_id": client_id, "grant_type": DEVICE_GRANT,
        "device_code": start.json()["device_code"]})
    assert poll.status_code == 200, poll.text
    token: str = poll.json()["access_token"]
    return token


def pkce() -> tuple[str, str]:
    """A PKCE (verifier, S256 challenge) pair, as RFC 7636 builds it."""
    verifier = base64.urlsafe_b64encode(uuid.uuid4().bytes * 2).decode().rstrip("=")
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")


def sisu_authenticate_body(device: str, challenge: str, state: str, *,
                           app_id: str = XBOX_APP.lower(), title_id: str = XBOX_APP_TITLE,
                           redirect: str = XBOX_APP_REDIRECT) -> dict[str, Any]:
    """sisu/authenticate as xbox-webapi-python's ``xal.py`` sends it."""
    return {"AppId": app_id, "TitleId": title_id, "RedirectUri": redirect,
            "DeviceToken": device, "Sandbox": "RETAIL", "TokenType": "code",
            "Offers": [LEGACY_SCOPE],
            "Query": {"display": "android_phone", "code_challenge": challenge,
                      "code_challenge_method": "S256", "state": state}}


def sisu_authorize_body(access_token: str, device: str, signer: Signer,
                        session_id: str | None = None, app_id: str = XBOX_APP.lower(),
                        **extra: Any) -> dict[str, Any]:
    body = {"AccessToken": f"t={access_token}", "AppId": app_id, "DeviceToken": device,
            "Sandbox": "RETAIL", "SiteName": "user.auth.xboxlive.com", "ProofKey": signer.jwk,
            **extra}
    if session_id is not None:
        body["SessionId"] = session_id
    return body


@dataclass
class BrowserResult:
    """What the browser part of a SISU sign-in gave back."""

    authenticate: httpx.Response
    landing: str  # where login.live.com sent the browser (ms-xal-...://auth?code=&state=)
    code: str
    verifier: str


def sisu_browser(http: httpx.Client, signer: Signer, device: str, when: float,
                 email: str = "joe@example.org") -> BrowserResult:
    """sisu/authenticate, then the person signs in on the page it names (the form, as a
    browser fills it), landing on the app's ms-xal redirect with a code."""
    verifier, challenge = pkce()
    auth = signer.post(http, SISU_AUTHENTICATE,
                       sisu_authenticate_body(device, challenge, "the-state"), when)
    assert auth.status_code == 200, auth.status_code
    page = http.get(mapped(auth.json()["MsaOauthRedirect"]))
    assert page.status_code == 200 and "<form" in page.text
    action = re.search(r'action="([^"]+)"', page.text)
    assert action is not None
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    target = httpx.URL("https://login.live.com/oauth20_authorize.srf").join(
        action.group(1).replace("&amp;", "&"))
    posted = http.post(mapped(str(target)), data={**fields, "login": email,
                                                  "passwd": "hunter2"})
    assert posted.status_code == 302, posted.status_code
    landing = posted.headers["Location"]
    query = parse_qs(urlsplit(landing).query)
    assert query["state"] == ["the-state"]
    return BrowserResult(auth, landing, query["code"][0], verifier)


def redeem(http: httpx.Client, code: str, verifier: str | None,
           client_id: str = XBOX_APP.lower(), redirect: str = XBOX_APP_REDIRECT) -> httpx.Response:
    """The code for tokens at oauth20_token.srf, as xbox-webapi-python's ``xal.py`` does."""
    form = {"client_id": client_id, "code": code, "grant_type": "authorization_code",
            "redirect_uri": redirect, "scope": LEGACY_SCOPE}
    if verifier is not None:
        form["code_verifier"] = verifier
    return http.post("/login.live.com/oauth20_token.srf", data=form)


def client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, transport=sb.transport())


class Clock:
    """A fake clock the sandbox and the signer share."""

    def __init__(self, now: float = 1_793_534_400.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

"""``mediahub_requires_device_claims``: mediahub search for device + title sign-ins only."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.signing import (
    SISU_AUTHORIZE,
    XBOX_APP,
    XSTS,
    Clock,
    Signer,
    client,
    device_code_token,
    device_token,
    sisu_authorize_body,
)
from xbox.sandbox import JOE_XUID, Sandbox

SEARCH = {"max": 10, "query": f"OwnerXuid eq {JOE_XUID}", "skip": 0}


def _search(http: httpx.Client, authorization: str, what: str = "gameclips") -> httpx.Response:
    return http.post(f"/mediahub.xboxlive.com/{what}/search", json=SEARCH,
                     headers={"Authorization": authorization, "x-xbl-contract-version": "3"})


def _signed_authorization(sb: Sandbox, http: httpx.Client, clock: Clock) -> str:
    """An XSTS token of a SISU sign-in (device and title claims)."""
    signer = Signer()
    device = device_token(http, signer, clock.now)["Token"]
    answer = signer.post(http, SISU_AUTHORIZE, sisu_authorize_body(
        device_code_token(http, XBOX_APP), device, signer), clock.now)
    xsts = answer.json()["AuthorizationToken"]
    return f"XBL3.0 x={xsts['DisplayClaims']['xui'][0]['uhs']};{xsts['Token']}"


def _device_only_authorization(http: httpx.Client, clock: Clock) -> str:
    """An XSTS token with a device claim but no title claim."""
    signer = Signer()
    device = device_token(http, signer, clock.now)["Token"]
    user = http.post("/user.auth.xboxlive.com/user/authenticate", json={
        "RelyingParty": "http://auth.xboxlive.com", "TokenType": "JWT",
        "Properties": {"AuthMethod": "RPS", "SiteName": "user.auth.xboxlive.com",
                       "RpsTicket": "t=" + device_code_token(http, XBOX_APP)}}).json()
    xsts = signer.post(http, XSTS, {
        "RelyingParty": "http://xboxlive.com", "TokenType": "JWT",
        "Properties": {"UserTokens": [user["Token"]], "DeviceToken": device,
                       "SandboxId": "RETAIL"}}, clock.now).json()
    return f"XBL3.0 x={xsts['DisplayClaims']['xui'][0]['uhs']};{xsts['Token']}"


@pytest.mark.parametrize("what", ["gameclips", "screenshots"])
def test_with_the_option_on_only_device_and_title_tokens_search(what: str) -> None:
    clock = Clock()
    sb = Sandbox(seed=0, clock=clock, device_code_pending_polls=0,
                 mediahub_requires_device_claims=True)
    http = client(sb)
    plain = _search(http, sb.authorization_for(signed=False), what)
    assert plain.status_code == 403 and plain.content == b""
    device_only = _search(http, _device_only_authorization(http, clock), what)
    assert device_only.status_code == 403
    signed = _search(http, _signed_authorization(sb, http, clock), what)
    assert signed.status_code == 200 and signed.json()["values"]
    # Other services do not care.
    profile = http.get("/profile.xboxlive.com/users/me/profile/settings?settings=Gamertag",
                       headers={"Authorization": sb.authorization_for(signed=False),
                                "x-xbl-contract-version": "3"})
    assert profile.status_code == 200


def test_on_by_default_and_can_be_turned_off() -> None:
    sb = Sandbox(seed=0)
    assert sb.mediahub_requires_device_claims is True
    assert _search(client(sb), sb.authorization_for(signed=False)).status_code == 403
    sb = Sandbox(seed=0, mediahub_requires_device_claims=False)
    assert _search(client(sb), sb.authorization_for(signed=False)).status_code == 200


def test_with_the_option_on_a_missing_token_is_still_401() -> None:
    sb = Sandbox(seed=0, mediahub_requires_device_claims=True)
    assert _search(client(sb), "XBL3.0 x=1;forged").status_code == 401

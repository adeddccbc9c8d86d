"""The title-token path (device code -> user token -> device token -> title.auth -> XSTS with
device and title tokens, all signed), the plain path kept as it was, and the under-18 rule."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fidelity import assert_same_shape, recorded
from tests.sandbox.signing import (
    SWITCH_MINECRAFT,
    TITLE_AUTH,
    USER_AUTH,
    XBOX_APP,
    XSTS,
    Clock,
    Signer,
    client,
    device_code_token,
    device_token,
    mapped,
)
from xbox.sandbox import Sandbox

MINECRAFT_JAVA = "00000000402b5328"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sb(clock: Clock) -> Sandbox:
    return Sandbox(seed=0, clock=clock, device_code_pending_polls=0)


@pytest.fixture
def http(sb: Sandbox) -> httpx.Client:
    return client(sb)


def _title_body(ticket: str, device: str, signer: Signer | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"AuthMethod": "RPS", "DeviceToken": device, "RpsTicket": ticket,
                             "SiteName": "user.auth.xboxlive.com"}
    if signer is not None:
        props["ProofKey"] = signer.jwk
    return {"Properties": props, "RelyingParty": "http://auth.xboxlive.com", "TokenType": "JWT"}


def _user_body(ticket: str, signer: Signer | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"AuthMethod": "RPS", "SiteName": "user.auth.xboxlive.com",
                             "RpsTicket": ticket}
    if signer is not None:
        props["ProofKey"] = signer.jwk
    return {"RelyingParty": "http://auth.xboxlive.com", "TokenType": "JWT", "Properties": props}


def _xsts_body(user: str, device: str | None = None, title: str | None = None,
               signer: Signer | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"UserTokens": [user], "SandboxId": "RETAIL"}
    if device is not None:
        props["DeviceToken"] = device
    if title is not None:
        props["TitleToken"] = title
    if signer is not None:
        props["ProofKey"] = signer.jwk
    return {"RelyingParty": "http://xboxlive.com", "TokenType": "JWT", "Properties": props}


class Chain:
    """The tokens of one title sign-in, step by step."""

    def __init__(self, http: httpx.Client, clock: Clock, email: str = "joe@example.org",
                 client_id: str = SWITCH_MINECRAFT, sb: Sandbox | None = None) -> None:
        if sb is not None:
            sb.device_code_account = email
        self.http, self.clock, self.signer = http, clock, Signer()
        self.msa = device_code_token(http, client_id)
        self.device = device_token(http, self.signer, clock.now, "Nintendo")
        user = self.signer.post(http, USER_AUTH, _user_body("t=" + self.msa, self.signer),
                                clock.now)
        assert user.status_code == 200
        self.user = user.json()

    def title(self, ticket: str | None = None, signer: Signer | None = None) -> httpx.Response:
        body = _title_body(ticket or "t=" + self.msa, self.device["Token"], self.signer)
        return (signer or self.signer).post(self.http, TITLE_AUTH, body, self.clock.now)

    def xsts(self, title: str | None, device: str | None = "", **kw: Any) -> httpx.Response:
        device = self.device["Token"] if device == "" else device
        body = _xsts_body(self.user["Token"], device, title, self.signer)
        return (kw.pop("signer", None) or self.signer).post(self.http, XSTS, body,
                                                            self.clock.now, **kw)


def test_title_sign_in_then_an_api_call(sb: Sandbox, http: httpx.Client, clock: Clock) -> None:
    chain = Chain(http, clock)
    title = chain.title()
    assert title.status_code == 200
    assert_same_shape(title.json(), recorded("xal_authorization_resp.json")["TitleToken"])
    assert title.json()["DisplayClaims"] == {"xti": {"tid": "2047319603"}}
    xsts = chain.xsts(title.json()["Token"])
    assert xsts.status_code == 200
    assert_same_shape(xsts.json(), recorded("auth_xsts_token.json"))
    grant = sb.tokens.check(xsts.json()["Token"], "xsts", clock.now)
    assert grant is not None
    assert grant.device_id == chain.device["DisplayClaims"]["xdi"]["did"]
    assert grant.title_id == "2047319603"
    uhs = xsts.json()["DisplayClaims"]["xui"][0]["uhs"]
    me = http.get("/profile.xboxlive.com/users/me/profile/settings?settings=Gamertag",
                  headers={"Authorization": f"XBL3.0 x={uhs};{xsts.json()['Token']}",
                           "x-xbl-contract-version": "3"})
    assert me.status_code == 200


def test_a_device_only_xsts_token_records_the_device_alone(sb: Sandbox, http: httpx.Client,
                                                           clock: Clock) -> None:
    chain = Chain(http, clock)
    xsts = chain.xsts(None)
    assert xsts.status_code == 200
    grant = sb.tokens.check(xsts.json()["Token"], "xsts", clock.now)
    assert grant is not None and grant.device_id and grant.title_id == ""


def test_only_title_auth_client_ids_get_title_tokens(http: httpx.Client, clock: Clock) -> None:
    chain = Chain(http, clock, client_id=XBOX_APP)  # the Xbox app signs in through SISU
    refused = chain.title()
    assert refused.status_code == 403 and refused.json() == {}


def test_title_auth_with_the_minecraft_java_id_is_403_with_an_empty_object(
        http: httpx.Client, clock: Clock) -> None:
    # prismarine-auth #54, #140, #182: "Error: 403 Forbidden {}" from getTitleToken.
    refused = Chain(http, clock, client_id=MINECRAFT_JAVA).title()
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/json"
    assert refused.content == b"{}"


def test_title_auth_refusals(http: httpx.Client, clock: Clock) -> None:
    chain = Chain(http, clock)
    assert chain.title(signer=Signer()).status_code == 403  # not the device's key
    unknown_ticket = chain.title("t=EwCAAupvnotissued")
    assert unknown_ticket.status_code == 401 and unknown_ticket.json() == {}
    unsigned = chain.signer.post(http, TITLE_AUTH, _title_body("t=" + chain.msa,
                                                               chain.device["Token"]),
                                 clock.now, signed=False)
    assert unsigned.status_code == 403
    unknown_device = chain.signer.post(http, TITLE_AUTH, _title_body("t=" + chain.msa, "nope"),
                                       clock.now)
    assert unknown_device.status_code == 401
    body = _title_body("t=" + chain.msa, chain.device["Token"], Signer())  # other ProofKey
    assert chain.signer.post(http, TITLE_AUTH, body, clock.now).status_code == 403
    body = _title_body("t=" + chain.msa, chain.device["Token"])  # no ProofKey: fine (xal-rs)
    assert chain.signer.post(http, TITLE_AUTH, body, clock.now).status_code == 200


def test_xsts_with_device_tokens_must_be_signed_by_the_device(http: httpx.Client,
                                                              clock: Clock) -> None:
    chain = Chain(http, clock)
    title = chain.title().json()["Token"]
    assert chain.xsts(title, signed=False).status_code == 403
    assert chain.xsts(title, signer=Signer()).status_code == 403
    clock.now += 1
    stale = chain.signer.post(http, XSTS, _xsts_body(chain.user["Token"], chain.device["Token"],
                                                     title), clock.now - 400)
    assert stale.status_code == 403
    assert chain.xsts(title, device=None).status_code == 400  # a title token needs its device
    assert chain.xsts("not-a-title-token").status_code == 401
    other = Chain(http, clock)
    other_title = other.title().json()["Token"]
    assert chain.xsts(other_title).status_code == 403  # another device's title token
    assert chain.xsts(title).status_code == 200


def test_user_auth_with_a_proof_key_is_verified(http: httpx.Client, clock: Clock) -> None:
    signer = Signer()
    msa = device_code_token(http, SWITCH_MINECRAFT)
    body = _user_body("t=" + msa, signer)
    assert signer.post(http, USER_AUTH, body, clock.now).status_code == 200
    assert signer.post(http, USER_AUTH, body, clock.now, signed=False).status_code == 403
    assert Signer().post(http, USER_AUTH, body, clock.now).status_code == 403
    bad_key = _user_body("t=" + msa)
    bad_key["Properties"]["ProofKey"] = {"kty": "EC"}
    assert signer.post(http, USER_AUTH, bad_key, clock.now).status_code == 400


def test_the_plain_path_is_unchanged(sb: Sandbox, http: httpx.Client, clock: Clock) -> None:
    """Unsigned, a user token only: what the password sign-in and the 2014 library send.
    A stray Signature header with no key to check it against is ignored."""
    msa = device_code_token(http, XBOX_APP)
    user = http.post(mapped(USER_AUTH), json=_user_body(msa),
                     headers={"Signature": "AAAAAQ=="})
    assert user.status_code == 200 and user.headers["x-err"] == "00000005"
    xsts = http.post(mapped(XSTS), json=_xsts_body(user.json()["Token"]))
    assert xsts.status_code == 200
    grant = sb.tokens.check(xsts.json()["Token"], "xsts", clock.now)
    assert grant is not None and (grant.device_id, grant.title_id) == ("", "")


def test_under_18_refused_on_the_plain_path_admitted_with_a_title_token(
        sb: Sandbox, http: httpx.Client, clock: Clock) -> None:
    chain = Chain(http, clock, "child@example.org", sb=sb)
    plain = http.post(mapped(XSTS), json=_xsts_body(chain.user["Token"]))
    assert plain.status_code == 401
    assert plain.json() == {"Identity": "0", "XErr": 2148916238, "Message": "",
                            "Redirect": "https://start.ui.xboxlive.com/AddChildToFamily"}
    assert chain.xsts(None).status_code == 401  # a device alone is not a title sign-in
    admitted = chain.xsts(chain.title().json()["Token"])
    assert admitted.status_code == 200
    assert admitted.json()["DisplayClaims"]["xui"][0]["agg"] == "Child"


def test_a_title_token_admits_only_the_under_18_refusal(sb: Sandbox, http: httpx.Client,
                                                        clock: Clock) -> None:
    chain = Chain(http, clock, "noprofile@example.org", sb=sb)
    refused = chain.xsts(chain.title().json()["Token"])
    assert refused.status_code == 401 and refused.json()["XErr"] == 2148916233

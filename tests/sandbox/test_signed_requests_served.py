"""Signed requests over a real socket: the served sandbox accepts what an independent signer
signs, and refuses (403, empty body) what is unsigned, signed by another key, changed after
signing, or signed at a time too far from its clock."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.fidelity import assert_same_shape, recorded
from tests.sandbox.signing import DEVICE_AUTH, XSTS, Signer, device_body, mapped
from xbox.sandbox import Sandbox, ServedSandbox


@pytest.fixture(scope="module")
def served() -> Iterator[ServedSandbox]:
    with Sandbox(seed=0).serve() as s:
        yield s


@pytest.fixture
def http(served: ServedSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.base_url, timeout=10) as c:
        yield c


def test_a_signed_device_request_gets_the_recorded_device_token(http: httpx.Client) -> None:
    signer = Signer()
    response = signer.post(http, DEVICE_AUTH, device_body(signer), time.time())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert_same_shape(body, recorded("auth_device_token.json"))
    assert len(body["DisplayClaims"]["xdi"]["did"]) == 16 and body["DisplayClaims"]["xdi"]["dcs"] == "0"


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 403
    assert response.content == b"" and response.headers["content-length"] == "0"


def test_unsigned_is_refused(http: httpx.Client) -> None:
    signer = Signer()
    _refused(signer.post(http, DEVICE_AUTH, device_body(signer), time.time(), signed=False))


def test_signed_by_another_key_than_the_proof_key_is_refused(http: httpx.Client) -> None:
    signer, other = Signer(), Signer()
    _refused(other.post(http, DEVICE_AUTH, device_body(signer), time.time()))


def test_a_body_changed_after_signing_is_refused(http: httpx.Client) -> None:
    signer = Signer()
    body = device_body(signer)
    signed_for = json.dumps({**body, "TokenType": "JWT "}).encode()
    _refused(signer.post(http, DEVICE_AUTH, body, time.time(), sign_body=signed_for))


@pytest.mark.parametrize("signed_path", [
    "/device.auth.xboxlive.com/device/authenticate",  # the mapped path is not the real one
    "/device/authenticate?x=1",
    "/DEVICE/authenticate",
])
def test_a_signature_for_another_path_is_refused(http: httpx.Client, signed_path: str) -> None:
    signer = Signer()
    _refused(signer.post(http, DEVICE_AUTH, device_body(signer), time.time(),
                         sign_path=signed_path))


def test_the_query_is_part_of_the_signed_path(http: httpx.Client) -> None:
    signer = Signer()
    url = DEVICE_AUTH + "?mkt=en-US"
    ok = signer.post(http, url, device_body(signer), time.time())
    assert ok.status_code == 200
    _refused(signer.post(http, url, device_body(signer), time.time(),
                         sign_path="/device/authenticate"))


@pytest.mark.parametrize("offset", [-200, 200, -3600])
def test_outside_the_clock_skew_is_refused(http: httpx.Client, offset: float) -> None:
    signer = Signer()
    _refused(signer.post(http, DEVICE_AUTH, device_body(signer), time.time() + offset))


def test_inside_the_clock_skew_is_accepted(http: httpx.Client) -> None:
    signer = Signer()
    for offset in (-150, 150):
        assert signer.post(http, DEVICE_AUTH, device_body(signer),
                           time.time() + offset).status_code == 200


def test_the_authorization_header_is_signed_too(http: httpx.Client) -> None:
    """A signed request with an Authorization header: the header is in what is signed."""
    signer = Signer()
    device = signer.post(http, DEVICE_AUTH, device_body(signer), time.time()).json()["Token"]
    body = {"RelyingParty": "http://xboxlive.com", "TokenType": "JWT",
            "Properties": {"UserTokens": ["not-a-user-token"], "DeviceToken": device,
                           "SandboxId": "RETAIL"}}
    auth = {"Authorization": "XBL3.0 x=1;abc"}
    content = json.dumps(body).encode()
    header = signer.signature("POST", "/xsts/authorize", content, time.time(), "XBL3.0 x=1;abd")
    forged = http.post(mapped(XSTS), content=content, headers={**auth, "Signature": header})
    _refused(forged)
    # Signed with the header it carries, the request gets past the signature (to the user
    # token, which this sandbox never issued: 401).
    assert signer.post(http, XSTS, body, time.time(), headers=auth).status_code == 401


@pytest.mark.parametrize("change", [
    {"DeviceType": "Xbox"}, {"AuthMethod": "RPS"}, {"Id": "not-a-guid"}, {"Version": None},
    {"ProofKey": None},
])
def test_malformed_device_requests_are_400(http: httpx.Client, change: dict[str, object]) -> None:
    signer = Signer()
    body = device_body(signer)
    body["Properties"] = {k: v for k, v in {**body["Properties"], **change}.items()
                          if v is not None}
    response = signer.post(http, DEVICE_AUTH, body, time.time())
    assert response.status_code == 400 and response.content == b""

"""The sandbox's Signature verifier against the published vectors, and what it refuses."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from tests.fidelity import recorded
from tests.sandbox.signing import RECORDED, Signer
from xbox.sandbox._signature import (
    MAX_BODY_BYTES,
    POLICY_VERSION,
    ProofKey,
    signing_input,
    verify_signature,
)

VECTORS = recorded("signing_vectors.json")
REQUEST = VECTORS["request"]
WHEN = float(VECTORS["timestamp_unix"])
FILETIME = (VECTORS["timestamp_unix"] + 11_644_473_600) * 10_000_000


def _verify(header: str | None, key: ProofKey | None = None, *, now: float = WHEN,
            **changes: object) -> str | None:
    request = {"method": REQUEST["method"], "path_and_query": REQUEST["path_and_query"],
               "authorization": REQUEST["authorization"], "body": REQUEST["body"].encode(),
               **changes}
    return verify_signature(header, key or ProofKey.from_jwk(VECTORS["proof_key"]),  # type: ignore[arg-type]
                            now=now, skew=180, **request)  # type: ignore[arg-type]


def test_the_published_concatenation_and_digest_are_reproduced() -> None:
    data = signing_input(1, FILETIME, REQUEST["method"], REQUEST["path_and_query"],
                         REQUEST["authorization"], REQUEST["body"].encode())
    assert data.hex() == VECTORS["concatenated_hex"]
    assert hashlib.sha256(data).hexdigest() == VECTORS["sha256_hex"]


def test_the_published_signature_verifies_with_the_test_keys_jwk() -> None:
    assert Signer.test_key().jwk == VECTORS["proof_key"]  # the PEM and the JWK are one key
    assert _verify(VECTORS["deterministic_signature_b64"]) is None
    # A randomized signature by the same key is just as valid.
    fresh = Signer.test_key().signature(REQUEST["method"], REQUEST["path_and_query"],
                                        REQUEST["body"].encode(), WHEN, REQUEST["authorization"])
    assert fresh != VECTORS["deterministic_signature_b64"] and _verify(fresh) is None


def test_the_policy_is_the_recorded_one_for_the_sign_in_hosts() -> None:
    endpoints = recorded("auth_title_endpoints.json")
    policies = endpoints["SignaturePolicies"]
    for host in ("sisu.xboxlive.com", "*.xboxlive.com"):
        [entry] = [e for e in endpoints["EndPoints"]
                   if e["Host"] == host and e["Protocol"] == "https"]
        policy = policies[entry["SignaturePolicyIndex"]]
        assert policy == {"Version": POLICY_VERSION, "SupportedAlgorithms": ["ES256"],
                          "MaxBodyBytes": MAX_BODY_BYTES}


@pytest.mark.parametrize(("header", "reason"), [
    (None, "unsigned"),
    ("", "unsigned"),
    ("not base64!", "malformed"),
    (base64.b64encode(b"\0" * 75).decode(), "malformed"),
    (base64.b64encode(b"\0\0\0\x02" + b"\0" * 72).decode(), "unsupported policy"),
])
def test_unusable_headers_are_refused(header: str | None, reason: str) -> None:
    assert _verify(header) == reason


def test_a_wrong_version_in_an_otherwise_good_header_is_refused() -> None:
    raw = bytearray(base64.b64decode(VECTORS["deterministic_signature_b64"]))
    raw[3] = 2
    assert _verify(base64.b64encode(bytes(raw)).decode()) == "unsupported policy"


@pytest.mark.parametrize("offset", [-181, 181, -86400])
def test_a_timestamp_outside_the_skew_is_stale(offset: float) -> None:
    assert _verify(VECTORS["deterministic_signature_b64"], now=WHEN + offset) == "stale"


@pytest.mark.parametrize("offset", [-179, 179])
def test_a_timestamp_inside_the_skew_is_fine(offset: float) -> None:
    assert _verify(VECTORS["deterministic_signature_b64"], now=WHEN + offset) is None


@pytest.mark.parametrize("changes", [
    {"method": "GET"},
    {"path_and_query": "/path?query=2"},
    {"path_and_query": "/path"},
    {"authorization": "XBL3.0 x=userid;otherwebtoken"},
    {"authorization": ""},
    {"body": b"thebodygoesHere"},
])
def test_anything_changed_after_signing_breaks_the_signature(changes: dict[str, object]) -> None:
    assert _verify(VECTORS["deterministic_signature_b64"], **changes) == "bad signature"


def test_another_key_or_a_flipped_bit_is_a_bad_signature() -> None:
    other = ProofKey.from_jwk(Signer().jwk)
    assert _verify(VECTORS["deterministic_signature_b64"], other) == "bad signature"
    raw = bytearray(base64.b64decode(VECTORS["deterministic_signature_b64"]))
    raw[-1] ^= 1
    assert _verify(base64.b64encode(bytes(raw)).decode()) == "bad signature"


def test_only_the_policys_first_8192_body_bytes_are_signed() -> None:
    signer = Signer()
    key = ProofKey.from_jwk(signer.jwk)
    body = b"x" * 9000
    header = signer.signature("POST", "/xsts/authorize", body, WHEN)
    assert _verify(header, key, path_and_query="/xsts/authorize", authorization="",
                   body=body[:8192] + b"tail changed") is None
    assert _verify(header, key, path_and_query="/xsts/authorize", authorization="",
                   body=b"y" + body[1:]) == "bad signature"


def _jwk(**changes: object) -> dict[str, object]:
    jwk: dict[str, object] = {**VECTORS["proof_key"], **changes}
    return {k: v for k, v in jwk.items() if v is not None}


@pytest.mark.parametrize("jwk", [
    _jwk(crv="P-384"), _jwk(alg="ES384"), _jwk(use="enc"), _jwk(kty="RSA"),
    _jwk(alg=None), _jwk(use=None), _jwk(x=None),
    _jwk(x=VECTORS["proof_key"]["x"] + "="),  # base64url *without* padding
    _jwk(x=VECTORS["proof_key"]["x"].replace("_", "/")),  # not base64url
    _jwk(y=base64.urlsafe_b64encode(b"\1" * 31).decode().rstrip("=")),  # 31 bytes
    _jwk(y=VECTORS["proof_key"]["x"]),  # not a point on P-256
    "a string", None, [],
])
def test_malformed_proof_keys_are_refused(jwk: object) -> None:
    assert ProofKey.from_jwk(jwk) is None


def test_a_good_proof_key_names_its_coordinates() -> None:
    key = ProofKey.from_jwk(json.loads((RECORDED / "signing_vectors.json").read_text())["proof_key"])
    assert key == ProofKey(VECTORS["proof_key"]["x"], VECTORS["proof_key"]["y"])

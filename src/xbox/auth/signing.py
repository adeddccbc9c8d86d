"""Request signing (ProofOfPossession, ES256): what the Xbox app signs its sign-in requests
with, so that the tokens Xbox Live hands out are bound to a device key.

::

    signer = RequestSigner()                     # a new P-256 key
    signer.proof_key                             # the JWK that goes into request bodies
    header = signer.sign("POST", "/device/authenticate", body=b"...")  # the Signature header
    RequestSigner.from_pem(signer.to_pem())      # the same key again (kept in the token file)

The ``Signature`` header is base64 of 76 bytes: the policy version (1, uint32 big-endian),
the time as a Windows FILETIME (100 ns ticks since 1601, uint64 big-endian), and the ECDSA
P-256 signature's ``r`` and ``s`` (32 bytes each), over the SHA-256 of::

    version ‖ 0 ‖ filetime ‖ 0 ‖ METHOD ‖ 0 ‖ path?query ‖ 0 ‖ Authorization ‖ 0 ‖ body[:8192] ‖ 0
"""

from __future__ import annotations

import base64
import hashlib
import struct
import time
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature

from ..exceptions import InvalidArgument

__all__ = ["MAX_BODY_BYTES", "POLICY_VERSION", "RequestSigner", "filetime", "signing_input"]

POLICY_VERSION = 1
#: How much of the body the signature covers (the sign-in hosts' recorded policy).
MAX_BODY_BYTES = 8192
_FILETIME_EPOCH = 11_644_473_600  # seconds from 1601-01-01 to 1970-01-01
_TICKS = 10_000_000  # FILETIME ticks per second


def filetime(unix: float) -> int:
    """The Windows FILETIME (100 ns ticks since 1601) of a Unix time."""
    return (int(unix) + _FILETIME_EPOCH) * _TICKS + round((unix - int(unix)) * _TICKS)


def signing_input(method: str, path_and_query: str, *, authorization: str = "",
                  body: bytes = b"", timestamp: int, version: int = POLICY_VERSION) -> bytes:
    """The bytes a signature covers (each part followed by a zero byte).

    Args:
        timestamp: the FILETIME (see :func:`filetime`).
    """
    return b"".join((
        struct.pack(">I", version), b"\0",
        struct.pack(">Q", timestamp), b"\0",
        method.upper().encode("ascii"), b"\0",
        path_and_query.encode("utf-8"), b"\0",
        authorization.encode("utf-8"), b"\0",
        bytes(body[:MAX_BODY_BYTES]), b"\0",
    ))


def _b64url(number: int) -> str:
    return base64.urlsafe_b64encode(number.to_bytes(32, "big")).decode("ascii").rstrip("=")


class RequestSigner:
    """A device's P-256 key, and the ``Signature`` headers it makes.

    Args:
        key: the private key (default: a new one).
        deterministic: RFC 6979 signatures (the same input always gives the same header:
            tests); the default is a random nonce, as every other signer uses.
    """

    def __init__(self, key: ec.EllipticCurvePrivateKey | None = None, *,
                 deterministic: bool = False) -> None:
        if key is not None and not isinstance(key.curve, ec.SECP256R1):
            raise InvalidArgument("a request signer's key is a P-256 (SECP256R1) key")
        self._key = key or ec.generate_private_key(ec.SECP256R1())
        # Signed as a prehashed digest: the same bytes whatever the body's size.
        self._algorithm = ec.ECDSA(Prehashed(hashes.SHA256()), deterministic_signing=deterministic)

    @classmethod
    def from_pem(cls, text: str | bytes, *, deterministic: bool = False) -> RequestSigner:
        """The signer of a PEM private key (as :meth:`to_pem` writes it).

        Raises:
            InvalidArgument: not a P-256 private key in PEM.
        """
        data = text.encode("ascii") if isinstance(text, str) else text
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            raise InvalidArgument("not a PEM private key") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise InvalidArgument("a request signer's key is a P-256 (SECP256R1) key")
        return cls(key, deterministic=deterministic)

    def to_pem(self) -> str:
        """The private key as PEM (PKCS #8, unencrypted: keep it as secret as a token)."""
        return self._key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()).decode("ascii")

    @property
    def proof_key(self) -> dict[str, str]:
        """The public key as the JWK Xbox Live wants in request bodies (``ProofKey``)."""
        numbers = self._key.public_key().public_numbers()
        return {"crv": "P-256", "alg": "ES256", "use": "sig", "kty": "EC",
                "x": _b64url(numbers.x), "y": _b64url(numbers.y)}

    def sign(self, method: str, path_and_query: str, body: bytes = b"", authorization: str = "",
             timestamp: float | None = None) -> str:
        """The ``Signature`` header for a request.

        Args:
            method: ``"POST"``...
            path_and_query: the path and query on the real host (``/device/authenticate``).
            body: the request body as sent (only the first 8192 bytes count).
            authorization: the request's ``Authorization`` header, if it has one.
            timestamp: Unix time of the signature (default: now); it must be close to the
                service's clock.
        """
        ticks = filetime(time.time() if timestamp is None else timestamp)
        digest = hashlib.sha256(signing_input(method, path_and_query, authorization=authorization,
                                              body=body, timestamp=ticks)).digest()
        r, s = decode_dss_signature(self._key.sign(digest, self._algorithm))
        raw = struct.pack(">I", POLICY_VERSION) + struct.pack(">Q", ticks) + \
            r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return base64.b64encode(raw).decode("ascii")

    def __repr__(self) -> str:
        # The private key never shows; the public one is harmless and tells keys apart.
        return f"RequestSigner(x={self.proof_key['x'][:8]}…)"

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, RequestSigner) and self.proof_key == other.proof_key

    __hash__ = None  # type: ignore[assignment]

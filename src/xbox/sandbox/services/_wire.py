"""What several services share on the wire: contract-version checks and bare error answers.

Xbox Live routes a request by its ``x-xbl-contract-version`` header: which versions each
service answers, and how it refuses the others, is the table :mod:`xbox.sandbox.contracts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from .._http import Call, empty
from ..contracts import CONTRACTS, REFUSAL_STATUS

if TYPE_CHECKING:
    from ..app import Sandbox

__all__ = ["bad_request", "contract", "forbidden", "not_found", "unsupported_version",
           "valid_xuid"]


def valid_xuid(value: str) -> bool:
    """A xuid is a decimal unsigned 64-bit number other than 0."""
    return value.isdigit() and 0 < int(value) < 2**64


def contract(sb: Sandbox, call: Call, service: str,
             headers: dict[str, str] | None = None) -> str | httpx.Response:
    """The shape a request's contract version selects on ``service`` (a row of
    :data:`xbox.sandbox.contracts.CONTRACTS`), or the refusal of an unserved version."""
    shape = CONTRACTS[service].shape(call.header("x-xbl-contract-version"))
    if shape is None:
        return unsupported_version(sb, headers)
    return shape


def unsupported_version(sb: Sandbox, headers: dict[str, str] | None = None) -> httpx.Response:
    """What a service answers a version it does not serve: an empty 406."""
    return empty(REFUSAL_STATUS, headers=headers if headers is not None else sb.xbl_headers())


def bad_request(sb: Sandbox, headers: dict[str, str] | None = None) -> httpx.Response:
    """An empty 400: what the sandbox answers when no recording shows a service's body."""
    return empty(400, headers=headers if headers is not None else sb.xbl_headers())


def not_found(sb: Sandbox, headers: dict[str, str] | None = None) -> httpx.Response:
    return empty(404, headers=headers if headers is not None else sb.xbl_headers())


def forbidden(sb: Sandbox, headers: dict[str, str] | None = None) -> httpx.Response:
    return empty(403, headers=headers if headers is not None else sb.xbl_headers())

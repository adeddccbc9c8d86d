"""What several services share on the wire: contract-version checks and bare error answers.

Xbox Live routes a request by its ``x-xbl-contract-version`` header. Microsoft's REST
reference lists **406 Not Acceptable, "resource version is not supported"** among the
status codes every service may return, and no recording shows its body, so the sandbox
answers an unserved version with an empty 406 (an assumption, listed in docs/sandbox.rst).
A request with no header at all is served at the service's default version: the header is
documented as required, but the 2014 client sent none to gameclips and still got a 200.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import httpx

from .._http import Call, empty

if TYPE_CHECKING:
    from ..app import Sandbox

__all__ = ["bad_request", "contract", "forbidden", "not_found", "unsupported_version",
           "valid_xuid"]


def valid_xuid(value: str) -> bool:
    """A xuid is a decimal unsigned 64-bit number other than 0."""
    return value.isdigit() and 0 < int(value) < 2**64


def contract(sb: Sandbox, call: Call, served: Mapping[str, str], default: str,
             headers: dict[str, str] | None = None) -> str | httpx.Response:
    """The shape a request's contract version selects, or the empty 406 that refuses it.

    ``served`` maps each version the service answers to the name of the shape it gets
    (``{"3": "v3", "7": "v7"}``); ``default`` is the shape for a request with no header.
    """
    raw = (call.header("x-xbl-contract-version") or "").strip()
    if not raw:
        return default
    shape = served.get(raw)
    if shape is None:
        return unsupported_version(sb, headers)
    return shape


def unsupported_version(sb: Sandbox, headers: dict[str, str] | None = None) -> httpx.Response:
    return empty(406, headers=headers if headers is not None else sb.xbl_headers())


def bad_request(sb: Sandbox, headers: dict[str, str] | None = None) -> httpx.Response:
    """An empty 400: what the sandbox answers when no recording shows a service's body."""
    return empty(400, headers=headers if headers is not None else sb.xbl_headers())


def not_found(sb: Sandbox, headers: dict[str, str] | None = None) -> httpx.Response:
    return empty(404, headers=headers if headers is not None else sb.xbl_headers())


def forbidden(sb: Sandbox, headers: dict[str, str] | None = None) -> httpx.Response:
    return empty(403, headers=headers if headers is not None else sb.xbl_headers())

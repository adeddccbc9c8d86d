"""title.mgt.xboxlive.com: the endpoint table XAL clients read before anything else.

``GET /titles/default/endpoints?type=1`` with ``x-xbl-contract-version: 1`` (xbox-webapi's
and python-xbox's ``XALManager.get_title_endpoints``) answers which relying party and
signature policy each host wants: the recorded answer (``auth_title_endpoints.json`` of
xbox-webapi-python's tests, kept as ``data/title_endpoints.json``), which is also the table
the sandbox's own services check tokens against (:mod:`xbox.sandbox.relying_parties`).

Assumptions (one recording, of ``type=1``): every ``type`` gets the same list; no token is
needed (XAL reads it before it has one). Its contract version is a row of
:mod:`xbox.sandbox.contracts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from .._http import Call, json_response, route
from ..relying_parties import title_endpoints
from ._wire import contract

if TYPE_CHECKING:
    from ..app import Sandbox

__all__: list[str] = []


@route("GET", r"title\.mgt\.xboxlive\.com", r"/titles/default/endpoints", auth=False)
def endpoints(sb: Sandbox, call: Call) -> httpx.Response:
    """The recorded endpoint list: host -> relying party, token type, signature policy."""
    headers = sb.xbl_headers()
    shape = contract(sb, call, "title-mgt", headers)
    if isinstance(shape, httpx.Response):
        return shape
    return json_response(200, title_endpoints(), headers=headers)

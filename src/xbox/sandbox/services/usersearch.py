"""usersearch.xboxlive.com: gamertag suggestions (contract 1).

Spec §4 "User search" and ``usersearch_live_search.json``: ``GET /suggest?q=tux`` gives up to
8 results. The sandbox matches case-insensitively: exact matches first, then gamertags that
start with the text, then those that merely contain it, each group alphabetical. ``score``
is always 0.0, as recorded. Accounts without an Xbox profile (XSTS-refused) never appear.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from .._http import Call, empty, json_response, route

if TYPE_CHECKING:
    from ..app import Sandbox

HOST = r"usersearch\.xboxlive\.com"
MAX_RESULTS = 8


@route("GET", HOST, r"/suggest", service="usersearch")
def suggest(sb: Sandbox, call: Call) -> httpx.Response:
    text = (call.params.get("q") or "").strip().lower()
    if not text:
        return empty(400, headers=sb.xbl_headers())
    ranked = []
    for account in sb.world.accounts:
        if account.xerr is not None:
            continue
        gt = account.gamertag.lower()
        if text not in gt:
            continue
        rank = 0 if gt == text else 1 if gt.startswith(text) else 2
        ranked.append((rank, gt, account))
    ranked.sort(key=lambda r: (r[0], r[1]))
    results = [{
        "text": a.gamertag,
        "result": {"id": a.xuid, "gamertag": a.gamertag,
                   "displayPicUri": a.profile_settings()["AppDisplayPicRaw"], "score": 0.0},
    } for _rank, _gt, a in ranked[:MAX_RESULTS]]
    return json_response(200, {"results": results}, headers=sb.xbl_headers())

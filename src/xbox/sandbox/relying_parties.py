"""Which XSTS relying party each Xbox Live host takes, from Xbox Live's own endpoint table.

An XSTS token is issued for one relying party (the ``RelyingParty`` of the
``xsts/authorize`` request) and a service accepts only tokens for its own. Xbox Live
publishes which relying party each host wants: ``GET
title.mgt.xboxlive.com/titles/default/endpoints`` (recorded in ``data/title_endpoints.json``,
which :mod:`xbox.sandbox.services.title_mgt` also serves) lists, per host (an exact name,
optionally with a path, or a ``*.`` wildcard), the relying party XAL clients ask a token for.
Every authenticated sandbox route is checked against this table in one place
(:meth:`xbox.sandbox.Sandbox.authorize`); a token for another relying party gets the 401 an
invalid token gets.

What the table gives for the hosts the sandbox serves:

====================================================  ===================================
host                                                  relying party
====================================================  ===================================
``*.xboxlive.com`` (profile, gameclipsmetadata,       ``http://xboxlive.com``
screenshotsmetadata, mediahub, achievements,
userpresence, social, peoplehub, titlehub,
usersearch, userstats, xccs, xblmessaging, eplists,
cqs, accounts)
``user.mgt.xboxlive.com``, ``gamertag.xboxlive.com``  ``http://accounts.xboxlive.com``, and
                                                      ``http://xboxlive.com`` (below)
====================================================  ===================================

One addition to the table: the gamertag reservation hosts also take ``http://xboxlive.com``
tokens. xbox-webapi-python's ``scripts/change_gamertag.py`` (and python-xbox's copy) reserve
a gamertag at ``user.mgt.xboxlive.com`` with the one ``http://xboxlive.com`` token they sign
in with, a script its authors ran against Xbox Live; the table only says which token XAL
clients fetch there.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from importlib import resources
from typing import Any

__all__ = ["XBOXLIVE", "relying_parties", "title_endpoints"]

XBOXLIVE = "http://xboxlive.com"
ACCOUNTS = "http://accounts.xboxlive.com"

# Hosts that take more relying parties than the table names (see the module docstring).
_ALSO_ACCEPTED: dict[str, frozenset[str]] = {
    "user.mgt.xboxlive.com": frozenset({XBOXLIVE}),
    "gamertag.xboxlive.com": frozenset({XBOXLIVE}),
}


@cache
def title_endpoints() -> dict[str, Any]:
    """The recorded ``titles/default/endpoints`` answer (parsed once)."""
    text = resources.files("xbox.sandbox").joinpath("data/title_endpoints.json").read_text("utf-8")
    body: dict[str, Any] = json.loads(text)
    return body


def _entry_for(host: str, path: str) -> dict[str, Any] | None:
    """The https endpoint entry for ``host`` + ``path``: an exact host (its longest matching
    ``Path`` first), else the wildcard with the longest suffix."""
    best: tuple[int, dict[str, Any]] | None = None
    for entry in title_endpoints()["EndPoints"]:
        if entry.get("Protocol") != "https":
            continue
        name = str(entry.get("Host", "")).lower()
        if entry.get("HostType") == "fqdn":
            if name != host:
                continue
            prefix = str(entry.get("Path", ""))
            if prefix and not path.startswith(prefix):
                continue
            rank = 10_000 + len(prefix)  # an exact host beats any wildcard
        elif entry.get("HostType") == "wildcard" and name.startswith("*."):
            if not host.endswith(name[1:]):
                continue
            rank = len(name)
        else:
            continue
        if best is None or rank > best[0]:
            best = (rank, entry)
    return best[1] if best else None


@lru_cache(maxsize=4096)  # paths vary (xuids); keep a long-running serve bounded
def relying_parties(host: str, path: str = "/") -> frozenset[str]:
    """The relying parties whose XSTS tokens ``host`` (and ``path``) accepts; empty when the
    table names none (the host takes no token)."""
    host = host.lower()
    entry = _entry_for(host, path)
    named = {str(entry["RelyingParty"])} if entry and entry.get("RelyingParty") else set()
    return frozenset(named) | _ALSO_ACCEPTED.get(host, frozenset())

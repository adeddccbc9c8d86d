"""usersearch.xboxlive.com (contract 1): gamertag suggestions."""

from __future__ import annotations

from typing import Any

from .._core.call import api_call
from ..exceptions import InvalidArgument
from ..models.base import parse_records
from ..models.search import SearchResult
from . import Errors, Request, items_of

__all__ = ["HOST", "MAX_QUERY", "gamertags"]

HOST = "usersearch.xboxlive.com"
MAX_QUERY = 100  # well past any gamertag; longer text cannot match anything


def gamertags(text: str, errors: Errors | None) -> Request[list[SearchResult]]:
    """Users whose gamertag matches ``text``."""
    query = text.strip() if isinstance(text, str) else ""
    if not query or len(query) > MAX_QUERY:
        raise InvalidArgument(f"search text is 1 to {MAX_QUERY} characters, not {text!r}"[:120])

    def read(body: Any) -> list[SearchResult]:
        return parse_records(SearchResult, items_of(body, "results", HOST), errors)

    return Request(api_call("GET", HOST, "/suggest", params={"q": query}, contract_version=1),
                   read)

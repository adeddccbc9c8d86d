"""titlehub.xboxlive.com (contract 2; gzip bodies): title history and title info."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._core.call import api_call
from .._core.ids import check_title_id
from ..exceptions import GamertagNotFound, InvalidArgument, NotFoundException
from ..models.base import parse_records
from ..models.titles import Title
from . import Errors, ForUser, Request, decoration_path, items_of

__all__ = ["DEFAULT_DECORATIONS", "HOST", "history", "title"]

HOST = "titlehub.xboxlive.com"
DEFAULT_DECORATIONS = ("achievement", "image", "scid")
CONTRACT = 2


def history(limit: int | None, decorations: Sequence[str],
            errors: Errors | None) -> ForUser[list[Title]]:
    """The titles a user played, most recent first; ``limit`` is ``maxItems``."""
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise InvalidArgument(f"limit must be zero or more, not {limit!r}")
    suffix = f"/titles/titlehistory{decoration_path(decorations)}"

    def read(body: Any) -> list[Title]:
        titles = parse_records(Title, items_of(body, "titles", HOST), errors)
        return titles[:limit] if limit else titles

    def request(who: str) -> Request[list[Title]]:
        call = api_call("GET", HOST, f"/users/xuid({who}){suffix}",
                        params={"maxItems": limit} if limit else None, contract_version=CONTRACT)
        return Request(call, read, GamertagNotFound, f"No such user: {who}")

    return request


def title(title_id: int | str, decorations: Sequence[str]) -> ForUser[Title]:
    """One title as a user sees it (with their progress)."""
    tid = check_title_id(title_id)
    suffix = f"/titles/titleid({tid}){decoration_path(decorations)}"

    def read(body: Any) -> Title:
        titles = parse_records(Title, items_of(body, "titles", HOST))
        if not titles:
            raise NotFoundException(f"No such title: {tid}", service=HOST)
        return titles[0]

    def request(who: str) -> Request[Title]:
        return Request(api_call("GET", HOST, f"/users/xuid({who}){suffix}",
                                contract_version=CONTRACT),
                       read, not_found_message=f"No such user: {who}")

    return request

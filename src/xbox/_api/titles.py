"""titlehub.xboxlive.com (contract 2; gzip bodies): title history, one title (by title id
or package family name) and batches of titles by package family name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .._core.call import Call, api_call
from ..exceptions import GamertagNotFound, InvalidArgument, NotFoundException
from ..ids import check_title_id
from ..models.base import parse_records
from ..models.titles import Title
from . import Batch, Errors, ForUser, Request, decoration_path, items_of

__all__ = ["ALL_DECORATIONS", "BATCH_SIZE", "DEFAULT_BATCH_DECORATIONS", "DEFAULT_DECORATIONS",
           "HOST", "batch", "by_pfn", "history", "title"]

HOST = "titlehub.xboxlive.com"
DEFAULT_DECORATIONS = ("achievement", "image", "scid")
#: What the peers ask a batch for by default (a batch is for nobody: no progress to show).
DEFAULT_BATCH_DECORATIONS = ("achievement", "detail", "image", "scid")
#: Every decoration titlehub is known to take (the peers' ``TitleFields``).
ALL_DECORATIONS = ("achievement", "image", "scid", "detail", "stats", "gamepass",
                   "friendswhoplayed", "alternatetitleid", "productid", "contentboard")
#: Ids per batch request (the sandbox's limit; the service publishes none).
BATCH_SIZE = 100
CONTRACT = 2
_PFN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,255}")  # Name_PublisherHash


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
    return _one(f"titleid({tid})", str(tid), decorations)


def check_pfn(pfn: str) -> str:
    """A package family name (``Microsoft.SeaofThieves_8wekyb3d8bbwe``), checked."""
    text = pfn.strip() if isinstance(pfn, str) else ""
    if not _PFN.fullmatch(text):
        raise InvalidArgument("a package family name looks like "
                              f"'Microsoft.SeaofThieves_8wekyb3d8bbwe', not {pfn!r}"[:120])
    return text


def by_pfn(pfn: str, decorations: Sequence[str]) -> ForUser[Title]:
    """One title by package family name, as a user sees it."""
    name = check_pfn(pfn)
    return _one(f"pfn({name})", name, decorations)


def _one(moniker: str, shown: str, decorations: Sequence[str]) -> ForUser[Title]:
    suffix = f"/titles/{moniker}{decoration_path(decorations)}"

    def read(body: Any) -> Title:
        titles = parse_records(Title, items_of(body, "titles", HOST))
        if not titles:
            raise NotFoundException(f"No such title: {shown}", service=HOST)
        return titles[0]

    def request(who: str) -> Request[Title]:
        return Request(api_call("GET", HOST, f"/users/xuid({who}){suffix}",
                                contract_version=CONTRACT),
                       read, not_found_message=f"No such user: {who}")

    return request


def batch(pfns: Sequence[str], decorations: Sequence[str]) -> Batch[Title]:
    """Titles by package family name, for nobody in particular (no one's progress),
    ``BATCH_SIZE`` per request; unknown names are left out."""
    if isinstance(pfns, str):
        pfns = [pfns]
    wanted = [check_pfn(p) for p in pfns]
    path = f"/titles/batch{decoration_path(decorations)}"

    def chunk(names: list[str]) -> Call:
        # A look-up changes nothing: safe to retry although it is a POST.
        return api_call("POST", HOST, path, contract_version=CONTRACT, idempotent=True,
                        json={"pfns": names, "windowsPhoneProductIds": []})

    def read(body: Any, errors: Errors) -> list[Title]:
        return parse_records(Title, items_of(body, "titles", HOST), errors, warn=False)

    return Batch(wanted, BATCH_SIZE, chunk, read)

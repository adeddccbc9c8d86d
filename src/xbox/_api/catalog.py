"""displaycatalog.mp.microsoft.com (the Microsoft Store's catalog, v7.0): products by store
id, by another id (package family name, Xbox title id, legacy product ids), and search.

The catalog is public: requests go **without** an ``Authorization`` header, as both peers
send them (``include_auth=False``), so no Xbox Live token ever reaches it. Language and
market come from the client's ``language`` (``en-US``: ``languages=en-US&market=US``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .._core.call import Call, api_call
from ..exceptions import InvalidArgument, MalformedResponse
from ..models.base import parse_records
from ..models.catalog import Product, SearchProduct
from . import Batch, Errors, Request, items_of

__all__ = ["BATCH_SIZE", "HOST", "ID_TYPES", "PLATFORMS", "TEMPLATES", "lookup", "products",
           "search"]

HOST = "displaycatalog.mp.microsoft.com"
TEMPLATES = ("details", "browse")
#: The alternate ids the catalog looks products up by, as it spells them.
ID_TYPES = ("PackageFamilyName", "XboxTitleId", "LegacyXboxProductId",
            "LegacyWindowsStoreProductId")
PLATFORMS = ("windows.xbox", "windows.desktop")
#: Store ids per products request: our conservative choice (the limit is unpublished).
BATCH_SIZE = 20
MAX_LOOKUP = 25  # the peers' default, and the sandbox's most
_BIG_ID = re.compile(r"[A-Za-z0-9]{1,20}")


def _choice(value: str, allowed: Sequence[str], what: str) -> str:
    found = next((a for a in allowed if a.lower() == str(value).strip().lower()), None)
    if found is None:
        raise InvalidArgument(f"{what} is one of {', '.join(allowed)}; not {value!r}"[:160])
    return found


def _locale(language: str) -> dict[str, str]:
    """``languages`` and ``market`` for a language tag (``en-US`` -> ``US``)."""
    market = language.rsplit("-", 1)[1] if "-" in language else "US"
    return {"languages": language, "market": market.upper()}


def _call(path: str, params: dict[str, Any]) -> Call:
    return api_call("GET", HOST, path, params=params, authorize=False)


def _limit(limit: int, most: int | None = None) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1 \
            or (most is not None and limit > most):
        raise InvalidArgument(f"limit is a number from 1{f' to {most}' if most else ''}, "
                              f"not {limit!r}"[:120])
    return limit


def products(big_ids: Sequence[str], template: str, language: str) -> Batch[Product]:
    """Products by store id (``9WZDNCRFJ3TJ``), in the order asked; unknown ids left out."""
    ids = [big_ids] if isinstance(big_ids, str) else list(big_ids)
    for big_id in ids:
        if not isinstance(big_id, str) or not _BIG_ID.fullmatch(big_id):
            raise InvalidArgument(f"a store id looks like '9WZDNCRFJ3TJ', not {big_id!r}"[:120])
    params = {"actionFilter": "Browse", "fieldsTemplate": _choice(template, TEMPLATES, "template"),
              **_locale(language)}

    def chunk(some: list[str]) -> Call:
        return _call("/v7.0/products", {**params, "bigIds": ",".join(some)})

    def read(body: Any, errors: Errors) -> list[Product]:
        return parse_records(Product, items_of(body, "Products", HOST), errors, warn=False)

    return Batch(ids, BATCH_SIZE, chunk, read)


def lookup(value: str, id_type: str, template: str, limit: int,
           language: str) -> Request[list[Product]]:
    """Products by another id: a package family name, an Xbox title id, a legacy id."""
    text = str(value).strip()
    if not text or len(text) > 256:
        raise InvalidArgument(f"look up a product by a non-empty id, not {value!r}"[:120])
    call = _call("/v7.0/products/lookup", {
        "top": _limit(limit, MAX_LOOKUP), "alternateId": _choice(id_type, ID_TYPES, "id_type"),
        "fieldsTemplate": _choice(template, TEMPLATES, "template"), **_locale(language),
        "value": text})
    return Request(call, lambda body: parse_records(Product, items_of(body, "Products", HOST)))


def _found(body: Any) -> list[SearchProduct]:
    out: list[SearchProduct] = []
    for result in items_of(body, "Results", HOST):
        items = result.get("Products") if isinstance(result, dict) else None
        if not isinstance(items, list):
            raise MalformedResponse(f"{HOST} sent a search result without Products",
                                    body=body, service=HOST)
        out.extend(parse_records(SearchProduct, items))
    return out


def search(query: str, limit: int, platform: str, language: str) -> Request[list[SearchProduct]]:
    """Games and apps whose name matches ``query``, at most ``limit`` of them."""
    text = str(query).strip()
    if not text:
        raise InvalidArgument("search the store for some text, not an empty query")
    call = _call("/v7.0/productFamilies/autosuggest", {
        **_locale(language), "platformdependencyname": _choice(platform, PLATFORMS, "platform"),
        "productFamilyNames": "Games,Apps", "query": text[:200], "topProducts": _limit(limit)})
    return Request(call, _found)

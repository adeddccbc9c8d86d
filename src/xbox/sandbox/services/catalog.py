"""displaycatalog.mp.microsoft.com: the store catalog (no Xbox Live token needed).

Requests as both peers send them, without an ``Authorization`` header (``include_auth=False``):

* ``GET /v7.0/products?bigIds=A,B&fieldsTemplate=browse|details&market=US&languages=en-US``
  → ``{"Products": [...]}`` (``catalog_browse.json``, ``catalog_browse_details.json``).
* ``GET /v7.0/products/lookup?alternateId=PackageFamilyName|LegacyXboxProductId|XboxTitleId|
  LegacyWindowsStoreProductId&value=…&top=25&fieldsTemplate=…`` → ``{"BigIds", "HasMorePages",
  "Products", "TotalResultCount"}`` (``catalog_product_lookup.json``, ``…_legacy.json``).
* ``GET /v7.0/productFamilies/autosuggest?query=…&topProducts=5&productFamilyNames=Games,Apps``
  → ``{"Results": [{"ProductFamilyName", "Products": [one]}], "TotalResultCount"}``
  (``catalog_search.json``).

The catalog holds the world's titles (games), Netflix (an app) and the 2014-era TV app
(found by its legacy id, as the legacy recording's product is). Assumptions, with nothing
recorded: a product list without ``bigIds`` or a look-up without ``alternateId``/``value``
is an empty 400, an unknown ``fieldsTemplate`` too, and with none the template is
``details``; unknown ids are left out; search matches titles case-insensitively, those
starting with the query first; ``language`` is echoed lower-case and ``market`` upper-case
(the recordings show ``en-us`` and ``US``); responses carry only ``Content-Type`` and
``MS-CV`` (this is not an Xbox Live service).
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

from .._http import Call, empty, json_response, route
from ..world_services import NETFLIX, services_world
from ._catalog_products import LEGACY_TV, StoreProduct, browse_json, details_json, search_json

if TYPE_CHECKING:
    from ..app import Sandbox

HOST = r"displaycatalog\.mp\.microsoft\.com"
TEMPLATES = {"browse": browse_json, "details": details_json}
ALTERNATE_IDS = {"packagefamilyname", "legacyxboxproductid", "xboxtitleid",
                 "legacywindowsstoreproductid"}
MAX_TOP = 25


def catalog(sb: Sandbox) -> list[StoreProduct]:
    """Every product of the sandbox's store, games first."""
    world = services_world(sb)
    games = [StoreProduct.of_title(f) for f in world.facts.values()]
    return [*games, StoreProduct.of_app(NETFLIX, datetime(2010, 10, 18)), LEGACY_TV]


def _headers(sb: Sandbox) -> dict[str, str]:
    cid = sb.correlation_id().replace("-", "")
    return {"MS-CV": base64.b64encode(bytes.fromhex(cid)[:12]).decode() + ".0"}


def _bad(sb: Sandbox) -> httpx.Response:
    return empty(400, headers=_headers(sb))


def _locale(call: Call) -> tuple[str, str]:
    language = (call.params.get("languages") or "en-US").split(",")[0].lower()
    market = (call.params.get("market") or "US").upper()
    return language, market


def _template(call: Call) -> Any:
    return TEMPLATES.get((call.params.get("fieldsTemplate") or "details").lower())


@route("GET", HOST, r"/v7\.0/products", auth=False)
def products(sb: Sandbox, call: Call) -> httpx.Response:
    """Products by store id, in the order asked."""
    wanted = [i for i in (call.params.get("bigIds") or "").split(",") if i]
    template = _template(call)
    if not wanted or template is None:
        return _bad(sb)
    by_id = {p.product_id.upper(): p for p in catalog(sb)}
    language, market = _locale(call)
    found = [by_id[i.upper()] for i in wanted if i.upper() in by_id]
    return json_response(200, {"Products": [template(p, language, market) for p in found]},
                         headers=_headers(sb))


def _matches(product: StoreProduct, kind: str, value: str) -> bool:
    if kind == "packagefamilyname":
        return (product.pfn or "").lower() == value.lower()
    ids = {t.lower(): v.lower() for t, v in product.alternate_ids}
    return ids.get(kind) == value.lower()


@route("GET", HOST, r"/v7\.0/products/lookup", auth=False)
def lookup(sb: Sandbox, call: Call) -> httpx.Response:
    """Products by another id: package family name, Xbox title id, legacy product ids."""
    kind = (call.params.get("alternateId") or "").lower()
    value = call.params.get("value") or ""
    raw_top = call.params.get("top") or str(MAX_TOP)
    template = _template(call)
    if kind not in ALTERNATE_IDS or not value or not raw_top.isdigit() or template is None:
        return _bad(sb)
    language, market = _locale(call)
    found = [p for p in catalog(sb) if _matches(p, kind, value)]
    page = found[:min(int(raw_top), MAX_TOP)]
    body = {"BigIds": [p.product_id for p in page], "HasMorePages": len(found) > len(page),
            "Products": [template(p, language, market) for p in page],
            "TotalResultCount": len(found)}
    return json_response(200, body, headers=_headers(sb))


@route("GET", HOST, r"/v7\.0/productFamilies/autosuggest", auth=False)
def autosuggest(sb: Sandbox, call: Call) -> httpx.Response:
    """Products whose title contains the query, one per result, prefix matches first."""
    query = (call.params.get("query") or "").strip().lower()
    raw_top = call.params.get("topProducts") or "5"
    families = {f.strip().lower() for f in
                (call.params.get("productFamilyNames") or "Games,Apps").split(",")}
    if not query or not raw_top.isdigit():
        return _bad(sb)
    hits = [p for p in catalog(sb) if query in p.title.lower() and p.family.lower() in families]
    hits.sort(key=lambda p: (not p.title.lower().startswith(query), p.title.lower()))
    hits = hits[:int(raw_top)]
    body = {"Results": [{"ProductFamilyName": p.family, "Products": [search_json(p)]}
                        for p in hits],
            "TotalResultCount": len(hits)}
    return json_response(200, body, headers=_headers(sb))


"""displaycatalog.mp.microsoft.com against its five recordings; no Xbox Live token needed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fidelity import assert_same_shape, recorded
from xbox.sandbox import Sandbox
from xbox.sandbox.world_services import NETFLIX, services_world

STORE = "/displaycatalog.mp.microsoft.com/v7.0"
LOCALE = {"languages": "en-US", "market": "US"}
HALO5, SEA_OF_THIEVES = 219630713, 1717113201
# Values null in one recording and set in another (or in the sandbox's products).
NULLABLE = frozenset({"ApplicablePlatforms", "Group", "Minimum", "Maximum", "BackgroundColor",
                      "ForegroundColor", "ImagePositionInfo", "EISListingIdentifier",
                      "Subcategory", "PackageFamilyName", "KeyId", "RelatedProducts"})


@pytest.fixture
def store(sb: Sandbox) -> Iterator[httpx.Client]:
    # No Authorization header: the store is public, as the peers call it.
    with httpx.Client(base_url=sb.base_url, transport=sb.transport()) as c:
        yield c


def _ids(sb: Sandbox, *title_ids: int) -> list[str]:
    facts = services_world(sb).facts
    return [facts[t].product_id for t in title_ids]


def test_products_browse_matches_recording(sb: Sandbox, store: httpx.Client) -> None:
    ids = _ids(sb, HALO5, SEA_OF_THIEVES)
    r = store.get(f"{STORE}/products", params={"bigIds": ",".join([ids[0], "9NOSUCHTHING", ids[1]]),
                                               "fieldsTemplate": "browse",
                                               "actionFilter": "Browse", **LOCALE})
    assert r.status_code == 200
    body = r.json()
    assert_same_shape(body, recorded("catalog_browse.json"))
    assert [p["ProductId"] for p in body["Products"]] == ids
    assert list(body["Products"][0]) == list(recorded("catalog_browse.json")["Products"][0])


def test_products_details_match_recording(sb: Sandbox, store: httpx.Client) -> None:
    ids = _ids(sb, HALO5, SEA_OF_THIEVES)
    body = store.get(f"{STORE}/products", params={"bigIds": ",".join(ids),
                                                  "fieldsTemplate": "details", **LOCALE}).json()
    game = recorded("catalog_browse_details.json")["Products"][0]
    for product in body["Products"]:
        assert_same_shape(product, game, nullable=NULLABLE)
        assert list(product) == list(game)
    halo = body["Products"][0]
    assert halo["LocalizedProperties"][0]["ProductTitle"] == "Halo 5: Guardians"
    assert halo["Properties"]["PackageFamilyName"] == services_world(sb).facts[HALO5].pfn
    assert {"IdType": "XboxTitleId", "Value": str(HALO5)} in halo["AlternateIds"]


def test_lookup_by_package_family_name_matches_recording(store: httpx.Client) -> None:
    r = store.get(f"{STORE}/products/lookup", params={
        "alternateId": "PackageFamilyName", "value": NETFLIX.pfn, "top": 25,
        "fieldsTemplate": "details", **LOCALE})
    assert r.status_code == 200
    body = r.json()
    assert_same_shape(body, recorded("catalog_product_lookup.json"), nullable=NULLABLE)
    assert body["BigIds"] == [NETFLIX.product_id] and body["TotalResultCount"] == 1
    assert list(body["Products"][0]) == list(recorded("catalog_product_lookup.json")
                                             ["Products"][0])


def test_lookup_legacy_matches_recording(store: httpx.Client) -> None:
    body = store.get(f"{STORE}/products/lookup", params={
        "alternateId": "LegacyXboxProductId", "value": "71e7df12-89e0-4dc7-a5ff-a182fc2df94f",
        "fieldsTemplate": "details", **LOCALE}).json()
    assert_same_shape(body, recorded("catalog_product_lookup_legacy.json"))
    assert body["TotalResultCount"] == 1
    assert body["Products"][0]["LocalizedProperties"][0]["ProductTitle"] == "TV"


def test_lookup_a_game_by_its_ids(sb: Sandbox, store: httpx.Client) -> None:
    facts = services_world(sb).facts[SEA_OF_THIEVES]
    for kind, value in (("XboxTitleId", str(SEA_OF_THIEVES)),
                        ("LegacyXboxProductId", facts.legacy_product_id),
                        ("PackageFamilyName", facts.pfn.upper())):
        body = store.get(f"{STORE}/products/lookup",
                         params={"alternateId": kind, "value": value}).json()
        assert body["BigIds"] == [facts.product_id], kind
    none = store.get(f"{STORE}/products/lookup",
                     params={"alternateId": "XboxTitleId", "value": "1"}).json()
    assert none == {"BigIds": [], "HasMorePages": False, "Products": [], "TotalResultCount": 0}


def test_autosuggest_matches_recording(store: httpx.Client) -> None:
    r = store.get(f"{STORE}/productFamilies/autosuggest", params={
        "query": "h", "topProducts": 5, "productFamilyNames": "Games,Apps",
        "platformdependencyname": "windows.xbox", **LOCALE})
    assert r.status_code == 200
    body = r.json()
    assert_same_shape(body, recorded("catalog_search.json"))
    titles = [res["Products"][0]["Title"] for res in body["Results"]]
    assert titles and all("h" in t.lower() for t in titles) and len(titles) <= 5
    starts = [t.lower().startswith("h") for t in titles]
    assert starts == sorted(starts, reverse=True)
    apps = store.get(f"{STORE}/productFamilies/autosuggest",
                     params={"query": "netf", "productFamilyNames": "Apps"}).json()
    only: dict[str, Any] = apps["Results"][0]
    assert only["ProductFamilyName"] == "Apps" and only["Products"][0]["Type"] == "Application"


def test_refusals_and_no_token(sb: Sandbox, store: httpx.Client) -> None:
    assert store.get(f"{STORE}/products").status_code == 400
    assert store.get(f"{STORE}/products", params={"bigIds": "X", "fieldsTemplate": "all"}
                     ).status_code == 400
    assert store.get(f"{STORE}/products/lookup", params={"alternateId": "Nope", "value": "x"}
                     ).status_code == 400
    assert store.get(f"{STORE}/productFamilies/autosuggest").status_code == 400
    assert not any("authorization" in {k.lower() for k in r.headers} for r in sb.requests)

"""xbl.catalog (displaycatalog.mp.microsoft.com): products, look-ups and search, sent with
no Xbox Live token, against the sandbox and the five recorded bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

import xbox
from xbox.exceptions import InvalidArgument
from xbox.models import Product, SearchProduct
from xbox.sandbox import Fault, Sandbox

from .service_clients import recorded, sent, signed_in
from .twins import call, use

HOST = "displaycatalog.mp.microsoft.com"
NETFLIX = "9WZDNCRFJ3TJ"
NETFLIX_PFN = "4DF9E0F8.Netflix_mcm4njqhnhss8"
LEGACY_TV = "71e7df12-89e0-4dc7-a5ff-a182fc2df94f"


@pytest.fixture(params=["sync", "async"])
async def xbl(request: pytest.FixtureRequest, sandbox: Sandbox) -> AsyncIterator[Any]:
    async with signed_in(request.param, sandbox) as client:
        yield client


@pytest.mark.parametrize("name", ["catalog_browse.json", "catalog_browse_details.json",
                                  "catalog_product_lookup.json",
                                  "catalog_product_lookup_legacy.json"])
def test_recorded_products_read(name: str) -> None:
    products = [Product.from_wire(p) for p in recorded(name)["Products"]]
    assert products and all(p.product_id and p.title for p in products)
    assert all(p.price == 0.0 and p.currency == "USD" for p in products)
    assert all(p.released is not None for p in products)
    if name != "catalog_browse.json":  # the short template has no properties or ids
        assert all(p.alternate_id("XboxTitleId") for p in products)
        assert all(p.publisher for p in products)


def test_recorded_search_reads() -> None:
    from xbox._api.catalog import _found

    found = _found(recorded("catalog_search.json"))
    assert len(found) == 10 and all(isinstance(p, SearchProduct) for p in found)
    assert (found[0].product_id, found[0].title, found[0].type) == ("BPQ955FQFPH6", "Destiny 2", "Game")


async def test_search_sends_no_token(xbl: Any, sandbox: Sandbox) -> None:
    found = await call(xbl.catalog.search("halo", limit=5))
    assert [p.title for p in found] == ["Halo 5: Guardians", "Halo Infinite"]
    request = sent(sandbox, HOST)[-1]
    assert "authorization" not in request.headers
    assert dict(request.url.params) == {
        "languages": "en-US", "market": "US", "platformdependencyname": "windows.xbox",
        "productFamilyNames": "Games,Apps", "query": "halo", "topProducts": "5"}


async def test_products_by_store_id(xbl: Any, sandbox: Sandbox) -> None:
    sot = (await call(xbl.catalog.search("sea of thieves")))[0].product_id
    found = await call(xbl.catalog.products([NETFLIX, "NOSUCHID0000", sot]))
    assert [p.title for p in found] == ["Netflix", "Sea of Thieves"]
    assert found[0].pfn == NETFLIX_PFN and found[1].alternate_id("XboxTitleId") == "1717113201"
    # Netflix's title id, as the recorded look-up has it.
    recorded_ids = recorded("catalog_product_lookup.json")["Products"][0]["AlternateIds"]
    assert found[0].alternate_id("XboxTitleId") == next(
        i["Value"] for i in recorded_ids if i["IdType"] == "XboxTitleId")
    browse = await call(xbl.catalog.products([NETFLIX], template="browse"))
    assert browse[0].title == "Netflix" and browse[0].properties is None
    params = sent(sandbox, HOST)[-1].url.params
    assert params["fieldsTemplate"] == "browse" and params["bigIds"] == NETFLIX
    assert all("authorization" not in r.headers for r in sent(sandbox, HOST))


async def test_prices_have_two_decimals(xbl: Any) -> None:
    games = await call(xbl.catalog.search("a", limit=25))
    prices = [p.price for p in await call(xbl.catalog.products([g.product_id for g in games]))]
    # round() gives the float nearest to two decimals: 59.989999999999995 is not 59.99.
    assert any(prices) and all(p is not None and p == round(p, 2) for p in prices)


async def test_products_go_20_ids_a_request(xbl: Any, sandbox: Sandbox) -> None:
    ids = [f"NOSUCH{n:06d}" for n in range(30)] + [NETFLIX]
    assert [p.title for p in await call(xbl.catalog.products(ids))] == ["Netflix"]
    assert [len(r.url.params["bigIds"].split(",")) for r in sent(sandbox, HOST)] == [20, 11]


async def test_lookup_by_alternate_ids(xbl: Any, sandbox: Sandbox) -> None:
    assert [p.product_id for p in await call(xbl.catalog.lookup(NETFLIX_PFN))] == [NETFLIX]
    tv = await call(xbl.catalog.lookup(LEGACY_TV, id_type="legacyxboxproductid"))
    assert [p.title for p in tv] == ["TV"]
    assert sent(sandbox, HOST)[-1].url.params["alternateId"] == "LegacyXboxProductId"
    by_title = await call(xbl.catalog.lookup("1717113201", id_type="XboxTitleId", limit=1))
    assert [p.title for p in by_title] == ["Sea of Thieves"]
    assert await call(xbl.catalog.lookup("Nobody.Nothing_1")) == []
    for bad in ({"id_type": "Barcode"}, {"template": "everything"}, {"limit": 26}):
        with pytest.raises(InvalidArgument):
            await call(xbl.catalog.lookup(NETFLIX_PFN, **bad))


async def test_reads_are_retried(xbl: Any, sandbox: Sandbox) -> None:
    sandbox.faults.append(Fault(kind="server_error", host=HOST))
    assert await call(xbl.catalog.search("halo"))
    assert len(sent(sandbox, HOST)) == 2


def test_the_store_needs_no_sign_in(sandbox: Sandbox) -> None:
    use("sync")
    with xbox.Client(base_url=sandbox.base_url, transport=sandbox.transport(),
                     token_store=None) as anonymous:
        assert [p.title for p in anonymous.catalog.products([NETFLIX])] == ["Netflix"]
        assert not anonymous.authenticated
    assert [r.url.host for r in sandbox.requests] and all(
        f"/{HOST}/" in str(r.url) for r in sandbox.requests)

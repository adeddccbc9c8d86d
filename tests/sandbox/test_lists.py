"""eplists.xboxlive.com: JoeAlcorn's pins against the lists recordings, adds and removes."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fidelity import assert_same_shape, recorded
from xbox.sandbox import JOE_XUID, Sandbox

PINS = f"/eplists.xboxlive.com/users/xuid({JOE_XUID})/lists/PINS/XBLPins"
NEW = {"ItemId": "Microsoft.SeaofThieves_8wekyb3d8bbwe", "ContentType": "DGame",
       "Title": "Sea of Thieves", "DeviceType": "XboxOne"}

API_HEADERS = {"x-xbl-contract-version": "2"}  # the api fixture's (conftest.py)


def _items(api: httpx.Client) -> list[dict[str, Any]]:
    body: dict[str, Any] = api.get(PINS).json()
    return [i["Item"] for i in body["ListItems"]]


def test_get_items_matches_recording(api: httpx.Client) -> None:
    r = api.get(PINS)
    assert r.status_code == 200
    body = r.json()
    assert_same_shape(body, recorded("lists_get_items.json"))
    assert list(body["ListItems"][0]) == ["DateAdded", "DateModified", "Index", "KValue", "Item"]
    assert body["ListMetadata"]["ListCount"] == len(body["ListItems"]) == 3
    assert body["ImpressionId"].startswith("Lists.")
    assert body["ListItems"][0]["DateAdded"][2] == "/"  # MM/DD/YYYY, as recorded


def test_add_then_remove_change_the_list(api: httpx.Client) -> None:
    before = api.get(PINS).json()["ListMetadata"]
    r = api.post(PINS, json={"Items": [NEW]})
    assert r.status_code == 200
    added = r.json()
    assert_same_shape(added, recorded("list_add_item.json"))
    assert added["ListCount"] == before["ListCount"] + 1
    assert added["ListVersion"] == before["ListVersion"] + 1
    assert _items(api)[-1]["ItemId"] == NEW["ItemId"]
    again = api.post(PINS, json={"Items": [NEW]}).json()  # no duplicates: nothing changes
    assert (again["ListCount"], again["ListVersion"]) == (added["ListCount"],
                                                          added["ListVersion"])
    r = api.request("DELETE", PINS, json={"Items": [{"ItemId": NEW["ItemId"]}]})
    assert r.status_code == 200
    removed = r.json()
    assert_same_shape(removed, recorded("list_delete_item.json"))
    assert removed["ListCount"] == before["ListCount"]
    assert removed["ListVersion"] == added["ListVersion"] + 1
    assert NEW["ItemId"] not in [i["ItemId"] for i in _items(api)]
    gone = api.request("DELETE", PINS, json={"Items": [{"ItemId": NEW["ItemId"]}]}).json()
    assert gone["ListVersion"] == removed["ListVersion"]


def test_xsapi_forms_and_providers(api: httpx.Client) -> None:
    movie = {"ContentType": "Movie", "Provider": "0x3caeec88",
             "ProviderId": "4ea56956-be59-441e-b8c0-138a710d8569", "Title": "A film"}
    api.post(PINS, json={"Items": [movie]})
    contains = api.post(f"{PINS}/ContainsItems", json={"Items": [
        {"Provider": movie["Provider"], "ProviderId": movie["ProviderId"]},
        {"ItemId": "Not.Pinned_app"}]}).json()
    assert [c["Contained"] for c in contains["ContainedItems"]] == [True, False]
    r = api.post(f"{PINS}/RemoveItems", json={"Items": [
        {"Provider": movie["Provider"], "ProviderId": movie["ProviderId"]}]})
    assert r.status_code == 200
    assert all(i["ProviderId"] != movie["ProviderId"] for i in _items(api))


def test_refusals(sb: Sandbox, api: httpx.Client) -> None:
    other = sb.world.joe.friends[0]
    assert api.get(f"/eplists.xboxlive.com/users/xuid({other})/lists/PINS/XBLPins"
                   ).status_code == 403
    assert api.get(f"/eplists.xboxlive.com/users/xuid({JOE_XUID})/lists/PINS/Other"
                   ).status_code == 404
    assert api.post(PINS, json={"Items": []}).status_code == 400
    assert api.post(PINS, json={"Items": [{"Title": "no id"}]}).status_code == 400
    assert api.get(PINS, headers={"x-xbl-contract-version": "3"}).status_code == 406
    many = [{"ItemId": f"App{n}.Test_x", "ContentType": "DApp"} for n in range(198)]
    assert api.post(PINS, json={"Items": many}).status_code == 400  # 3 + 198 > 200
    assert len(_items(api)) == 3

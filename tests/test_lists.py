"""xbl.lists (eplists.xboxlive.com): the Pins list read, pinned to and unpinned from, against
the sandbox and the three recorded bodies. Pinning and unpinning are never retried."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from xbox.exceptions import InvalidArgument, PermissionDenied, ServerError, TransportError
from xbox.models import ListMetadata, PinList, PinnedItem
from xbox.sandbox import JOE_XUID, Fault, FaultKind, Sandbox

from .service_clients import recorded, sent, signed_in
from .twins import call

HOST = "eplists.xboxlive.com"
MINECRAFT = PinnedItem(item_id="Microsoft.Minecraft_8wekyb3d8bbwe", content_type="DGame",
                       title="Minecraft", device_type="XboxOne")
PINNED = ["Microsoft.Xbox.LiveTV_8wekyb3d8bbwe", "4DF9E0F8.Netflix_mcm4njqhnhss8",
          "Microsoft.Halo5Guardians_8wekyb3d8bbwe"]


@pytest.fixture(params=["sync", "async"])
async def xbl(request: pytest.FixtureRequest, sandbox: Sandbox) -> AsyncIterator[Any]:
    async with signed_in(request.param, sandbox) as client:
        yield client


def test_recorded_bodies_read() -> None:
    pins = PinList.from_wire(recorded("lists_get_items.json"))
    assert pins.item_ids[0] == "Microsoft.Xbox.LiveTV_8wekyb3d8bbwe"
    first = pins.items[0]
    assert (first.index, first.k_value, first.item.content_type) == (3, 3, "DApp")
    assert first.added == datetime(2015, 8, 4, 21, 6, 6, tzinfo=UTC)  # month first
    assert pins.metadata is not None and pins.metadata.list_version == 42
    for name, version in (("list_add_item.json", 1413), ("list_delete_item.json", None)):
        meta = ListMetadata.from_wire(recorded(name))
        assert meta.list_title == "Pins" and (version is None or meta.list_version == version)


async def test_get_add_remove(xbl: Any, sandbox: Sandbox) -> None:
    pins = await call(xbl.lists.get())
    assert pins.item_ids == PINNED and pins.metadata.list_title == "Pins"
    version = pins.metadata.list_version
    added = await call(xbl.lists.add(MINECRAFT))
    assert (added.list_version, added.list_count) == (version + 1, 4)
    request = sent(sandbox, HOST, "POST")[-1]
    assert request.url.path == f"/{HOST}/users/xuid({JOE_XUID})/lists/PINS/XBLPins"
    assert request.headers["x-xbl-contract-version"] == "2"
    assert json.loads(request.content) == {"Items": [{
        "ItemId": "Microsoft.Minecraft_8wekyb3d8bbwe", "ContentType": "DGame",
        "Title": "Minecraft", "DeviceType": "XboxOne"}]}
    after = await call(xbl.lists.get())
    assert after.item_ids == [*PINNED, MINECRAFT.item_id]
    assert after.items[-1].item.title == "Minecraft"
    # Pinning it again changes nothing; unpinning by id (or entry) takes it away.
    assert (await call(xbl.lists.add([MINECRAFT]))).list_version == version + 1
    removed = await call(xbl.lists.remove(after.items[-1]))
    assert (removed.list_version, removed.list_count) == (version + 2, 3)
    assert json.loads(sent(sandbox, HOST, "DELETE")[-1].content)["Items"][0]["ItemId"] == \
        MINECRAFT.item_id
    await call(xbl.lists.remove(PINNED[0]))
    assert (await call(xbl.lists.get())).item_ids == PINNED[1:]


async def test_bad_items_are_refused_before_sending(xbl: Any, sandbox: Sandbox) -> None:
    for bad in ([], [""], [{"Title": "no id"}], [PinnedItem(title="no id")]):
        with pytest.raises(InvalidArgument):
            await call(xbl.lists.add(bad))
    with pytest.raises(InvalidArgument):
        await call(xbl.lists.get(list_name="a/b"))
    assert not sent(sandbox, HOST)


async def test_another_users_list_is_private(xbl: Any, sandbox: Sandbox) -> None:
    with pytest.raises(PermissionDenied):
        await call(xbl.lists.get(sandbox.world.joe.friends[0]))


async def test_pinning_is_never_retried(xbl: Any, sandbox: Sandbox) -> None:
    sandbox.faults.append(Fault(kind="server_error", host=HOST, method="POST", times=3))
    with pytest.raises(ServerError):
        await call(xbl.lists.add(MINECRAFT))
    assert len(sent(sandbox, HOST, "POST")) == 1
    sandbox.faults.clear()
    # Served, then the connection dropped: pinned once, and not sent again.
    sandbox.faults.append(Fault(kind=FaultKind.RESET, host=HOST, method="POST", times=3))
    with pytest.raises(TransportError):
        await call(xbl.lists.add(MINECRAFT))
    assert len(sent(sandbox, HOST, "POST")) == 2
    sandbox.faults.clear()
    assert (await call(xbl.lists.get())).item_ids == [*PINNED, MINECRAFT.item_id]


async def test_unpinning_is_never_retried_although_a_delete(xbl: Any, sandbox: Sandbox) -> None:
    sandbox.faults.append(Fault(error=httpx.ConnectError, host=HOST, method="DELETE", times=3))
    with pytest.raises(TransportError):
        await call(xbl.lists.remove(PINNED[0]))
    sandbox.faults.clear()
    sandbox.faults.append(Fault(kind="server_error", host=HOST, method="DELETE", times=3))
    with pytest.raises(ServerError):
        await call(xbl.lists.remove(PINNED[0]))
    assert len(sent(sandbox, HOST, "DELETE")) == 2
    sandbox.faults.clear()
    assert (await call(xbl.lists.get())).item_ids == PINNED

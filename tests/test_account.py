"""xbl.account: gamertag availability and change, against the sandbox. Both are writes:
never retried, whatever goes wrong."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from xbox.exceptions import InvalidArgument, InvalidRequest, ServerError, TransportError
from xbox.sandbox import JOE_XUID, Fault, FaultKind, Sandbox

from .service_clients import sent, signed_in
from .twins import call

RESERVE = "user.mgt.xboxlive.com"
CHANGE = "accounts.xboxlive.com"


@pytest.fixture(params=["sync", "async"])
async def xbl(request: pytest.FixtureRequest, sandbox: Sandbox) -> AsyncIterator[Any]:
    async with signed_in(request.param, sandbox) as client:
        yield client


async def test_check_reserves_a_free_gamertag(xbl: Any, sandbox: Sandbox) -> None:
    assert await call(xbl.account.check_gamertag("Fresh Name")) is True
    request = sent(sandbox, RESERVE)[-1]
    assert request.headers["x-xbl-contract-version"] == "1"
    assert json.loads(request.content) == {"Gamertag": "Fresh Name", "ReservationId": JOE_XUID}
    friend = sandbox.world.by_xuid[sandbox.world.joe.friends[0]]
    assert await call(xbl.account.check_gamertag(friend.gamertag)) is False  # the 409
    assert await call(xbl.account.check_gamertag("JoeAlcorn")) is True  # already yours
    with pytest.raises(InvalidArgument):
        await call(xbl.account.check_gamertag("x" * 30))


async def test_change_renames_you_everywhere(xbl: Any, sandbox: Sandbox) -> None:
    await call(xbl.account.change_gamertag("Fresh Name", preview=True))
    assert sandbox.world.joe.gamertag == "JoeAlcorn"  # a preview changes nothing
    await call(xbl.account.change_gamertag("Fresh Name"))
    body = json.loads(sent(sandbox, CHANGE)[-1].content)
    assert body == {"gamertag": "Fresh Name", "preview": False, "reservationId": int(JOE_XUID)}
    assert sent(sandbox, CHANGE)[-1].headers["x-xbl-contract-version"] == "2"
    assert (await call(xbl.profiles.get(xuid=JOE_XUID))).gamertag == "Fresh Name"
    assert (await call(xbl.profiles.get("Fresh Name"))).xuid == JOE_XUID
    # The one free change is used up: the next is refused with Xbox Live's reason.
    with pytest.raises(InvalidRequest) as info:
        await call(xbl.account.change_gamertag("Another One"))
    assert info.value.body["code"] == 1020 and "free" in str(info.value)


async def test_a_gamertag_someone_has_cannot_be_taken(xbl: Any, sandbox: Sandbox) -> None:
    friend = sandbox.world.by_xuid[sandbox.world.joe.friends[0]]
    with pytest.raises(InvalidRequest) as info:
        await call(xbl.account.change_gamertag(friend.gamertag, preview=True))
    assert info.value.body["code"] == 1372


@pytest.mark.parametrize("host", [RESERVE, CHANGE])
async def test_writes_are_never_retried(xbl: Any, sandbox: Sandbox, host: str) -> None:
    def attempt() -> Any:
        if host == RESERVE:
            return xbl.account.check_gamertag("Fresh Name")
        return xbl.account.change_gamertag("Fresh Name")

    sandbox.faults.append(Fault(kind="server_error", host=host, times=3))
    with pytest.raises(ServerError):
        await call(attempt())
    assert len(sent(sandbox, host)) == 1
    sandbox.faults.clear()
    # The service did the work and the answer was lost: still sent only once.
    sandbox.faults.append(Fault(kind=FaultKind.RESET, host=host, times=3))
    with pytest.raises(TransportError):
        await call(attempt())
    assert len(sent(sandbox, host)) == 2
    if host == CHANGE:
        assert sandbox.world.joe.gamertag == "Fresh Name"  # it did happen, once
    sandbox.faults.clear()
    sandbox.faults.append(Fault(error=httpx.ConnectError, host=host, times=3))
    with pytest.raises(TransportError):
        await call(attempt())
    assert len(sent(sandbox, host)) == 3

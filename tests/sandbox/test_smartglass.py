"""xccs.xboxlive.com: JoeAlcorn's consoles against the smartglass recordings, and commands
that change what later reads show."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fidelity import assert_same_shape, recorded
from xbox.sandbox import Sandbox
from xbox.sandbox.world_services import JOE_CONSOLES, OPERATION_SECONDS

XCCS = "/xccs.xboxlive.com"
V4 = {"x-xbl-contract-version": "4", "skillplatform": "RemoteManagement"}
LIVING_ROOM, BEDROOM = JOE_CONSOLES[0][0], JOE_CONSOLES[1][0]

API_HEADERS = V4  # the api fixture's (conftest.py)


@pytest.fixture
def clock() -> list[float]:
    return [1_800_000_000.0]


@pytest.fixture
def sb(clock: list[float]) -> Sandbox:
    return Sandbox(seed=0, rate_limits=False, clock=lambda: clock[0])


def _command(api: httpx.Client, console: str, kind: str, name: str,
             params: list[dict[str, Any]] | None = None) -> httpx.Response:
    return api.post(f"{XCCS}/commands", json={
        "destination": "Xbox", "type": kind, "command": name, "sessionId": "s-1",
        "sourceId": "com.microsoft.smartglass", "parameters": params or [{}],
        "linkedXboxId": console})


def _status(api: httpx.Client, console: str) -> dict[str, Any]:
    r = api.get(f"{XCCS}/consoles/{console}")
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    return body


def test_console_list_matches_recording(api: httpx.Client) -> None:
    r = api.get(f"{XCCS}/lists/devices",
                params={"queryCurrentDevice": "false", "includeStorageDevices": "true"})
    assert r.status_code == 200
    body = r.json()
    assert_same_shape(body, recorded("smartglass_console_list.json"))
    assert list(body) == ["status", "result", "agentUserId"]
    assert [(c["id"], c["name"], c["consoleType"], c["powerState"]) for c in body["result"]] \
        == list(JOE_CONSOLES)
    bare = api.get(f"{XCCS}/lists/devices", params={"includeStorageDevices": "false"}).json()
    assert all("storageDevices" not in c for c in bare["result"])


def test_status_apps_and_storage_match_recordings(api: httpx.Client) -> None:
    status = _status(api, LIVING_ROOM)
    assert_same_shape(status, recorded("smartglass_console_status.json"))
    assert list(status) == list(recorded("smartglass_console_status.json"))
    apps = api.get(f"{XCCS}/lists/installedApps", params={"deviceId": LIVING_ROOM}).json()
    assert_same_shape(apps, recorded("smartglass_installed_apps.json"),
                      nullable=frozenset({"legacyProductId"}))
    assert list(apps["result"][0]) == list(recorded("smartglass_installed_apps.json")["result"][0])
    assert status["focusAppAumid"] == apps["result"][0]["aumid"]  # Joe is playing
    storage = api.get(f"{XCCS}/lists/storageDevices", params={"deviceId": LIVING_ROOM}).json()
    assert_same_shape(storage, recorded("smartglass_storage_devices.json"))
    assert list(storage) == ["status", "deviceId", "result", "agentUserId"]
    assert [d["storageDeviceName"] for d in storage["result"]] == ["Internal", "External"]
    every = api.get(f"{XCCS}/lists/installedApps").json()["result"]
    bedroom = api.get(f"{XCCS}/lists/installedApps", params={"deviceId": BEDROOM}).json()
    assert len(every) == len(apps["result"]) + len(bedroom["result"])


def test_turn_off_then_status_reads_off(api: httpx.Client, clock: list[float]) -> None:
    r = _command(api, LIVING_ROOM, "Power", "TurnOff")
    assert r.status_code == 200
    body = r.json()
    assert_same_shape(body, recorded("smartglass_command.json"))
    assert body["destination"]["powerState"] == "On"  # as it was when the command came
    assert body["destination"]["remoteManagementEnabled"] == "True"  # a string, as recorded
    status = _status(api, LIVING_ROOM)
    assert status["powerState"] == "Off" and status["focusAppAumid"] == ""
    op = {"x-xbl-contract-version": "3", "x-xbl-opId": body["opId"],
          "x-xbl-deviceId": LIVING_ROOM}
    pending = api.get(f"{XCCS}/opStatus", headers=op).json()
    assert_same_shape(pending, recorded("smartglass_op_status.json"))
    assert pending["opStatusList"][0]["operationStatus"] == "Pending"
    assert pending["opStatusList"][0]["command"] == "TurnOff"
    clock[0] += OPERATION_SECONDS
    done = api.get(f"{XCCS}/opStatus", headers=op).json()["opStatusList"][0]
    assert done["operationStatus"] == "Succeeded" and done["succeeded"] is True
    listed = api.get(f"{XCCS}/lists/devices").json()["result"]
    assert listed[0]["powerState"] == "Off"


def test_an_off_console_only_wakes_up(api: httpx.Client, clock: list[float]) -> None:
    _command(api, LIVING_ROOM, "Power", "TurnOff")
    muted = _command(api, LIVING_ROOM, "Audio", "Mute").json()
    clock[0] += OPERATION_SECONDS
    op = api.get(f"{XCCS}/opStatus", headers={"x-xbl-opId": muted["opId"],
                                              "x-xbl-deviceId": LIVING_ROOM}).json()
    assert op["opStatusList"][0]["operationStatus"] == "OffConsoleError"
    assert op["opStatusList"][0]["succeeded"] is False
    woke = _command(api, LIVING_ROOM, "Power", "WakeUp").json()
    assert woke["destination"]["powerState"] == "Off"
    assert _status(api, LIVING_ROOM)["powerState"] == "On"
    assert _command(api, LIVING_ROOM, "Power", "WakeUp").status_code == 200  # idempotent
    assert _status(api, LIVING_ROOM)["powerState"] == "On"


def test_media_shell_audio_and_launch(sb: Sandbox, api: httpx.Client) -> None:
    apps = api.get(f"{XCCS}/lists/installedApps", params={"deviceId": LIVING_ROOM}).json()
    netflix = next(a for a in apps["result"] if a["name"] == "Netflix")
    _command(api, LIVING_ROOM, "Shell", "ActivateApplicationWithOneStoreProductId",
             [{"oneStoreProductId": netflix["oneStoreProductId"]}])
    assert _status(api, LIVING_ROOM)["focusAppAumid"] == netflix["aumid"]
    _command(api, LIVING_ROOM, "Media", "Play")
    assert _status(api, LIVING_ROOM)["playbackState"] == "Playing"
    _command(api, LIVING_ROOM, "Media", "Pause")
    assert _status(api, LIVING_ROOM)["playbackState"] == "Paused"
    _command(api, LIVING_ROOM, "Shell", "GoHome")
    assert _status(api, LIVING_ROOM)["focusAppAumid"].startswith("Xbox.Dashboard")
    from xbox.sandbox.world_services import services_world

    console = services_world(sb).console(sb.world.joe, LIVING_ROOM)
    assert console is not None
    _command(api, LIVING_ROOM, "Audio", "Volume", [{"direction": "Down", "amount": "5"}])
    _command(api, LIVING_ROOM, "Audio", "Mute")
    _command(api, LIVING_ROOM, "Shell", "InjectKey", [{"keyType": "A"}])
    _command(api, LIVING_ROOM, "Shell", "InjectString", [{"replacementString": "hello"}])
    assert (console.volume, console.muted, console.keys) == (45, True, ["A", "hello"])
    missing = _command(api, LIVING_ROOM, "Shell", "ActivateApplicationWithOneStoreProductId",
                       [{"oneStoreProductId": "9NOTINSTALLED"}])
    assert missing.status_code == 200
    assert services_world(sb).operations[missing.json()["opId"]].outcome == "Error"


def test_refusals(api: httpx.Client, sb: Sandbox) -> None:
    assert _command(api, LIVING_ROOM, "Power", "Explode").status_code == 400
    assert _command(api, LIVING_ROOM, "Shell", "InjectKey",
                    [{"keyType": "Start"}]).status_code == 400
    assert _command(api, LIVING_ROOM, "Audio", "Volume",
                    [{"direction": "Sideways"}]).status_code == 400
    unknown = _command(api, "FFFF000000000000", "Power", "WakeUp")
    assert unknown.status_code == 404
    assert unknown.json()["status"]["errorCode"] == "XboxDataNotFound"
    assert api.get(f"{XCCS}/consoles/FFFF000000000000").status_code == 404
    assert api.get(f"{XCCS}/lists/storageDevices").status_code == 400
    assert api.get(f"{XCCS}/opStatus", headers={"x-xbl-opId": "nope",
                                                "x-xbl-deviceId": LIVING_ROOM}).status_code == 404
    old = api.get(f"{XCCS}/lists/devices", headers={"x-xbl-contract-version": "2"})
    assert old.status_code == 406 and old.content == b""
    # Another user has no consoles, and cannot reach Joe's.
    other = next(a for a in sb.world.accounts if a.email == "user0@example.org")
    with httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                      headers={"Authorization": sb.authorization_for(other.email or ""),
                               **V4}) as them:
        assert them.get(f"{XCCS}/lists/devices").json()["result"] == []
        assert them.get(f"{XCCS}/consoles/{LIVING_ROOM}").status_code == 404
    anon = httpx.Client(base_url=sb.base_url, transport=sb.transport())
    assert anon.get(f"{XCCS}/lists/devices").status_code == 401

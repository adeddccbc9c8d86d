"""xccs.xboxlive.com: a user's consoles, their apps and storage, and remote commands.

Shapes from the recordings ``smartglass_{console_list,console_status,installed_apps,
storage_devices,command,op_status}.json``; requests as xbox-webapi-python and python-xbox
send them (contract 4, ``skillplatform: RemoteManagement``; ``GET /opStatus`` with contract
3 and the ``x-xbl-opId`` / ``x-xbl-deviceId`` headers). Both versions are served on every
route; any other gets an empty 406.

A command (``POST /commands``) answers at once with an ``opId`` and the console as it was;
the console's state changes straight away (power off: later status reads say ``Off``), and
the operation reads ``Pending`` for :data:`~xbox.sandbox.world_services.OPERATION_SECONDS`
on the sandbox clock, then ``Succeeded``. Commands other than ``WakeUp`` to a console that
is not ``On`` end ``OffConsoleError`` and change nothing; launching a product the console
does not have ends ``Error``. Assumptions (no recording shows them): an unknown console or
operation is a 404 whose body carries ``status.errorCode: "XboxDataNotFound"`` (a value both
peers' enums name); a malformed command is an empty 400.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, json_response, route
from ..world_services import (
    HOME_AUMID,
    OPERATION_SECONDS,
    TV_AUMID,
    Console,
    InstalledApp,
    Operation,
    StorageDevice,
    json_time_ms,
    services_world,
)
from ._wire import bad_request, contract

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account

HOST = r"xccs\.xboxlive\.com"
OK = {"errorCode": "OK", "errorMessage": None}
KEYS = {"Guide", "Menu", "View", "A", "B", "X", "Y", "Up", "Down", "Left", "Right", "Nexus"}
# type -> the commands it takes
COMMANDS = {
    "Power": {"WakeUp", "TurnOff", "Reboot"},
    "Audio": {"Mute", "Unmute", "Volume"},
    "Media": {"Play", "Pause", "Previous", "Next"},
    "Shell": {"GoHome", "GoBack", "ShowGuideTab", "InjectKey", "InjectString",
              "ActivateApplicationWithOneStoreProductId"},
    "TV": {"ShowGuide"},
}


def _refused(sb: Sandbox, call: Call) -> httpx.Response | None:
    shape = contract(sb, call, "smartglass")
    return shape if isinstance(shape, httpx.Response) else None


def _ok(sb: Sandbox, body: dict[str, Any]) -> httpx.Response:
    return json_response(200, {"status": OK, **body}, headers=sb.xbl_headers())


def _not_found(sb: Sandbox, what: str) -> httpx.Response:
    status = {"errorCode": "XboxDataNotFound", "errorMessage": f"{what} was not found."}
    return json_response(404, {"status": status}, headers=sb.xbl_headers())


def _storage_json(device: StorageDevice) -> dict[str, Any]:
    # Byte counts are JSON floats in every recording (236267835392.0).
    return {"storageDeviceId": device.id, "storageDeviceName": device.name,
            "isDefault": device.is_default, "freeSpaceBytes": float(device.free),
            "totalSpaceBytes": float(device.total)}


def _console_json(console: Console, storage: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": console.id, "name": console.name, "locale": console.locale,
        "consoleType": console.console_type, "powerState": console.power_state,
        "digitalAssistantRemoteControlEnabled": console.assistant,
        "remoteManagementEnabled": console.remote_management,
        "consoleStreamingEnabled": console.streaming,
    }
    if storage:
        out["storageDevices"] = [_storage_json(d) for d in console.storage]
    return out


def _app_json(app: InstalledApp) -> dict[str, Any]:
    return {
        "oneStoreProductId": app.product_id, "titleId": app.title_id, "aumid": app.aumid,
        "lastActiveTime": json_time_ms(app.last_active), "isGame": app.is_game,
        "name": app.name, "contentType": "Game" if app.is_game else "App",
        "instanceId": f"{{{app.storage.guid}}}#{app.unique_id}",
        "storageDeviceId": app.storage.guid, "uniqueId": app.unique_id,
        "legacyProductId": app.legacy_product_id, "version": float(app.version),
        "sizeInBytes": float(app.size), "installTime": json_time_ms(app.installed),
        "updateTime": json_time_ms(app.updated), "parentId": None,
    }


def _console(sb: Sandbox, user: Account | None, raw: str | None) -> Console | httpx.Response:
    assert user is not None
    if not raw:
        return bad_request(sb)
    found = services_world(sb).console(user, unquote(raw))
    return found if found is not None else _not_found(sb, "The console")


@route("GET", HOST, r"/lists/devices", service="smartglass")
def devices(sb: Sandbox, call: Call) -> httpx.Response:
    """The caller's consoles; ``includeStorageDevices=false`` leaves their storage out."""
    if (refused := _refused(sb, call)) is not None:
        return refused
    assert call.user is not None
    storage = call.params.get("includeStorageDevices", "true").lower() != "false"
    consoles = services_world(sb).consoles.get(call.user.xuid, [])
    return _ok(sb, {"result": [_console_json(c, storage) for c in consoles],
                    "agentUserId": None})


@route("GET", HOST, r"/lists/installedApps", service="smartglass")
def installed_apps(sb: Sandbox, call: Call) -> httpx.Response:
    """Apps on one console (``deviceId``), or on all of them when it is left out."""
    if (refused := _refused(sb, call)) is not None:
        return refused
    assert call.user is not None
    if "deviceId" in call.params:
        console = _console(sb, call.user, call.params["deviceId"])
        if isinstance(console, httpx.Response):
            return console
        consoles = [console]
    else:
        consoles = services_world(sb).consoles.get(call.user.xuid, [])
    apps = [_app_json(a) for c in consoles for a in c.apps]
    return _ok(sb, {"result": apps, "agentUserId": None})


@route("GET", HOST, r"/lists/storageDevices", service="smartglass")
def storage_devices(sb: Sandbox, call: Call) -> httpx.Response:
    if (refused := _refused(sb, call)) is not None:
        return refused
    console = _console(sb, call.user, call.params.get("deviceId"))
    if isinstance(console, httpx.Response):
        return console
    # Key order as recorded: status, deviceId, result, agentUserId.
    return _ok(sb, {"deviceId": console.id,
                    "result": [_storage_json(d) for d in console.storage],
                    "agentUserId": None})


@route("GET", HOST, r"/consoles/(?P<console_id>[^/]+)", service="smartglass")
def console_status(sb: Sandbox, call: Call, console_id: str) -> httpx.Response:
    """Power and playback state and the app in focus (none while the console is off)."""
    if (refused := _refused(sb, call)) is not None:
        return refused
    console = _console(sb, call.user, console_id)
    if isinstance(console, httpx.Response):
        return console
    awake = console.power_state == "On"
    return _ok(sb, {
        "powerState": console.power_state,
        "playbackState": console.playback_state if awake else "Stopped",
        "loginState": None,
        "focusAppAumid": console.focus_aumid if awake else "",
        "isTvConfigured": True,
        "digitalAssistantRemoteControlEnabled": console.assistant,
        "consoleStreamingEnabled": console.streaming,
        "remoteManagementEnabled": console.remote_management,
    })


def _parameters(body: dict[str, Any]) -> dict[str, Any] | None:
    params = body.get("parameters", [{}])
    if not isinstance(params, list) or not params or not isinstance(params[0], dict):
        return None
    return params[0]


def _apply(console: Console, command: str, params: dict[str, Any]) -> str | None:
    """Run ``command`` on ``console``: its outcome, or None when the parameters are bad."""
    if command == "WakeUp":
        if console.power_state != "On":
            console.power_state, console.focus_aumid = "On", HOME_AUMID
            console.playback_state = "Stopped"
        return "Succeeded"
    if console.power_state != "On":
        return "OffConsoleError"
    if command == "TurnOff":
        console.power_state, console.playback_state = "Off", "Stopped"
    elif command in ("Reboot", "GoHome"):
        console.focus_aumid, console.playback_state = HOME_AUMID, "Stopped"
    elif command in ("Mute", "Unmute"):
        console.muted = command == "Mute"
    elif command == "Volume":
        direction, amount = params.get("direction"), str(params.get("amount", "1"))
        if direction not in ("Up", "Down") or not amount.isdigit():
            return None
        step = int(amount) if direction == "Up" else -int(amount)
        console.volume = min(100, max(0, console.volume + step))
    elif command in ("Play", "Pause"):
        console.playback_state = "Playing" if command == "Play" else "Paused"
    elif command == "InjectKey":
        if params.get("keyType") not in KEYS:
            return None
        console.keys.append(str(params["keyType"]))
    elif command == "InjectString":
        if not isinstance(params.get("replacementString"), str):
            return None
        console.keys.append(params["replacementString"])
    elif command == "ShowGuideTab":
        if not isinstance(params.get("tabName"), str):
            return None
    elif command == "ActivateApplicationWithOneStoreProductId":
        wanted = params.get("oneStoreProductId")
        if not isinstance(wanted, str):
            return None
        app = next((a for a in console.apps if a.product_id == wanted), None)
        if app is None:
            return "Error"
        console.focus_aumid, console.playback_state = app.aumid, "Stopped"
    elif command == "ShowGuide":
        console.focus_aumid = TV_AUMID
    return "Succeeded"


@route("POST", HOST, r"/commands", service="smartglass")
def command(sb: Sandbox, call: Call) -> httpx.Response:
    """One one-shot command for ``linkedXboxId``: an operation id and the console as it was."""
    if (refused := _refused(sb, call)) is not None:
        return refused
    body = call.json()
    if not isinstance(body, dict) or body.get("destination") != "Xbox":
        return bad_request(sb)
    kind, name, session = body.get("type"), body.get("command"), body.get("sessionId")
    params = _parameters(body)
    if (not isinstance(kind, str) or name not in COMMANDS.get(kind, set())
            or not isinstance(session, str) or params is None):
        return bad_request(sb)
    console = _console(sb, call.user, body.get("linkedXboxId"))
    if isinstance(console, httpx.Response):
        return console
    # The destination shows the console before the command, as recorded for a WakeUp
    # sent to a console in ConnectedStandby.
    destination = {
        "id": console.id, "name": console.name, "locale": console.locale,
        "powerState": console.power_state,
        # Strings here, booleans in the console list: both as recorded.
        "remoteManagementEnabled": str(console.remote_management),
        "consoleStreamingEnabled": str(console.streaming),
        "consoleType": console.console_type, "wirelessWarning": "", "outOfHomeWarning": "",
    }
    outcome = _apply(console, str(name), params)
    if outcome is None:
        return bad_request(sb)
    world = services_world(sb)
    op_id = sb.correlation_id()
    world.operations[op_id] = Operation(op_id, console.id, session, str(name), sb.now(), outcome)
    return _ok(sb, {"result": None, "uiText": None, "destination": destination,
                    "userInfo": None, "opId": op_id})


@route("GET", HOST, r"/opStatus", service="smartglass")
def op_status(sb: Sandbox, call: Call) -> httpx.Response:
    """How an operation went: Pending at first, then its outcome."""
    if (refused := _refused(sb, call)) is not None:
        return refused
    op_id, device = call.header("x-xbl-opId"), call.header("x-xbl-deviceId")
    if not op_id or not device:
        return bad_request(sb)
    console = _console(sb, call.user, device)
    if isinstance(console, httpx.Response):
        return console
    op = services_world(sb).operations.get(op_id)
    if op is None or op.console_id != console.id:
        return _not_found(sb, "The operation")
    done = sb.now() - op.started >= OPERATION_SECONDS
    status = op.outcome if done else "Pending"
    return _ok(sb, {"opStatusList": [{
        "operationStatus": status, "opId": op.op_id, "originatingSessionId": op.session_id,
        "command": op.command, "succeeded": status == "Succeeded", "consoleStatusCode": None,
        "xccsErrorCode": None, "hResult": None, "message": None,
    }]})

"""``xbl.consoles``: SmartGlass console control against the sandbox's xccs routes, sync and
async, the models against the smartglass recordings, and commands that are sent once only."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import xbox
from xbox._api import consoles as api
from xbox.exceptions import InvalidArgument, NotFoundException, ServerError, TransportError
from xbox.models import (
    CommandResult,
    Console,
    ConsoleStatus,
    InstalledApp,
    OperationStatus,
    StorageDevice,
)
from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, Fault, FaultKind, Sandbox
from xbox.sandbox.world_services import JOE_CONSOLES, OPERATION_SECONDS, services_world

from .auth_helpers import FakeClock, requests_to
from .cli_helpers import cli_sandbox, xbox_cli
from .fidelity import recorded
from .signed_in import KINDS, signed_in
from .twins import call

XCCS = "xccs.xboxlive.com"
LIVING_ROOM, BEDROOM = JOE_CONSOLES[0][0], JOE_CONSOLES[1][0]
NETFLIX = "9WZDNCRFJ3TJ"


def console(sb: Sandbox, console_id: str) -> Any:
    return services_world(sb).console(sb.world.joe, console_id)


# -- the models against the recordings --------------------------------------------------------

def test_models_read_the_recorded_bodies() -> None:
    listed = [Console.from_wire(c) for c in recorded("smartglass_console_list.json")["result"]]
    assert [(c.id, c.name, c.console_type, c.power_state) for c in listed] == [
        ("ABCDEFG", "XONEX", "XboxOneX", "ConnectedStandby"),
        ("HIJKLMN", "XONE", "XboxOne", "ConnectedStandby")]
    assert not listed[0].on and listed[0].remote_management_enabled is True
    drives = listed[1].storage_devices
    assert [(d.storage_device_id, d.storage_device_name, d.is_default) for d in drives] == [
        ("2", "Internal", False), ("3", "External", True)]
    assert drives[1].free_space_bytes == 3200714067968 and isinstance(drives[1].free_space_bytes, int)

    status = ConsoleStatus.from_wire(recorded("smartglass_console_status.json"))
    assert status.power_state == "ConnectedStandby" and status.playback_state == "Stopped"
    assert status.focus_app_aumid == "4DF9E0F8.Netflix_mcm4njqhnhss8!App" and not status.on

    apps = [InstalledApp.from_wire(a) for a in recorded("smartglass_installed_apps.json")["result"]]
    assert [(a.name, a.one_store_product_id, a.title_id, a.is_game) for a in apps] == [
        ("eFootball PES 2020", "C2DCVRMJ9V45", 12206284, True),
        ("Netflix", NETFLIX, 327370029, False)]
    assert apps[0].size_in_bytes == 43352756224 and apps[1].legacy_product_id is None
    assert apps[0].install_time is not None and apps[0].install_time.year == 2019

    storage = recorded("smartglass_storage_devices.json")
    only = StorageDevice.from_wire(storage["result"][0])
    assert only.total_space_bytes == 838592360448 and only.is_default is True

    result = CommandResult.from_wire(recorded("smartglass_command.json"))
    assert result.op_id == "35bd7870-fad4-4e98-a354-d027bd840116"
    assert result.destination is not None and result.destination.name == "XONEX"
    assert result.destination.remote_management_enabled is True  # "True" on the wire
    assert result.destination.console_streaming_enabled is False  # "False"
    assert result.pending and result.outcome == "Pending" and not result.succeeded

    op = OperationStatus.from_wire(recorded("smartglass_op_status.json")["opStatusList"][0])
    assert (op.op_id, op.operation_status, op.command, op.succeeded) == (
        result.op_id, "Pending", "WakeUp", False)
    assert op.pending and result.with_status(op).pending
    done = result.with_status(OperationStatus.from_wire(
        {**op.raw, "operationStatus": "Succeeded", "succeeded": True}))
    assert done.succeeded and done.outcome == "Succeeded"
    assert done.raw == recorded("smartglass_command.json")  # the command's answer, as sent


# -- reading -----------------------------------------------------------------------------------

@KINDS
async def test_list_status_apps_and_storage(kind: str, sb: Sandbox, clock: FakeClock) -> None:
    async with signed_in(kind, sb, clock) as xbl:
        found = await call(xbl.consoles.list())
        assert [(c.id, c.name, c.power_state) for c in found] == [
            (cid, name, power) for cid, name, _, power in JOE_CONSOLES]
        assert [d.storage_device_name for d in found[0].storage_devices] == ["Internal", "External"]
        bare = await call(xbl.consoles.list(storage=False))
        assert all(not c.storage_devices for c in bare)
        living = await call(xbl.consoles.find("living room"))
        assert living.id == LIVING_ROOM and (await call(xbl.consoles.find(BEDROOM))).name == "Bedroom"
        status = await call(xbl.consoles.status(living))
        apps = await call(xbl.consoles.apps(LIVING_ROOM))
        assert status.on and status.focus_app_aumid == apps[0].aumid  # Joe is playing
        assert NETFLIX in {a.one_store_product_id for a in apps}
        every = await call(xbl.consoles.apps())
        assert len(every) > len(apps)
        drives = await call(xbl.consoles.storage(LIVING_ROOM))
        assert [d.storage_device_id for d in drives] == ["1", "2"]
    sent = requests_to(sb, XCCS)
    assert {r.headers["x-xbl-contract-version"] for r in sent} == {"4"}
    assert {r.headers["skillplatform"] for r in sent} == {"RemoteManagement"}
    assert sent[0].url.params["queryCurrentDevice"] == "false"


@KINDS
async def test_unknown_console_and_bad_arguments(kind: str, sb: Sandbox, clock: FakeClock) -> None:
    async with signed_in(kind, sb, clock) as xbl:
        with pytest.raises(NotFoundException, match="Living Room"):
            await call(xbl.consoles.find("Kitchen"))  # the message lists the consoles
        with pytest.raises(NotFoundException, match="ABCDEF0123456789") as info:
            await call(xbl.consoles.status("ABCDEF0123456789"))
        assert info.value.status_code == 404
        before = len(sb.requests)
        for bad in (lambda: xbl.consoles.status("a/b"), lambda: xbl.consoles.power(BEDROOM, "up"),
                    lambda: xbl.consoles.volume(BEDROOM, "sideways"),
                    lambda: xbl.consoles.volume(BEDROOM, "up", 0),
                    lambda: xbl.consoles.press(BEDROOM, "Z"),
                    lambda: xbl.consoles.type_text(BEDROOM, ""),
                    lambda: xbl.consoles.power(BEDROOM, "off", timeout=-1),
                    lambda: xbl.consoles.command(BEDROOM, "Shell", "Go/Home")):
            with pytest.raises(InvalidArgument):
                await call(bad())
        assert len(sb.requests) == before  # refused before anything was sent


def test_pick_refuses_two_consoles_of_one_name() -> None:
    two = [Console(id="A1", name="Xbox"), Console(id="B2", name="xbox")]
    with pytest.raises(InvalidArgument, match="A1, B2"):
        api.pick(two, "XBOX")
    assert api.pick(two, "b2").id == "B2"


# -- commands ----------------------------------------------------------------------------------

@KINDS
async def test_power_commands_wait_for_their_outcome(kind: str, sb: Sandbox,
                                                     clock: FakeClock) -> None:
    async with signed_in(kind, sb, clock) as xbl:
        clock.slept.clear()
        on = await call(xbl.consoles.power(BEDROOM, "on"))
        assert isinstance(on, CommandResult) and on.succeeded and on.outcome == "Succeeded"
        assert on.command == "WakeUp" and on.console_id == BEDROOM
        assert on.destination is not None and on.destination.power_state == "ConnectedStandby"
        polls = requests_to(sb, XCCS, "/opStatus")
        assert len(polls) >= 2  # Pending first, then the outcome
        assert polls[0].headers["x-xbl-opId"] == on.op_id
        assert polls[0].headers["x-xbl-deviceId"] == BEDROOM
        assert polls[0].headers["x-xbl-contract-version"] == "3"
        assert OPERATION_SECONDS <= sum(clock.slept) <= OPERATION_SECONDS + 1
        assert (await call(xbl.consoles.status(BEDROOM))).on
        off = await call(xbl.consoles.power(BEDROOM, "off"))
        assert off.succeeded and (await call(xbl.consoles.status(BEDROOM))).power_state == "Off"
        # An off console takes no command but WakeUp: the outcome says so, nothing raises.
        refused = await call(xbl.consoles.mute(BEDROOM))
        assert not refused.succeeded and refused.outcome == "OffConsoleError"
        assert console(sb, BEDROOM).muted is False
        rebooted = await call(xbl.consoles.power(LIVING_ROOM, "reboot"))
        assert rebooted.command == "Reboot" and rebooted.succeeded
    sent = [json.loads(r.content) for r in requests_to(sb, XCCS, "/commands")]
    assert [b["command"] for b in sent] == ["WakeUp", "TurnOff", "Mute", "Reboot"]
    assert all(b["destination"] == "Xbox" and b["parameters"] == [{}] for b in sent)
    assert len({b["sessionId"] for b in sent}) == 1  # one session per process, as the app


@KINDS
async def test_no_wait_and_a_bounded_wait(kind: str, sb: Sandbox, clock: FakeClock) -> None:
    async with signed_in(kind, sb, clock) as xbl:
        quick = await call(xbl.consoles.power(BEDROOM, "on", wait=False))
        assert quick.pending and quick.operation is None and not quick.succeeded
        assert not requests_to(sb, XCCS, "/opStatus")
        clock.slept.clear()
        short = await call(xbl.consoles.volume(LIVING_ROOM, "up", timeout=1.5))
        assert short.pending and short.operation is not None  # still Pending when time ran out
        assert sum(clock.slept) == pytest.approx(1.5)
        later = await call(xbl.consoles.op_status(LIVING_ROOM, short.op_id))
        assert later.pending  # only 1.5 s of sandbox time have passed
        clock.advance(OPERATION_SECONDS)
        assert (await call(xbl.consoles.op_status(LIVING_ROOM, short.op_id))).operation_status \
            == "Succeeded"


@KINDS
async def test_audio_input_and_launch_change_the_console(kind: str, sb: Sandbox,
                                                         clock: FakeClock) -> None:
    living = console(sb, LIVING_ROOM)
    volume = living.volume
    async with signed_in(kind, sb, clock) as xbl:
        assert (await call(xbl.consoles.volume(LIVING_ROOM, "up", 3))).succeeded
        await call(xbl.consoles.volume(LIVING_ROOM, "Down"))
        assert living.volume == volume + 2
        await call(xbl.consoles.mute(LIVING_ROOM))
        assert living.muted
        await call(xbl.consoles.mute(LIVING_ROOM, False))
        assert not living.muted
        await call(xbl.consoles.press(LIVING_ROOM, "a"))
        await call(xbl.consoles.type_text(LIVING_ROOM, "hello"))
        assert living.keys == ["A", "hello"]
        await call(xbl.consoles.press(LIVING_ROOM, "pause"))
        assert living.playback_state == "Paused"
        home = await call(xbl.consoles.command(LIVING_ROOM, "Shell", "GoHome"))
        assert home.succeeded and home.command == "GoHome"
        # By name (looked up among the installed apps), by title id, by product id.
        launched = await call(xbl.consoles.launch(LIVING_ROOM, "netflix"))
        assert launched.succeeded
        assert (await call(xbl.consoles.status(LIVING_ROOM))).focus_app_aumid.startswith(
            "4DF9E0F8.Netflix")
        game = living.apps[0]
        await call(xbl.consoles.launch(LIVING_ROOM, game.title_id))
        assert living.focus_aumid == game.aumid
        listed = len(requests_to(sb, XCCS, "/lists/installedApps"))
        await call(xbl.consoles.launch(LIVING_ROOM, NETFLIX))
        assert len(requests_to(sb, XCCS, "/lists/installedApps")) == listed  # no look-up
        commands = len(requests_to(sb, XCCS, "/commands"))
        with pytest.raises(NotFoundException, match="Solitaire"):
            await call(xbl.consoles.launch(LIVING_ROOM, "Solitaire"))
        assert len(requests_to(sb, XCCS, "/commands")) == commands  # nothing sent
    bodies = [json.loads(r.content) for r in requests_to(sb, XCCS, "/commands")]
    assert bodies[0]["parameters"] == [{"direction": "Up", "amount": "3"}]
    assert bodies[-1]["parameters"] == [{"oneStoreProductId": NETFLIX}]


def test_launch_by_a_name_many_apps_share_is_refused() -> None:
    apps = [InstalledApp(name="Halo 5", one_store_product_id="AAAAAAAAAAA1"),
            InstalledApp(name="Halo Infinite", one_store_product_id="AAAAAAAAAAA2")]
    with pytest.raises(InvalidArgument, match="Halo 5, Halo Infinite"):
        api.launch(LIVING_ROOM, "halo", apps)
    only = api.launch(LIVING_ROOM, "halo 5", apps)  # an exact name wins over containing
    assert only.request.call.json["parameters"] == [{"oneStoreProductId": "AAAAAAAAAAA1"}]


# -- writes are sent once ---------------------------------------------------------------------

@KINDS
async def test_a_command_is_never_sent_twice(kind: str, sb: Sandbox, clock: FakeClock) -> None:
    living = console(sb, LIVING_ROOM)
    async with signed_in(kind, sb, clock) as xbl:
        volume = living.volume
        sb.faults.append(Fault(kind=FaultKind.SERVER_ERROR, host=XCCS, path_contains="/commands",
                               times=3))
        with pytest.raises(ServerError):
            await call(xbl.consoles.volume(LIVING_ROOM, "up"))
        assert len(requests_to(sb, XCCS, "/commands")) == 1
        sb.faults.clear()
        # The command was served, its answer lost: the volume went up once, not again.
        sb.faults.append(Fault(kind=FaultKind.RESET, host=XCCS, path_contains="/commands",
                               times=3))
        with pytest.raises(TransportError):
            await call(xbl.consoles.volume(LIVING_ROOM, "up"))
        assert len(requests_to(sb, XCCS, "/commands")) == 2 and living.volume == volume + 1
        sb.faults.clear()
        # A read is retried through the same fault (so the above could have failed).
        sb.faults.append(Fault(kind=FaultKind.SERVER_ERROR, host=XCCS, path_contains="/consoles/",
                               times=1))
        assert (await call(xbl.consoles.status(LIVING_ROOM))).on
        assert len(requests_to(sb, XCCS, "/consoles/")) == 2


def test_a_reset_on_the_socket_is_not_resent() -> None:
    sb = Sandbox(seed=0, rate_limits=False)
    living = console(sb, LIVING_ROOM)
    with sb.serve() as served, xbox.Client(base_url=served.base_url, token_store=None) as xbl:
        xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
        volume = living.volume
        sb.faults.append(Fault(kind=FaultKind.RESET, host=XCCS, path_contains="/commands",
                               times=2))
        with pytest.raises(TransportError):
            xbl.consoles.volume(LIVING_ROOM, "down", wait=False)
        assert len([r for r in sb.requests if r.url.path.endswith("/commands")]) == 1
        assert living.volume == volume - 1
        assert isinstance(xbl.consoles.status(LIVING_ROOM).power_state, str)


def test_command_calls_are_writes() -> None:
    built = api.power(BEDROOM, "on").request.call
    assert built.method == "POST" and built.idempotent is False
    assert api.status(BEDROOM).call.idempotent is True
    assert isinstance(httpx.URL(built.url).host, str)


# -- the command line ---------------------------------------------------------------------------

def test_cli_lists_consoles_for_people_and_programs() -> None:
    sb = cli_sandbox()
    human = xbox_cli(sb, "consoles")
    assert human.exit_code == 0, human.stderr
    assert "2 consoles" in human.stderr
    assert human.stdout.splitlines()[0].split("\t")[:4] == [
        "Living Room", LIVING_ROOM, "XboxSeriesX", "On"]
    data = json.loads(xbox_cli(sb, "consoles", "--json").stdout)
    assert [c["id"] for c in data] == [LIVING_ROOM, BEDROOM]
    assert set(data[0]) == {"id", "name", "type", "power_state", "storage", "raw"}
    assert data[0]["storage"][0]["name"] == "Internal" and data[0]["raw"]["id"] == LIVING_ROOM


def test_cli_commands_wait_and_say_the_outcome() -> None:
    sb = cli_sandbox()
    bedroom, living = console(sb, BEDROOM), console(sb, LIVING_ROOM)
    on = xbox_cli(sb, "console", "on", "bedroom")
    assert on.exit_code == 0, on.stderr
    assert on.stdout.strip() == "Bedroom: power on: Succeeded" and bedroom.power_state == "On"
    volume = living.volume
    up = xbox_cli(sb, "console", "volume", "up", "Living Room", "--amount", "2", "--json")
    data = json.loads(up.stdout)
    assert data["dry_run"] is False and data["outcome"] == "Succeeded" and data["succeeded"]
    assert data["request"]["body"]["parameters"] == [{"direction": "Up", "amount": "2"}]
    assert set(data) == {"dry_run", "request", "console_id", "console", "command", "op_id",
                         "outcome", "succeeded"}
    assert living.volume == volume + 2
    launched = xbox_cli(sb, "console", "launch", "Netflix", LIVING_ROOM)
    assert launched.exit_code == 0 and living.focus_aumid.startswith("4DF9E0F8.Netflix")
    assert xbox_cli(sb, "console", "mute", "Living Room").exit_code == 0 and living.muted
    assert xbox_cli(sb, "console", "unmute", "Living Room").exit_code == 0 and not living.muted
    assert xbox_cli(sb, "console", "off", "Bedroom").exit_code == 0
    refused = xbox_cli(sb, "console", "mute", "Bedroom")  # an off console refuses
    assert refused.exit_code == 1 and refused.stderr == "Error: Bedroom: mute: OffConsoleError\n"
    late = xbox_cli(sb, "console", "reboot", "Living Room", "--timeout", "0.5")
    assert late.exit_code == 1 and "no outcome after 0.5 s" in late.stderr


def test_cli_dry_run_sends_no_command() -> None:
    sb = cli_sandbox()
    dry = xbox_cli(sb, "console", "off", "Living Room", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout.startswith("would send: POST https://xccs.xboxlive.com/commands {")
    assert '"command": "TurnOff"' in dry.stdout
    data = json.loads(xbox_cli(sb, "console", "launch", "netflix", "Living Room", "--dry-run",
                               "--json").stdout)
    assert data["dry_run"] is True and data["op_id"] is None and data["outcome"] is None
    assert data["request"]["body"]["parameters"] == [{"oneStoreProductId": NETFLIX}]
    assert not [r for r in sb.requests if r.url.path.endswith("/commands")]
    assert console(sb, LIVING_ROOM).power_state == "On"
    assert "Authorization" not in dry.stdout and "XBL3.0" not in dry.stdout


def test_cli_console_errors_and_exit_codes() -> None:
    sb = cli_sandbox()
    unnamed = xbox_cli(sb, "console", "off")
    assert unnamed.exit_code == 2 and "'Living Room', 'Bedroom'" in unnamed.stderr
    unknown = xbox_cli(sb, "console", "on", "Kitchen")
    assert unknown.exit_code == 3 and "No console named 'Kitchen'" in unknown.stderr
    missing = xbox_cli(sb, "console", "launch", "Solitaire", "Living Room")
    assert missing.exit_code == 3 and "Solitaire" in missing.stderr
    assert xbox_cli(sb, "console", "volume", "sideways", "Bedroom").exit_code == 2
    assert xbox_cli(sb, "console", "press", "Z", "Bedroom").exit_code == 2
    assert not [r for r in sb.requests if r.url.path.endswith("/commands")]

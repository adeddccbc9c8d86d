"""xccs.xboxlive.com (SmartGlass): consoles, their apps and storage, and remote commands.

Requests as the Xbox app and both peers send them: contract 4 and ``skillplatform:
RemoteManagement`` everywhere but ``GET /opStatus`` (contract 3, the operation and console
named in headers). A command (``POST /commands``) answers at once with an operation id; how
it went is read from ``/opStatus`` until it is no longer ``Pending``. Commands are writes:
never sent twice by the pipeline (:func:`command` builds them ``idempotent=False``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._core.call import Call, api_call
from ..exceptions import InvalidArgument, MalformedResponse, NotFoundException
from ..models.base import parse_records
from ..models.consoles import (
    CommandResult,
    Console,
    ConsoleStatus,
    InstalledApp,
    OperationStatus,
    StorageDevice,
)
from . import Errors, Request, items_of

__all__ = ["BUTTONS", "HOST", "MEDIA", "POLL_INTERVAL", "POWER", "WAIT_SECONDS", "Command",
           "apps", "command", "console_id", "consoles", "is_product_id", "launch", "mute",
           "op_status", "pick", "poll_delay", "power", "press", "status", "storage",
           "type_text", "volume", "wait_until"]

HOST = "xccs.xboxlive.com"
CONTRACT = 4
OP_STATUS_CONTRACT = 3
HEADERS = {"skillplatform": "RemoteManagement"}
#: One session per process, as the Xbox app keeps one per run: op status names it.
SESSION_ID = str(uuid.uuid4())
SOURCE_ID = "com.microsoft.smartglass"

#: How long a command waits for its outcome by default, and how often it asks.
WAIT_SECONDS = 30.0
POLL_INTERVAL = 1.0

#: The controller buttons ``InjectKey`` takes (the peers' ``InputKeyType``).
BUTTONS = ("Guide", "Menu", "View", "A", "B", "X", "Y", "Up", "Down", "Left", "Right", "Nexus")
#: Media keys: the word -> the ``Media`` command.
MEDIA = {"play": "Play", "pause": "Pause", "next": "Next", "previous": "Previous"}
#: Power: the word -> the ``Power`` command.
POWER = {"on": "WakeUp", "off": "TurnOff", "reboot": "Reboot"}

_ID = re.compile(r"[0-9A-Za-z-]{1,64}")
_PRODUCT_ID = re.compile(r"[0-9A-Z]{12}")


def console_id(console: Console | str) -> str:
    """The id of a console given as a :class:`Console` or its id.

    Raises:
        InvalidArgument: not a console id (names are looked up with ``consoles.find``).
    """
    raw = console.id if isinstance(console, Console) else console
    text = raw.strip() if isinstance(raw, str) else ""
    if not _ID.fullmatch(text):
        raise InvalidArgument(f"a console id looks like F4001A2B3C4D5E6F, not {raw!r}"[:120])
    return text


def _call(method: str, path: str, params: Mapping[str, Any] | None = None) -> Call:
    return api_call(method, HOST, path, params=params, contract_version=CONTRACT,
                    headers=HEADERS)


def _result(body: Any, key: str = "result") -> Any:
    return items_of(body, key, HOST)


def consoles(storage: bool, errors: Errors | None) -> Request[list[Console]]:
    """The signed-in user's consoles (with their drives, unless ``storage`` is False)."""
    call = _call("GET", "/lists/devices", {"queryCurrentDevice": "false",
                                           "includeStorageDevices": str(storage).lower()})
    return Request(call, lambda body: parse_records(Console, _result(body), errors))


def pick(found: Sequence[Console], wanted: str) -> Console:
    """The console named or numbered ``wanted`` (case-insensitive) among ``found``.

    Raises:
        NotFoundException: none is (the message lists the consoles there are).
        InvalidArgument: several consoles have that name.
    """
    text = str(wanted).strip().casefold()
    by_id = [c for c in found if c.id.casefold() == text]
    matches = by_id or [c for c in found if (c.name or "").casefold() == text]
    if len(matches) > 1:
        raise InvalidArgument(f"{len(matches)} consoles are named {wanted!r}: give its id "
                              f"({', '.join(c.id for c in matches)})")
    if not matches:
        known = ", ".join(f"{c.name} ({c.id})" for c in found) or "none"
        raise NotFoundException(f"No console named {wanted!r}; your consoles: {known}",
                                service=HOST)
    return matches[0]


def _not_found(console: str) -> str:
    return f"No console with id {console} among your consoles"


def status(console: Console | str) -> Request[ConsoleStatus]:
    """A console's power and playback state and the app in focus."""
    cid = console_id(console)
    return Request(_call("GET", f"/consoles/{cid}"), ConsoleStatus.from_wire,
                   not_found_message=_not_found(cid))


def apps(console: Console | str | None, errors: Errors | None) -> Request[list[InstalledApp]]:
    """The apps installed on one console, or on every console."""
    cid = None if console is None else console_id(console)
    call = _call("GET", "/lists/installedApps", None if cid is None else {"deviceId": cid})
    return Request(call, lambda body: parse_records(InstalledApp, _result(body), errors),
                   not_found_message=_not_found(cid) if cid else None)


def storage(console: Console | str) -> Request[list[StorageDevice]]:
    """A console's drives, with their free and total space."""
    cid = console_id(console)
    return Request(_call("GET", "/lists/storageDevices", {"deviceId": cid}),
                   lambda body: parse_records(StorageDevice, _result(body)),
                   not_found_message=_not_found(cid))


@dataclass(frozen=True)
class Command:
    """A command for one console: the request, and what it is called."""

    request: Request[CommandResult]
    console_id: str
    name: str


def command(console: Console | str, kind: str, name: str,
            parameters: Mapping[str, Any] | None = None) -> Command:
    """Any one-shot command (``kind`` ``Power``/``Audio``/``Media``/``Shell``/``TV``).

    Raises:
        InvalidArgument: a type or name that is not one word.
    """
    cid = console_id(console)
    for word in (kind, name):
        if not isinstance(word, str) or not word.isalnum():
            raise InvalidArgument(f"a command type and name are words like 'Power', "
                                  f"'WakeUp', not {word!r}"[:120])
    body = {"destination": "Xbox", "type": kind, "command": name, "sessionId": SESSION_ID,
            "sourceId": SOURCE_ID, "parameters": [dict(parameters or {})], "linkedXboxId": cid}
    call = api_call("POST", HOST, "/commands", json=body, contract_version=CONTRACT,
                    headers=HEADERS, idempotent=False)

    def read(answer: Any) -> CommandResult:
        result = CommandResult.from_wire(answer)
        return result.model_copy(update={"console_id": cid, "command": name})

    return Command(Request(call, read, not_found_message=_not_found(cid)), cid, name)


def volume(console: Console | str, direction: str, amount: int) -> Command:
    """``Volume`` up or down by ``amount`` steps."""
    way = str(direction).strip().capitalize()
    if way not in ("Up", "Down"):
        raise InvalidArgument(f"the volume goes 'up' or 'down', not {direction!r}"[:120])
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= 100:
        raise InvalidArgument(f"the volume changes by 1 to 100 steps, not {amount!r}"[:120])
    return command(console, "Audio", "Volume", {"direction": way, "amount": str(amount)})


def power(console: Console | str, action: str) -> Command:
    """``WakeUp``, ``TurnOff`` or ``Reboot``, by the word: on, off or reboot."""
    name = POWER.get(str(action).strip().lower())
    if name is None:
        raise InvalidArgument(f"power is one of {', '.join(POWER)}; not {action!r}"[:120])
    return command(console, "Power", name)


def mute(console: Console | str, muted: bool) -> Command:
    """``Mute``, or ``Unmute`` for ``muted`` False."""
    return command(console, "Audio", "Mute" if muted else "Unmute")


def press(console: Console | str, key: str) -> Command:
    """A controller button (``InjectKey``, one of :data:`BUTTONS`) or a media key
    (``Media``: play, pause, next, previous), any case."""
    wanted = str(key).strip().casefold()
    button = next((b for b in BUTTONS if b.casefold() == wanted), None)
    if button is not None:
        return command(console, "Shell", "InjectKey", {"keyType": button})
    if wanted in MEDIA:
        return command(console, "Media", MEDIA[wanted])
    raise InvalidArgument(f"a key is a button ({', '.join(BUTTONS)}) or a media key "
                          f"({', '.join(MEDIA)}); not {key!r}"[:200])


def type_text(console: Console | str, text: str) -> Command:
    """``InjectString``: text typed into the focused text box."""
    if not isinstance(text, str) or not text:
        raise InvalidArgument("the text to type cannot be empty")
    return command(console, "Shell", "InjectString", {"replacementString": text})


def is_product_id(app: str) -> bool:
    """Whether ``app`` is a store product id (``9WZDNCRFJ3TJ``) rather than a name."""
    return bool(_PRODUCT_ID.fullmatch(str(app).strip()))


def launch(console: Console | str, app: str | int, installed: Sequence[InstalledApp]) -> Command:
    """Launch an app or game: its store product id, or its title id or name among the
    console's ``installed`` apps (exact name first, then a name that contains it).

    Raises:
        NotFoundException: nothing installed matches.
        InvalidArgument: several apps match the name.
    """
    text = str(app).strip()
    product = text if is_product_id(text) else _installed(console, text, installed)
    return command(console, "Shell", "ActivateApplicationWithOneStoreProductId",
                   {"oneStoreProductId": product})


def _installed(console: Console | str, text: str, installed: Sequence[InstalledApp]) -> str:
    wanted = text.casefold()
    exact = [a for a in installed
             if wanted in ((a.one_store_product_id or "").casefold(), (a.name or "").casefold(),
                           str(a.title_id or ""))]
    found = exact or [a for a in installed if wanted and wanted in (a.name or "").casefold()]
    products = {a.one_store_product_id for a in found if a.one_store_product_id}
    if len(products) > 1:
        names = ", ".join(sorted({a.name or "?" for a in found}))
        raise InvalidArgument(f"{text!r} matches several apps ({names}): be more precise")
    if not products:
        raise NotFoundException(f"No app {text!r} is installed on console "
                                f"{console_id(console)}", service=HOST)
    return products.pop()


def op_status(console: Console | str, op_id: str) -> Request[OperationStatus]:
    """How an operation went (the first entry of ``opStatusList``)."""
    cid = console_id(console)
    if not isinstance(op_id, str) or not _ID.fullmatch(op_id):
        raise InvalidArgument(f"an operation id is a GUID, not {op_id!r}"[:120])
    call = api_call("GET", HOST, "/opStatus", contract_version=OP_STATUS_CONTRACT,
                    headers={"x-xbl-opId": op_id, "x-xbl-deviceId": cid})

    def read(body: Any) -> OperationStatus:
        items = items_of(body, "opStatusList", HOST)
        if not items:
            raise MalformedResponse(f"{HOST} sent an empty opStatusList", body=body,
                                    service=HOST)
        return OperationStatus.from_wire(items[0])

    return Request(call, read, not_found_message=f"No operation {op_id} on console {cid}")


def wait_until(now: float, timeout: float) -> float:
    """When waiting for a command's outcome ends: ``timeout`` seconds from ``now``.

    Raises:
        InvalidArgument: a timeout that is not a number of seconds, zero or more.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout >= 0:
        raise InvalidArgument(f"timeout is seconds, zero or more, not {timeout!r}"[:120])
    return now + timeout


def poll_delay(ends: float, now: float) -> float | None:
    """Seconds to wait before the next status read, or None once the wait ``ends``."""
    left = ends - now
    return min(POLL_INTERVAL, left) if left > 0 else None

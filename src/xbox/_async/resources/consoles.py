"""consoles: SmartGlass remote control of the signed-in user's consoles (xccs.xboxlive.com)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..._api import consoles
from ..._api.consoles import WAIT_SECONDS
from ...exceptions import MalformedResponse
from ...models import consoles as models
from ._base import AsyncResource

__all__ = ["AsyncConsoles"]

ConsoleRef = models.Console | str


class AsyncConsoles(AsyncResource):
    """``xbl.consoles``: the user's consoles, and commands that wait for their outcome.

    Every command takes ``wait`` (poll the outcome, the default) and ``timeout`` (seconds,
    at most); it is sent once, never retried, and returns a :class:`~xbox.models.CommandResult`.
    """

    async def find(self, console: str) -> models.Console:
        """A console by its name or id, any case (NotFoundException if none)."""
        return consoles.pick(await self.list(storage=False), console)

    async def status(self, console: ConsoleRef) -> models.ConsoleStatus:
        """Power and playback state, and the app in focus."""
        return await self._fetch(consoles.status(console))

    async def apps(self, console: ConsoleRef | None = None, *,
                   errors: list[MalformedResponse] | None = None) -> list[models.InstalledApp]:
        """The games and apps installed on a console (on every console by default)."""
        return await self._fetch(consoles.apps(console, errors))

    async def storage(self, console: ConsoleRef) -> list[models.StorageDevice]:
        """A console's drives, with their free and total space."""
        return await self._fetch(consoles.storage(console))

    async def op_status(self, console: ConsoleRef, op_id: str) -> models.OperationStatus:
        """How a command went, by its operation id (``CommandResult.op_id``)."""
        return await self._fetch(consoles.op_status(console, op_id))

    async def power(self, console: ConsoleRef, action: str, *, wait: bool = True,
                    timeout: float = WAIT_SECONDS) -> models.CommandResult:
        """Turn the console ``"on"`` (from standby) or ``"off"``, or ``"reboot"`` it."""
        return await self._command(consoles.power(console, action), wait, timeout)

    async def launch(self, console: ConsoleRef, app: str | int, *, wait: bool = True,
                     timeout: float = WAIT_SECONDS) -> models.CommandResult:
        """Start a game or app: its store product id, title id or name (as installed)."""
        found = [] if consoles.is_product_id(str(app)) else await self.apps(console)
        return await self._command(consoles.launch(console, app, found), wait, timeout)

    async def volume(self, console: ConsoleRef, direction: str, amount: int = 1, *,
                     wait: bool = True, timeout: float = WAIT_SECONDS) -> models.CommandResult:
        """Turn the volume ``"up"`` or ``"down"`` by ``amount`` steps."""
        return await self._command(consoles.volume(console, direction, amount), wait, timeout)

    async def mute(self, console: ConsoleRef, muted: bool = True, *, wait: bool = True,
                   timeout: float = WAIT_SECONDS) -> models.CommandResult:
        """Mute the sound (``muted=False``: turn it back on)."""
        return await self._command(consoles.mute(console, muted), wait, timeout)

    async def press(self, console: ConsoleRef, key: str, *, wait: bool = True,
                    timeout: float = WAIT_SECONDS) -> models.CommandResult:
        """Press a controller button (``"A"``, ``"Nexus"``...) or a media key (``"play"``...)."""
        return await self._command(consoles.press(console, key), wait, timeout)

    async def type_text(self, console: ConsoleRef, text: str, *, wait: bool = True,
                        timeout: float = WAIT_SECONDS) -> models.CommandResult:
        """Type text into the text box in focus."""
        return await self._command(consoles.type_text(console, text), wait, timeout)

    async def command(self, console: ConsoleRef, kind: str, name: str,
                      parameters: Mapping[str, Any] | None = None, *, wait: bool = True,
                      timeout: float = WAIT_SECONDS) -> models.CommandResult:
        """Any command by its type and name (``"Shell", "GoHome"``), as the service names it."""
        return await self._command(consoles.command(console, kind, name, parameters), wait,
                                   timeout)

    async def _command(self, command: consoles.Command, wait: bool,
                       timeout: float) -> models.CommandResult:
        """Send ``command`` once; with ``wait``, read its status until it ends or time is up."""
        ends = consoles.wait_until(self._client.clock(), timeout)
        result = await self._fetch(command.request)
        while wait and result.pending and (
                delay := consoles.poll_delay(ends, self._client.clock())) is not None:
            await self._client._sleep(delay)
            status = await self._fetch(consoles.op_status(command.console_id, result.op_id))
            result = result.with_status(status)
        return result

    # Last: after it, `list` in this class body names the method, not the type.
    async def list(self, *, storage: bool = True,
                   errors: list[MalformedResponse] | None = None) -> list[models.Console]:
        """The consoles registered to the signed-in user (with their drives)."""
        return await self._fetch(consoles.consoles(storage, errors))

"""xccs.xboxlive.com (SmartGlass, contract 4): a user's consoles, their apps and storage,
and the remote commands sent to them.

Byte counts and versions arrive as JSON floats (``236267835392.0``); they read as ints. The
command answer names the console as it was before the command, its booleans as strings
(``"True"``): they read as booleans there too.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator

from .base import WireDateTime, WireModel, XboxModel

__all__ = ["CommandResult", "Console", "ConsoleStatus", "InstalledApp", "OperationStatus",
           "StorageDevice"]

#: The ``operationStatus`` of a command that has not ended yet.
PENDING = "Pending"


def _flag(value: Any) -> Any:
    """``"True"``/``"False"`` (the command answer's spelling) as booleans."""
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


class StorageDevice(XboxModel):
    """A console's drive. ``storage_device_id`` is its identity."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("id", "storage_device_id"), ("name", "storage_device_name"))

    storage_device_id: str
    storage_device_name: str | None = None
    is_default: bool | None = None
    free_space_bytes: int | None = None
    total_space_bytes: int | None = None


class Console(XboxModel):
    """A console the user has registered. ``id`` is its identity, the one every command
    takes; ``power_state`` is ``On``, ``Off`` or ``ConnectedStandby``."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("id", "id"), ("name", "name"), ("power_state", "power_state"))

    id: str = Field(min_length=1)
    name: str | None = None
    locale: str | None = None
    console_type: str | None = None
    power_state: str | None = None
    digital_assistant_remote_control_enabled: bool | None = None
    remote_management_enabled: bool | None = None
    console_streaming_enabled: bool | None = None
    storage_devices: list[StorageDevice] = Field(default_factory=list)

    @property
    def on(self) -> bool:
        """Whether the console is on (not off, not in standby)."""
        return (self.power_state or "").lower() == "on"


class ConsoleStatus(XboxModel):
    """What a console is doing: power, playback and the app in focus (none while off)."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("power_state", "power_state"), ("focus", "focus_app_aumid"))

    power_state: str | None = None
    playback_state: str | None = None
    login_state: Any = None
    focus_app_aumid: str | None = None
    is_tv_configured: bool | None = None
    digital_assistant_remote_control_enabled: bool | None = None
    console_streaming_enabled: bool | None = None
    remote_management_enabled: bool | None = None

    @property
    def on(self) -> bool:
        return (self.power_state or "").lower() == "on"


class InstalledApp(XboxModel):
    """A game or app installed on a console. ``one_store_product_id`` is what launching it
    sends."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("name", "name"), ("product_id", "one_store_product_id"))

    one_store_product_id: str | None = None
    title_id: int | None = None
    aumid: str | None = None
    last_active_time: WireDateTime | None = None
    is_game: bool | None = None
    name: str | None = None
    content_type: str | None = None
    instance_id: str | None = None
    storage_device_id: str | None = None
    unique_id: str | None = None
    legacy_product_id: str | None = None
    version: int | None = None
    size_in_bytes: int | None = None
    install_time: WireDateTime | None = None
    update_time: WireDateTime | None = None
    parent_id: str | None = None


class OperationStatus(XboxModel):
    """How a command went (``GET /opStatus``): ``operation_status`` is ``Pending`` until it
    ends, then ``Succeeded`` or what went wrong (``OffConsoleError``, ``Error``...)."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("op_id", "op_id"), ("status", "operation_status"))

    op_id: str = Field(min_length=1)
    operation_status: str | None = None
    originating_session_id: str | None = None
    command: str | None = None
    succeeded: bool | None = None
    console_status_code: Any = None
    xccs_error_code: Any = None
    h_result: Any = None
    message: str | None = None

    @property
    def pending(self) -> bool:
        return (self.operation_status or PENDING) == PENDING


class CommandDestination(WireModel):
    """The console a command went to, as it was before the command."""

    id: str | None = None
    name: str | None = None
    locale: str | None = None
    power_state: str | None = None
    remote_management_enabled: bool | None = None
    console_streaming_enabled: bool | None = None
    console_type: str | None = None
    wireless_warning: str | None = None
    out_of_home_warning: str | None = None

    @field_validator("remote_management_enabled", "console_streaming_enabled", mode="before")
    @classmethod
    def _read_flag(cls, value: Any) -> Any:
        return _flag(value)


class CommandResult(XboxModel):
    """A command sent to a console (``POST /commands``), and how it ended when it was
    waited for. ``op_id`` is its identity; ``.raw`` is the command's answer.

    Attributes:
        console_id: the console it was sent to.
        command: the command's name (``WakeUp``, ``TurnOff``, ``Volume``...).
        operation: the last status read (None when not waited for).
    """

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("command", "command"), ("outcome", "outcome"))

    op_id: str = Field(min_length=1)
    destination: CommandDestination | None = None
    ui_text: Any = None
    result: Any = None
    user_info: Any = None
    console_id: str | None = None
    command: str | None = None
    operation: OperationStatus | None = None

    @property
    def outcome(self) -> str:
        """``Pending`` until the command ended, then how (``Succeeded``, ``OffConsoleError``...).

        (``status`` is the answer's own ``{"errorCode": "OK"}`` block, kept as sent.)
        """
        found = self.operation.operation_status if self.operation is not None else None
        return found or PENDING

    @property
    def pending(self) -> bool:
        return self.outcome == PENDING

    @property
    def succeeded(self) -> bool:
        return self.operation is not None and not self.pending and (
            self.operation.succeeded is True or self.outcome == "Succeeded")

    def with_status(self, operation: OperationStatus) -> CommandResult:
        """This result with the operation status read since (a copy; ``.raw`` is kept)."""
        return self.model_copy(update={"operation": operation})

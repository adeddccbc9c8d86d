"""userpresence.xboxlive.com (contract 3): who is online, on what device, playing what."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from .base import WireDateTime, WireModel, XboxModel

__all__ = ["LastSeen", "Presence", "PresenceDevice", "PresenceTitle"]


class LastSeen(WireModel):
    """Where an offline user was last seen. ``title_id`` is a string on this service."""

    device_type: str | None = None
    title_id: str | None = None
    title_name: str | None = None
    timestamp: WireDateTime | None = None


class PresenceTitle(WireModel):
    id: str | None = None
    name: str | None = None
    placement: str | None = None
    state: str | None = None
    last_modified: WireDateTime | None = None
    # The live shape is unconfirmed (an object in the docs, a list in other clients).
    activity: Any = None


class PresenceDevice(WireModel):
    type: str | None = None
    titles: list[PresenceTitle] = Field(default_factory=list)


class Presence(XboxModel):
    """One user's presence. ``xuid`` is its identity; ``state`` is Online/Away/Offline."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (("xuid", "xuid"), ("state", "state"))

    xuid: str
    state: str | None = None
    last_seen: LastSeen | None = None
    devices: list[PresenceDevice] = Field(default_factory=list)

    @property
    def online(self) -> bool:
        return (self.state or "").lower() == "online"

    @property
    def titles(self) -> list[PresenceTitle]:
        """Every title on every device (empty when offline)."""
        return [t for d in self.devices for t in d.titles]

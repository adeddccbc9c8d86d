"""Real-time events (:meth:`xbox.Client.events`): one model per kind of change.

Every event says what changed (``kind``), for whom (``xuid``, and ``gamertag`` when known),
how the library learned it (``source``) and when (``received``); ``data`` and ``.raw`` hold
the payload exactly as it came. Payloads are read like every record of this library: a
field of an unexpected type is left at its default, unknown fields are kept.

``source`` is one of:

* ``"rta"``: the Real-Time Activity service pushed it;
* ``"snapshot"``: the state a subscription started from (with ``initial=True``, or after
  a reconnection when it differs from what was last seen);
* ``"resync"``: read again over REST after the service asked for a resync;
* ``"poll"``: found by polling, where RTA has no subscription (new captures);
* ``"client"``: the connection itself (``status`` events).

The payload shapes and their sources are listed in ``docs/events.rst``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import Field

from .base import WireDateTime, WireModel, XboxModel
from .captures import Capture

__all__ = ["AchievementEvent", "AchievementRequirement", "CaptureEvent", "DeviceEvent", "Event",
           "FriendsEvent", "PresenceDetail", "PresenceEvent", "StatEvent", "StatusEvent",
           "TitlePresenceEvent", "from_capture", "from_presence", "from_rta", "status"]

E = TypeVar("E", bound="Event")


class Event(XboxModel):
    """Something that happened on Xbox Live, as it happened.

    Attributes:
        kind: ``presence``, ``devices``, ``titles``, ``achievements``, ``stats``,
            ``friends``, ``captures`` or ``status``.
        xuid: whose (None for a ``status`` event about the connection).
        gamertag: theirs, when the stream knows it (it does for the users it was given).
        source: how it was learned (see the module's docstring).
        resource: the RTA resource URI (or what was polled).
        received: when it arrived (UTC).
        data: the payload as it came (also ``.raw``).
    """

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("kind", "kind"), ("xuid", "xuid"), ("source", "source"))

    kind: str
    xuid: str | None = None
    gamertag: str | None = None
    source: str = "rta"
    resource: str | None = None
    received: WireDateTime | None = None
    data: Any = None

    def summary(self) -> str:
        """What happened, in a few words (the ``xbox watch`` line)."""
        return self.kind


class PresenceDetail(WireModel):
    """One device's part of a rich presence payload."""

    device: str | None = None
    state: str | None = None
    title_id: str | None = None
    presence_text: str | None = None
    rich_presence_text: str | None = None
    is_game: bool | None = None
    is_primary: bool | None = None
    is_broadcasting: bool | None = None


class PresenceEvent(Event):
    """``presence``: a user came online or went offline, started a game, or their rich
    presence changed (``/richpresence``; after a resync, read from userpresence).

    Attributes:
        state: ``Online``, ``Away`` or ``Offline``.
        title_id / title_name: what they play (0 / "" when nothing).
        rich_presence: the game's rich presence text ("Boss fight").
        device_type: ``XboxOne``, ``Scarlett``, ``WindowsOneCore``...
        presence_text: the line the Xbox app shows.
    """

    state: str | None = Field(None, alias="presenceState")
    title_id: int | None = Field(None, alias="titleid")
    title_name: str | None = Field(None, alias="string1")
    rich_presence: str | None = Field(None, alias="string2")
    device_type: str | None = Field(None, alias="devicetype")
    presence_text: str | None = None
    details: list[PresenceDetail] = Field(default_factory=list, alias="presenceDetails")

    @property
    def online(self) -> bool:
        return (self.state or "").lower() == "online"

    def summary(self) -> str:
        if not self.online:
            return (self.state or "offline").lower()
        parts = [f"playing {self.title_name}" if self.title_name else "online"]
        if self.rich_presence and self.rich_presence != f"Playing {self.title_name}":
            parts.append(f"({self.rich_presence})")
        if self.device_type:
            parts.append(f"on {self.device_type}")
        return " ".join(parts)


class DeviceEvent(Event):
    """``devices``: a user signed in or out on a device (XSAPI's device presence; the
    payload is ``"XboxOne:true"``)."""

    device_type: str | None = None
    signed_in: bool | None = None

    def summary(self) -> str:
        verb = "signed in" if self.signed_in else "signed out"
        return f"{verb} on {self.device_type or 'a device'}"


class TitlePresenceEvent(Event):
    """``titles``: a user started or stopped playing one title (XSAPI's title presence;
    the payload is ``"Started:219630713"`` or ``"Ended"``)."""

    title_id: int | None = None
    state: str | None = None

    @property
    def started(self) -> bool:
        return (self.state or "").lower() == "started"

    def summary(self) -> str:
        return f"{'started' if self.started else 'stopped'} playing title {self.title_id}"


class AchievementRequirement(WireModel):
    id: str | None = None
    current: str | None = None
    target: str | None = None


class AchievementEvent(Event):
    """``achievements``: progress on one achievement, or its unlocking (one event per entry
    of the payload's ``progression``).

    Attributes:
        scid: the title's service configuration id; ``title_id``/``title_name`` when the
            stream knows which title that is.
        achievement_id: the achievement's id in its title.
        progress_state: ``Achieved``, ``InProgress``...
        time_unlocked: when (for an unlock).
    """

    scid: str | None = None
    title_id: int | None = None
    title_name: str | None = None
    achievement_id: str | None = None
    progress_state: str | None = None
    time_unlocked: WireDateTime | None = None
    requirements: list[AchievementRequirement] = Field(default_factory=list)

    @property
    def unlocked(self) -> bool:
        return (self.progress_state or "").lower() == "achieved"

    def summary(self) -> str:
        where = f" in {self.title_name}" if self.title_name else ""
        if self.unlocked:
            return f"unlocked achievement {self.achievement_id}{where}"
        req = self.requirements[0] if self.requirements else None
        done = f" ({req.current}/{req.target})" if req is not None and req.target else ""
        return f"progress on achievement {self.achievement_id}{where}{done}"


class StatEvent(Event):
    """``stats``: a statistic's new value (XSAPI's statistic change)."""

    scid: str | None = None
    name: str | None = None
    type: str | None = None
    value: Any = None

    def summary(self) -> str:
        return f"{self.name} = {self.value}"


class FriendsEvent(Event):
    """``friends``: the signed-in user's friends changed (``Added``, ``Removed``,
    ``Changed``) or their count of incoming friend requests did."""

    change: str | None = Field(None, alias="NotificationType")
    xuids: list[str] = Field(default_factory=list, alias="Xuids")
    count: int | None = Field(None, alias="Count")

    def summary(self) -> str:
        if self.count is not None and not self.xuids:
            return f"{self.count} friend requests"
        return f"friends {(self.change or 'changed').lower()}: {', '.join(self.xuids)}"


class CaptureEvent(Event):
    """``captures``: a new clip or screenshot (found by polling: RTA has no subscription for
    captures). ``capture`` is the record, as ``xbl.clips`` gives it (downloadable)."""

    capture: Capture | None = None
    capture_type: str | None = None
    capture_id: str | None = None
    title_name: str | None = None
    recorded: datetime | None = None

    def summary(self) -> str:
        what = "recorded a clip" if self.capture_type == "clip" else "took a screenshot"
        return f"{what} in {self.title_name}" if self.title_name else what


class StatusEvent(Event):
    """``status``: the stream's own news (only when ``"status"`` is among the kinds).

    Attributes:
        status: ``connected``, ``disconnected``, ``reconnecting``, ``renewing`` (a new
            connection before the token or the connection's lifetime runs out),
            ``resync`` or ``refused`` (a subscription the service would not make).
        reason: why, in words.
        retry_in: seconds until the next attempt, where one is planned.
    """

    source: str = "client"
    status: str | None = None
    reason: str | None = None
    retry_in: float | None = None

    def summary(self) -> str:
        text = self.status or "status"
        if self.reason:
            text += f": {self.reason}"
        if self.retry_in is not None:
            text += f" (retrying in {self.retry_in:.0f} s)"
        return text


# -- from the wire ----------------------------------------------------------------------------

def _event(cls: type[E], fields: dict[str, Any], raw: Any) -> E:
    """``cls`` over ``fields`` (wire keys or field names), ``.raw`` the payload as sent."""
    model = cls.from_wire(fields)
    model.__dict__["raw"] = raw
    return model


def _split(text: Any) -> tuple[str, str]:
    """``"XboxOne:true"`` -> ``("XboxOne", "true")``; anything else -> ``("", "")``."""
    if not isinstance(text, str):
        return "", ""
    head, _, tail = text.partition(":")
    return head.strip(), tail.strip()


def from_rta(kind: str, xuid: str, data: Any, *, resource: str | None = None,
             source: str = "rta", received: datetime | None = None,
             gamertag: str | None = None, scid: str | None = None, stat: str | None = None,
             title_id: int | None = None, title_name: str | None = None) -> list[Event]:
    """The events one RTA payload stands for (an achievements payload may hold several).

    Args:
        kind: the resource's kind (``presence``, ``devices``, ``titles``, ``achievements``,
            ``stats``, ``friends``).
        xuid: whose resource it is.
        data: the payload (an event's, or a subscribe answer's).
        scid / stat / title_id / title_name: what the subscription was for, where the
            payload does not say it.
    """
    meta: dict[str, Any] = {"kind": kind, "xuid": xuid, "gamertag": gamertag, "source": source,
                            "resource": resource, "received": received, "data": data}
    if kind == "presence":
        payload = {k: v for k, v in data.items() if k not in meta} if isinstance(data, dict) else {}
        return [_event(PresenceEvent, {**payload, **meta}, data)]
    if kind == "devices":
        if isinstance(data, dict):  # a subscribe answer: a presence record
            return []
        device, flag = _split(data)
        return [_event(DeviceEvent, {**meta, "device_type": device or None,
                                     "signed_in": flag.lower() == "true" if flag else None}, data)]
    if kind == "titles":
        if isinstance(data, dict):
            return []
        state, tail = _split(data)
        tid = int(tail) if tail.isdigit() else title_id
        return [_event(TitlePresenceEvent, {**meta, "state": state or None, "title_id": tid},
                       data)]
    if kind == "achievements":
        if not isinstance(data, dict) or not isinstance(data.get("progression"), list):
            return []
        which = data.get("serviceConfigId") if isinstance(data.get("serviceConfigId"), str) else scid
        out: list[Event] = []
        for entry in data["progression"]:
            if not isinstance(entry, dict):
                continue
            out.append(_event(AchievementEvent, {
                **meta, "scid": which, "title_id": title_id, "title_name": title_name,
                "achievement_id": entry.get("id"), "progress_state": entry.get("progressState"),
                "time_unlocked": entry.get("timeUnlocked"),
                "requirements": entry.get("requirements") or []}, data))
        return out
    if kind == "stats":
        if isinstance(data, dict):  # a subscribe answer: {"name", "type", "value"}
            return [_event(StatEvent, {**meta, "scid": scid, "name": data.get("name", stat),
                                       "type": data.get("type"), "value": data.get("value")},
                           data)]
        return [_event(StatEvent, {**meta, "scid": scid, "name": stat, "value": data}, data)]
    if kind == "friends":
        if not isinstance(data, dict):
            return []
        payload = {k: v for k, v in data.items() if k not in meta}
        if isinstance(payload.get("Xuids"), list):
            payload["Xuids"] = [str(x) for x in payload["Xuids"]]
        return [_event(FriendsEvent, {**payload, **meta}, data)]
    return []


def from_presence(presence: Any, *, source: str = "resync", received: datetime | None = None,
                  gamertag: str | None = None, resource: str | None = None) -> PresenceEvent:
    """A :class:`PresenceEvent` from a userpresence record (:class:`xbox.models.Presence`),
    read in the rich presence payload's terms (after a resync)."""
    title = next(iter(presence.titles), None)
    device = next(iter(presence.devices), None)
    activity = title.activity if title is not None else None
    rich = activity.get("richPresence") if isinstance(activity, dict) else None
    fields = {
        "kind": "presence", "xuid": presence.xuid, "gamertag": gamertag, "source": source,
        "resource": resource, "received": received, "data": presence.raw,
        "presenceState": presence.state,
        "titleid": int(title.id) if title is not None and (title.id or "").isdigit() else 0,
        "string1": title.name if title is not None else "",
        "string2": rich if isinstance(rich, str) else "",
        "devicetype": device.type if device is not None else "",
    }
    return _event(PresenceEvent, fields, presence.raw)


def from_capture(capture: Capture, *, xuid: str | None = None, received: datetime | None = None,
                 gamertag: str | None = None, resource: str | None = None) -> CaptureEvent:
    """A :class:`CaptureEvent` for a capture found by polling (``xuid``: whose list it was
    found in, when the record does not say)."""
    fields = {"kind": "captures", "xuid": capture.xuid or xuid, "gamertag": gamertag,
              "source": "poll",
              "resource": resource, "received": received, "data": capture.raw,
              "capture": capture, "capture_type": capture.kind, "capture_id": capture.id,
              "title_name": capture.title_name, "recorded": capture.recorded}
    return _event(CaptureEvent, fields, capture.raw)


def status(status: str, *, reason: str | None = None, retry_in: float | None = None,
           received: datetime | None = None, resource: str | None = None,
           xuid: str | None = None) -> StatusEvent:
    """A :class:`StatusEvent`."""
    return _event(StatusEvent, {"kind": "status", "status": status, "reason": reason,
                                "retry_in": retry_in, "received": received,
                                "resource": resource, "xuid": xuid}, None)

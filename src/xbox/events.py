"""Real-time events: what happens to Xbox Live users, as it happens (``xbl.events(...)``).

    import xbox

    with xbox.Client() as xbl, xbl.events(["JoeAlcorn"], kinds="presence,achievements") as stream:
        for event in stream:
            print(event.gamertag, event.kind, event.summary())

The names here: the kinds (:data:`KINDS`, :data:`DEFAULT_KINDS`, :func:`check_kinds`), the
streams (:class:`Events` and :class:`AsyncEvents`, which ``xbl.events`` makes), and the
event models (:class:`Event` and one subclass per kind, from :mod:`xbox.models.events`).
Importing this module loads neither the models nor the streams until one is used.

Presence, device and title presence, achievements, statistics and the friends list come
from Xbox Live's Real-Time Activity service, a websocket (``pip install 'xbox[events]'``);
new captures are polled. ``docs/events.rst`` describes the protocol and its sources.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._core.events import DEFAULT_KINDS, DEFAULT_POLL_INTERVAL, KINDS, check_kinds

if TYPE_CHECKING:
    from ._async.events import AsyncEvents
    from ._sync.events import Events
    from .models.events import (
        AchievementEvent,
        CaptureEvent,
        DeviceEvent,
        Event,
        FriendsEvent,
        PresenceEvent,
        StatEvent,
        StatusEvent,
        TitlePresenceEvent,
    )

__all__ = [
    "DEFAULT_KINDS",
    "DEFAULT_POLL_INTERVAL",
    "KINDS",
    "AchievementEvent",
    "AsyncEvents",
    "CaptureEvent",
    "DeviceEvent",
    "Event",
    "Events",
    "FriendsEvent",
    "PresenceEvent",
    "StatEvent",
    "StatusEvent",
    "TitlePresenceEvent",
    "check_kinds",
]

_LAZY = {"AsyncEvents": "xbox._async.events", "Events": "xbox._sync.events",
         **{name: "xbox.models.events" for name in (
             "AchievementEvent", "CaptureEvent", "DeviceEvent", "Event", "FriendsEvent",
             "PresenceEvent", "StatEvent", "StatusEvent", "TitlePresenceEvent")}}


def __getattr__(name: str) -> Any:
    # The models (pydantic) and the streams load on first use: the command line imports
    # this module for its help text.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'xbox.events' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value

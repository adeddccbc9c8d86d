"""userstats.xboxlive.com: a player's statistics in a title (minutes played, a game's own).

The wire's keys here are lower-case words run together (``statlistscollection``,
``groupproperties``), not camelCase; values are decimal strings (``"1220"``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from .base import XboxModel

__all__ = ["Stat"]


class Stat(XboxModel):
    """One statistic of one player in one title. ``name`` is its identity; ``value`` is the
    decimal string the service sends (``number`` reads it).

    Stats of a group (a title's featured "Hero" stats) carry ``group_properties``: their
    ``DisplayName``, ``Ordinal``, ``SortOrder``, ``DisplayFormat`` and ``DisplaySemantic``.
    """

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("name", "name"), ("value", "value"), ("xuid", "xuid"))

    name: str
    xuid: str | None = None
    scid: str | None = None
    type: str | None = None
    value: str | int | float | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    group_properties: dict[str, Any] | None = Field(default=None, alias="groupproperties")

    @property
    def number(self) -> int | float | None:
        """``value`` as a number (an int when it has no fraction), None if it is not one."""
        try:
            number = float(self.value) if self.value is not None else None
        except (TypeError, ValueError):
            return None
        if number is None or number != number or number in (float("inf"), float("-inf")):
            return None
        return int(number) if number.is_integer() else number

    @property
    def display_name(self) -> str | None:
        """What the title calls the stat (``Distance Sailed (Metres)``), when it says."""
        for source in (self.group_properties or {}, self.properties):
            shown = source.get("DisplayName")
            if isinstance(shown, str) and shown:
                return shown
        return None

"""What is left of a wire value once the parts pydantic refused are removed.

A record whose ``views`` arrives as ``"lots"`` keeps everything else: the refused value is
dropped (the field falls back to its default) and the rest is validated again. Only
pydantic's public ``ValidationError.errors()`` is read.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

#: Validations of one value before giving up (each drops what the previous one refused; a
#: dropped nested object can make its parent refuse something else).
MAX_ROUNDS = 4


def refused(exc: ValidationError) -> list[tuple[Any, ...]] | None:
    """Where the refused parts of a value are, or None when the value itself is refused.

    A nested object that lacks one of its own required fields is refused as a whole.
    """
    locations = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] == "missing":
            loc = loc[:-1]
        if not loc:
            return None
        locations.append(loc)
    return locations


def without(data: Any, locations: list[tuple[Any, ...]]) -> Any:
    """A copy of ``data`` with the value at each location removed (containers on the way
    are copied, the rest shared). List items go from the highest index down, so earlier
    removals do not shift later ones."""
    for loc in sorted(locations, key=lambda loc: [str(p).zfill(8) for p in loc], reverse=True):
        data = _drop(data, loc)
    return data


def _drop(data: Any, loc: tuple[Any, ...]) -> Any:
    head, rest = loc[0], loc[1:]
    if isinstance(data, dict) and head in data:
        copy = dict(data)
        if rest:
            copy[head] = _drop(data[head], rest)
        else:
            del copy[head]
        return copy
    if isinstance(data, list) and isinstance(head, int) and 0 <= head < len(data):
        copy_list = list(data)
        if rest:
            copy_list[head] = _drop(data[head], rest)
        else:
            del copy_list[head]
        return copy_list
    return data


def summary(exc: ValidationError) -> str:
    """The first few errors, one line (for a :class:`~xbox.exceptions.MalformedResponse`)."""
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)

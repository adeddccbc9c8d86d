"""Compare a sandbox response with a real recorded one: same keys, same value types.

Recorded bodies live in tests/fixtures/recorded/ (2018-22) and tests/fixtures/recorded-2025/
(2025-26); ORIGIN.md in each says where every file came from.

A recorded body is read as a *shape*: for an object, which keys it has and the shape of each
value; for a list, the shapes of all its elements merged. Real lists are not uniform (one
friend has a ``partyDetails`` block and the next does not, one person's ``lastSeenDateTimeUtc``
is a date and the next one's null), so a sandbox element passes when each of its keys and
types appears on some recorded element of that list, and the keys every recorded element
has are on it too. A list with a single recorded element is compared with that element,
key for key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
RECORDED = FIXTURES / "recorded"
RECORDED_2025 = FIXTURES / "recorded-2025"


def recorded(name: str, folder: str = "recorded") -> Any:
    """The recorded JSON body ``name`` from tests/fixtures/``folder``/ (2018 by default)."""
    return json.loads((FIXTURES / folder / name).read_text(encoding="utf-8"))


def recorded_2025(name: str) -> Any:
    """The recorded JSON body ``name`` from tests/fixtures/recorded-2025/."""
    return recorded(name, "recorded-2025")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


@dataclass
class Shape:
    """What the recorded values at one place in a body looked like, all of them together.

    ``kinds`` is every type seen there; ``keys`` the merged shape of each key of the objects
    seen, ``required`` the keys all of those objects had; ``items`` the merged shape of the
    elements of the lists seen (None when every list seen was empty).
    """

    kinds: set[str] = field(default_factory=set)
    keys: dict[str, Shape] = field(default_factory=dict)
    required: set[str] | None = None
    items: Shape | None = None

    def add(self, value: Any) -> None:
        kind = _kind(value)
        self.kinds.add(kind)
        if kind == "object":
            self.required = set(value) if self.required is None else self.required & set(value)
            for key, sub in value.items():
                self.keys.setdefault(key, Shape()).add(sub)
        elif kind == "array":
            for item in value:
                if self.items is None:
                    self.items = Shape()
                self.items.add(item)


def shape_of(values: Iterable[Any]) -> Shape:
    """The merged shape of recorded ``values``."""
    shape = Shape()
    for value in values:
        shape.add(value)
    return shape


def _describe(kinds: set[str]) -> str:
    return " or ".join(sorted(kinds))


def _check(actual: Any, shape: Shape, path: str, nullable: frozenset[str],
           optional: Mapping[str, Shape]) -> list[str]:
    kind = _kind(actual)
    if kind not in shape.kinds:
        if kind in ("object", "array"):
            return [f"{path}: expected {_describe(shape.kinds)}, got {kind}"]
        return [f"{path}: expected {_describe(shape.kinds)}, got {kind} ({actual!r})"]
    problems: list[str] = []
    if kind == "object":
        missing = (shape.required or set()) - actual.keys()
        extra = actual.keys() - shape.keys.keys() - optional.keys()
        if missing:
            problems.append(f"{path}: missing keys {sorted(missing)}")
        if extra:
            problems.append(f"{path}: unexpected keys {sorted(extra)}")
        for key in sorted(actual.keys() - extra):
            sub = shape.keys.get(key) or optional[key]
            if key in nullable and (actual[key] is None or "null" in sub.kinds):
                continue
            problems += _check(actual[key], sub, f"{path}.{key}", nullable, optional)
    elif kind == "array" and shape.items is not None:
        for i, item in enumerate(actual):
            problems += _check(item, shape.items, f"{path}[{i}]", nullable, optional)
    return problems


def shape_differences(actual: Any, expected: Any, path: str = "$",
                      nullable: frozenset[str] = frozenset(),
                      optional: Mapping[str, Any] | None = None) -> list[str]:
    """Every place where ``actual`` differs from the recorded ``expected`` in keys or types.

    A list's elements are checked against the merged shape of all its recorded elements (see
    the module docstring); an empty recorded list says nothing about its elements. A key
    named in ``nullable`` may be null on either side (the recording's value happened to be
    null where the sandbox has one, or the other way round). ``optional`` names keys this
    recording lacks that an object may carry all the same, each with a sample value of its
    type: a documented assumption (another recording of the service shows the key), never
    a way around a difference.
    """
    extra = {key: shape_of([sample]) for key, sample in (optional or {}).items()}
    return _check(actual, shape_of([expected]), path, nullable, extra)


def assert_same_shape(actual: Any, expected: Any, nullable: frozenset[str] = frozenset(),
                      optional: Mapping[str, Any] | None = None) -> None:
    problems = shape_differences(actual, expected, nullable=nullable, optional=optional)
    assert not problems, "\n".join(problems[:20])

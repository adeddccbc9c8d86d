"""Compare a sandbox response with a real recorded one: same keys, same value types.

Recorded bodies live in tests/fixtures/recorded/ (see ORIGIN.md there for where each came from).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).parent / "fixtures" / "recorded"


def recorded(name: str) -> Any:
    """The recorded JSON body ``name`` (a file in tests/fixtures/recorded/)."""
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return type(value).__name__


def shape_differences(actual: Any, expected: Any, path: str = "$",
                      nullable: frozenset[str] = frozenset()) -> list[str]:
    """Every place where ``actual`` differs from ``expected`` in keys or value types.

    Lists are compared element-wise against the first recorded element (all recorded
    elements must agree with it). A key named in ``nullable`` may be null on either side.
    """
    problems: list[str] = []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected object, got {_kind(actual)}"]
        missing = expected.keys() - actual.keys()
        extra = actual.keys() - expected.keys()
        if missing:
            problems.append(f"{path}: missing keys {sorted(missing)}")
        if extra:
            problems.append(f"{path}: unexpected keys {sorted(extra)}")
        for key in expected.keys() & actual.keys():
            if key in nullable and (expected[key] is None or actual[key] is None):
                continue
            problems += shape_differences(actual[key], expected[key], f"{path}.{key}", nullable)
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected array, got {_kind(actual)}"]
        if expected and actual:
            for i, item in enumerate(actual):
                problems += shape_differences(item, expected[0], f"{path}[{i}]", nullable)
        return problems
    if _kind(actual) != _kind(expected):
        problems.append(f"{path}: expected {_kind(expected)}, got {_kind(actual)} ({actual!r})")
    return problems


def assert_same_shape(actual: Any, expected: Any, nullable: frozenset[str] = frozenset()) -> None:
    problems = shape_differences(actual, expected, nullable=nullable)
    assert not problems, "\n".join(problems[:20])

"""Running one test against both clients: ``await call(xbl.method(...))`` works for
:class:`xbox.Client` and :class:`xbox.AsyncClient` alike, and proves the sync twin really
is sync: once a test said which client it runs (:func:`use`), an awaitable coming back from
the sync client fails the test (a generated method that still returned one would otherwise
pass silently).
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["call", "collect", "use"]

_running: list[str] = []  # the kind of client the current test runs, if it said


def use(kind: str) -> None:
    """The current test runs the ``"sync"`` or ``"async"`` client (until the next test)."""
    _running[:] = [kind]


def reset() -> None:
    _running.clear()


async def call(value: Any) -> Any:
    """The result of a call of either client."""
    if inspect.isawaitable(value):
        assert _running != ["sync"], "a method of the sync client returned an awaitable"
        return await value
    return value


async def collect(pager: Any) -> list[Any]:
    """Every item of a sync or async paginator."""
    if hasattr(pager, "__aiter__"):
        assert _running != ["sync"], "the sync client returned an async paginator"
        return [item async for item in pager]
    assert _running != ["async"], "the async client returned a sync paginator"
    return list(pager)

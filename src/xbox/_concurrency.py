"""The few primitives where the async client and its generated sync twin differ.

``scripts/unasync.py`` rewrites ``AsyncLock`` -> ``Lock`` and ``async_sleep`` -> ``sleep``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from types import TracebackType

__all__ = ["AsyncLock", "Lock", "async_sleep", "sleep"]


class AsyncLock:
    """An asyncio lock made on first use, so a client can be built outside an event loop."""

    def __init__(self) -> None:
        self._lock: asyncio.Lock | None = None

    async def __aenter__(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        await self._lock.acquire()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        assert self._lock is not None
        self._lock.release()


class Lock:
    """A re-entrant thread lock with the same shape as :class:`AsyncLock`."""

    def __init__(self) -> None:
        self._lock = threading.RLock()

    def __enter__(self) -> None:
        self._lock.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._lock.release()


async def async_sleep(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)


def sleep(seconds: float) -> None:
    if seconds > 0:
        time.sleep(seconds)

"""The few primitives where the async client and its generated sync twin differ.

``scripts/unasync.py`` rewrites each ``AsyncX``/``async_x`` name here to its sync twin
(``AsyncLock`` -> ``Lock``, ``async_sleep`` -> ``sleep``, ``async_each_limited`` ->
``each_limited``, ``async_run_blocking`` -> ``run_blocking``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from types import TracebackType
from typing import ParamSpec, TypeVar

__all__ = ["AsyncLock", "Lock", "async_each_limited", "async_run_blocking", "async_sleep",
           "each_limited", "run_blocking", "sleep"]

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


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


async def async_each_limited(items: Iterable[T], job: Callable[[T], Awaitable[None]],
                             limit: int) -> None:
    """Run ``job(item)`` for every item, at most ``limit`` at once, in the items' order.

    The first exception cancels the jobs not yet finished and is raised as itself (not as
    an exception group). Semaphore waiters are woken first come, first served, so jobs
    start in order.
    """
    gate = asyncio.Semaphore(limit)

    async def guarded(item: T) -> None:
        async with gate:
            await job(item)

    try:
        async with asyncio.TaskGroup() as group:
            for item in items:
                group.create_task(guarded(item))
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None


def each_limited(items: Iterable[T], job: Callable[[T], None], limit: int) -> None:
    """:func:`async_each_limited` with worker threads: at most ``limit`` at once, in order.

    The first exception drops the jobs not yet started (running ones finish) and is raised
    in the caller's thread. With ``limit == 1`` the jobs run in the caller's thread.
    """
    queue = list(items)
    if limit == 1 or len(queue) <= 1:
        for item in queue:
            job(item)
        return
    pool = ThreadPoolExecutor(max_workers=limit, thread_name_prefix="xbox")
    futures: list[Future[None]] = []
    try:
        futures = [pool.submit(job, item) for item in queue]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:
            future.result()
    finally:
        # On an error or Ctrl-C, queued jobs are dropped; running ones finish.
        pool.shutdown(wait=True, cancel_futures=True)


async def async_run_blocking(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run blocking I/O (fsync, rename, SQLite) in a worker thread, off the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)


def run_blocking(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """The sync twin of :func:`async_run_blocking`: just call it."""
    return fn(*args, **kwargs)

"""Shared bits of the sign-in tests: a fake clock both the sandbox and the client read."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx

import xbox
from xbox.sandbox import Sandbox

# 2026-11-01 12:00 UTC: the sandbox world's "now".
START = 1_793_534_400.0


class FakeClock:
    """Seconds since the epoch that only move when told; its sleeps move it."""

    def __init__(self, start: float = START) -> None:
        self.now = start
        self.slept: list[float] = []
        self.on_sleep: Callable[[float], None] | None = None

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def async_client(sb: Sandbox, clock: FakeClock | None = None, **kwargs: object) -> xbox.AsyncClient:
    if clock is not None:
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("sleep", clock.asleep)
    kwargs.setdefault("transport", sb.transport())
    return xbox.AsyncClient(base_url=sb.base_url, **kwargs)  # type: ignore[arg-type]


def sync_client(sb: Sandbox, clock: FakeClock | None = None, **kwargs: object) -> xbox.Client:
    if clock is not None:
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("sleep", clock.sleep)
    kwargs.setdefault("transport", sb.transport())
    return xbox.Client(base_url=sb.base_url, **kwargs)  # type: ignore[arg-type]


def yielding_transport(sb: Sandbox) -> httpx.MockTransport:
    """The sandbox in-process, but every request yields to the event loop first, as a
    socket would: without it, concurrent coroutines would simply run one after another."""

    async def handle(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.001)
        await request.aread()
        return sb.handle(request)

    return httpx.MockTransport(handle)


def requests_to(sb: Sandbox, host: str, path: str = "") -> list[httpx.Request]:
    """The requests the sandbox saw for ``host`` (and a path fragment)."""
    return [r for r in sb.requests
            if f"/{host}/" in str(r.url) and path in r.url.path]


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


PROFILE = ("profile.xboxlive.com", "/users/me/profile/settings")


def profile_params() -> dict[str, str]:
    return {"settings": "Gamertag"}


def xbox_app_sign_in(xbl: Any, sb: Sandbox) -> Any:
    """Sign ``xbl`` in as ``xbox login`` does (device code with the Xbox app's id, then the
    signed SISU sign-in), as the sandbox's Joe: the sign-in whose XSTS token mediahub takes.

    The sandbox approves the code at the first poll. Returns the session, or for an
    ``AsyncClient`` the coroutine to await.
    """
    sb.device_code_pending_polls = 0
    return xbl.login_device_code(on_code=lambda code: None)

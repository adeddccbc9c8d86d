"""A sync or async client signed in as the Xbox app (device code, then SISU) on an in-process
sandbox, both on one fake clock: console commands, messages and friends are tested with it.

The clock only moves when the client sleeps, so a command's wait for its outcome (2 s of
sandbox time) passes at once, and a test can count the sleeps.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

import xbox
from xbox.sandbox import Sandbox

from .auth_helpers import FakeClock, xbox_app_sign_in
from .twins import use

__all__ = ["KINDS", "signed_in"]

KINDS = pytest.mark.parametrize("kind", ["sync", "async"])


@contextlib.asynccontextmanager
async def signed_in(kind: str, sb: Sandbox, clock: FakeClock, **options: Any
                    ) -> AsyncIterator[Any]:
    """``kind`` ``"sync"`` or ``"async"``: a client of that kind, signed in as Joe."""
    use(kind)
    options.setdefault("token_store", None)
    if kind == "sync":
        with xbox.Client(base_url=sb.base_url, transport=options.pop("transport", sb.transport()),
                         clock=clock, sleep=clock.sleep, **options) as c:
            xbox_app_sign_in(c, sb)
            yield c
    else:
        async with xbox.AsyncClient(base_url=sb.base_url,
                                    transport=options.pop("transport", sb.transport()),
                                    clock=clock, sleep=clock.asleep, **options) as ac:
            await xbox_app_sign_in(ac, sb)
            yield ac

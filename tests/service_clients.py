"""Clients for the tests of the newer services: the sandbox's real router in-process, one
signed-in ``Client`` or ``AsyncClient`` per test, and counts of what reached a host."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import xbox
from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, Sandbox

from .twins import call, use

RECORDED = Path(__file__).parent / "fixtures" / "recorded"
#: Retries that do not make a test wait: the backoff is a hundredth of a second.
QUICK_RETRIES = xbox.RetryPolicy(backoff=0.01, max_backoff=0.02, jitter=0)


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


@contextlib.asynccontextmanager
async def signed_in(kind: str, sb: Sandbox, **kwargs: Any) -> AsyncIterator[Any]:
    """JoeAlcorn signed in (password sign-in) on a sync or async client."""
    use(kind)
    kwargs.setdefault("retry", QUICK_RETRIES)
    if kind == "sync":
        with xbox.Client(base_url=sb.base_url, transport=sb.transport(), token_store=None,
                         **kwargs) as c:
            c.authenticate(JOE_EMAIL, JOE_PASSWORD)
            yield c
    else:
        async with xbox.AsyncClient(base_url=sb.base_url, transport=sb.transport(),
                                    token_store=None, **kwargs) as ac:
            await call(ac.authenticate(JOE_EMAIL, JOE_PASSWORD))
            yield ac


def sent(sb: Sandbox, host: str, method: str | None = None) -> list[Any]:
    """The requests the sandbox saw for ``host`` (and ``method``)."""
    return [r for r in sb.requests if f"/{host}/" in str(r.url)
            and (method is None or r.method == method)]

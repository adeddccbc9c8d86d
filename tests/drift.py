"""Xbox Live drifting under a test: JSON bodies from the sandbox's real router, rewritten.

Services change shapes without notice (a field turns into a number, a key goes missing).
``Drift`` wraps the sandbox's router and lets a test rewrite the JSON of chosen answers, so
drift tests do not depend on how the sandbox builds its bodies.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from xbox.sandbox import Sandbox

Rewrite = Callable[[Any], None]


class Drift:
    """A transport over ``sandbox`` that rewrites the JSON answers of chosen hosts."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.rules: list[tuple[str, str, Rewrite]] = []

    def on(self, host: str, rewrite: Rewrite, *, path: str = "") -> None:
        """From now on, ``rewrite(body)`` changes (in place) every JSON answer of ``host``
        whose path contains ``path``."""
        self.rules.append((host, path, rewrite))

    def handle(self, request: httpx.Request) -> httpx.Response:
        response = self.sandbox.handle(request)
        rules = [r for host, path, r in self.rules
                 if f"/{host}/" in request.url.path and path in request.url.path]
        if not rules or "json" not in response.headers.get("content-type", ""):
            return response
        body = json.loads(response.read())
        for rewrite in rules:
            rewrite(body)
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in ("content-length", "content-encoding")}
        return httpx.Response(response.status_code, headers=headers, json=body)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)
